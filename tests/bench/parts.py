"""Benchmark 1's profile: CPU per update by part of the turn (`process_time`, all threads, so
aiosqlite's thread counts), and SQL statements per update, over the offline order
conversation of `tests/bench/offline.py`.

    python -m tests.bench.parts [sqlite|postgresql] [--users N]

The parts are timed by wrapping them for this run only; what is left is the handlers, the use
cases, the screens and PTB's dispatch. Prints a Markdown table for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import logging
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from telegram import Update

from bot.app import LicenceApplication
from bot.turn import Turn
from domain.storage.chat_state import ChatStateRepository
from domain.storage.uow import SqlUnitOfWork
from tests.bench import offline

SPENT: defaultdict[str, float] = defaultdict(float)


def _timed(owner: Any, name: str, label: str) -> None:
    raw = owner.__dict__[name]
    classmethod_ = isinstance(raw, classmethod)
    function: Callable[..., Any] = raw.__func__ if classmethod_ else raw

    @functools.wraps(function)
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.process_time()
        try:
            return await function(*args, **kwargs)
        finally:
            SPENT[label] += time.process_time() - start

    setattr(owner, name, classmethod(wrapper) if classmethod_ else wrapper)


class _Statements:
    """SQL statements sent while the bot handles an update (not the seeding around it)."""

    def __init__(self) -> None:
        self.count = 0
        self.counting = False

    def install(self) -> None:
        event.listen(Engine, "before_cursor_execute", self._seen)
        original = LicenceApplication.process_update

        async def process_update(application: LicenceApplication, update: object) -> None:
            self.counting = True
            try:
                await original(application, update)
            finally:
                self.counting = False

        LicenceApplication.process_update = process_update  # type: ignore[method-assign,assignment]

    def _seen(self, *_: object) -> None:
        self.count += self.counting


STATEMENTS = _Statements()


def _timed_de_json() -> None:
    original = Update.de_json

    def de_json(data: Any, bot: Any) -> Any:
        start = time.process_time()
        try:
            return original(data, bot)
        finally:
            SPENT["`Update.de_json`"] += time.process_time() - start

    Update.de_json = staticmethod(de_json)  # type: ignore[assignment,method-assign]


async def main(engine: str, users: int) -> None:
    _timed(Turn, "begin", "`Turn.begin`: chat state, user and customer name (1 statement)")
    _timed(Turn, "deliver", "`Turn.deliver`: PTB building the requests, rate limiter")
    _timed(ChatStateRepository, "claim_update", "`claim_update`: transaction start, insert")
    _timed(Turn, "save_state", "`save_state`")
    _timed(SqlUnitOfWork, "commit", "commit")
    _timed_de_json()
    STATEMENTS.install()
    with tempfile.TemporaryDirectory() as tmp:
        SPENT.clear()
        mine, echo = await offline.conversation_cpu(engine, users, Path(tmp))
    per = {label: 1000 * seconds / mine.updates for label, seconds in SPENT.items()}
    per["`Update.de_json`"] /= 2  # the echo bot parsed the same updates
    known = sum(per.values()) - per["`Update.de_json`"]
    print(f"\n{engine}: {mine.cpu_ms:.2f} ms per update ({mine.updates} updates), echo bot")
    print(f"{echo.cpu_ms:.2f} ms; {STATEMENTS.count / mine.updates:.1f} SQL statements per update")
    print("\n| part | ms |\n|---|---|")
    for label, ms in sorted(per.items(), key=lambda item: -item[1]):
        print(f"| {label} | {ms:.2f} |")
    print(f"| the rest: handlers, use cases, screens, PTB's dispatch | {mine.cpu_ms - known:.2f} |")


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("engine", nargs="?", default="sqlite", choices=["sqlite", "postgresql"])
    parser.add_argument("--users", type=int, default=20)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    asyncio.run(main(args.engine, args.users))


if __name__ == "__main__":
    cli()
