"""Slot values as Rasa sends them, turned into plain values (no rule decided here).

Range checks, seat caps and the like are the domain's: these helpers only read what was typed.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from domain.nlu.numbers import find_quantity, normalise_numbers

# The Telegram bot's rule for a typed quantity: a whole number of up to 15 digits, any sign.
_WHOLE = re.compile(r"^\s*[+-]?\d{1,15}\s*$")
# An order id as typed: "12", "Nr. 12", "#12", "no. 12".
_SUBSCRIPTION_ID = re.compile(
    r"^\s*(?:(?:nr|no|nummer|number|bestellung|order)\.?\s*)?#?\s*(\d{1,9})\s*$", re.IGNORECASE
)
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
    text = normalise_numbers(value, language)
    if not _WHOLE.match(text):
        return None
    return int(text)


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


def relative_change(text: str, language: str, mask: Callable[[str], str]) -> int | None:
    """The signed change a message asks for ("5 weitere" → +5, "2 weniger" → -2), else None.

    `mask` replaces the catalogue names (see `CatalogueNames.mask`), so that the numbers in
    "Microsoft 365 E3" are not read as quantities.
    """
    found = find_quantity(mask(normalise_numbers(text, language)))
    if found is None or not found.relative:
        return None
    return found.value
