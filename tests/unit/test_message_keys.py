"""Every message key the code uses is in both catalogues, and every catalogue entry is used.

The keys are found the way translators find them: with `pybabel extract` (Babel's Python
extractor and the Makefile's keywords), so a key the extractor cannot see fails here too.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir

from domain.texts.i18n import LANGUAGES, catalogue

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS: dict[str, None] = {"tr": None, "say": None, "button": None, "N_": None, "texts": None}
# The emulator imitates Telegram; its strings are Bot API field names, not messages (its
# terminal client is a user of the catalogues, though).
NOT_MESSAGES = tuple(
    f"bot/emulator/{p.name}"
    for p in (ROOT / "bot/emulator").glob("*.py")
    if p.name != "terminal.py"
)


def used_keys() -> set[str]:
    keys: set[str] = set()
    for folder in ("bot", "actions", "domain"):
        for filename, _, message, _, _ in extract_from_dir(
            ROOT / folder, method_map=[("**.py", "python")], keywords=KEYWORDS
        ):
            if any(f"{folder}/{filename}".startswith(p) for p in NOT_MESSAGES):
                continue
            keys.add(message if isinstance(message, str) else message[0])
    return keys


USED = used_keys()


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_key_the_code_uses_is_in_the_catalogue(language: str) -> None:
    assert USED - catalogue(language).keys == set()


def test_every_catalogue_entry_is_used_by_the_code() -> None:
    assert catalogue("de").keys - USED == set()
