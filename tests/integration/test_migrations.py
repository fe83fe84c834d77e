"""The migrations build exactly the schema the code declares (domain/storage/tables.py)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from domain.storage import tables
from domain.storage.database import Database


async def test_migrations_at_head_match_the_declared_tables(db: Database) -> None:
    async with db.engine.connect() as conn:
        differences = await conn.run_sync(
            lambda sync: compare_metadata(MigrationContext.configure(sync), tables.metadata)
        )
    assert differences == []
