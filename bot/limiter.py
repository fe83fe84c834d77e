"""Every Bot API request goes through here: Telegram's limits and its passing failures.

PTB's `AIORateLimiter` keeps to the per-token limits and waits out a 429 `retry_after`; it
lets a 5xx, a timeout or a broken connection through at once, so one passing fault of
Telegram would cost a user their screen. This limiter also retries those, with exponential
back-off. A `BadRequest` (4xx) is final and not retried.

Telegram's limits are per token (design decision 8): with several webhook workers each keeps to
its `share` of them (`licencebot run --workers N` gives each 1/N), so all together never exceed
them without talking to each other. Workers on several hosts share them through Redis
instead (`RATE_LIMIT_REDIS_URL`, bot/shared_limits.py). `unlimited` lifts them (benchmarks on
a fake Bot API).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.constants import FloodLimit
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import AIORateLimiter

from bot.shared_limits import SharedLimits
from domain import metrics

log = logging.getLogger(__name__)

Answer = bool | dict[str, Any] | list[dict[str, Any]]


class PatientRateLimiter(AIORateLimiter):
    def __init__(
        self,
        *,
        max_retries: int = 5,
        transient_retries: int = 4,
        backoff: float = 0.25,
        share: int = 1,
        unlimited: bool = False,
        shared: SharedLimits | None = None,
    ) -> None:
        if share < 1:
            raise ValueError("share is the number of processes sending with the token, ≥ 1")
        # Shared through Redis, the shared windows keep all processes within the limits; the
        # local limiter then only keeps this process within them (and within its share while
        # Redis is away: SharedLimits).
        self.shared = None if unlimited else shared
        scale = 1e6 if unlimited else 1 / (1 if self.shared else share)
        self.overall_rate = FloodLimit.MESSAGES_PER_SECOND * scale
        self.group_rate = FloodLimit.MESSAGES_PER_MINUTE_PER_GROUP * scale
        super().__init__(
            overall_max_rate=self.overall_rate,
            group_max_rate=self.group_rate,
            max_retries=max_retries,
        )
        self._transient_retries = transient_retries
        self._backoff = backoff

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Answer]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Answer:
        counted = _counted(callback, endpoint, self.shared, data.get("chat_id"))
        for attempt in range(self._transient_retries + 1):
            try:
                return await super().process_request(
                    counted, args, kwargs, endpoint, data, rate_limit_args
                )
            except BadRequest:
                raise
            except NetworkError as exc:  # 5xx, timeouts, connection errors
                if attempt == self._transient_retries:
                    raise
                delay = self._backoff * 2**attempt
                metrics.BOT_API_RETRIES.labels(endpoint, "network").inc()
                log.info("Bot API %s failed (%s); retry in %.2f s", endpoint, exc, delay)
                await asyncio.sleep(delay)
        raise AssertionError("unreachable")  # the loop returns or raises

    async def shutdown(self) -> None:
        await super().shutdown()
        if self.shared is not None:
            await self.shared.close()


def _kind(exc: TelegramError) -> str:
    if isinstance(exc, RetryAfter):
        return "flood"
    if isinstance(exc, BadRequest):
        return "bad_request"
    if isinstance(exc, Forbidden):
        return "forbidden"
    if isinstance(exc, NetworkError):
        return "network"
    return "other"


def _counted(
    callback: Callable[..., Coroutine[Any, Any, Answer]],
    endpoint: str,
    shared: SharedLimits | None = None,
    chat_id: object = None,
) -> Callable[..., Coroutine[Any, Any, Answer]]:
    """The request, counted per attempt (metrics by Bot API method, never by chat); with
    `shared`, each attempt first takes its place in the limits shared by all processes."""

    async def attempt(*args: Any, **kwargs: Any) -> Answer:
        if shared is not None:
            await shared.acquire(chat_id)
        metrics.BOT_API_REQUESTS.labels(endpoint).inc()
        try:
            return await callback(*args, **kwargs)
        except TelegramError as exc:
            kind = _kind(exc)
            metrics.BOT_API_ERRORS.labels(endpoint, kind).inc()
            if kind == "flood":  # AIORateLimiter waits `retry_after` and tries again
                metrics.BOT_API_RETRIES.labels(endpoint, "flood").inc()
            raise

    return attempt
