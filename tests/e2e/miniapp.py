"""The Mini App beside the running bot: signed launch data and API calls as a client sends them."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

from bot.miniapp.launch import Person, init_data
from domain.clock import FixedClock
from domain.model import Role
from tests.e2e.harness import TOKEN, Bot, order, running_bot


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class MiniApp:
    bot: Bot
    port: int

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
async def miniapp(tmp_path: Path, clock: FixedClock) -> AsyncIterator[MiniApp]:
    port = free_port()
    async with running_bot(
        f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        clock,
        webapp_port=port,
        webapp_url="https://example.com/app/",
    ) as bot:
        yield MiniApp(bot, port)


ADMIN, MEMBER, AGENT, OTHER_ADMIN = 501, 502, 503, 504


async def acme_with_orders(app: MiniApp) -> None:
    """ACME's admin orders two products and changes one; Globex's admin orders too."""
    bot = app.bot
    admin = await bot.linked_user(ADMIN)
    await bot.linked_user(MEMBER, role=Role.MEMBER, first_name="Max")
    await bot.linked_user(AGENT, role=Role.AGENT, customer=None, first_name="Desk", language="en")
    other = await bot.linked_user(OTHER_ADMIN, customer="globex", first_name="Olga")
    await order(bot, admin, "Microsoft 365 E3", "10")
    await order(bot, admin, "Microsoft 365 Business Basic", "4")
    await order(bot, other, "Microsoft 365 E3", "99")
