"""Readiness (`/readyz`, the action server's entry point): the database answers and its
migrations are current; a database that goes away makes it fail, and it recovers by itself."""

from __future__ import annotations

from pathlib import Path

from domain.storage import readiness
from domain.storage.database import Database
from domain.storage.migrate import upgrade
from tests.conftest import PgSchema
from tests.outage import switched


async def test_a_migrated_database_is_ready(db: Database) -> None:
    assert await readiness.check(db) == readiness.Readiness(True, "ready")


async def test_a_database_without_the_newest_migrations_is_not_ready(tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'old.db'}")
    try:
        before = await readiness.check(db)
        assert not before.ok
        assert before.reason.startswith("migrations not current (database at None")
        await upgrade(db)
        assert (await readiness.check(db)).ok
    finally:
        await db.dispose()


async def test_readiness_fails_while_the_database_is_down_and_recovers(
    pg_schema: PgSchema,
) -> None:
    async with switched(pg_schema.url) as (switch, url):
        db = Database(url, schema=pg_schema.schema)
        try:
            await upgrade(db)
            assert (await readiness.check(db)).ok
            await switch.cut()
            down = await readiness.check(db, within=2)
            assert not down.ok
            assert down.reason.startswith("database")
            assert str(switch.port) not in down.reason  # no address, no URL in the reason
            await switch.restore()
            assert (await readiness.check(db)).ok  # the pool reconnects (pre-ping)
        finally:
            await db.dispose()
