"""Apply Alembic migrations programmatically (also from inside a running event loop)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, text

from domain.ports import Store
from domain.storage.database import Database

MIGRATIONS = Path(__file__).with_name("migrations")
_PG_MIGRATION_LOCK = 0x11CE_B07  # advisory lock id: one migrating worker at a time


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def _upgrade(connection: Connection, cfg: Config) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _PG_MIGRATION_LOCK})
    cfg.attributes["connection"] = connection
    command.upgrade(cfg, "head")


def _sql(store: Store) -> Database:
    if not isinstance(store, Database):
        raise TypeError(f"migrations need the SQL database, not {type(store).__name__}")
    return store


async def upgrade(store: Store) -> None:
    """Bring the schema to the newest revision; safe to call on every start."""
    db = _sql(store)
    cfg = alembic_config()
    async with db.engine.begin() as conn:
        await conn.run_sync(_upgrade, cfg)


def autogenerate(connection: Connection, message: str) -> None:
    """Developer helper: write a new revision from the difference to `tables.metadata`."""
    cfg = alembic_config()
    cfg.attributes["connection"] = connection
    command.revision(cfg, message=message, autogenerate=True)
