"""An action call as Rasa posts it to /webhook, read once and checked before any action runs.

The body is decompressed at most once and never beyond `MAX_BODY_BYTES` (a deflate bomb of a
few hundred kilobytes would otherwise grow to hundreds of megabytes), parsed once, and checked
for the shape rasa-sdk relies on: a JSON object with the action's name and a tracker whose
slots are JSON values. An integer slot value outside the database's 32-bit range (an order
number of 10**30) is refused as well: no identifier, quantity or version can be that large.
What does not fit is a `BadCall` (the server answers 400 or 413), never an exception inside
rasa-sdk (which would answer 500 with the body and the exception in the reply).
"""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, StrictBool, StrictStr, ValidationError

MAX_BODY_BYTES = 16 * 1024 * 1024  # a long conversation's tracker is well below a megabyte
INT_LIMIT = 2**31 - 1  # the database stores ids, quantities and versions as 32-bit integers


class BadCall(Exception):
    """A body that is not an action call; `status` is the HTTP answer (400 or 413)."""

    def __init__(self, reason: str, status: int = 400) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


class _Tracker(BaseModel):
    model_config = ConfigDict(extra="allow")

    sender_id: StrictStr
    slots: dict[str, Any] = {}
    latest_message: dict[str, Any] | None = None
    events: list[dict[str, Any]] = []
    paused: StrictBool = False
    followup_action: StrictStr | None = None
    active_loop: dict[str, Any] = {}
    latest_action_name: StrictStr | None = None


class _Call(BaseModel):
    model_config = ConfigDict(extra="allow")

    next_action: StrictStr
    sender_id: StrictStr | None = None
    tracker: _Tracker
    domain: dict[str, Any] | None = None
    version: StrictStr | None = None


@dataclass(frozen=True)
class ActionCall:
    """A checked call: the action it names, the body as read, the JSON parsed from it."""

    next_action: str
    body: bytes
    payload: dict[str, Any]


def inflate(body: bytes, limit: int = MAX_BODY_BYTES) -> bytes:
    """A deflated body, decompressed once and to at most `limit` bytes (zlib's max_length)."""
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(body, limit + 1)
    except zlib.error as exc:
        raise BadCall("the body is not valid deflate data") from exc
    if len(out) > limit:
        raise BadCall(f"the decompressed body exceeds {limit} bytes", 413)
    if not inflater.eof:
        raise BadCall("the deflate data is truncated")
    return out


def _slot_values(tracker: _Tracker) -> list[object]:
    values: list[object] = list(tracker.slots.values())
    values += [event.get("value") for event in tracker.events if event.get("event") == "slot"]
    return values


def _out_of_range(value: object) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return abs(value) > INT_LIMIT
    if isinstance(value, list):
        return any(_out_of_range(item) for item in value)
    if isinstance(value, dict):
        return any(_out_of_range(item) for item in value.values())
    return False


def read(body: bytes, content_encoding: str | None) -> ActionCall:
    """The call in `body`, or BadCall saying why it is none."""
    if content_encoding == "deflate":
        body = inflate(body)
    elif len(body) > MAX_BODY_BYTES:
        raise BadCall(f"the body exceeds {MAX_BODY_BYTES} bytes", 413)
    try:
        raw = json.loads(body)
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        raise BadCall("the body is not JSON") from exc
    try:
        call = _Call.model_validate(raw)
    except ValidationError as exc:
        fields = sorted({".".join(str(part) for part in e["loc"]) or "body" for e in exc.errors()})
        raise BadCall(f"not an action call (check: {', '.join(fields[:5])})") from exc
    if any(_out_of_range(value) for value in _slot_values(call.tracker)):
        raise BadCall("a slot value is out of range")
    return ActionCall(call.next_action, body, raw)
