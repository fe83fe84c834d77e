"""Is this process ready to serve: the database answers and its migrations are current.

Used by `/readyz` of the bot (bot/health.py) and by the Rasa action server's entry point.
The reason is for operators and never carries the database URL or a driver's message
(those can name hosts and users); the exception's class name is enough to start looking.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, text

from domain.ports import Store
from domain.storage.database import Database
from domain.storage.migrate import alembic_config

TIMEOUT_SECONDS = 3.0
# What a probe waits at most: Kubernetes' and most load balancers' default probe timeout is 1 s.
PROBE_SECONDS = 0.8
# How long the shared check of a probe may run before it gives up: the probes answer within
# PROBE_SECONDS meanwhile, and one check is shared instead of one per probe.
CHECK_SECONDS = 30.0
# What a `/metrics` scrape waits at most for the database's figures (Prometheus' default scrape
# timeout is 10 s); later, the scrape says the database is down (licencebot_database_up 0).
METRICS_SECONDS = 2.0

T = TypeVar("T")


@dataclass(frozen=True)
class Readiness:
    ok: bool
    reason: str  # "ready", or what is wrong, without secrets


@functools.cache
def _head() -> str | None:
    """The newest migration this code knows (parsed once per process)."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def _revision(connection: Connection) -> str | None:
    connection.execute(text("SELECT 1"))
    revision = MigrationContext.configure(connection).get_current_revision()
    return str(revision) if revision is not None else None


async def check(store: Store, within: float = TIMEOUT_SECONDS) -> Readiness:
    """One connection: the database answers a query, and its schema is at our newest
    migration. Never raises; a database that does not answer `within` seconds is not ready."""
    if not isinstance(store, Database):
        return Readiness(False, f"no SQL database ({type(store).__name__})")
    try:
        head = _head()
        async with asyncio.timeout(within), store.engine.connect() as conn:
            revision = await conn.run_sync(_revision)
    except TimeoutError:
        return Readiness(False, f"database did not answer within {within:g} s")
    except Exception as exc:  # any driver or network failure means "not ready"
        return Readiness(False, f"database unreachable ({type(exc).__name__})")
    if revision != head:
        return Readiness(False, f"migrations not current (database at {revision}, code at {head})")
    return Readiness(True, "ready")


class Bounded(Generic[T]):
    """An answer within `within` seconds, whatever the database does (`/readyz`, `/metrics`).

    Work blocked by the database (SQLite's write lock held by another process, a PostgreSQL
    server that accepts and never answers) cannot be cancelled promptly: giving the connection
    back waits for the driver. So the work runs as a task of its own and the caller waits for
    it at most `within` seconds, then gets `late()`; work still running is shared by the next
    callers instead of starting another (at most one per process, however often it is asked)."""

    def __init__(
        self, work: Callable[[], Awaitable[T]], late: Callable[[], T], within: float
    ) -> None:
        self._work = work
        self._late = late
        self.within = within
        self._running: asyncio.Task[T] | None = None

    async def _run(self) -> T:
        return await self._work()

    async def __call__(self) -> T:
        if self._running is None or self._running.done():
            self._running = asyncio.create_task(self._run())
        done, _ = await asyncio.wait({self._running}, timeout=self.within)
        if not done:
            return self._late()
        return self._running.result()

    async def settled(self) -> None:
        """Wait for work still running (at shutdown, so no task is left behind)."""
        if self._running is not None:
            await asyncio.wait({self._running})


class Probe(Bounded[Readiness]):
    """`/readyz`'s answer within `within` seconds: not ready while the check still runs."""

    def __init__(
        self, check: Callable[[], Awaitable[Readiness]], within: float = PROBE_SECONDS
    ) -> None:
        super().__init__(
            check, lambda: Readiness(False, f"database did not answer within {within:g} s"), within
        )
