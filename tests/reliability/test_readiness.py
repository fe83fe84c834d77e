"""Issue 19 (8): `/readyz` answers within its probe's timeout (1 s) whatever the database
does: 503 with the reason while another process holds SQLite's write lock or PostgreSQL
accepts connections and never answers, 200 again once the database is back.

The requests wait at most `BOUND` seconds (less than SQLite's busy timeout of 10 s, which is
what the probe used to wait); that is a bound on the answer, not a measurement of speed."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from actions import runtime
from actions.server import build_app, executor
from bot.health import HealthServer
from domain.clock import FixedClock
from domain.services.context import Context
from domain.storage.database import Database
from domain.storage.readiness import CHECK_SECONDS, PROBE_SECONDS, Bounded, Probe, check
from tests.e2e.harness import running_bot
from tests.e2e.test_monitoring import free_port, scrape
from tests.rasa.action_server import QUIET, TEST_SETTINGS
from tests.reliability.conftest import held, size
from tests.reliability.test_database_outage_sqlite import exclusive

BOUND = 8.0  # seconds a request may take before the test gives up on it
NOT_READY = f"database did not answer within {PROBE_SECONDS:g} s"


async def ready_again(get: object) -> int:
    """Probes until the answer is 200 (the lock is gone); how many it took."""
    for attempt in range(1, 200):
        status = await get()  # type: ignore[operator]
        if status == 200:
            return attempt
        await asyncio.sleep(0.05)
    raise AssertionError("/readyz never became ready again")


async def test_the_bot_says_503_while_another_process_holds_the_write_lock(
    tmp_path: Path, clock: FixedClock
) -> None:
    port = free_port()
    path = tmp_path / "bot.db"
    probes = size(3, 20)
    answers: list[tuple[int, object]] = []
    async with running_bot(f"sqlite+aiosqlite:///{path}", clock, health_port=port):
        assert (await scrape(port, "/readyz")).status_code == 200
        async with exclusive(path):
            for _ in range(probes):
                async with httpx.AsyncClient() as client:
                    reply = await client.get(f"http://127.0.0.1:{port}/readyz", timeout=BOUND)
                answers.append((reply.status_code, reply.json()))

        async def status() -> int:
            return (await scrape(port, "/readyz")).status_code

        await ready_again(status)
    # Within its 0.8 s; once SQLite's busy timeout (10 s) has passed, the check itself ends
    # with the driver's refusal, which is a reason too.
    reasons = {NOT_READY, "database unreachable (OperationalError)"}
    good = [
        any(answer == (503, {"ready": False, "reason": reason}) for reason in reasons)
        for answer in answers
    ]
    held("/readyz answered 503 while SQLite was locked", probes, sum(good))
    assert answers[0] == (503, {"ready": False, "reason": NOT_READY})
    assert all(good), answers


@pytest.mark.filterwarnings(*[mark.args[0] for mark in QUIET])
async def test_the_action_server_says_503_while_another_process_holds_the_write_lock(
    ctx: Context, tmp_path: Path
) -> None:
    assert isinstance(ctx.db, Database)
    path = ctx.db.engine.url.database
    if path is None or ctx.db.engine.url.get_backend_name() != "sqlite":
        pytest.skip("the write lock is SQLite's")
    runtime.use_context(ctx, TEST_SETTINGS)
    try:
        app = build_app(executor(), None)
        app.config.TOUCHUP = False
        _, reply = await app.asgi_client.get("/readyz")
        assert reply.status == 200
        async with exclusive(Path(path)):
            _, reply = await asyncio.wait_for(app.asgi_client.get("/readyz"), BOUND)
            assert (reply.status, reply.json) == (
                503,
                {"status": "not ready", "reason": NOT_READY},
            )

        async def status() -> int:
            _, again = await app.asgi_client.get("/readyz")
            return int(again.status)

        await ready_again(status)
    finally:
        runtime.use_context(None)


@contextlib.asynccontextmanager
async def silent_server() -> AsyncIterator[int]:
    """A port that accepts connections and never answers (a hanging PostgreSQL)."""
    held_open: list[asyncio.StreamWriter] = []

    async def accept(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held_open.append(writer)

    server = await asyncio.start_server(accept, "127.0.0.1", 0)
    try:
        yield int(server.sockets[0].getsockname()[1])
    finally:
        for writer in held_open:
            writer.close()
        server.close()
        await server.wait_closed()


async def test_a_postgresql_server_that_never_answers_is_not_ready_within_the_probe() -> None:
    async with silent_server() as port:
        db = Database(f"postgresql+asyncpg://app:pw@127.0.0.1:{port}/licencebot")
        probe = Probe(lambda: check(db, CHECK_SECONDS))
        try:
            answers = [await asyncio.wait_for(probe(), BOUND) for _ in range(size(2, 10))]
            assert {(a.ok, a.reason) for a in answers} == {(False, NOT_READY)}
        finally:
            with contextlib.suppress(Exception):
                await probe.settled()
            await db.dispose()
    unreachable = Database(f"postgresql+asyncpg://app:pw@127.0.0.1:{free_port()}/licencebot")
    try:
        refused = await asyncio.wait_for(Probe(lambda: check(unreachable))(), BOUND)
    finally:
        await unreachable.dispose()
    assert (refused.ok, refused.reason) == (False, "database unreachable (ConnectionRefusedError)")


async def test_metrics_answer_in_time_while_postgresql_never_answers(clock: FixedClock) -> None:
    """`/metrics` waits at most METRICS_SECONDS for the database's figures, then says it is
    down; the scrapes meanwhile share the one read still running."""
    async with silent_server() as port:
        db = Database(f"postgresql+asyncpg://app:pw@127.0.0.1:{port}/licencebot")
        server = HealthServer(Context(db, clock=clock), 0)
        try:
            scrapes = [
                await asyncio.wait_for(scrape(server.port), BOUND) for _ in range(size(2, 5))
            ]
        finally:
            await server.stop()
            await db.dispose()
    for answer in scrapes:
        assert answer.status_code == 200
        assert "licencebot_database_up 0.0" in answer.text
        assert "licencebot_outbox_backlog" not in answer.text  # no stale figures


async def test_bounded_work_that_ignores_cancellation_still_answers_and_is_shared() -> None:
    """What a driver blocked in a thread does: the work cannot be cancelled; the callers get
    the late answer, and the next callers share the work instead of starting more."""
    release = asyncio.Event()
    started: list[int] = []

    async def stuck() -> str:
        started.append(1)
        await asyncio.shield(release.wait())
        return "answered"

    bounded = Bounded(stuck, lambda: "late", within=0.05)
    assert [await asyncio.wait_for(bounded(), BOUND) for _ in range(3)] == ["late"] * 3
    assert len(started) == 1
    release.set()
    await bounded.settled()
    assert await bounded() == "answered"
    assert len(started) == 2  # finished work is not reused: a new call asks again
