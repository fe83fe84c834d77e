"""Updates queue for the database in arrival order, so a burst waits in line instead of
failing or starving (issue 11, benchmarks 3 and 4).

- SQLite lets one writer in at a time, and its busy handler is not fair: a waiting writer sleeps
  and polls, so under a burst some updates waited seconds while later ones passed. Here they
  take turns one at a time, first come first served.
- PostgreSQL: the pool holds 10 connections (5 + 5 overflow); with hundreds of updates in
  flight (PTB's concurrent updates) the rest waited for a connection and failed after the
  pool's 30 s timeout with "technical problem". At most `POSTGRES_TURNS` units of work run at
  once; the others wait here, in order, without a timeout (the notifier keeps a connection).
"""

from __future__ import annotations

import asyncio
import contextlib
from contextlib import AbstractAsyncContextManager
from weakref import WeakKeyDictionary

POSTGRES_TURNS = 8
_QUEUES: WeakKeyDictionary[asyncio.AbstractEventLoop, dict[int, asyncio.Semaphore]] = (
    WeakKeyDictionary()
)


def writers_in_turn(store: object) -> AbstractAsyncContextManager[object]:
    """Around an update's unit of work: a place in line for the database."""
    dialect = getattr(store, "dialect", None)
    if dialect is None:
        return contextlib.nullcontext()  # an in-memory store (tests)
    turns = 1 if dialect == "sqlite" else POSTGRES_TURNS
    queues = _QUEUES.setdefault(asyncio.get_running_loop(), {})
    queue = queues.get(id(store))
    if queue is None:
        queue = queues[id(store)] = asyncio.Semaphore(turns)  # waiters are woken in order
    return queue
