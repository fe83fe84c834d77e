"""Webhook mode, several workers, Telegram's rate limits, and no token in the logs."""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from pydantic import SecretStr

from bot.app import LicenceApplication
from bot.emulator import BotApiEmulator
from bot.serve import prepare, serve_webhook
from domain.clock import FixedClock
from domain.commands import AddCustomer
from domain.services import accounts, orders
from domain.services.accounts import OPERATOR
from domain.services.context import Context
from domain.storage.database import Database
from tests.conftest import PgSchema
from tests.e2e.harness import TOKEN, Bot, order_summary, press, say, screen, settings_for, texts

SECRET = "s3cret-webhook-token"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@asynccontextmanager
async def webhook_workers(
    url: str, clock: FixedClock, workers: int, schema: str | None = None
) -> AsyncIterator[tuple[BotApiEmulator, Bot, list[LicenceApplication]]]:
    """`workers` webhook workers on one port (SO_REUSEPORT), sharing one database."""
    port = free_port()
    async with BotApiEmulator(token=TOKEN) as emu:
        settings = settings_for(
            url,
            emu.base_url,
            webhook_url=f"http://127.0.0.1:{port}/telegram",
            webhook_secret=SecretStr(SECRET),
            webhook_listen="127.0.0.1",
            webhook_port=port,
        )
        setup = Context(Database(url, schema=schema), clock=clock, tz=settings.tz)
        await prepare(setup)
        await accounts.add_customer(setup, OPERATOR, AddCustomer("acme", "ACME GmbH"))
        stop = asyncio.Event()
        apps: list[LicenceApplication] = []
        cores = [Context(Database(url, schema=schema), clock=clock) for _ in range(workers)]
        tasks = [
            asyncio.create_task(
                serve_webhook(settings, register=i == 0, stop=stop, core=core, on_ready=apps.append)
            )
            for i, core in enumerate(cores)
        ]
        for _ in range(200):
            if len(apps) == workers or any(t.done() for t in tasks):
                break
            await asyncio.sleep(0.05)
        for task in tasks:
            if task.done():
                task.result()  # surface a start-up failure
        bot = Bot(emu, setup, settings, application=apps[0])
        try:
            yield emu, bot, apps
        finally:
            stop.set()
            await asyncio.gather(*tasks)
            for core in [*cores, setup]:
                await core.db.dispose()


async def settle_all(emu: BotApiEmulator, apps: list[LicenceApplication]) -> None:
    for _ in range(500):
        await emu.settle()
        if all(a.in_flight == 0 for a in apps):
            await emu.settle()
            if all(a.in_flight == 0 for a in apps):
                return
        await asyncio.sleep(0.01)
    raise TimeoutError("workers did not settle")


async def test_webhook_mode_serves_the_order_flow_and_rejects_a_wrong_secret(
    tmp_path: Path, clock: FixedClock
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'hook.db'}"
    async with webhook_workers(url, clock, workers=1) as (emu, bot, apps):
        assert emu.webhook_url is not None
        assert emu.webhook_url.endswith("/telegram")
        assert emu.webhook_secret == SECRET
        user = await bot.linked_user(5001)
        await settle_all(emu, apps)
        assert screen(user).plain_text.startswith("Hauptmenü · ACME GmbH")
        await press(bot, user, "Produkte")
        await settle_all(emu, apps)
        assert "Microsoft 365 E3" in screen(user).buttons()
        mallory = emu.user(5002, first_name="Mallory")
        body = {
            "update_id": 1,
            "message": {
                "message_id": 1,
                "date": 0,
                "text": "/start",
                "chat": {"id": 5002, "type": "private"},
                "from": {"id": 5002, "is_bot": False, "first_name": "Mallory"},
            },
        }
        assert await emu.post_raw_webhook(body, secret=None) == 403
        assert await emu.post_raw_webhook(body, secret="wrong") == 403
        await settle_all(emu, apps)
        assert mallory.messages() == []  # nothing reached the bot


async def test_two_webhook_workers_share_one_postgresql(
    pg_schema: PgSchema, clock: FixedClock
) -> None:  # design decision 4
    async with webhook_workers(pg_schema.url, clock, workers=2, schema=pg_schema.schema) as (
        emu,
        bot,
        apps,
    ):
        users = [await bot.linked_user(6000 + i) for i in range(4)]
        await settle_all(emu, apps)
        for user in users:
            await user.press(screen(user), "Produkte")
        await settle_all(emu, apps)
        for user in users:
            await user.press(screen(user), "Microsoft 365 E3")
        await settle_all(emu, apps)
        for user in users:
            await user.press(screen(user), "Bestellen")
        await settle_all(emu, apps)
        for user in users:
            await user.send("2")
        await settle_all(emu, apps)
        for label in ("☐ AGB akzeptieren", "☐ Microsoft-Konto"):
            for user in users:
                await user.press(screen(user), label)
            await settle_all(emu, apps)
        first = screen(users[0])
        data = first.button("Bestellen")["callback_data"]
        for _ in range(3):  # a triple tap, spread over the workers
            await users[0].press_data(first.message_id, data)
        for other in users[1:]:  # three colleagues order the same product at once (R6)
            await other.press(screen(other), "Bestellen")
        await settle_all(emu, apps)
        results = [screen(u).plain_text for u in users]
        winners = [
            r for r in results if "✅ Bestellung Nr. 1" in r or "bereits eingegangen (Nr. 1)" in r
        ]
        assert len(winners) >= 1
        assert all("Nr. 1" in r or "bereits gebucht" in r for r in results), results
        async with bot.core.uow(write=False) as uow:
            subs = await uow.subscriptions.for_customer("acme")
        assert [s.quantity for s in subs] == [2]  # one customer, one E3 subscription (R6, R9)
        assert sum(a.in_flight for a in apps) == 0
        assert sum(a.processed for a in apps) >= 4 * 7  # every update was handled once


async def test_replies_arrive_through_a_flood_of_429_answers(
    bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    user = await bot.linked_user(5003)
    bot.emu.fail_next("editMessageText", count=3, status=429, retry_after=1)
    bot.emu.fail_next("sendMessage", count=2, status=429, retry_after=1)
    reply = await press(bot, user, "Produkte")
    assert "Produktübersicht" in reply.plain_text
    assert (await say(bot, user, "/status")).plain_text.startswith("Status · ACME GmbH")


async def test_the_token_never_reaches_the_logs(
    tmp_path: Path, clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    from tests.e2e.harness import running_bot

    caplog.set_level(logging.DEBUG)
    async with running_bot(f"sqlite+aiosqlite:///{tmp_path / 'log.db'}", clock) as bot:
        user = await bot.linked_user(5004)
        await say(bot, user, "/orders")
    secret_part = TOKEN.split(":", 1)[1]
    assert caplog.records
    assert not any(secret_part in r.getMessage() for r in caplog.records)


async def test_passing_server_errors_of_the_bot_api_are_retried(bot: Bot) -> None:
    # A 500 on the callback answer or on the screen must not cost the user the screen.
    user = await bot.linked_user(5005)
    bot.emu.fail_next("answerCallbackQuery", count=2, status=500)
    bot.emu.fail_next("editMessageText", count=2, status=502)
    reply = await press(bot, user, "Produkte")
    assert "Produktübersicht" in reply.plain_text
    assert not any("technisch" in text for text in texts(user))


async def test_an_order_whose_confirmation_cannot_be_shown_is_never_called_undone(
    bot: Bot,
) -> None:  # R9: committed is committed, and the user is told where to look
    user = await bot.linked_user(5006)
    await order_summary(bot, user, "Microsoft 365 E3", "3")
    attempts = 5  # the limiter's first try and its four retries
    bot.emu.fail_next("editMessageText", count=attempts, status=500)
    await user.press(screen(user), "Bestellen")
    for _ in range(300):  # the back-off takes a few seconds
        if any("Referenz" in text for text in texts(user)):
            break
        await asyncio.sleep(0.1)
    await bot.settle()
    overview = await orders.list_orders(bot.core, OPERATOR, "acme")
    assert [s.quantity for s in overview.subscriptions] == [3]
    said = texts(user)[-1]
    assert "ist gespeichert" in said and "/orders" in said
    assert "nichts bestellt" not in " ".join(texts(user))
    reply = await say(bot, user, "/orders")
    assert "Microsoft 365 E3" in reply.plain_text
