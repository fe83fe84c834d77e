"""`make bench`: every benchmark of issue 11, each figure a ratio against a baseline measured
in the same run; prints a Markdown table for docs/benchmarks.md. Asserts nothing.

    python -m tests.bench.run [--quick] [--only startup,cpu,...] [--profile DIR]

Needs PostgreSQL at TEST_DATABASE_URL (default postgres@127.0.0.1:5432/test) for the
PostgreSQL rows; every load goes to 127.0.0.1 and is bounded in count and time.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import tempfile
from pathlib import Path

from domain.services import understanding
from tests.bench import actions, flood, memory, offline, online, scale, startup, world

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
    echo = await online.burst("echo", "sqlite", folder, users, messages)
    for engine in ("postgresql", "sqlite"):
        await _burst(rows, folder, users, messages, engine, echo)


async def _burst(
    rows: list[Row], folder: Path, users: int, messages: int, engine: str, echo: online.Answers
) -> None:
    mine = await online.burst("bot", engine, folder, users, messages)
    rows.append(
        (
            f"3. burst {users}×{messages}, {engine}: median / p99 answer",
            f"{mine.median * 1000:.0f} / {mine.p(0.99) * 1000:.0f} ms",
            f"{echo.median * 1000:.0f} / {echo.p(0.99) * 1000:.0f} ms",
            f"p99/median {mine.p(0.99) / mine.median:.1f}; "
            f"p99 {_ratio(mine.p(0.99), echo.p(0.99))}",
            "p99 ≤ 3× median, ≤ 1.5× echo p99",
        )
    )
    rows.append(
        (
            f"3. burst throughput, {engine}",
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
            f"technical errors {mine.technical}; unanswered {mine.errors}"
        )
        rows.append(
            (
                f"2. Bot API requests per update, human pace, {mode}",
                f"{mine.requests / max(mine.updates, 1):.2f}",
                f"{echo.requests / max(echo.updates, 1):.2f}",
                _ratio(mine.requests / max(mine.updates, 1), echo.requests / max(echo.updates, 1)),
                "≤ 1.1",
            )
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
    os.environ[understanding.CACHE_DIR_ENV] = str(folder / "cache")  # empty: trained first
    for how in ("parser trained", "parser from the disk cache"):
        mine, theirs = await startup.until_polling("sqlite", folder)
        rows.append(
            (
                f"7. start until polling ({how})",
                f"{mine * 1000:.0f} ms",
                f"{theirs * 1000:.0f} ms",
                _ratio(mine, theirs),
                "–",
            )
        )


async def scale_out(rows: list[Row], users: int, seconds: float) -> None:
    one = await scale.run_workers(1, users, seconds, limited=False)
    two = await scale.run_workers(2, users, seconds, limited=False)
    rows.append(
        (
            f"5. webhook, PostgreSQL, limits lifted, {users} users: throughput 2 workers",
            f"{two[0]:.1f} updates/s",
            f"{one[0]:.1f} updates/s (1 worker)",
            _ratio(two[0], one[0]),
            f"≥ 1.6×; errors {one[2]}/{two[2]}",
        )
    )
    one = await scale.run_workers(1, users, seconds, limited=True)
    two = await scale.run_workers(2, users, seconds, limited=True)
    rows.append(
        (
            "5. limits on: most Bot API requests in any second, 2 workers",
            f"{two[1]}",
            f"{one[1]} (1 worker)",
            _ratio(two[1], one[1]),
            "≤ 1× (each worker keeps to half)",
        )
    )


async def rasa(rows: list[Row], folder: Path, calls: int) -> None:
    figures = await actions.requests_per_second(folder, calls)
    for name in ("action_place_order", "validate_order_form"):
        rows.append(
            (
                f"6. action server: {name}",
                f"{figures[name]:.0f} requests/s",
                f"{figures['noop']:.0f} requests/s (no-op action)",
                _ratio(figures[name], figures["noop"]),
                "≥ 0.5×",
            )
        )


def memory_rows(rows: list[Row], users: int, drafts: int) -> None:
    mine = memory.run("bot", users, drafts)
    echo = memory.run("echo", users, drafts)
    rows.append(
        (
            f"8. peak RSS, {users} linked users, {drafts} open drafts",
            f"{mine['rss_mib']:.0f} MiB",
            f"{echo['rss_mib']:.0f} MiB (echo, same imports)",
            _ratio(mine["rss_mib"], echo["rss_mib"]),
            f"answered {mine['answered']:.0f}/{echo['answered']:.0f}",
        )
    )


async def flooded(rows: list[Row], folder: Path, messages: int, probes: int) -> None:
    for engine in ("sqlite", "postgresql"):
        quiet, busy = await flood.status_times(engine, folder, messages, probes)
        rows.append(
            (
                f"9. another customer's /status while one user sends {messages} × "
                f'"1 " * 500, {engine}: median / p99',
                f"{busy.median * 1000:.0f} / {busy.p(0.99) * 1000:.0f} ms",
                f"{quiet.median * 1000:.0f} / {quiet.p(0.99) * 1000:.0f} ms (quiet)",
                f"p99 {_ratio(busy.p(0.99), quiet.p(0.99))}",
                f"≤ 2×; unanswered {busy.errors}/{quiet.errors}",
            )
        )


ALL = "startup,cpu,burst,pace,scale,actions,memory,flood"


async def main(args: argparse.Namespace) -> None:
    only = set((args.only or ALL).split(","))
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
            users = args.pace_users or (100 if args.quick else 1000)
            await pace(rows, folder, users, args.pace_seconds or (60 if args.quick else 150))
        if "scale" in only:
            await scale_out(rows, 20 if args.quick else 40, 10 if args.quick else 30)
        if "actions" in only:
            await rasa(rows, folder, 20 if args.quick else 100)
        if "memory" in only:
            memory_rows(rows, 10_000, 1_000)
        if "flood" in only:
            await flooded(rows, folder, 100 if args.quick else 300, 20 if args.quick else 50)
    print(f"\nMachine: {world.machine()}\n")
    print("| figure | licencebot | baseline | ratio | target / notes |")
    print("|---|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller loads, about 3 minutes")
    parser.add_argument("--only", help=f"comma-separated, of: {ALL}")
    parser.add_argument("--profile", type=Path, help="write pyinstrument reports here")
    parser.add_argument("--pace-users", type=int, help="users of the human-pace run")
    parser.add_argument("--pace-seconds", type=float, help="length of the human-pace run")
    logging.basicConfig(level=logging.ERROR)
    asyncio.run(main(parser.parse_args()))


if __name__ == "__main__":
    cli()
