"""Benchmark 5: scale-out. `licencebot run --workers N` (webhook mode, real processes) on one
PostgreSQL database, driven by simulated users through the emulator in this process:
- throughput with 1 and 2 workers, Telegram's limits lifted (TELEGRAM_RATE_LIMIT=false);
- with the limits on, the most Bot API requests the fake server counts in any one second,
  1 worker against 2 workers (each keeps to half: bot/limiter.py `share`).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import asyncpg
import tornado.httputil

from bot.emulator import BotApiEmulator, EmulatedUser
from domain.storage.database import Database
from tests.bench import world

ROOT = Path(__file__).resolve().parents[2]
SECRET = "bench-secret-0123456"  # a fake webhook secret on 127.0.0.1


class CountingEmulator(BotApiEmulator):
    """The emulator that also notes when each answering request arrived."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stamps: list[float] = []

    async def handle(
        self, request: tornado.httputil.HTTPServerRequest, gone: asyncio.Event
    ) -> tuple[int, dict[str, Any]]:
        if request.path.rsplit("/", 1)[-1] in (
            "sendMessage",
            "editMessageText",
            "answerCallbackQuery",
        ):
            self.stamps.append(time.monotonic())
        return await super().handle(request, gone)


def busiest_second(stamps: list[float]) -> int:
    """The most requests in any window of one second."""
    best, start = 0, 0
    ordered = sorted(stamps)
    for end, stamp in enumerate(ordered):
        while stamp - ordered[start] >= 1.0:
            start += 1
        best = max(best, end - start + 1)
    return best


@asynccontextmanager
async def pg_database() -> AsyncIterator[str]:
    name = f"bench_{uuid.uuid4().hex[:10]}"
    admin_dsn = world.PG_URL.replace("postgresql+asyncpg://", "postgresql://")
    admin = await asyncpg.connect(admin_dsn)
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield world.PG_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def run_workers(
    workers: int, users: int, seconds: float, *, limited: bool
) -> tuple[float, int, int]:
    """(answered updates per second, busiest second's requests, errors)."""
    async with pg_database() as url, CountingEmulator(token=world.TOKEN) as emu:
        db = Database(url, pool_size=5)
        core = world.core_for(db)
        codes = await world.seed(core, users)
        await db.dispose()
        port = world.free_port()
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "DATABASE_URL": url,
            "TELEGRAM_BOT_TOKEN": world.TOKEN,
            "TELEGRAM_API_BASE_URL": emu.base_url,
            "WEBHOOK_URL": f"http://127.0.0.1:{port}/hook",
            "WEBHOOK_SECRET": SECRET,
            "WEBHOOK_LISTEN": "127.0.0.1",
            "WEBHOOK_PORT": str(port),
            "NOTIFY_INTERVAL_SECONDS": "3600",
            "TELEGRAM_RATE_LIMIT": "true" if limited else "false",
        }
        process = subprocess.Popen(  # noqa: ASYNC220 - started once, not waited for here
            [sys.executable, "-m", "bot.cli", "run", "--workers", str(workers)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            people = [emu.user(800_000 + i) for i in range(users)]
            for _ in range(600):  # until the webhook is set and a worker answers
                if emu.webhook_url is not None:
                    break
                await asyncio.sleep(0.1)
            await asyncio.sleep(6)  # every worker has trained its parser and listens
            await asyncio.gather(
                *(_say(u, f"/start {c}", 60) for u, c in zip(people, codes, strict=True))
            )
            emu.stamps.clear()
            answered = errors = 0
            deadline = time.monotonic() + seconds

            async def talk(user: EmulatedUser) -> None:
                nonlocal answered, errors
                while time.monotonic() < deadline:
                    if await _say(user, "/products", 30):
                        answered += 1
                    else:
                        errors += 1

            start = time.monotonic()
            await asyncio.gather(*(talk(u) for u in people))
            elapsed = time.monotonic() - start
            return answered / elapsed, busiest_second(emu.stamps), errors
        finally:
            process.terminate()
            process.wait(30)


async def _say(user: EmulatedUser, text: str, wait: float) -> bool:
    await user.send(text)
    try:
        await user.wait_reply(wait)
    except TimeoutError:
        return False
    while True:  # the rest of the answer
        try:
            await user.wait_reply(0.05)
        except TimeoutError:
            return True
