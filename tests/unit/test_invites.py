"""Invite codes (R22): random, URL-safe for Telegram deep links, stored only as a hash."""

from __future__ import annotations

import hashlib
import re

import pytest

from domain.invites import MAX_CODE_LENGTH, hash_code, new_code, normalise

URL_SAFE = re.compile(r"^[A-Za-z0-9_-]+$")


def test_new_code_is_url_safe_and_fits_a_telegram_start_parameter() -> None:  # R22
    for _ in range(200):
        code = new_code()
        assert URL_SAFE.match(code), code
        assert 16 <= len(code) <= 64


def test_new_codes_never_start_with_a_dash_a_command_line_reads_as_an_option() -> None:  # R22
    # A random code starts with "-" once in 64: 2,000 codes would show it almost surely.
    assert not [code for code in (new_code() for _ in range(2000)) if code.startswith("-")]


def test_new_codes_are_unique() -> None:  # R22
    codes = {new_code() for _ in range(1000)}
    assert len(codes) == 1000


def test_new_code_survives_normalising_unchanged() -> None:  # R22
    code = new_code()
    assert normalise(code) == code
    assert normalise(f"  {code}\n") == code


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("abc", "abc"),
        ("  abc  ", "abc"),
        ("\tA-b_9\n", "A-b_9"),
        ("x" * MAX_CODE_LENGTH, "x" * MAX_CODE_LENGTH),
    ],
)
def test_normalise_trims_a_valid_code(typed: str, expected: str) -> None:  # R22
    assert normalise(typed) == expected


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "   ",
        "\n",
        "x" * (MAX_CODE_LENGTH + 1),
        "ab cd",
        "abc!",
        "abc=",  # padding of standard base64
        "a/b",
        "a+b",
        "äbc",
        "abc\u200b",  # zero-width space
        "ａｂｃ",  # full-width letters
        "١٢٣",  # Arabic-Indic digits (str.isdigit would accept them)
        "/start abc",
    ],
)
def test_normalise_rejects_what_cannot_be_a_code(typed: str) -> None:  # R22
    assert normalise(typed) is None


def test_max_code_length_is_telegrams_limit() -> None:  # R22
    assert MAX_CODE_LENGTH == 64


def test_hash_is_hex_sha256_of_the_code() -> None:  # R22: stored only as a hash
    code = "AbC-123_xyz"
    digest = hash_code(code)
    assert digest == hashlib.sha256(code.encode()).hexdigest()
    assert re.fullmatch(r"[0-9a-f]{64}", digest)


def test_hash_is_deterministic_and_differs_from_the_code() -> None:  # R22
    code = new_code()
    assert hash_code(code) == hash_code(code)
    assert hash_code(code) != code
    assert code not in hash_code(code)


def test_different_codes_have_different_hashes() -> None:  # R22
    assert hash_code("abc") != hash_code("abd")
    assert hash_code("abc") != hash_code("ABC")
