"""The Mini App beside the running bot: signed launch data and API calls as a client sends them."""

from __future__ import annotations

import socket
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from bot.miniapp.launch import Person, init_data
from domain.clock import FixedClock
from domain.commands import ChangeQuantity, PlaceOrder
from domain.model import Channel, Role
from domain.services import accounts, seats, subscriptions
from domain.services import orders as order_service
from domain.services.accounts import OPERATOR
from tests.conftest import NOW, PG_URL, _create_schema, _drop_schema, require_pg
from tests.e2e.harness import TOKEN, Bot, order, running_bot


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class MiniApp:
    bot: Bot
    port: int
    clock: FixedClock

    @property
    def page(self) -> str:
        return f"http://127.0.0.1:{self.port}/app/"

    def signed(self, user_id: int, at: datetime, language: str = "de") -> str:
        return init_data(Person(user_id, "Anna", None, language), TOKEN, at)

    async def get(
        self, path: str, init: str | None, params: dict[str, str] | None = None
    ) -> httpx.Response:
        headers = {} if init is None else {"Authorization": f"tma {init}"}
        async with httpx.AsyncClient() as client:
            return await client.get(
                f"{self.page}api/{path}", headers=headers, params=params, timeout=20
            )

    async def json(self, path: str, init: str, **params: str) -> Any:
        response = await self.get(path, init, params)
        assert response.status_code == 200, response.text
        return response.json()


@asynccontextmanager
async def miniapp(
    tmp_path: Path, clock: FixedClock, database: str = "sqlite"
) -> AsyncIterator[MiniApp]:
    """The bot with its Mini App on a free port, on SQLite or (`postgresql`) a new schema."""
    port = free_port()
    web = "https://example.com/app/"
    if database == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
        async with running_bot(url, clock, webapp_port=port, webapp_url=web) as bot:
            yield MiniApp(bot, port, clock)
        return
    require_pg()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    await _create_schema(schema)
    try:
        async with running_bot(
            PG_URL, clock, schema=schema, webapp_port=port, webapp_url=web
        ) as bot:
            yield MiniApp(bot, port, clock)
    finally:
        await _drop_schema(schema)


ADMIN, MEMBER, AGENT, OTHER_ADMIN = 501, 502, 503, 504
SEPTEMBER = datetime(2026, 9, 14, 10, 0, tzinfo=UTC)


async def acme_with_orders(app: MiniApp) -> None:
    """ACME since March: E3 ordered with 10 licences (provisioned, 7 assigned, a reduction to
    8 scheduled), 15 from July, 10 again from September; Business Basic ordered today in the
    chat. Globex's admin orders too; a member and the service desk are linked."""
    bot, clock = app.bot, app.clock
    admin = await bot.linked_user(ADMIN)
    await bot.linked_user(MEMBER, role=Role.MEMBER, first_name="Max")
    await bot.linked_user(AGENT, role=Role.AGENT, customer=None, first_name="Desk", language="en")
    other = await bot.linked_user(OTHER_ADMIN, customer="globex", first_name="Olga")
    anna = await accounts.resolve_actor(bot.core, Channel.TELEGRAM, str(ADMIN))
    clock.set(datetime(2026, 3, 10, 9, 0, tzinfo=UTC))
    placed = await order_service.place_order(
        bot.core, anna, PlaceOrder("acme", "M365-E3", 10, True, True)
    )
    e3 = placed.subscription.id
    await bot.provision(e3)
    for when, quantity in ((datetime(2026, 7, 1, 8, 0, tzinfo=UTC), 15), (SEPTEMBER, 10)):
        clock.set(when)
        await subscriptions.change_quantity(bot.core, anna, ChangeQuantity(e3, quantity))
    clock.set(NOW)
    await order(bot, admin, "Microsoft 365 Business Basic", "4")
    await order(bot, other, "Microsoft 365 E3", "99")
    await seats.report_usage(bot.core, OPERATOR, "acme", "M365-E3", 7)
    await seats.schedule_reduction(bot.core, anna, e3, 8)
