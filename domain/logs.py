"""Logging for every process: text or JSON lines (`LOG_FORMAT`), a correlation id per update,
one INFO line per update, and secrets scrubbed from whatever is written.

The correlation id is set when an update starts (bot/app.py) and read by every log line of
that update and by the error message the user sees ("Referenz: 3F9A1C2B"), so the service desk
finds the lines of a reported failure. The per-update line says what happened, never to whom:
update type, handler, outcome, duration and Telegram's update counter — no chat or user id, no
name, no text (docs/decisions.md, "Monitoring").
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import secrets
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import quote, quote_plus, urlsplit

from pydantic import SecretStr
from pythonjsonlogger.json import JsonFormatter
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

if TYPE_CHECKING:
    from domain.settings import Settings

UPDATES_LOGGER = "licencebot.updates"
_CORRELATION: ContextVar[str | None] = ContextVar("licencebot_correlation", default=None)
_RECORD: ContextVar[UpdateRecord | None] = ContextVar("licencebot_update", default=None)
# A Bot API token (`123456789:AA…`), also inside a URL; replaced even when nobody named it.
_TOKEN = re.compile(r"\b\d{5,}:[A-Za-z0-9_-]{30,}")
REDACTED = "[redacted]"


def new_reference() -> str:
    """A short reference a user can read out to the service desk."""
    return secrets.token_hex(4).upper()


def correlation_id() -> str | None:
    return _CORRELATION.get()


def reference() -> str:
    """The current update's correlation id; a fresh one outside any update."""
    return _CORRELATION.get() or new_reference()


@dataclass
class UpdateRecord:
    """What the one line of an update reports; filled in while the update is handled."""

    update_id: int | None
    type: str
    handler: str = "-"
    outcome: str = "ignored"  # no handler took it (a group's message, an unknown update)


@contextmanager
def correlated(record: UpdateRecord | None = None, ref: str | None = None) -> Iterator[str]:
    """Everything logged inside carries one correlation id (a new one unless `ref`)."""
    ref = ref or new_reference()
    token = _CORRELATION.set(ref)
    record_token = _RECORD.set(record)
    try:
        yield ref
    finally:
        _RECORD.reset(record_token)
        _CORRELATION.reset(token)


def current_update() -> UpdateRecord | None:
    return _RECORD.get()


def note(*, handler: str | None = None, outcome: str | None = None) -> None:
    """Tell the current update's line which handler took it and how it ended."""
    record = _RECORD.get()
    if record is None:
        return
    if handler is not None:
        record.handler = handler
    if outcome is not None:
        record.outcome = outcome


def log_update(record: UpdateRecord, seconds: float) -> None:
    """The one INFO line per update (fields, not text, in JSON)."""
    logging.getLogger(UPDATES_LOGGER).info(
        "update %s (%s) handled by %s: %s in %.0f ms",
        record.update_id,
        record.type,
        record.handler,
        record.outcome,
        seconds * 1000,
        extra={
            "update_id": record.update_id,
            "update_type": record.type,
            "handler": record.handler,
            "outcome": record.outcome,
            "duration_ms": round(seconds * 1000, 1),
        },
    )


# A secret shorter than this is replaced only where it stands alone (not inside a longer word
# or number): a four-digit password must not turn every year in a log line into [redacted].
_SHORT = 6
_WORD = "A-Za-z0-9"


def written_forms(secret: str) -> set[str]:
    """The ways a secret shows up in a line: as is, JSON-escaped up to three times (with and without
    \\uXXXX for non-ASCII), URL-encoded (quote, quote_plus, lower-case hex) of each of those."""
    forms = {secret}
    for _ in range(3):  # a JSON line quoting a JSON body quoting a JSON value escapes thrice
        for form in list(forms):
            forms.add(json.dumps(form)[1:-1])
            forms.add(json.dumps(form, ensure_ascii=False)[1:-1])
    for form in list(forms):
        for encoded in (quote(form, safe=""), quote(form), quote_plus(form)):
            forms.add(encoded)
            forms.add(re.sub(r"%[0-9A-F]{2}", lambda m: m[0].lower(), encoded))
    return {form for form in forms if form}


class _Scrub:
    """Replaces the given secrets (in every written form) and anything shaped like a bot token."""

    def __init__(self, secrets_: Iterable[str]) -> None:
        forms = {form for secret in secrets_ if secret for form in written_forms(secret)}
        longest_first = sorted(forms, key=len, reverse=True)
        long = [re.escape(form) for form in longest_first if len(form) >= _SHORT]
        short = [re.escape(form) for form in longest_first if len(form) < _SHORT]
        parts = long + [f"(?<![{_WORD}]){form}(?![{_WORD}])" for form in short]
        self.pattern = re.compile("|".join(parts)) if parts else None

    def __call__(self, text: str) -> str:
        if self.pattern is not None:
            text = self.pattern.sub(REDACTED, text)
        return _TOKEN.sub(REDACTED, text)


class _WithCorrelation(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.correlation_id = _CORRELATION.get()
        return True


class TextFormatter(logging.Formatter):
    def __init__(self, scrub: _Scrub) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s%(ref)s: %(message)s")
        self.scrub = scrub

    def format(self, record: logging.LogRecord) -> str:
        ref = getattr(record, "correlation_id", None)
        record.ref = f" [{ref}]" if ref else ""
        return self.scrub(super().format(record))


class JsonLineFormatter(JsonFormatter):
    """One JSON object per line: time, level, logger, message, correlation_id, the extras."""

    def __init__(self, scrub: _Scrub) -> None:
        super().__init__(
            ["asctime", "levelname", "name", "message", "correlation_id"],
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            json_ensure_ascii=False,
        )
        self.scrub = scrub

    def format(self, record: logging.LogRecord) -> str:
        return self.scrub(super().format(record))

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return super().formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}"


def configure(
    log_format: Literal["text", "json"] = "text",
    *,
    level: int = logging.INFO,
    secrets_: Iterable[str] = (),
    stream: Any = None,
) -> logging.Handler:
    """Replace the root logger's handlers with one that writes `log_format` to `stream`
    (stderr); `secrets_` (token, webhook secret, database password) never appear in a line."""
    scrub = _Scrub(secrets_)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.addFilter(_WithCorrelation())
    formatter: logging.Formatter = (
        JsonLineFormatter(scrub) if log_format == "json" else TextFormatter(scrub)
    )
    handler.setFormatter(formatter)
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    return handler


def secrets_of(settings: Settings) -> list[str]:
    """Every configured secret: the bot token, the webhook secret, the action server's token,
    the database's and the rate limit Redis's passwords."""
    found = [
        value.get_secret_value()
        for value in (
            settings.telegram_bot_token,
            settings.webhook_secret,
            getattr(settings, "action_server_token", None),
        )
        if isinstance(value, SecretStr)
    ]
    with contextlib.suppress(ArgumentError, ValueError):
        password = make_url(settings.database_url).password
        if password:
            found.append(str(password))
    redis_url = getattr(settings, "rate_limit_redis_url", None)
    if isinstance(redis_url, SecretStr):
        password = urlsplit(redis_url.get_secret_value()).password
        if password:
            found.append(password)
    return found


def configure_for(settings: Settings, *, level: int = logging.INFO) -> logging.Handler:
    """`configure` with the settings' LOG_FORMAT and secrets (every long-running command)."""
    return configure(settings.log_format, level=level, secrets_=secrets_of(settings))
