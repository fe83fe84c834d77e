"""The database unavailable for a few seconds (SQLite): another process holds an exclusive lock.
Shorter than the busy timeout, the bot waits and the user is served; longer, the user gets a
clear answer with a reference and nothing is half-written; either way the bot recovers by
itself once the lock is gone."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from sqlalchemy import func, select

from domain.clock import FixedClock
from domain.commands import AddCustomer
from domain.services import accounts
from domain.services.accounts import OPERATOR
from domain.storage import database, tables
from tests.e2e.harness import Bot, order_summary, press, running_bot, say, screen
from tests.reliability.conftest import held, size
from tests.storage import read

LOCKED = 3.0  # seconds the other process holds the database


async def _counts(bot: Bot) -> tuple[int, int]:
    async with read(bot.core.db) as uow:
        subs = await uow.session.scalar(select(func.count()).select_from(tables.subscriptions))
        claims = await uow.session.scalar(
            select(func.count()).select_from(tables.processed_updates)
        )
        return int(subs or 0), int(claims or 0)


@asynccontextmanager
async def exclusive(path: Path) -> AsyncIterator[None]:
    """Another connection's exclusive write lock on the database file, taken off the event
    loop: waiting for it on the loop would stall the bot's own transaction that must end
    before the lock can be had (on a busy machine that wait ran into the 10 s timeout)."""

    def lock() -> sqlite3.Connection:
        other = sqlite3.connect(path, isolation_level=None, timeout=30, check_same_thread=False)
        other.execute("BEGIN EXCLUSIVE")
        return other

    other = await asyncio.to_thread(lock)
    try:
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()


async def _locked_for(path: Path, seconds: float, ready: asyncio.Event) -> None:
    async with exclusive(path):
        ready.set()
        await asyncio.sleep(seconds)


async def _locked_until(path: Path, ready: asyncio.Event, release: asyncio.Event) -> None:
    """Locked until the test has seen the bot's answer: however slow the machine, the bot
    meets the lock for its whole busy timeout (a fixed 3 s could end first under load)."""
    async with exclusive(path):
        ready.set()
        await release.wait()


async def _customer(bot: Bot, i: int) -> str:
    customer = f"lock{i}"
    await accounts.add_customer(bot.core, OPERATOR, AddCustomer(customer, f"Lock {i} AG"))
    return customer


async def test_a_confirmation_while_sqlite_is_locked_longer_than_the_busy_timeout(
    tmp_path: Path, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:  # R9: nothing half-written, no order without its confirmation shown
    monkeypatch.setattr(database, "SQLITE_BUSY_TIMEOUT_MS", 1000)  # gives up after 1 s
    path = tmp_path / "bot.db"
    tried = ok = 0
    async with running_bot(f"sqlite+aiosqlite:///{path}", clock) as bot:
        for i in range(size(1, 5)):
            tried += 1
            user = await bot.linked_user(9200 + i, customer=await _customer(bot, i))
            summary = await order_summary(bot, user, "Microsoft 365 Business Standard", "3")
            before = await _counts(bot)
            ready, release = asyncio.Event(), asyncio.Event()
            lock = asyncio.create_task(_locked_until(path, ready, release))
            await ready.wait()
            await user.press(summary, "Bestellen")
            await bot.settle()
            told = user.last_message().plain_text
            still_locked = not lock.done()
            release.set()
            await lock
            clear = "nichts bestellt" in told and "Referenz" in told
            whole = await _counts(bot) == before  # no order, and the claim rolled back too
            again = await press(bot, user, "Bestellen", summary)
            recovered = "ist eingegangen" in again.plain_text
            after = await _counts(bot)
            if still_locked and clear and whole and recovered and after[0] == before[0] + 1:
                ok += 1
            await say(bot, user, "/menu")
            assert screen(user).plain_text.startswith("Hauptmenü")
    held("confirmations while SQLite is locked (past the busy timeout)", tried, ok)
    assert ok == tried


async def test_a_confirmation_while_sqlite_is_locked_briefly_waits_and_goes_through(
    tmp_path: Path, clock: FixedClock
) -> None:  # R9: one order, confirmed once
    path = tmp_path / "bot.db"
    tried = ok = 0
    async with running_bot(f"sqlite+aiosqlite:///{path}", clock) as bot:
        for i in range(size(1, 5)):
            tried += 1
            user = await bot.linked_user(9300 + i, customer=await _customer(bot, i))
            summary = await order_summary(bot, user, "Microsoft 365 Business Standard", "3")
            before = await _counts(bot)
            ready = asyncio.Event()
            lock = asyncio.create_task(_locked_for(path, LOCKED, ready))
            await ready.wait()
            await user.press(summary, "Bestellen")
            await lock  # the bot waits within its busy timeout (10 s)
            await bot.settle()
            confirmed = [m for m in user.messages() if "ist eingegangen" in m.plain_text]
            calm = not any("Referenz" in m.plain_text for m in user.messages())
            after = await _counts(bot)
            if len(confirmed) == 1 and calm and after[0] == before[0] + 1:
                ok += 1
    held("confirmations while SQLite is locked (within the busy timeout)", tried, ok)
    assert ok == tried
