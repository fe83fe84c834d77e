"""Each chat's updates take turns with everybody else's: one chat's backlog queues behind
itself, not in front of other customers (issue 19).

PTB's own processor starts every update at once (up to 256) and the database queue
(bot/fifo.py) serves them first come first served, so 300 messages of one user sat in front of
another customer's `/status` (14 ms alone, 28 s behind the flood). Here an update first waits
for the previous update of its chat and person to finish (in arrival order, so a chat's
messages are also handled in the order they were sent), then for one of `concurrent` places.
A flood of one chat thus holds one place at a time, and the database queue and the Bot API
limiter see at most one of its updates at once. A chat with more than `BACKLOG` updates in line
also gives way: its next update starts only while no other chat's update runs, so another
customer shares the bot with at most the rest of one flooding update.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Hashable
from dataclasses import dataclass, field
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

CONCURRENT = 256  # PTB's default for concurrent_updates=True
UNLIMITED = 2**31 - 1  # PTB's own bound; ours is `concurrent` after the chat's turn
# More updates than this of one chat waiting: the chat floods, and its next update starts only
# while no other chat's update runs (a person typing fast has two or three in line).
BACKLOG = 4


@dataclass
class _Line:
    """The updates of one chat and person: the one being handled and those behind it."""

    turn: asyncio.Lock = field(default_factory=asyncio.Lock)  # waiters are woken in order
    members: int = 0


def line_of(update: object) -> Hashable:
    """Whose turn an update takes: its chat and sender; an update without either is its own."""
    if not isinstance(update, Update):
        return object()
    chat, user = update.effective_chat, update.effective_user
    if chat is None and user is None:
        return object()
    return (chat.id if chat else None, user.id if user else None)


class ChatTurns(BaseUpdateProcessor):
    """PTB's update processor with a line per chat before the shared places."""

    def __init__(self, concurrent: int = CONCURRENT) -> None:
        super().__init__(max_concurrent_updates=UNLIMITED)
        self._places = asyncio.Semaphore(concurrent)
        self._lines: dict[Hashable, _Line] = {}
        self._others = 0  # updates running of chats without a backlog
        self._calm = asyncio.Event()  # set while none of those runs
        self._calm.set()
        self.waiting = 0  # accepted, not yet started (LicenceApplication.in_flight counts them)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = line_of(update)
        line = self._lines.setdefault(key, _Line())
        line.members += 1
        self.waiting += 1
        started = False
        try:
            async with line.turn:
                backlog = line.members > BACKLOG
                while backlog and not self._calm.is_set():
                    await self._calm.wait()  # a flood's next update gives way to the others
                async with self._places:
                    self.waiting -= 1
                    started = True
                    if not backlog:
                        self._others += 1
                        self._calm.clear()
                    try:
                        await coroutine
                    finally:
                        if not backlog:
                            self._others -= 1
                            if self._others == 0:
                                self._calm.set()
        finally:
            if not started:
                self.waiting -= 1
                if asyncio.iscoroutine(coroutine):
                    coroutine.close()  # cancelled while waiting: never started
            line.members -= 1
            if line.members == 0:
                del self._lines[key]

    @property
    def lines(self) -> int:
        """Chats with an update being handled or waiting."""
        return len(self._lines)

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None
