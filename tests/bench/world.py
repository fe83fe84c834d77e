"""What every benchmark needs: a migrated database on SQLite or PostgreSQL with the demo
catalogue, one customer per simulated user (each may order the same product) and their
invites; a PTB echo bot as the baseline."""

from __future__ import annotations

import os
import platform
import socket
import subprocess
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from telegram import Update
from telegram.ext import (
    AIORateLimiter,
    Application,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.serve import prepare
from domain.clock import FixedClock
from domain.commands import AddCustomer, CreateInvite
from domain.model import Role
from domain.services import accounts
from domain.services.accounts import OPERATOR
from domain.services.context import Context
from domain.storage.database import Database

PG_URL = os.environ.get("TEST_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
NOW = datetime(2026, 11, 24, 11, 0, tzinfo=UTC)
TOKEN = "123456789:e2e-test-token"  # as tests.e2e.harness.settings_for


@asynccontextmanager
async def database(engine: str, folder: Path, pool_size: int = 5) -> AsyncIterator[Database]:
    """A fresh database: a SQLite file in `folder`, or a new PostgreSQL schema (dropped after)."""
    if engine == "sqlite":
        db = Database(f"sqlite+aiosqlite:///{folder / f'bench-{uuid.uuid4().hex[:8]}.db'}")
        try:
            yield db
        finally:
            await db.dispose()
        return
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    await _pg(f'CREATE SCHEMA "{schema}"')
    db = Database(PG_URL, schema=schema, pool_size=pool_size)
    try:
        yield db
    finally:
        await db.dispose()
        await _pg(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


async def _pg(statement: str) -> None:
    engine = create_async_engine(PG_URL)
    try:
        async with engine.begin() as conn:
            await conn.execute(text(statement))
    finally:
        await engine.dispose()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def core_for(db: Database) -> Context:
    return Context(db, clock=FixedClock(NOW))


async def seed(core: Context, users: int, *, first: int = 0) -> list[str]:
    """Migrate, load the demo catalogue, one customer per user; an admin invite each."""
    await prepare(core)
    codes = []
    for i in range(first, first + users):
        await accounts.add_customer(core, OPERATOR, AddCustomer(f"c{i}", f"Kunde {i} GmbH"))
        issued = await accounts.create_invite(core, OPERATOR, CreateInvite(Role.ADMIN, f"c{i}"))
        codes.append(issued.code)
    return codes


def echo_application(base_url: str, *, limiter: bool = True) -> Application:  # type: ignore[type-arg]
    """The baseline: python-telegram-bot answering each update with one request (a message
    echoed, a callback answered), with the same AIORateLimiter and concurrency as the bot."""
    builder: Any = Application.builder().token(TOKEN).base_url(base_url)
    builder = builder.concurrent_updates(True)
    if limiter:
        builder = builder.rate_limiter(AIORateLimiter(max_retries=5))
    application: Application = builder.build()  # type: ignore[type-arg]

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is not None and message.text:
            await message.reply_text(message.text)

    async def answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.callback_query is not None:
            await update.callback_query.answer()

    application.add_handler(MessageHandler(filters.TEXT, echo))
    application.add_handler(CallbackQueryHandler(answer))
    return application


def machine() -> str:
    """One line: CPU model, cores, Python, PostgreSQL, date."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        pg = subprocess.run(
            # the machine's own client, for the report only
            ["psql", "-h", "127.0.0.1", "-U", "postgres", "-tAc", "show server_version"],  # noqa: S607
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        pg = "?"
    today = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"PostgreSQL {pg or '?'}, {today}"
    )
