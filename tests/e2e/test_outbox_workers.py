"""Several bot workers on one PostgreSQL database deliver the outbox: each notice reaches each
person exactly once, whichever worker sends it (issue 9, item 5; design decision 4)."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime

from telegram.ext import Application

from bot.app import build_application
from bot.notifier import _end_expired, deliver_once
from domain.clock import FixedClock
from domain.commands import CancelSubscription, ChangeQuantity, PlaceOrder
from domain.model import Channel, Status
from domain.services import accounts, orders, subscriptions
from domain.services.context import Context
from domain.services.notifications import ENDED
from domain.storage.database import Database
from tests.conftest import PgSchema
from tests.e2e.harness import running_bot
from tests.storage import read

PRODUCTS = ("M365-E3", "M365-E5", "EXO-P1", "M365-BUSINESS-STANDARD", "M365-APPS-BUSINESS")


async def test_two_workers_on_postgresql_deliver_each_notice_exactly_once(
    pg_schema: PgSchema, clock: FixedClock
) -> None:
    async with running_bot(pg_schema.url, clock, schema=pg_schema.schema) as bot:
        admins = [await bot.linked_user(9600 + i, first_name=f"Admin{i}") for i in range(4)]
        orderer = await accounts.resolve_actor(bot.core, Channel.TELEGRAM, "9600")
        changer = await accounts.resolve_actor(bot.core, Channel.TELEGRAM, "9601")
        for sku in PRODUCTS:
            placed = await orders.place_order(
                bot.core, orderer, PlaceOrder("acme", sku, 2, True, True)
            )
            await bot.provision(placed.subscription.id)  # 4 admins each
            await subscriptions.change_quantity(  # 3 admins each: not the one who changed it
                bot.core, changer, ChangeQuantity(placed.subscription.id, 3)
            )
        expected = len(PRODUCTS) * (4 + 3)

        second = Context(
            Database(pg_schema.url, schema=pg_schema.schema), clock=clock, tz=bot.core.tz
        )
        other = build_application(bot.settings, second, updater=False)
        assert bot.application is not None
        total = 0

        async def worker(application: Application, core: Context, limit: int) -> int:  # type: ignore[type-arg]
            """The notifier's loop with a short interval, until everything went out."""
            nonlocal total
            mine = 0
            for _ in range(400):
                sent = await deliver_once(application, core, "de", limit=limit)
                mine, total = mine + sent, total + sent
                if total >= expected:
                    break
                await asyncio.sleep(0.005)
            return mine

        try:
            async with other:  # a second worker: its own Bot API client and database pool
                rounds = await asyncio.gather(
                    worker(bot.application, bot.core, 3),
                    worker(other, second, 3),
                    worker(bot.application, bot.core, 2),
                    worker(other, second, 2),
                )
        finally:
            await second.db.dispose()
        await bot.settle()

        sent = Counter(
            (call.params.get("chat_id"), call.params.get("text"))
            for call in bot.emu.calls
            if call.method == "sendMessage"
            and (
                "bereitgestellt:" in str(call.params.get("text"))
                or "geändert" in str(call.params.get("text"))
            )
        )
        assert sum(rounds) == expected
        assert len(sent) == expected and set(sent.values()) == {1}  # each once
        assert rounds[0] + rounds[2] > 0 and rounds[1] + rounds[3] > 0  # both workers sent
        for admin in admins:
            told = [m.plain_text for m in admin.messages() if "Bestellung Nr." in m.plain_text]
            assert len(told) == (5 if admin.id == 9601 else 10)
        async with read(bot.core.db) as uow:
            notices = await uow.outbox.notices("acme")
            states = [d["state"] for n in notices for d in await uow.outbox.states(n.id)]
        assert Counter(states) == {"sent": expected}


async def test_the_month_end_in_two_workers_at_once_ends_and_tells_once(
    pg_schema: PgSchema, clock: FixedClock
) -> None:  # R21: every worker runs it once a day
    async with running_bot(pg_schema.url, clock, schema=pg_schema.schema) as bot:
        await bot.linked_user(9700, first_name="Anna")
        admin = await accounts.resolve_actor(bot.core, Channel.TELEGRAM, "9700")
        for sku in PRODUCTS[:3]:
            placed = await orders.place_order(
                bot.core, admin, PlaceOrder("acme", sku, 2, True, True)
            )
            await subscriptions.cancel_subscription(
                bot.core, admin, CancelSubscription(placed.subscription.id)
            )
        clock.set(datetime(2026, 12, 1, 6, 0, tzinfo=UTC))
        workers = [
            Context(Database(pg_schema.url, schema=pg_schema.schema), clock=clock, tz=bot.core.tz)
            for _ in range(3)
        ]
        try:
            await asyncio.gather(*(_end_expired(w) for w in workers))
        finally:
            for worker in workers:
                await worker.db.dispose()
        async with read(bot.core.db) as uow:
            ended = [n for n in await uow.outbox.notices("acme") if n.kind == ENDED]
        assert sorted(n.payload["subscription_id"] for n in ended) == [1, 2, 3]
        listed = await orders.list_orders(bot.core, admin, "acme")
        assert {s.status for s in listed.subscriptions} == {Status.ENDED}
