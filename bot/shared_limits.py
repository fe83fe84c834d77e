"""Telegram's per-token limits shared by every process that sends with the token, through Redis
(`RATE_LIMIT_REDIS_URL`; issue 19).

`licencebot run --workers N` splits the limits among its own workers (bot/limiter.py); workers
on several hosts know nothing of each other, so each would take the whole limit again. With a
Redis, every request with a `chat_id` first takes a place in two sliding windows kept there
(one Lua script, Redis's own clock, so the hosts' clocks do not matter): the token's 30 per
second and the group's 20 per minute. A window is `MARGIN` longer than Telegram's, so the
delay between taking a place and the request reaching Telegram cannot squeeze one more into
Telegram's second.

Every process also notes itself in Redis every few seconds. When Redis cannot be reached
(refused, timed out), the process logs it once, counts it (`licencebot_rate_limit_redis_outages`,
`licencebot_rate_limit_local`) and keeps, in memory, to its share of the limits: one part per
process seen in Redis during the last `ALIVE` seconds (at least the workers of its own `run`).
It tries Redis again after `RETRY` seconds.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import time
import uuid
from dataclasses import dataclass, field

from redis.asyncio import BlockingConnectionPool, Redis
from redis.exceptions import RedisError

from domain import metrics

log = logging.getLogger(__name__)

OVERALL = (30, 1.0)  # Telegram: 30 messages per second per token
GROUP = (20, 60.0)  # 20 messages per minute per group
MARGIN = 1.25  # windows a quarter longer than Telegram's
ALIVE = 30.0  # seconds a process counts as sending after it last noted itself
HEARTBEAT = 5.0
RETRY = 5.0  # seconds before Redis is tried again after a failure
TIMEOUT = 1.0  # seconds Redis may take to connect or answer
CONNECTIONS = 8

# KEYS: overall window, group window (or ""); ARGV: overall limit, overall window (µs), group
# limit, group window (µs), a unique member. {0, now}: a place in both taken at `now` (µs,
# Redis's clock); else {µs to wait, now}.
_TAKE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local wait = 0
for i = 1, #KEYS do
  if KEYS[i] ~= '' then
    local limit, window = tonumber(ARGV[2 * i - 1]), tonumber(ARGV[2 * i])
    redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - window)
    if redis.call('ZCARD', KEYS[i]) >= limit then
      local oldest = redis.call('ZRANGE', KEYS[i], 0, 0, 'WITHSCORES')
      wait = math.max(wait, tonumber(oldest[2]) + window - now + 1)
    end
  end
end
if wait > 0 then return {wait, now} end
for i = 1, #KEYS do
  if KEYS[i] ~= '' then
    redis.call('ZADD', KEYS[i], now, ARGV[5])
    redis.call('PEXPIRE', KEYS[i], math.ceil(tonumber(ARGV[2 * i]) / 1000) + 1000)
  end
end
return {0, now}
"""
# KEYS: the processes; ARGV: this process, seconds it counts as alive. The number alive.
_ALIVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[2]))
redis.call('EXPIRE', KEYS[1], math.ceil(tonumber(ARGV[2])) * 2)
return redis.call('ZCARD', KEYS[1])
"""


@dataclass
class _Window:
    """A sliding window kept in memory: at most `limit` places in any `seconds`."""

    limit: float
    seconds: float
    taken: collections.deque[float] = field(default_factory=collections.deque)

    def wait(self, now: float) -> float:
        while self.taken and self.taken[0] <= now - self.seconds:
            self.taken.popleft()
        if len(self.taken) < self.limit:
            return 0.0
        return self.taken[0] + self.seconds - now


class SharedLimits:
    """The token's limits shared through Redis, with a local share when Redis is away."""

    def __init__(self, url: str, bot_id: str, local_processes: int = 1) -> None:
        # A few connections, waited for in turn: a burst of sends must not open hundreds of
        # sockets (and time out connecting on a busy host as if Redis were away).
        pool = BlockingConnectionPool.from_url(
            url,
            max_connections=CONNECTIONS,
            timeout=None,
            socket_connect_timeout=TIMEOUT,
            socket_timeout=TIMEOUT,
        )
        self.redis: Redis = Redis(connection_pool=pool)
        self.prefix = f"licencebot:limits:{bot_id}"
        self.me = uuid.uuid4().hex
        self.processes = max(1, local_processes)  # the last count seen in Redis
        self._local_floor = self.processes
        self._take = self.redis.register_script(_TAKE)
        self._alive = self.redis.register_script(_ALIVE)
        self._next_heartbeat = 0.0
        self._down_until = 0.0  # Redis is not tried before this (monotonic)
        self._overall = _Window(OVERALL[0], OVERALL[1] * MARGIN)
        self._groups: dict[str, _Window] = {}
        self._announced = False  # the outage was logged

    @property
    def shared(self) -> bool:
        """Whether the limits are shared through Redis right now."""
        return time.monotonic() >= self._down_until

    async def acquire(self, chat_id: object) -> float | None:
        """Wait until a request to `chat_id` keeps within the limits of every process; the
        moment its place was taken by Redis's clock (seconds), None when taken locally."""
        if chat_id is None:
            return None
        group = _group_of(chat_id)
        while True:
            taken: float | None = None
            if self.shared:
                try:
                    wait, taken = await self._shared_wait(group)
                except (RedisError, OSError) as exc:
                    self._went_away(exc)
                    continue
            else:
                metrics.RATE_LIMIT_LOCAL.inc()
                wait = self._local_wait(group)
            if wait <= 0:
                return taken
            await asyncio.sleep(wait)

    async def _shared_wait(self, group: str | None) -> tuple[float, float]:
        now = time.monotonic()
        if now >= self._next_heartbeat:
            alive = await self._alive(keys=[f"{self.prefix}:processes"], args=[self.me, ALIVE])
            self.processes = max(int(alive), self._local_floor)
            self._next_heartbeat = now + HEARTBEAT
        keys = [f"{self.prefix}:overall", f"{self.prefix}:group:{group}" if group else ""]
        micro = 1_000_000
        args: list[int | str] = [
            OVERALL[0],
            int(OVERALL[1] * MARGIN * micro),
            GROUP[0],
            int(GROUP[1] * MARGIN * micro),
            uuid.uuid4().hex,
        ]
        waited, now = (int(value) for value in await self._take(keys=keys, args=args))
        if self._announced:
            self._announced = False
            log.warning("Redis for the shared Bot API limits answers again; they are shared again")
        return waited / micro, now / micro

    def _local_wait(self, group: str | None) -> float:
        """The local share: 1/processes of each limit, in memory."""
        now = time.monotonic()
        share = self.processes
        self._overall.limit = OVERALL[0] / share
        windows = [self._overall]
        if group is not None:
            window = self._groups.get(group)
            if window is None:
                window = self._groups[group] = _Window(GROUP[0] / share, GROUP[1] * MARGIN)
            window.limit = GROUP[0] / share
            windows.append(window)
        wait = max(w.wait(now) for w in windows)
        if wait <= 0:
            for w in windows:
                w.taken.append(now)
        return wait

    def _went_away(self, exc: BaseException) -> None:
        if not self._announced:
            self._announced = True
            metrics.RATE_LIMIT_OUTAGES.inc()
            log.warning(
                "Redis for the shared Bot API limits is unreachable (%s); this process keeps to "
                "1/%d of them until it answers again",
                type(exc).__name__,
                self.processes,
            )
        self._down_until = time.monotonic() + RETRY

    async def close(self) -> None:
        await self.redis.aclose()


def _group_of(chat_id: object) -> str | None:
    """A group's or channel's id (negative, or an @username), as PTB's limiter tells them."""
    try:
        number = int(str(chat_id))
    except ValueError:
        return str(chat_id)
    return str(number) if number < 0 else None
