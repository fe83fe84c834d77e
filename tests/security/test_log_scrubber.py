"""Issue 19 (6): a secret never reaches a log line, in whatever form it is written.

Secrets are written JSON-escaped (a JSON log line quoting a request, a JSON body inside a JSON
line) and URL-encoded (a database URL, a query string); a short password counts too, where it
stands alone (a four-digit password must not blank every year in the logs).
"""

from __future__ import annotations

import io
import json
import logging
from urllib.parse import quote, quote_plus

import pytest

from domain import logs

LONG = 'pa"ss\\wörd/+ &=x?'  # needs escaping in JSON and in URLs
SHORT = "7$%1"  # a short database password
TOKEN = "123456789:AAF-bot-token-of-thirty-or-more-characters"


def forms(secret: str) -> list[str]:
    """How a secret is written by the code around a log call."""
    in_json = json.dumps(secret)[1:-1]
    return [
        secret,
        in_json,
        json.dumps(secret, ensure_ascii=False)[1:-1],
        json.dumps(json.dumps(secret))[1:-1][2:-2],  # a JSON body quoted in a JSON string
        quote(secret, safe=""),
        quote(secret),
        quote_plus(secret),
        quote(secret, safe="").lower(),
        quote(in_json, safe=""),
    ]


@pytest.mark.usefixtures("restored_logging")
@pytest.mark.parametrize("log_format", ["text", "json"])
def test_every_written_form_of_a_secret_is_redacted(log_format: str) -> None:
    stream = io.StringIO()
    logs.configure(log_format, secrets_=[LONG, SHORT, TOKEN], stream=stream)  # type: ignore[arg-type]
    log = logging.getLogger("licencebot.test")
    lines = 0
    for secret in (LONG, SHORT):
        for written in forms(secret):
            log.warning("url postgresql+asyncpg://app:%s@db/x and more", written)
            log.warning('body {"password": "%s", "n": 1}', written)
            lines += 2
    log.warning("a stray token %s", quote(TOKEN, safe=""))
    lines += 1
    out = stream.getvalue()
    assert len(out.splitlines()) == lines
    leaked = [f for s in (LONG, SHORT, TOKEN) for f in forms(s) if f in out]
    assert not leaked
    assert out.count(logs.REDACTED) >= lines


@pytest.mark.usefixtures("restored_logging")
def test_a_short_secret_is_redacted_where_it_stands_alone_only() -> None:
    stream = io.StringIO()
    logs.configure("text", secrets_=["2026"], stream=stream)
    logging.getLogger("licencebot.test").warning("pw 2026 in 20261 on 12.2026x; :2026@")
    line = stream.getvalue()
    assert line.endswith("pw [redacted] in 20261 on 12.2026x; :[redacted]@\n")
