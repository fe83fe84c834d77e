"""Typed quantities and new totals: one reading for the Telegram bot and the Rasa actions."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.nlu.numbers import Quantity, asked_quantity, new_total, read_quantity, typed_quantity

# What the Telegram bot accepted as a typed quantity before the rule moved here (bot/drafts.py).
BOT_RULE = re.compile(r"^\s*[+-]?\d{1,15}\s*$")
# Since issue 18 a full stop or quotes around the number are slips, not another answer ("'7").
SLIPS = re.compile(r"^[\s'\"]*([+-]?\d{1,15})[\s'\".!]*$")


def bot_parse_quantity(text: str) -> int | None:
    return int(text) if BOT_RULE.match(text) else None


def slip_tolerant_quantity(text: str) -> int | None:
    found = SLIPS.match(text)
    return int(found[1]) if found else None


@given(st.from_regex(r"\A[ \t]*[+-]?[0-9]{1,15}[ \t]*\Z"), st.sampled_from(["de", "en"]))
def test_every_number_the_bot_accepted_reads_the_same(text: str, language: str) -> None:
    assert typed_quantity(text, language) == bot_parse_quantity(text) == int(text)


@given(st.text(alphabet="0123456789 +-.,xX", max_size=20), st.sampled_from(["de", "en"]))
def test_digits_read_as_the_bot_read_them(text: str, language: str) -> None:
    """Without number words, the shared rule is the bot's rule, and a full stop after the number
    is a slip (issue 18)."""
    assert typed_quantity(text, language) == slip_tolerant_quantity(text)


@pytest.mark.parametrize(("text", "quantity"), [("'7", 7), ("„12“", 12), ("5.", 5), ("3!", 3)])
def test_quotes_and_a_full_stop_around_a_number_are_slips(text: str, quantity: int) -> None:
    assert typed_quantity(text, "de") == quantity  # issue 18: "'7" at the consents


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("18", "de", 18),
        (" -3 ", "de", -3),  # the sign reaches the domain, which names the range (R4)
        ("+7", "en", 7),
        ("0", "de", 0),
        ("9" * 15, "de", int("9" * 15)),
        ("fünf", "de", 5),
        ("zwanzig", "de", 20),
        ("twenty", "en", 20),
        ("9" * 16, "de", None),  # longer than any quantity: not a number
        ("zwei Dutzend", "de", None),
        ("12 Lizenzen", "de", None),  # a sentence, not a typed quantity
        ("1.5", "en", None),
        ("", "de", None),
    ],
)
def test_typed_quantities(text: str, language: str, expected: int | None) -> None:
    assert typed_quantity(text, language) == expected


@pytest.mark.parametrize(
    ("text", "value", "current", "total"),
    [
        ("5 weitere", 5, 18, 23),  # R11: a change becomes the new total
        ("noch fünf", 5, 18, 23),
        ("2 weniger", 2, 18, 16),
        ("5 more", 5, 18, 23),
        ("auf 40", 40, 18, 40),
        ("to 40", 40, 18, 40),
        ("40 statt 18", 40, 18, 40),
        ("40", 40, 18, 40),
        ("5 weitere", 7, 18, 7),  # the message is about another number: 7 is the total
    ],
)
def test_the_new_total_a_message_asks_for(text: str, value: int, current: int, total: int) -> None:
    message = read_quantity(text, "en" if " more" in text or "to " in text else "de")
    assert new_total(current, asked_quantity(value, message)) == total


def test_catalogue_names_are_masked_before_numbers_are_read() -> None:
    def mask(text: str) -> str:
        return text.replace("Microsoft 365 E3", "PRODUCT")

    found = read_quantity("5 weitere Microsoft 365 E3", "de", mask)
    assert found == Quantity(5, relative=True)


def test_new_total_adds_changes_and_keeps_totals() -> None:  # R11
    assert new_total(18, Quantity(5, relative=True)) == 23
    assert new_total(18, Quantity(-2, relative=True)) == 16
    assert new_total(18, Quantity(40, relative=False)) == 40
