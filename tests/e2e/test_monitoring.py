"""Monitoring as an operator sees it: `/healthz`, `/readyz`, `/metrics` on HEALTH_PORT in
polling mode, counters that move with a scripted conversation, and JSON log lines that parse,
carry a correlation id the user's error message quotes, and hold no secrets or personal data."""

from __future__ import annotations

import io
import json
import logging
import re
import socket
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from domain import logs
from domain.clock import FixedClock
from domain.services import catalogue
from tests.e2e.harness import TOKEN, order, press, running_bot, say, screen
from tests.e2e.test_transport import webhook_workers

SECRET = "webhook-secret-never-logged"
DB_PASSWORD = "db-password-never-logged"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample of a Prometheus text page, by name and labels."""
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return found


def value(
    page: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str
) -> float:
    return page.get((name, frozenset(labels.items())), 0.0)


async def scrape(port: int, path: str = "/metrics") -> httpx.Response:
    async with httpx.AsyncClient() as client:
        return await client.get(f"http://127.0.0.1:{port}{path}", timeout=10)


@pytest.fixture
def port() -> int:
    return free_port()


async def test_health_ready_and_metrics_answer_on_the_health_port(
    tmp_path: Path, clock: FixedClock, port: int
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    async with running_bot(url, clock, health_port=port):
        healthz = await scrape(port, "/healthz")
        assert (healthz.status_code, healthz.text) == (200, "ok\n")
        readyz = await scrape(port, "/readyz")
        assert readyz.status_code == 200
        assert readyz.json() == {"ready": True, "reason": "ready"}
        page = await scrape(port)
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/plain; version=")
        figures = samples(page.text)
        assert value(figures, "licencebot_database_up") == 1
        assert value(figures, "licencebot_outbox_backlog") == 0
        assert value(figures, "licencebot_tickets", status="open") == 0
        assert value(figures, "licencebot_licence_requests", status="pending") == 0
    with pytest.raises(httpx.ConnectError):  # the port is closed with the bot
        await scrape(port, "/healthz")


async def test_counters_move_with_a_scripted_conversation(
    tmp_path: Path, clock: FixedClock, port: int
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    async with running_bot(url, clock, health_port=port) as bot:
        before = samples((await scrape(port)).text)
        user = await bot.linked_user(4711, first_name="Hildegard")
        await order(bot, user, "Microsoft 365 Business Standard", "7")
        await say(bot, user, "Wie ist der Status meiner Bestellungen?")
        await say(bot, user, "/products")
        await press(bot, user, "Microsoft 365 Business Basic")
        await press(bot, user, "Bestellen")
        refused = await say(bot, user, "0")  # R4: quantities are whole numbers ≥ 1
        assert "ganze Zahl" in refused.plain_text
        page = (await scrape(port)).text
        after = samples(page)

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert moved("licencebot_orders_total", channel="telegram") == 1  # R9: one order
    assert moved("licencebot_writes_total", action="order.place", channel="telegram") == 1
    assert moved("licencebot_writes_total", action="user.link", channel="telegram") == 1
    assert moved("licencebot_cancellations_total", channel="telegram") == 0
    assert moved("licencebot_refusals_total", reason="invalid_quantity", channel="telegram") == 1
    assert moved("licencebot_updates_total", type="command") == 3  # /start, /products ×2
    assert moved("licencebot_updates_total", type="callback") == 7
    assert moved("licencebot_updates_total", type="text") == 3
    assert moved("licencebot_handled_updates_total", handler="ordering.confirm", outcome="ok") == 1
    assert moved("licencebot_handled_updates_total", handler="text.text", outcome="refused") == 1
    assert moved("licencebot_handler_duration_seconds_count", handler="ordering.confirm") == 1
    assert moved("licencebot_bot_api_requests_total", method="sendMessage") >= 5
    read = {k: v for k, v in after.items() if k[0] == "licencebot_parser_intents_total"}
    assert (
        sum(read.values())
        - sum(v for k, v in before.items() if k[0] == "licencebot_parser_intents_total")
        == 1
    )
    # R24 and the issue: no personal data in any label or value
    labels = " ".join(re.findall(r'"([^"]*)"', page))  # every label value on the page
    words = re.sub(r"[-+]?\d[\d.e+-]*(?=\s|$)", "", page)  # the page without sample values
    for private in ("Hildegard", "4711", "ACME", "acme", "Referenz"):
        assert private not in labels and private not in words


@pytest.fixture
def json_logs(restored_logging: None) -> io.StringIO:
    """LOG_FORMAT=json into a buffer for one test."""
    stream = io.StringIO()
    logs.configure("json", secrets_=[TOKEN, SECRET, DB_PASSWORD], stream=stream)
    return stream


def lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


async def test_json_log_lines_parse_and_hold_no_secrets(
    tmp_path: Path, clock: FixedClock, json_logs: io.StringIO, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    async with running_bot(url, clock) as bot:
        code = await bot.invite()
        user = bot.emu.user(5150, first_name="Hildegard", last_name="Zwiebelfisch")
        await say(bot, user, f"/start {code}")
        await order(bot, user, "Microsoft 365 Business Standard", "7")
        await say(bot, user, "Bitte zeigen Sie mir Zwiebelfisch-Lizenzen")
        logging.getLogger("test").info("a stray token %s and %s", TOKEN, SECRET)

        async def broken(*_: object) -> None:
            raise RuntimeError("the catalogue is on fire")

        monkeypatch.setattr(catalogue, "browse_catalogue", broken)
        told = await say(bot, user, "/products")
    written = lines(json_logs)  # every line is one JSON object
    raw = json_logs.getvalue()
    for secret in (TOKEN, SECRET, code, "Hildegard", "Zwiebelfisch"):
        assert secret not in raw, secret
    assert "[redacted]" in raw  # the stray line was written, scrubbed
    updates = [line for line in written if line["logger"] == logs.UPDATES_LOGGER]
    assert bot.application is not None
    assert len(updates) == bot.application.processed  # one line per update
    for line in updates:
        assert set(line) >= {"time", "level", "message", "correlation_id", "update_type"}
        assert {"handler", "outcome", "duration_ms", "update_id"} <= set(line)
        assert line["level"] == "INFO"
        assert re.fullmatch(r"[0-9A-F]{8}", str(line["correlation_id"]))
    assert len({line["correlation_id"] for line in updates}) == len(updates)
    confirm = [line for line in updates if line["handler"] == "ordering.confirm"]
    assert [line["outcome"] for line in confirm] == ["ok"]
    # The error message quotes the update's correlation id as its reference, and the error's
    # log line (with its traceback) carries the same id.
    reference = re.search(r"Referenz für den Service Desk: ([0-9A-F]{8})", told.plain_text)
    assert reference is not None, told.plain_text
    failed = [line for line in updates if line["correlation_id"] == reference.group(1)]
    assert [(line["handler"], line["outcome"]) for line in failed] == [
        ("ordering.products", "error")
    ]
    errors = [
        line
        for line in written
        if line["level"] == "ERROR" and line["correlation_id"] == reference.group(1)
    ]
    assert errors and "the catalogue is on fire" in str(errors[0].get("exc_info"))
    assert screen(user).plain_text  # the bot still answers


@pytest.mark.usefixtures("restored_logging")
def test_text_logs_name_the_correlation_id() -> None:
    stream = io.StringIO()
    logs.configure("text", secrets_=[SECRET], stream=stream)
    with logs.correlated(ref="ABCD1234"):
        logging.getLogger("licencebot.test").warning("secret %s", SECRET)
    logging.getLogger("licencebot.test").warning("outside")
    first, second = stream.getvalue().splitlines()
    assert first.endswith("WARNING licencebot.test [ABCD1234]: secret [redacted]")
    assert second.endswith("WARNING licencebot.test: outside")


async def test_webhook_mode_serves_the_endpoints_on_the_webhook_port(
    tmp_path: Path, clock: FixedClock
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'hook.db'}"
    async with webhook_workers(url, clock, workers=1) as (_, bot, _apps):
        port = bot.settings.webhook_port
        assert (await scrape(port, "/healthz")).status_code == 200
        assert (await scrape(port, "/readyz")).json() == {"ready": True, "reason": "ready"}
        assert value(samples((await scrape(port)).text), "licencebot_database_up") == 1
        assert (await scrape(port, "/telegram")).status_code == 405  # updates: POST only
