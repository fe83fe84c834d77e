"""Slot values as Rasa sends them, turned into plain values (no rule decided here).

Range checks, seat caps and the like are the domain's; how a typed quantity reads is
`domain.nlu.numbers.typed_quantity`, shared with the Telegram bot.
"""

from __future__ import annotations

import re

from domain.nlu.numbers import Quantity, typed_quantity

# An order id as typed: "12", "Nr. 12", "#12", "no. 12".
_SUBSCRIPTION_ID = re.compile(
    r"^\s*(?:(?:nr|no|nummer|number|bestellung|order)\.?\s*)?#?\s*(\d{1,9})\s*$", re.IGNORECASE
)
_PENDING = re.compile(r"^(?:total:|change:)([+-]?\d{1,9})$")
_VERSION = re.compile(r"^\s*[0-9]{1,9}\s*$")
_YES = frozenset({"true", "yes", "ja", "1"})
_NO = frozenset({"false", "no", "nein", "0"})


def quantity(value: object, language: str) -> int | None:
    """An int, a numeric string or number words ("fünf") as an int; None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    if not isinstance(value, str):
        return None
    return typed_quantity(value, language)


def subscription_id(value: object) -> int | None:
    """An order number as sent (int or digits, optionally "Nr. 12"); None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        match = _SUBSCRIPTION_ID.match(value)
        if match:
            return int(match[1])
    return None


def version(value: object) -> int | None:
    """A subscription version as the slot holds it (an int; a float or digits after a trip
    through a tracker store); None when there is none."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and _VERSION.match(value):
        return int(value)
    return None


def yes_no(value: object) -> bool | None:
    """A boolean slot: True, False, or None when there is no answer."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        word = value.strip().lower()
        if word in _YES:
            return True
        if word in _NO:
            return False
    return None


def as_pending(asked: Quantity) -> str:
    """A quantity asked for before its subscription is known, as the slot keeps it: a total
    ("total:8") or a change ("change:+5"), so that the total is worked out once it is known."""
    return f"change:{asked.value:+d}" if asked.relative else f"total:{asked.value}"


def pending_quantity(value: object) -> Quantity | None:
    """The quantity `as_pending` kept, or None for anything else (a checked total is an int)."""
    if not isinstance(value, str):
        return None
    match = _PENDING.match(value.strip())
    if match is None:
        return None
    return Quantity(int(match[1]), relative=value.strip().startswith("change:"))
