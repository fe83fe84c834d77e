"""Updates on their way to the bot: the queue, getUpdates long polling and webhook delivery.

A delivered update is awaited until the bot answers it (or its grace time passes); settle() in the
emulator waits for that. As Telegram does, a webhook response may carry one Bot API call
(`{"method": ..., ...}`); it is executed through `reply_handler` and its result is not returned.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

import httpx

from bot.emulator.activity import Activity
from bot.emulator.errors import ApiError, JsonDict, bad_request, status_phrase
from bot.emulator.transport import SECRET_HEADER, optional_float, optional_int

log = logging.getLogger(__name__)

WEBHOOK_ACTIVE = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
OTHER_POLLER = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)
# Update kinds Telegram sends only when asked for them in allowed_updates.
NOT_BY_DEFAULT = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


@dataclass
class _Queued:
    update: JsonDict
    forced: bool = False  # re-queued by redeliver(): delivered whatever the offset
    delivered: bool = False

    @property
    def update_id(self) -> int:
        return int(self.update["update_id"])

    @property
    def kind(self) -> str:
        return next(key for key in self.update if key != "update_id")


class _Awaiting(NamedTuple):
    """A delivered update the bot has not visibly answered yet."""

    query_id: str | None  # a callback query is answered by answerCallbackQuery with its id
    chat_id: int | None  # a message by any successful request to its chat
    deadline: float  # after which it counts as deliberately ignored

    @classmethod
    def of(cls, update: JsonDict, deadline: float) -> _Awaiting:
        if "callback_query" in update:
            return cls(str(update["callback_query"]["id"]), None, deadline)
        about = update.get("message") or update.get("my_chat_member") or {}
        return cls(None, about.get("chat", {}).get("id"), deadline)


class Updates:
    """The update queue and its two ways to the bot: getUpdates and a webhook."""

    def __init__(self, activity: Activity, grace: float) -> None:
        self.reply_handler: Callable[[str, JsonDict], object] | None = None
        self.webhook_url: str | None = None
        self.webhook_secret: str | None = None
        self._activity = activity
        self._grace = grace
        self._awaiting: list[_Awaiting] = []
        self._updates: dict[int, JsonDict] = {}
        self._queue: deque[_Queued] = deque()
        self._next_update_id = 100_000
        self._allowed_updates: frozenset[str] | None = None
        self._webhook_error: tuple[int, str] | None = None
        self._webhook_max_connections = 40
        self._poll_generation = 0
        self._closing = False
        self._client: httpx.AsyncClient | None = None
        self._deliverer: asyncio.Task[None] | None = None

    # lifecycle

    def start(self) -> None:
        """Start webhook delivery."""
        self._closing = False
        self._deliverer = asyncio.create_task(self._deliver_webhooks())

    async def stop(self) -> None:
        """Answer waiting long polls, stop webhook delivery and close its HTTP client."""
        self._closing = True
        self._activity.notify()
        if self._deliverer is not None:
            self._deliverer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._deliverer
        if self._client is not None:
            await self._client.aclose()
        self._client = self._deliverer = None

    # updates from users and tests

    def enqueue(self, body: JsonDict) -> JsonDict:
        """Queue a new update with this body; the update with its update_id."""
        self._next_update_id += 1
        update = {"update_id": self._next_update_id, **body}
        self._updates[self._next_update_id] = update
        self._queue.append(_Queued(update))
        self._activity.touch()
        return update

    def redeliver(self, update_id: int) -> None:
        """Queue an earlier update once more, with its original update_id."""
        if update_id not in self._updates:
            raise KeyError(f"no update {update_id} was ever queued")
        self._queue.append(_Queued(self._updates[update_id], forced=True))
        self._activity.touch()

    async def post_raw_webhook(self, body: JsonDict | str | bytes, secret: str | None) -> int:
        """POST a body to the webhook as Telegram would (secret header if given); the status."""
        if self.webhook_url is None:
            raise RuntimeError("no webhook is set")
        content = json.dumps(body).encode() if isinstance(body, dict) else body
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers[SECRET_HEADER] = secret
        response = await self._http().post(self.webhook_url, content=content, headers=headers)
        return response.status_code

    # what settle() waits for

    def undelivered(self) -> int:
        """Queued updates the bot has not received yet."""
        if self.webhook_url is not None:
            return len(self._queue)
        return sum(not entry.delivered for entry in self._queue)

    def unanswered(self, now: float) -> int:
        """Delivered updates the bot has not answered; those past their grace are forgotten."""
        self._awaiting = [entry for entry in self._awaiting if entry.deadline > now]
        return len(self._awaiting)

    def note_answer(self, method: str, params: JsonDict) -> None:
        """A successful request answers the awaiting updates it concerns."""
        if method.lower() == "answercallbackquery":
            query_id = str(params.get("callback_query_id"))
            self._awaiting = [entry for entry in self._awaiting if entry.query_id != query_id]
        elif isinstance(params.get("chat_id"), int):
            chat_id = params["chat_id"]
            self._awaiting = [entry for entry in self._awaiting if entry.chat_id != chat_id]

    # Bot API methods

    async def get_updates(self, params: JsonDict, gone: asyncio.Event) -> list[JsonDict]:
        """getUpdates: confirm by offset, then wait up to `timeout` s for a batch of updates."""
        if self.webhook_url is not None:
            raise ApiError(409, WEBHOOK_ACTIVE)
        offset = optional_int(params, "offset")
        limit = min(max(optional_int(params, "limit") or 100, 1), 100)
        timeout = optional_float(params, "timeout")
        self._set_allowed(params.get("allowed_updates"))
        self._poll_generation += 1
        generation = self._poll_generation
        self._activity.notify()
        self._confirm(offset)
        deadline = time.monotonic() + max(timeout, 0.0)
        while True:
            if generation != self._poll_generation:
                raise ApiError(409, OTHER_POLLER)
            if self.webhook_url is not None:
                raise ApiError(409, WEBHOOK_ACTIVE)
            batch = self._fetchable(limit)
            remaining = deadline - time.monotonic()
            if gone.is_set() or self._closing:
                return []
            if batch or remaining <= 0:
                for entry in batch:
                    self._mark_delivered(entry)
                return [entry.update for entry in batch]
            await self._activity.wait_change(remaining)

    def set_webhook(self, params: JsonDict) -> bool:
        """setWebhook: an http(s) URL, a secret token, allowed updates, pending ones dropped."""
        url = str(params.get("url") or "")
        secret = params.get("secret_token") or None
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(secret)):
            raise bad_request("secret token contains unallowed characters")
        if url and not url.startswith(("http://", "https://")):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        if params.get("drop_pending_updates"):
            self._queue.clear()
        self._set_allowed(params.get("allowed_updates"))
        self.webhook_url = url or None
        self.webhook_secret = str(secret) if url and secret is not None else None
        self._webhook_max_connections = optional_int(params, "max_connections") or 40
        self._webhook_error = None
        return True

    def delete_webhook(self, params: JsonDict) -> bool:
        """deleteWebhook, dropping pending updates if asked."""
        if params.get("drop_pending_updates"):
            self._queue.clear()
        self.webhook_url = self.webhook_secret = None
        return True

    def webhook_info(self, _: JsonDict) -> JsonDict:
        """getWebhookInfo, with the last delivery error if there was one."""
        info: JsonDict = {
            "url": self.webhook_url or "",
            "has_custom_certificate": False,
            "pending_update_count": self.undelivered(),
        }
        if self.webhook_url is not None:
            info["max_connections"] = self._webhook_max_connections
        if self._allowed_updates is not None:
            info["allowed_updates"] = sorted(self._allowed_updates)
        if self._webhook_error is not None:
            info["last_error_date"], info["last_error_message"] = self._webhook_error
        return info

    # the queue

    def _allowed(self, entry: _Queued) -> bool:
        if self._allowed_updates is None:
            return entry.kind not in NOT_BY_DEFAULT
        return entry.kind in self._allowed_updates

    def _set_allowed(self, value: Any) -> None:
        if value is None:
            return
        if not isinstance(value, list) or not all(isinstance(kind, str) for kind in value):
            raise bad_request("can't parse allowed_updates JSON object")
        self._allowed_updates = frozenset(value) if value else None

    def _confirm(self, offset: int | None) -> None:
        """Forget updates confirmed by getUpdates' offset (a forced one once it was delivered)."""
        if offset is None:
            return
        if offset < 0:
            self._queue = deque(list(self._queue)[offset:])
            return
        self._queue = deque(
            entry
            for entry in self._queue
            if entry.update_id >= offset or (entry.forced and not entry.delivered)
        )

    def _fetchable(self, limit: int) -> list[_Queued]:
        """The next batch: a run of new updates, or one redelivered update on its own."""
        self._queue = deque(entry for entry in self._queue if self._allowed(entry))
        batch: list[_Queued] = []
        for entry in self._queue:
            if entry.forced and entry.delivered:
                continue
            if entry.forced:
                return batch or [entry]
            batch.append(entry)
            if len(batch) >= limit:
                break
        return batch

    def _mark_delivered(self, entry: _Queued) -> None:
        if not entry.delivered:
            entry.delivered = True
            deadline = time.monotonic() + self._grace
            self._awaiting.append(_Awaiting.of(entry.update, deadline))

    # webhook delivery

    async def _deliver_webhooks(self) -> None:
        """POST queued updates one by one to the webhook; retry with backoff until a 2xx."""
        backoff = 0.0
        while not self._closing:
            entry = next((e for e in self._queue if self._allowed(e)), None)
            url = self.webhook_url
            if url is None or entry is None:
                self._queue = deque(e for e in self._queue if self._allowed(e))
                await self._activity.wait_change(1.0)
                continue
            headers = {"Content-Type": "application/json"}
            if self.webhook_secret is not None:
                headers[SECRET_HEADER] = self.webhook_secret
            self._activity.inflight += 1
            try:
                response = await self._http().post(
                    url, content=json.dumps(entry.update), headers=headers
                )
                error = None if response.is_success else _wrong_response(response.status_code)
            except httpx.HTTPError as exc:
                error = f"Connection failed: {exc!r}"
            finally:
                self._activity.inflight -= 1
                self._activity.touch()
            if error is None:
                self._mark_delivered(entry)
                self._run_reply(response)
                with contextlib.suppress(ValueError):
                    self._queue.remove(entry)
                backoff = 0.0
                continue
            log.debug("webhook delivery of update %s failed: %s", entry.update_id, error)
            self._webhook_error = (int(time.time()), error)
            backoff = min(max(backoff * 2, 0.05), 1.0)
            await asyncio.sleep(backoff)

    def _run_reply(self, response: httpx.Response) -> None:
        """The Bot API call a webhook answered with, if any (errors are not reported back)."""
        if self.reply_handler is None or not response.content:
            return
        with contextlib.suppress(ValueError):
            body = response.json()
            if isinstance(body, dict) and isinstance(body.get("method"), str):
                params = {k: v for k, v in body.items() if k != "method"}
                with contextlib.suppress(ApiError):
                    self.reply_handler(body["method"], params)

    def _http(self) -> httpx.AsyncClient:
        """The client for webhook POSTs, made on first use (it costs ~0.1 s to build)."""
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=10.0)
        return self._client


def _wrong_response(status: int) -> str:
    return f"Wrong response from the webhook: {status} {status_phrase(status)}"
