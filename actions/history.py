"""What a Rasa tracker's event list tells: the current form run, this turn's slot values.

Rasa 3 sends every event of the conversation. A form run starts with an `active_loop` event
carrying the form's name; a user turn starts with a `user` event; the slot candidates a form
asks its validation action to check are the `slot` events at the very end, right after an
`action` event naming the form (`FormAction._temporary_tracker`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from typing import Any

Event = dict[str, Any]


def _last(events: Sequence[Event], kind: str, name: str | None = None) -> int:
    """Index of the last event of `kind` (and `name`), or -1."""
    for index in range(len(events) - 1, -1, -1):
        event = events[index]
        if event.get("event") == kind and (name is None or event.get("name") == name):
            return index
    return -1


def _candidates_start(events: Sequence[Event]) -> int:
    """Where the trailing block of `slot` events (the candidates) begins."""
    start = len(events)
    while start > 0 and events[start - 1].get("event") == "slot":
        start -= 1
    return start


def called_for_form(events: Sequence[Event], active_loop: str | None, form: str) -> bool:
    """Whether a validation call belongs to a run of `form`.

    The form is active, or is being activated: then Rasa marks the candidates with an
    `action` event of the form (the tracker it sends may not show the new loop yet).
    """
    if active_loop == form:
        return True
    start = _candidates_start(events)
    marker = events[start - 1] if start > 0 else {}
    return marker.get("event") == "action" and marker.get("name") == form


def activation(events: Sequence[Event], form: str) -> Event | None:
    """The `active_loop` event that started the latest run of `form`."""
    index = _last(events, "active_loop", form)
    return events[index] if index >= 0 else None


def leftovers(
    events: Sequence[Event], slots: dict[str, Any], form: str, names: Iterable[str]
) -> list[str]:
    """Slots of `names` holding a value from before this run of `form` started.

    Only in the turn that activates the form: a value counts as current when the latest user
    message set it (a `slot` event after the `user` event, before the candidates); anything
    else is left over from an earlier, unfinished form and must not be reused (a stale
    consent or quantity would otherwise complete the new form unasked).
    """
    started = _last(events, "active_loop", form)
    user = _last(events, "user")
    if started < 0 or started < user:
        return []
    current = {
        event.get("name")
        for event in events[user + 1 : _candidates_start(events)]
        if event.get("event") == "slot"
    }
    return [name for name in names if slots.get(name) is not None and name not in current]


def activated_this_turn(events: Sequence[Event], active_loop: str | None, form: str) -> bool:
    """Whether this call validates the activation of `form`: Rasa sends the activation's
    candidates before the tracker shows the new loop, or after an `active_loop` event that
    came after the latest user message."""
    return active_loop != form or _last(events, "active_loop", form) > _last(events, "user")


def set_this_turn(events: Sequence[Event], slot: str) -> bool:
    """Whether a `slot` event for `slot` came after the latest user message."""
    user = _last(events, "user")
    return any(
        event.get("event") == "slot" and event.get("name") == slot for event in events[user + 1 :]
    )


def order_key(sender_id: str, events: Sequence[Event], form: str) -> str | None:
    """The idempotency key of this run of `form`: the sender and the run's start time.

    A retried action call carries the same events, so it yields the same key (R9); a new
    run of the form starts with a new `active_loop` event and gets a new one.
    """
    started = activation(events, form)
    if started is None or started.get("timestamp") is None:
        return None
    seed = f"{sender_id}\x1f{form}\x1f{started['timestamp']!r}"
    return "rasa:" + hashlib.sha256(seed.encode("utf-8")).hexdigest()
