"""The database unavailable for a few seconds (PostgreSQL): a table locked, then the bot's
waiting connections terminated. The user gets a clear answer with a reference, nothing is
half-written, and the bot recovers by itself (the pool checks connections before use)."""

from __future__ import annotations

import asyncio

import asyncpg
from sqlalchemy import func, select

from domain.clock import FixedClock
from domain.commands import AddCustomer
from domain.services import accounts
from domain.services.accounts import OPERATOR
from domain.storage import tables
from tests.conftest import PgSchema
from tests.e2e.harness import Bot, order_summary, press, running_bot, say, screen
from tests.reliability.conftest import held, size
from tests.storage import read


async def _counts(bot: Bot) -> tuple[int, int]:
    async with read(bot.core.db) as uow:
        subs = await uow.session.scalar(select(func.count()).select_from(tables.subscriptions))
        claims = await uow.session.scalar(
            select(func.count()).select_from(tables.processed_updates)
        )
        return int(subs or 0), int(claims or 0)


async def _outage(dsn: str, schema: str, seconds: float) -> asyncpg.Connection:
    """Lock the subscriptions table; once a backend has waited for it `seconds`, terminate
    every backend waiting for it. Waits for the bot to be blocked (progress), not for a fixed
    time after the lock: on a busy machine the bot may reach the table later than that."""
    admin = await asyncpg.connect(dsn)
    await admin.execute("BEGIN")
    await admin.execute(f'LOCK TABLE "{schema}".subscriptions IN ACCESS EXCLUSIVE MODE')
    watcher = await asyncpg.connect(dsn)
    blocked = (
        "SELECT count(*) FROM pg_stat_activity WHERE pg_blocking_pids(pid) @> ARRAY[$1::integer]"
    )

    async def cut() -> None:
        try:
            locker = admin.get_server_pid()
            for _ in range(2400):  # at most 2 minutes
                if admin.is_closed():
                    return  # the test is over: the bot never met the lock
                if await watcher.fetchval(blocked, locker):
                    break
                await asyncio.sleep(0.05)
            await asyncio.sleep(seconds)  # the bot has waited that long, however slow
            await watcher.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE pg_blocking_pids(pid) @> ARRAY[$1::integer]",
                locker,
            )
        finally:
            await watcher.close()

    asyncio.get_running_loop().create_task(cut())
    return admin


async def test_a_confirmation_during_an_outage_is_refused_whole_and_works_afterwards(
    pg_schema: PgSchema, clock: FixedClock
) -> None:
    dsn = pg_schema.url.replace("postgresql+asyncpg://", "postgresql://")
    tried = ok = 0
    async with running_bot(pg_schema.url, clock, schema=pg_schema.schema) as bot:
        for i in range(size(1, 5)):
            tried += 1
            customer = f"out{i}"
            await accounts.add_customer(bot.core, OPERATOR, AddCustomer(customer, f"Out {i} AG"))
            user = await bot.linked_user(9100 + i, customer=customer)
            summary = await order_summary(bot, user, "Microsoft 365 Business Standard", "3")
            before = await _counts(bot)
            admin = await _outage(dsn, pg_schema.schema, 2.0)
            try:
                await user.press(summary, "Bestellen")
                await bot.settle()
            finally:
                await admin.execute("ROLLBACK")
                await admin.close()
            told = user.last_message().plain_text
            clear = "nichts bestellt" in told and "Referenz" in told
            whole = await _counts(bot) == before  # no order, and the claim rolled back too
            again = await press(bot, user, "Bestellen", summary)
            recovered = "ist eingegangen" in again.plain_text
            after = await _counts(bot)
            if clear and whole and recovered and after[0] == before[0] + 1:
                ok += 1
            await say(bot, user, "/menu")
            assert screen(user).plain_text.startswith("Hauptmenü")
    held("confirmations during a database outage", tried, ok)
    assert ok == tried
