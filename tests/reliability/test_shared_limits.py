"""Issue 19 (11): processes that send with one token keep to Telegram's limits together.

With `RATE_LIMIT_REDIS_URL`, every process takes each request's place in sliding windows kept
in Redis (bot/shared_limits.py): two separate `licencebot run` processes never make more than
30 requests in any one second, as the emulator counts them. When Redis cannot be reached, each
process logs it once, counts it in metrics and keeps to its own share.

The tests need a Redis on 127.0.0.1:6379 (`REDIS_URL`) and skip cleanly without one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import tornado.web
from prometheus_client import REGISTRY
from redis.asyncio import Redis

from bot import shared_limits
from bot.emulator import BotApiEmulator, EmulatedUser
from bot.shared_limits import OVERALL, SharedLimits
from domain.clock import SystemClock
from domain.services.context import Context
from domain.storage.database import Database
from tests.bench import world
from tests.outage import Switch
from tests.reliability.conftest import held, size

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
ROOT = Path(__file__).resolve().parents[2]
SECRET = "shared-limits-secret-0123"
LIMIT = OVERALL[0]  # Telegram: 30 requests per second per token


async def _redis_problem() -> str | None:
    client = Redis.from_url(REDIS_URL, socket_connect_timeout=2, socket_timeout=2)
    try:
        await client.ping()
    except Exception as exc:  # any failure: no usable Redis here
        return f"Redis at {REDIS_URL} not reachable ({type(exc).__name__})"
    finally:
        await client.aclose()
    return None


@pytest.fixture
async def redis_url() -> str:
    problem = await _redis_problem()
    if problem is not None:
        pytest.skip(problem)
    return REDIS_URL


def _most_in_one_second(stamps: list[float]) -> int:
    ordered, best, start = sorted(stamps), 0, 0
    for end, stamp in enumerate(ordered):
        while stamp - ordered[start] >= 1.0:
            start += 1
        best = max(best, end - start + 1)
    return best


async def test_two_processes_share_the_token_limit_through_redis(redis_url: str) -> None:
    bot_id = f"test-{uuid.uuid4().hex[:8]}"  # a token of its own: no other test's windows
    limits = [SharedLimits(redis_url, bot_id), SharedLimits(redis_url, bot_id)]
    stamps: list[float] = []
    requests = size(90, 300)

    async def send(limits: SharedLimits, chat: int) -> None:
        taken = await limits.acquire(chat)
        assert taken is not None  # shared through Redis
        stamps.append(taken)  # by Redis's clock: the test process's own stalls do not count

    try:
        await asyncio.gather(*(send(limits[i % 2], 1000 + i) for i in range(requests)))
    finally:
        for each in limits:
            await each.close()
    most = _most_in_one_second(stamps)
    held("two processes sharing the limit: most requests in one second ≤ 30", 1, int(most <= LIMIT))
    assert len(stamps) == requests
    assert most <= LIMIT, most


async def test_redis_unreachable_each_process_keeps_to_its_share(
    redis_url: str, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(shared_limits, "HEARTBEAT", 0.0)  # each request notes the process
    switch = Switch("127.0.0.1", int(redis_url.rsplit(":", 1)[1].split("/")[0]))
    await switch.restore()
    bot_id = f"test-{uuid.uuid4().hex[:8]}"
    through = f"redis://127.0.0.1:{switch.port}/0"
    limits = [SharedLimits(through, bot_id), SharedLimits(through, bot_id)]
    outages = REGISTRY.get_sample_value("licencebot_rate_limit_redis_outages_total") or 0.0
    local = REGISTRY.get_sample_value("licencebot_rate_limit_local_total") or 0.0
    stamps: list[float] = []

    async def send(limits: SharedLimits, chat: int) -> None:
        await limits.acquire(chat)
        stamps.append(time.monotonic())

    try:
        for i in range(4):  # in turn, so that each has seen the other
            await send(limits[i % 2], i + 1)
        assert [each.processes for each in limits] == [2, 2]
        await switch.cut()  # Redis is gone for both
        caplog.set_level(logging.WARNING, logger="bot.shared_limits")
        stamps.clear()
        requests = size(40, 120)
        await asyncio.gather(*(send(limits[i % 2], 100 + i) for i in range(requests)))
    finally:
        for each in limits:
            await each.close()
        await switch.cut()
    warned = [r for r in caplog.records if "unreachable" in r.getMessage()]
    assert len(warned) == 2  # once per process, not once per request
    assert "keeps to 1/2 of them" in warned[0].getMessage()
    assert REGISTRY.get_sample_value("licencebot_rate_limit_redis_outages_total") == outages + 2
    assert (REGISTRY.get_sample_value("licencebot_rate_limit_local_total") or 0) >= local + requests
    most = _most_in_one_second(stamps)
    held("Redis away, two local shares: most in one second ≤ 30", 1, int(most <= LIMIT))
    assert most <= LIMIT, most


class _Balancer(tornado.web.RequestHandler):
    """A load balancer in front of two hosts: each webhook POST goes to the next one."""

    def initialize(self, ports: list[int], client: httpx.AsyncClient) -> None:
        self.ports = ports
        self.client = client

    async def post(self) -> None:
        port = self.ports[0]
        self.ports.reverse()
        answer = await self.client.post(
            f"http://127.0.0.1:{port}{self.request.uri}",
            content=self.request.body,
            headers={k: v for k, v in self.request.headers.items() if k.lower() != "host"},
        )
        self.set_status(answer.status_code)
        for name in ("content-type",):
            if name in answer.headers:
                self.set_header(name, answer.headers[name])
        self.write(answer.content)


@contextlib.asynccontextmanager
async def balanced(ports: list[int]) -> AsyncIterator[int]:
    """The port of a round-robin balancer in front of `ports`."""
    async with httpx.AsyncClient(timeout=120) as client:
        app = tornado.web.Application([(r"/.*", _Balancer, {"ports": ports, "client": client})])
        port = world.free_port()
        server = app.listen(port, address="127.0.0.1")
        try:
            yield port
        finally:
            server.stop()


async def _say(user: EmulatedUser, text: str, wait: float) -> bool:
    await user.send(text)
    try:
        await user.wait_reply(wait)
    except TimeoutError:
        return False
    return True


@pytest.mark.real_clock
async def test_two_licencebot_run_processes_never_exceed_telegrams_limit_together(
    redis_url: str, tmp_path: Path
) -> None:
    """Two `licencebot run` processes behind a round-robin load balancer (two hosts), each
    limited on its own to the whole limit; the emulator counts their requests."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    users = 20
    hosts = [world.free_port(), world.free_port()]
    async with BotApiEmulator(token=world.TOKEN) as emu, balanced(hosts) as port:
        db = Database(url)
        codes = await world.seed(Context(db, clock=SystemClock()), users)  # the processes' clock
        await db.dispose()
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "DATABASE_URL": url,
            "TELEGRAM_BOT_TOKEN": world.TOKEN,
            "TELEGRAM_API_BASE_URL": emu.base_url,
            "WEBHOOK_URL": f"http://127.0.0.1:{port}/hook",
            "WEBHOOK_SECRET": SECRET,
            "WEBHOOK_LISTEN": "127.0.0.1",
            "NOTIFY_INTERVAL_SECONDS": "3600",
            "RATE_LIMIT_REDIS_URL": redis_url,
            "LICENCEBOT_CACHE_DIR": str(tmp_path / "cache"),
        }
        logs = [(tmp_path / f"run-{i}.log").open("w") for i in range(2)]
        processes = [
            subprocess.Popen(  # noqa: ASYNC220 - started here, stopped in `finally`
                [sys.executable, "-m", "bot.cli", "run"],
                env={**env, "WEBHOOK_PORT": str(host)},
                stdout=subprocess.DEVNULL,
                stderr=log,
            )
            for log, host in zip(logs, hosts, strict=True)
        ]
        try:
            people = [emu.user(810_000 + i) for i in range(users)]
            for _ in range(1200):  # until the webhook is set and both listen
                if emu.webhook_url is not None and all(
                    "webhook worker" in (tmp_path / f"run-{i}.log").read_text() for i in (0, 1)
                ):
                    break
                await asyncio.sleep(0.1)
            linked = await asyncio.gather(
                *(_say(u, f"/start {c}", 120) for u, c in zip(people, codes, strict=True))
            )
            assert all(linked), [(tmp_path / f"run-{i}.log").read_text()[-2000:] for i in (0, 1)]
            mark = len(emu.calls)
            deadline = time.monotonic() + size(8, 30)
            answered = 0

            async def talk(user: EmulatedUser) -> None:
                nonlocal answered
                while time.monotonic() < deadline:
                    ok = await _say(user, "/products", 60)
                    answered += ok

            await asyncio.gather(*(talk(u) for u in people))
            most = emu.most_in_one_second(since=mark)
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                try:
                    process.wait(30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(30)
            for log in logs:
                log.close()
    held("two `licencebot run`: most Bot API requests in one second ≤ 30", 1, int(most <= LIMIT))
    assert answered > LIMIT
    assert most <= LIMIT, most
