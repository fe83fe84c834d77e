"""Is this process ready to serve: the database answers and its migrations are current.

Used by `/readyz` of the bot (bot/health.py) and by the Rasa action server's entry point.
The reason is for operators and never carries the database URL or a driver's message
(those can name hosts and users); the exception's class name is enough to start looking.
"""

from __future__ import annotations

import asyncio
import functools
from dataclasses import dataclass

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, text

from domain.ports import Store
from domain.storage.database import Database
from domain.storage.migrate import alembic_config

TIMEOUT_SECONDS = 3.0


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
