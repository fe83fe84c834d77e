"""One unit of work per update: the database work of a button press is counted, not timed.

Counted twice: by SQLAlchemy (every transaction begun on the bot's engines) and, on
PostgreSQL, by the server itself (`pg_stat_database`, connection checks included).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from typing import Any

import asyncpg
import pytest
from sqlalchemy import event
from sqlalchemy.engine import make_url

from domain.clock import FixedClock
from tests.conftest import PgSchema
from tests.e2e.harness import Bot, order_summary, press, running_bot, say
from tests.storage import sql


@contextmanager
def counted_transactions(bot: Bot) -> Iterator[list[str]]:
    """The transactions the bot begins meanwhile (one entry per BEGIN, on every engine)."""
    db = sql(bot.core.db)
    begun: list[str] = []
    engines = {id(e.sync_engine): e.sync_engine for e in (db.engine, db._read_engine)}

    def on_begin(connection: Any) -> None:
        begun.append("begin")

    for engine in engines.values():
        event.listen(engine, "begin", on_begin)
    try:
        yield begun
    finally:
        for engine in engines.values():
            event.remove(engine, "begin", on_begin)


async def test_a_button_press_is_one_transaction(bot: Bot) -> None:  # design decision 2
    user = await bot.linked_user(7101)
    await order_summary(bot, user, "Microsoft 365 E3", "12")
    with counted_transactions(bot) as begun:
        confirmation = await press(bot, user, "Bestellen")
    assert "Bestellung Nr. 1 ist eingegangen" in confirmation.plain_text
    assert len(begun) == 1


async def test_browsing_toggling_and_typing_stay_within_two_transactions(bot: Bot) -> None:
    user = await bot.linked_user(7102)
    await say(bot, user, "/menu")
    for step in ("Produkte", "Microsoft 365 E3", "Bestellen"):
        with counted_transactions(bot) as begun:
            await press(bot, user, step)
        assert len(begun) <= 2, step
    with counted_transactions(bot) as begun:
        summary = await say(bot, user, "12")  # a new message: its id is remembered afterwards
    assert "Menge: 12 Nutzer" in summary.plain_text
    assert len(begun) <= 2
    with counted_transactions(bot) as begun:
        await press(bot, user, "☐ AGB akzeptieren")
    assert len(begun) == 1


async def _admin(url: str) -> asyncpg.Connection:
    parts = make_url(url)
    return await asyncpg.connect(
        host=parts.host, port=parts.port, user=parts.username, database=parts.database
    )


async def _server_transactions(url: str) -> int:
    """Committed plus rolled-back transactions of the database, as the server counts them."""
    connection = await _admin(url)
    try:
        await connection.execute("SELECT pg_stat_clear_snapshot()")
        row = await connection.fetchrow(
            "SELECT xact_commit + xact_rollback AS n FROM pg_stat_database "
            "WHERE datname = current_database()"
        )
        assert row is not None
        return int(row["n"])
    finally:
        await connection.close()


@pytest.fixture
async def own_database(pg_schema: PgSchema) -> AsyncIterator[str]:
    """A database of its own: the server's per-database counts see only this test."""
    name = f"licencebot_tx_{uuid.uuid4().hex[:10]}"
    admin = await _admin(pg_schema.url)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        yield make_url(pg_schema.url).set(database=name).render_as_string(hide_password=False)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


# Backends report their counts to the statistics when idle, at the latest after 10 s.
_STATS_DELAY = 11.5


async def _settled_count(url: str, reading: int) -> tuple[int, int]:
    """The database's count once nothing but our own readings adds to it (a busy machine may
    report the bot's last transactions late), and how many readings came before it."""
    await asyncio.sleep(_STATS_DELAY)
    count = await _server_transactions(url)
    for earlier in range(15):
        await asyncio.sleep(2)
        again = await _server_transactions(url)
        if again - count == reading:
            return count, earlier
        count = again
    raise AssertionError("the statistics did not settle")


async def test_postgresql_counts_at_most_three_transactions_for_a_button_press(
    own_database: str, clock: FixedClock
) -> None:  # design decision 2; the figure includes connection checks
    async with running_bot(own_database, clock) as bot:
        user = await bot.linked_user(7103)
        await order_summary(bot, user, "Microsoft 365 E3", "12")
        await asyncio.sleep(_STATS_DELAY)  # what the bot did so far is reported
        start = await _server_transactions(own_database)
        reading = await _server_transactions(own_database) - start  # a reading's own cost
        before, _ = await _settled_count(own_database, reading)
        confirmation = await press(bot, user, "Bestellen")
        after, earlier = await _settled_count(own_database, reading)
    assert "Bestellung Nr. 1 ist eingegangen" in confirmation.plain_text
    # Between the two counts: the reading of `before`, the one that confirmed it, and the
    # readings of the second wait before its count; each costs `reading` transactions.
    press_cost = after - before - (2 + earlier) * reading
    assert press_cost <= 3, press_cost
