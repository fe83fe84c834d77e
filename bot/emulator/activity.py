"""What the emulator's parts wait on: requests in progress, the time of the last one, changes."""

from __future__ import annotations

import asyncio
import contextlib
import time


class Activity:
    """Counts requests in progress, notes the last activity and wakes waiters on every change."""

    def __init__(self) -> None:
        self.inflight = 0  # Bot API requests being answered and webhook POSTs under way
        self.last = time.monotonic()
        self._changed = asyncio.Event()

    def touch(self) -> None:
        """Something happened just now: note the time and wake the waiters."""
        self.last = time.monotonic()
        self.notify()

    def notify(self) -> None:
        """Wake everyone waiting for a change."""
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait_change(self, timeout: float | None) -> None:  # noqa: ASYNC109
        """Until the next change, or `timeout` seconds at most."""
        changed = self._changed
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                await changed.wait()
