"""`make bench`: every benchmark of issue 11, each figure a ratio against a baseline measured
in the same run; prints a Markdown table for docs/benchmarks.md. Asserts nothing.

    python -m tests.bench.run [--quick] [--only cpu,burst,pace,startup] [--profile DIR]

Needs PostgreSQL at TEST_DATABASE_URL (default postgres@127.0.0.1:5432/test) for the
PostgreSQL rows; every load goes to 127.0.0.1 and is bounded in count and time.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import tempfile
from pathlib import Path

from tests.bench import offline, online, startup, world

Row = tuple[str, str, str, str, str]


def _ratio(mine: float, theirs: float) -> str:
    return f"{mine / theirs:.2f}×" if theirs else "–"


async def cpu(rows: list[Row], folder: Path, users: int, profile: Path | None) -> None:
    for engine in ("sqlite", "postgresql"):
        report = profile / f"profile-{engine}.txt" if profile else None
        mine, echo = await offline.conversation_cpu(engine, users, folder, report)
        rows.append(
            (
                f"1. CPU per update, order conversation, {engine}",
                f"{mine.cpu_ms:.2f} ms",
                f"{echo.cpu_ms:.2f} ms",
                _ratio(mine.cpu_ms, echo.cpu_ms),
                "≤ 2×",
            )
        )
        if engine == "sqlite":
            rows.append(
                (
                    "2. Bot API requests per update (polling)",
                    f"{mine.requests_per_update:.2f}",
                    f"{echo.requests_per_update:.2f}",
                    _ratio(mine.requests_per_update, echo.requests_per_update),
                    "≤ 1.1",
                )
            )


async def burst(rows: list[Row], folder: Path, users: int, messages: int) -> None:
    mine = await online.burst("bot", "sqlite", folder, users, messages)
    echo = await online.burst("echo", "sqlite", folder, users, messages)
    rows.append(
        (
            f"3. burst {users}×{messages}: median / p99 answer",
            f"{mine.median * 1000:.0f} / {mine.p(0.99) * 1000:.0f} ms",
            f"{echo.median * 1000:.0f} / {echo.p(0.99) * 1000:.0f} ms",
            f"p99/median {mine.p(0.99) / mine.median:.1f}; "
            f"p99 {_ratio(mine.p(0.99), echo.p(0.99))}",
            "p99 ≤ 3× median, ≤ 1.5× echo p99",
        )
    )
    rows.append(
        (
            "3. burst throughput",
            f"{mine.throughput:.1f} updates/s",
            f"{echo.throughput:.1f} updates/s",
            _ratio(mine.throughput, echo.throughput),
            f"errors {mine.errors}/{echo.errors}",
        )
    )


async def pace(rows: list[Row], folder: Path, users: int, seconds: float) -> None:
    echo = await online.pace("echo", "sqlite", folder, users, seconds)
    for mode in ("polling", "webhook"):
        mine = await online.pace("bot", "postgresql", folder, users, seconds, mode)
        orders = (
            f"orders confirmed {mine.orders_confirmed}, stored {mine.orders_stored}; "
            f"errors {mine.errors}"
        )
        rows.append(
            (
                f"4. human pace {users} users, {mode}: median / p99",
                f"{mine.median * 1000:.0f} / {mine.p(0.99) * 1000:.0f} ms",
                f"{echo.median * 1000:.0f} / {echo.p(0.99) * 1000:.0f} ms",
                f"p99 {_ratio(mine.p(0.99), echo.p(0.99))}",
                orders,
            )
        )


async def start(rows: list[Row], folder: Path) -> None:
    mine, theirs = startup.help_vs_import()
    rows.append(
        (
            "7. `licencebot --help` vs `import telegram.ext`",
            f"{mine * 1000:.0f} ms",
            f"{theirs * 1000:.0f} ms",
            _ratio(mine, theirs),
            "≤ 1.5×",
        )
    )
    mine, theirs = await startup.until_polling("sqlite", folder)
    rows.append(
        (
            "7. start until polling (parser trained)",
            f"{mine * 1000:.0f} ms",
            f"{theirs * 1000:.0f} ms",
            _ratio(mine, theirs),
            "–",
        )
    )


async def main(args: argparse.Namespace) -> None:
    only = set(args.only.split(",")) if args.only else {"cpu", "burst", "pace", "startup"}
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if "startup" in only:
            await start(rows, folder)
        if "cpu" in only:
            await cpu(rows, folder, 3 if args.quick else 20, args.profile)
        if "burst" in only:
            await burst(rows, folder, 20, 5 if args.quick else 20)
        if "pace" in only:
            await pace(rows, folder, 100 if args.quick else 1000, 30 if args.quick else 150)
    print(f"\nMachine: {world.machine()}\n")
    print("| figure | licencebot | baseline | ratio | target / notes |")
    print("|---|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller loads, about 3 minutes")
    parser.add_argument("--only", help="comma-separated: cpu, burst, pace, startup")
    parser.add_argument("--profile", type=Path, help="write pyinstrument reports here")
    logging.basicConfig(level=logging.ERROR)
    asyncio.run(main(parser.parse_args()))


if __name__ == "__main__":
    cli()
