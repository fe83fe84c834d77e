"""Explicit yes, a wish to stop, and the language of a message (issue 17)."""

from __future__ import annotations

import pytest

from domain.nlu import answers, language


@pytest.mark.parametrize(
    "text", ["ja", "Ja!", "ja, bitte", "Ja, ich stimme zu", "yes", "Okay", "I agree", "genau"]
)
def test_an_explicit_yes(text: str) -> None:  # R5, R11, R20
    assert answers.explicit_yes(text)


@pytest.mark.parametrize(
    "text", ["xyz", "asdf qwertz blubb", "nein", "ja aber nicht jetzt", "yes, but not now", "5", ""]
)
def test_anything_else_is_no_yes(text: str) -> None:  # R5: no consent from nonsense
    assert not answers.explicit_yes(text)


@pytest.mark.parametrize(
    "text", ["abbrechen", "Abbrechen bitte", "stop", "Stopp!", "cancel", "/cancel", "forget it"]
)
def test_a_wish_to_stop(text: str) -> None:
    assert answers.wants_to_stop(text)


@pytest.mark.parametrize("text", ["cancel E3", "E3 kündigen", "stop the E5 licences", "ja"])
def test_no_wish_to_stop(text: str) -> None:
    assert not answers.wants_to_stop(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hello there", "en"),
        ("I want to order licences", "en"),
        ("Ich möchte bestellen", "de"),
        ("Meine Bestellungen", "de"),
        ("5", None),
        ("ok", None),
        ('/link_account{"invite_code": "ABC"}', None),
    ],
)
def test_the_language_a_message_is_written_in(text: str, expected: str | None) -> None:
    assert language.written_in(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("in English please", "en"),
        ("Bitte auf Englisch", "en"),
        ("auf Deutsch bitte", "de"),
        ("speak German", "de"),
        ("Ich möchte bestellen", None),
    ],
)
def test_a_message_asks_for_a_language(text: str, expected: str | None) -> None:
    assert language.asked_for(text) == expected


def test_a_payload_tells_no_language_whatever_its_code_holds() -> None:
    for code in ("A-WE-ARE", "JA-NEIN-1", "THE-IS-A"):
        assert language.written_in(f'/link_account{{"invite_code": "{code}"}}') is None
