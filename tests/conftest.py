"""Shared fixtures: a fixed clock, a migrated database on SQLite and PostgreSQL, seeded data.

PostgreSQL tests run where TEST_DATABASE_URL points to a server and skip cleanly elsewhere;
with LICENCEBOT_REQUIRE_POSTGRES=1 (set by .ci/run) an unreachable server or a run in which no
PostgreSQL test executed fails the session instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from domain.catalogue import read_catalogue
from domain.clock import FixedClock
from domain.commands import AddCustomer, CreateInvite, LinkUser
from domain.model import Actor, Channel, Role
from domain.services import accounts, catalogue
from domain.services.accounts import OPERATOR
from domain.services.context import Context
from domain.storage.database import Database
from domain.storage.migrate import upgrade

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "data" / "catalog.yaml"
PG_URL = os.environ.get("TEST_DATABASE_URL", "")
REQUIRE_PG = os.environ.get("LICENCEBOT_REQUIRE_POSTGRES") == "1"
_pg_tests_run = 0


def _pg_available() -> str | None:
    """None when usable, else the reason."""
    if not PG_URL:
        return "TEST_DATABASE_URL is not set"

    async def probe() -> None:
        engine = create_async_engine(PG_URL)
        try:
            async with engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        finally:
            await engine.dispose()

    try:
        asyncio.run(asyncio.wait_for(probe(), 5))
    except Exception as exc:  # any failure means: no usable server here
        return f"PostgreSQL at TEST_DATABASE_URL not reachable ({type(exc).__name__})"
    return None


_PG_PROBLEM: str | None = "not probed"


def pytest_sessionstart(session: pytest.Session) -> None:
    """Probe the server once, before any event loop runs."""
    global _PG_PROBLEM
    _PG_PROBLEM = _pg_available()


def pg_problem() -> str | None:
    return _PG_PROBLEM


def require_pg() -> None:
    """Skip (or, in CI, fail) a test that needs PostgreSQL when there is none."""
    problem = pg_problem()
    if problem is None:
        global _pg_tests_run
        _pg_tests_run += 1
        return
    if REQUIRE_PG:
        pytest.fail(f"PostgreSQL required but unusable: {problem}")
    pytest.skip(problem)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if REQUIRE_PG and _pg_tests_run == 0 and exitstatus == 0 and session.testscollected:
        print("\nLICENCEBOT_REQUIRE_POSTGRES=1 but no PostgreSQL test ran")
        session.exitstatus = 1


# --- clock -------------------------------------------------------------------------------------
# 12:00 Berlin on Tuesday 24 Nov 2026.
NOW = datetime(2026, 11, 24, 11, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


# --- databases ---------------------------------------------------------------------------------
@dataclass
class PgSchema:
    url: str
    schema: str


async def _create_schema(name: str) -> None:
    engine = create_async_engine(PG_URL)
    try:
        async with engine.begin() as conn:
            await conn.execute(text(f'CREATE SCHEMA "{name}"'))
    finally:
        await engine.dispose()


async def _drop_schema(name: str) -> None:
    engine = create_async_engine(PG_URL)
    try:
        async with engine.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
    finally:
        await engine.dispose()


@pytest.fixture
async def pg_schema() -> AsyncIterator[PgSchema]:
    """A fresh, empty schema on the test server, dropped afterwards."""
    require_pg()
    name = f"t_{uuid.uuid4().hex[:12]}"
    await _create_schema(name)
    try:
        yield PgSchema(PG_URL, name)
    finally:
        await _drop_schema(name)


@contextlib.asynccontextmanager
async def migrated_database(engine: str, tmp_path: Path) -> AsyncIterator[Database]:
    """A migrated, empty database on `engine` ("sqlite" or "postgresql": a schema of its
    own), disposed and dropped afterwards."""
    if engine == "sqlite":
        database = Database(f"sqlite+aiosqlite:///{tmp_path / 'test.db'}")
        schema = None
    else:
        require_pg()
        schema = f"t_{uuid.uuid4().hex[:12]}"
        await _create_schema(schema)
        database = Database(PG_URL, schema=schema)
    try:
        await upgrade(database)
        yield database
    finally:
        await database.dispose()
        if schema:
            await _drop_schema(schema)


@pytest.fixture(params=["sqlite", "postgresql"])
async def db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """A migrated, empty database: every integration test runs on both engines."""
    async with migrated_database(request.param, tmp_path) as database:
        yield database


@pytest.fixture
def ctx(db: Database, clock: FixedClock) -> Context:
    return Context(db, clock=clock)


@dataclass
class Seed:
    """Two customers with an admin and a member each, and a service desk agent."""

    acme_admin: Actor
    acme_member: Actor
    globex_admin: Actor
    agent: Actor


async def link(
    ctx: Context, role: Role, customer_id: str | None, external_id: str, *, move: bool = False
) -> Actor:
    """`move`: the person, linked elsewhere already, confirmed the move (issue 19)."""
    invite = await accounts.create_invite(ctx, OPERATOR, CreateInvite(role, customer_id))
    linked = await accounts.link_user(
        ctx,
        Channel.TELEGRAM,
        LinkUser(external_id, invite.code, display_name=external_id, move=move),
    )
    return linked.user.as_actor()


@pytest.fixture
async def seed(ctx: Context) -> Seed:
    await catalogue.load_catalogue(ctx, OPERATOR, read_catalogue(CATALOGUE))
    await accounts.add_customer(ctx, OPERATOR, AddCustomer("acme", "ACME GmbH"))
    await accounts.add_customer(ctx, OPERATOR, AddCustomer("globex", "Globex AG"))
    return Seed(
        acme_admin=await link(ctx, Role.ADMIN, "acme", "100"),
        acme_member=await link(ctx, Role.MEMBER, "acme", "101"),
        globex_admin=await link(ctx, Role.ADMIN, "globex", "200"),
        agent=await link(ctx, Role.AGENT, None, "900"),
    )


@pytest.fixture
def catalogue_text() -> str:
    return CATALOGUE.read_text(encoding="utf-8")


@pytest.fixture
def restored_logging() -> Iterator[None]:
    """`logs.configure` replaces the root handlers; pytest's come back after the test."""
    root = logging.getLogger()
    saved, level = list(root.handlers), root.level
    try:
        yield
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
        for handler in saved:
            root.addHandler(handler)
        root.setLevel(level)
