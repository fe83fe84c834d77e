"""In webhook mode a callback query is answered in the webhook's HTTP response, which Telegram
executes like a request (Bot API: "Making requests when getting updates"), so a button press
costs one Bot API request (the edit) instead of two (issue 11, benchmark 2).

The webhook handler waits, for a callback query only, until the turn offers its answer or the
update is done; a turn whose offer comes too late (or in polling mode) sends the answer as a
request as before. The response carries no result, which an answer does not need.
"""

from __future__ import annotations

import asyncio
from typing import Any

KEY = "webhook_replies"
Call = dict[str, Any]


class WebhookReplies:
    """Update id → the webhook response still waiting for that update's callback answer."""

    def __init__(self) -> None:
        self._waiting: dict[int, asyncio.Future[Call | None]] = {}

    def expect(self, update_id: int) -> asyncio.Future[Call | None]:
        waiting: asyncio.Future[Call | None] = asyncio.get_running_loop().create_future()
        self._waiting[update_id] = waiting
        return waiting

    def offer(self, update_id: int, call: Call) -> bool:
        """Hand `call` to the waiting response; False when none waits (send it yourself)."""
        waiting = self._waiting.get(update_id)
        if waiting is None or waiting.done():
            return False
        waiting.set_result(call)
        return True

    def release(self, update_id: int) -> None:
        """The update is done without an answer: let its response go empty."""
        waiting = self._waiting.get(update_id)
        if waiting is not None and not waiting.done():
            waiting.set_result(None)

    def forget(self, update_id: int) -> None:
        self._waiting.pop(update_id, None)


def replies_of(bot_data: dict[str, Any]) -> WebhookReplies | None:
    found = bot_data.get(KEY)
    return found if isinstance(found, WebhookReplies) else None
