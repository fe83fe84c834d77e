"""Benchmark 7: start-up. `licencebot --help` against `python -c "import telegram.ext"`
(fresh interpreters, median of several runs), and the bot's start until it polls (migrations
checked, parser trained or loaded from its disk cache) against the echo bot's."""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bot.app import LicenceApplication
from bot.emulator import BotApiEmulator
from bot.serve import poll
from domain.services import understanding
from tests.bench import world
from tests.e2e.harness import settings_for

ROOT = Path(__file__).resolve().parents[2]


def _run(args: list[str], rounds: int) -> float:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        subprocess.run(args, env=env, capture_output=True, check=True, cwd=ROOT)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def help_vs_import(rounds: int = 7) -> tuple[float, float]:
    """(licencebot --help, import telegram.ext) in seconds."""
    python = sys.executable
    baseline = _run([python, "-c", "import telegram.ext"], rounds)
    mine = _run([python, "-m", "bot.cli", "--help"], rounds)
    return mine, baseline


async def until_polling(engine: str, folder: Path) -> tuple[float, float]:
    """(the bot, the echo bot): seconds from the call until the first getUpdates, as in a new
    process (the parser from LICENCEBOT_CACHE_DIR, or trained when the cache is empty)."""
    understanding._TRAINED.clear()
    async with BotApiEmulator(token=world.TOKEN) as emu:
        async with world.database(engine, folder) as db:
            core = world.core_for(db)
            await world.seed(core, 1)
            settings = settings_for(db.url, emu.base_url)
            stop, ready = asyncio.Event(), asyncio.Event()

            def on_ready(application: LicenceApplication) -> None:
                ready.set()

            start = time.perf_counter()
            task = asyncio.create_task(poll(settings, stop, core=core, on_ready=on_ready))
            await ready.wait()
            mine = time.perf_counter() - start
            stop.set()
            await task
        echo = world.echo_application(emu.base_url)
        start = time.perf_counter()
        async with echo:
            await echo.start()
            assert echo.updater is not None
            await echo.updater.start_polling()
            theirs = time.perf_counter() - start
            await echo.updater.stop()
            await echo.stop()
    return mine, theirs
