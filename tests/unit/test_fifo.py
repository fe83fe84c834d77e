"""SQLite writers queue in arrival order in one process (bot/fifo.py, issue 11 benchmark 3)."""

from __future__ import annotations

import asyncio
import contextlib

from bot.fifo import writers_in_turn


class _Store:
    def __init__(self, dialect: str) -> None:
        self.dialect = dialect


async def test_sqlite_writers_are_served_in_arrival_order() -> None:
    served: list[int] = []

    async def turn(number: int) -> None:
        async with writers_in_turn(_Store("sqlite")):
            await asyncio.sleep(0)  # a database round trip
            served.append(number)

    await asyncio.gather(*(turn(n) for n in range(20)))
    assert served == list(range(20))


def test_postgresql_writers_do_not_queue_in_the_process() -> None:
    assert isinstance(writers_in_turn(_Store("postgresql")), contextlib.nullcontext)
