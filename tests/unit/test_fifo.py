"""Updates queue for the database in arrival order (bot/fifo.py, issue 11 benchmarks 3, 4)."""

from __future__ import annotations

import asyncio
import contextlib

from bot.fifo import POSTGRES_TURNS, writers_in_turn


class _Store:
    def __init__(self, dialect: str) -> None:
        self.dialect = dialect


async def _run(store: _Store, updates: int) -> tuple[list[int], int]:
    served: list[int] = []
    inside = most = 0

    async def turn(number: int) -> None:
        nonlocal inside, most
        async with writers_in_turn(store):
            inside += 1
            most = max(most, inside)
            await asyncio.sleep(0)  # a database round trip
            served.append(number)
            inside -= 1

    await asyncio.gather(*(turn(n) for n in range(updates)))
    return served, most


async def test_sqlite_writers_take_turns_one_at_a_time_in_arrival_order() -> None:
    served, most = await _run(_Store("sqlite"), 20)
    assert served == list(range(20))
    assert most == 1


async def test_on_postgresql_a_burst_waits_in_line_within_the_pool() -> None:
    served, most = await _run(_Store("postgresql"), 50)
    assert sorted(served) == list(range(50))
    assert most == POSTGRES_TURNS  # never more units of work than the pool can hold


def test_a_store_without_a_database_does_not_queue() -> None:
    assert isinstance(writers_in_turn(object()), contextlib.nullcontext)
