"""Benchmark 8: resident memory of the bot with 10,000 linked users and 1,000 open order drafts
(written straight into the database), after every user with a draft typed its quantity and
as many others opened the menu — against the PTB echo bot answering the same messages.
Each side runs in a fresh interpreter (`python -m tests.bench.memory bot|echo USERS DRAFTS`);
the figure is the peak resident set of that process (the emulator included on both sides)."""

from __future__ import annotations

import asyncio
import json
import resource
import subprocess
import sys
import tempfile
import uuid
from datetime import UTC, datetime
from pathlib import Path

from bot.app import LicenceApplication
from bot.emulator import BotApiEmulator, EmulatedUser
from bot.serve import poll
from domain.storage import tables
from domain.storage.database import Database
from tests.bench import world
from tests.e2e.harness import settings_for

ROOT = Path(__file__).resolve().parents[2]


async def _populate(db: Database, users: int, drafts: int) -> None:
    now = datetime.now(UTC)
    async with db.session(write=True) as session, session.begin():
        await session.execute(
            tables.users.insert(),
            [
                {
                    "channel": "telegram",
                    "external_id": str(100_000 + i),
                    "role": "admin",
                    "customer_id": f"c{i % 10}",
                    "display_name": f"User {i}",
                    "language": "de",
                }
                for i in range(users)
            ],
        )
        await session.execute(
            tables.drafts.insert(),
            [
                {
                    "id": i + 1,
                    "chat_id": 100_000 + i,
                    "kind": "order",
                    "data": {
                        "sku": "M365-BUSINESS-STANDARD",
                        "quantity": None,
                        "terms": False,
                        "account": False,
                    },
                    "idempotency_key": uuid.uuid4().hex,
                    "state": "open",
                    "created_at": now,
                    "updated_at": now,
                }
                for i in range(drafts)
            ],
        )
        await session.execute(
            tables.chats.insert(),
            [
                {
                    "chat_id": 100_000 + i,
                    "language": "de",
                    "step": "order_quantity" if i < drafts else "idle",
                    "draft_id": i + 1 if i < drafts else None,
                    "updated_at": now,
                }
                for i in range(users)
            ],
        )


async def _talk(people: list[EmulatedUser], texts: list[str]) -> int:
    answered = 0
    for start in range(0, len(people), 50):
        group = list(zip(people[start : start + 50], texts[start : start + 50], strict=True))
        for user, text in group:
            await user.send(text)
        for user, _ in group:
            try:
                await user.wait_reply(30)
                answered += 1
            except TimeoutError:
                pass
    return answered


async def measure(kind: str, users: int, drafts: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        async with BotApiEmulator(token=world.TOKEN) as emu:
            people = [emu.user(100_000 + i) for i in range(2 * drafts)]
            texts = ["18"] * drafts + ["/menu"] * drafts
            if kind == "echo":
                echo = world.echo_application(emu.base_url, limiter=False)
                async with echo:
                    await echo.start()
                    assert echo.updater is not None
                    await echo.updater.start_polling()
                    answered = await _talk(people, texts)
                    await echo.updater.stop()
                    await echo.stop()
            else:
                async with world.database("sqlite", Path(tmp)) as db:
                    core = world.core_for(db)
                    await world.seed(core, 10)
                    await _populate(db, users, drafts)
                    settings = settings_for(db.url, emu.base_url, telegram_rate_limit=False)
                    stop, ready = asyncio.Event(), asyncio.Event()

                    def on_ready(application: LicenceApplication) -> None:
                        ready.set()

                    task = asyncio.create_task(poll(settings, stop, core=core, on_ready=on_ready))
                    await ready.wait()
                    answered = await _talk(people, texts)
                    stop.set()
                    await task
    return {"rss_mib": _peak_kib() / 1024, "answered": answered}


def _peak_kib() -> int:
    """VmHWM: this process's peak resident set. (`ru_maxrss` would keep the forking parent's
    peak across exec on Linux, and report the benchmark runner's size.)"""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def run(kind: str, users: int, drafts: int) -> dict[str, float]:
    """Measure in a fresh interpreter; its figures."""
    out = subprocess.run(
        [sys.executable, "-m", "tests.bench.memory", kind, str(users), str(drafts)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout
    figures: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    return figures


if __name__ == "__main__":
    kind_, users_, drafts_ = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    print(json.dumps(asyncio.run(measure(kind_, users_, drafts_))))
