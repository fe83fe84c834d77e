"""SQLite lets one writer in at a time, and its busy handler is not fair: a waiting writer
sleeps and polls, so under a burst some updates wait seconds while later ones pass (issue 11,
benchmark 3). In one process, updates therefore queue for SQLite's write lock in arrival order
here; on PostgreSQL (row locks, several workers) nothing waits."""

from __future__ import annotations

import asyncio
import contextlib
from contextlib import AbstractAsyncContextManager
from weakref import WeakKeyDictionary

_QUEUES: WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = WeakKeyDictionary()


def writers_in_turn(store: object) -> AbstractAsyncContextManager[object]:
    """Around a write unit of work: first come, first served on SQLite."""
    if getattr(store, "dialect", None) != "sqlite":
        return contextlib.nullcontext()
    loop = asyncio.get_running_loop()
    queue = _QUEUES.get(loop)
    if queue is None:
        queue = _QUEUES[loop] = asyncio.Lock()  # FIFO: waiters are woken in order
    return queue
