"""Message catalogues (bot/locales/<lang>/*.yml) and locale-aware formatting with Babel (R3, R8)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any

import yaml
from babel.dates import format_date
from babel.numbers import format_currency

LANGUAGES = ("de", "en")
DEFAULT_LANGUAGE = "de"
_LOCALES = {"de": "de_DE", "en": "en_IE"}  # en_IE: "€13.92" and "1 Nov 2026", as R3/R8 ask
_DATE_FORMATS = {"de": "dd.MM.yyyy", "en": "d MMM yyyy"}


def _flatten(tree: dict[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{name}."))
        else:
            flat[name] = str(value)
    return flat


@cache
def catalogue(language: str) -> dict[str, str]:
    """All messages of a language: every `bot/locales/<language>/*.yml`, one per feature."""
    folder = resources.files("bot").joinpath("locales", language)
    messages: dict[str, str] = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yml"):
            part = _flatten(yaml.safe_load(entry.read_text("utf-8")) or {})
            clash = messages.keys() & part.keys()
            if clash:
                raise ValueError(f"{language}/{entry.name} repeats keys: {sorted(clash)}")
            messages.update(part)
    return messages


def pick_language(*candidates: str | None) -> str:
    """The first supported language among e.g. the stored choice and the client's language."""
    for candidate in candidates:
        if candidate:
            short = candidate.split("-")[0].split("_")[0].lower()
            if short in LANGUAGES:
                return short
    return DEFAULT_LANGUAGE


class Translator:
    def __init__(self, language: str) -> None:
        self.language = pick_language(language)
        self._messages = catalogue(self.language)

    def __call__(self, key: str, **params: object) -> str:
        template = self._messages.get(key)
        if template is None:
            raise KeyError(f"message {key!r} missing in {self.language}.yml")
        return template.format(**params)

    def money(self, amount: Decimal) -> str:
        """`13,92 €` in German, `€13.92` in English."""
        return format_currency(amount, "EUR", locale=_LOCALES[self.language])

    def date(self, day: date | None) -> str:
        """`01.11.2026` in German, `1 Nov 2026` in English; empty when there is none."""
        if day is None:
            return ""
        return format_date(day, _DATE_FORMATS[self.language], locale=_LOCALES[self.language])
