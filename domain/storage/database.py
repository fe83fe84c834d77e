"""Engines and sessions for SQLite (embedded default) and PostgreSQL (production)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from domain.private_files import private_file
from domain.storage.catalogue_cache import CatalogueCache
from domain.storage.mapping import start_mappers
from domain.storage.uow import SqlUnitOfWork

SQLITE_BUSY_TIMEOUT_MS = 10_000


def _sqlite_engine(url: str, *, immediate: bool) -> AsyncEngine:
    engine = create_async_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy emit BEGIN itself (below) instead of the driver's implicit one.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Writers take the write lock up front, so two writers queue on the busy timeout
        # instead of failing when a read lock cannot be upgraded.
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def _create_private(url: str) -> None:
    """A new SQLite database file is created 0600 (docs/privacy.md); memory needs none."""
    database = make_url(url).database
    if database and database != ":memory:" and not database.startswith("file:"):
        path = Path(database)
        if path.parent.is_dir():
            private_file(path)


class Database:
    """Holds the engines; `session(write=...)` opens one session for one unit of work."""

    def __init__(self, url: str, *, pool_size: int = 5, schema: str | None = None) -> None:
        """`schema` (PostgreSQL only) puts every table in that schema: tests isolate with it."""
        start_mappers()
        self.url = url
        self.schema = schema
        self.dialect = make_url(url).get_backend_name()
        if self.dialect == "sqlite":
            _create_private(url)
            self._write_engine = _sqlite_engine(url, immediate=True)
            self._read_engine = _sqlite_engine(url, immediate=False)
        else:
            connect_args: dict[str, Any] = {}
            if schema is not None:
                connect_args["server_settings"] = {"search_path": schema}
            self._write_engine = create_async_engine(
                url,
                pool_size=pool_size,
                max_overflow=pool_size,
                pool_pre_ping=True,
                connect_args=connect_args,
            )
            self._read_engine = self._write_engine
        self.catalogue_cache = CatalogueCache()  # per database and process (catalogue_cache.py)
        self._writer = async_sessionmaker(self._write_engine, expire_on_commit=False)
        self._reader = async_sessionmaker(self._read_engine, expire_on_commit=False)

    @property
    def engine(self) -> AsyncEngine:
        return self._write_engine

    def session(self, *, write: bool) -> AsyncSession:
        return (self._writer if write else self._reader)()

    def unit_of_work(self, *, write: bool = True) -> SqlUnitOfWork:
        """A new unit of work; `write=False` reads without taking SQLite's write lock."""
        return SqlUnitOfWork(self.session(write=write), self.catalogue_cache)

    async def dispose(self) -> None:
        await self._write_engine.dispose()
        if self._read_engine is not self._write_engine:
            await self._read_engine.dispose()
