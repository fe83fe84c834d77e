"""`licencebot actions`: the action server refuses callers without ACTION_SERVER_TOKEN.

The app is `actions.server.build_app` over rasa-sdk's own `create_app`, called the way Rasa
calls it: HTTP POST /webhook with Rasa 3.6's JSON, the token as `?token=` (what Rasa makes of
`endpoints.yml`'s `token:`), through sanic-testing's ASGI client.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from prometheus_client import REGISTRY

from actions import runtime
from actions.server import App, build_app, check_binding, executor
from domain.commands import PlaceOrder
from domain.model import Role, Status
from domain.services import orders
from domain.services.context import Context
from tests.conftest import Seed
from tests.rasa.action_server import (
    QUIET,
    ROOT,
    TEST_SETTINGS,
    ActionServer,
    Dialogue,
    Reply,
    invite,
    stop_serving,
)

pytestmark = QUIET
TOKEN = "s3cret-token-for-the-action-server"


class Caller(ActionServer):
    """Someone posting to the action server: Rasa with the token, or anyone else."""

    def __init__(
        self, app: App, token: str | None = None, headers: Mapping[str, str] | None = None
    ) -> None:
        self.app = app
        self.token = token
        self.headers = dict(headers or {})

    def url(self, path: str) -> str:
        return path if self.token is None else f"{path}?token={quote(self.token)}"

    async def post(self, body: Mapping[str, Any]) -> Reply:
        _, response = await self.app.asgi_client.post(
            self.url("/webhook"), json=body, headers=self.headers
        )
        return Reply(response.status, response.json)

    async def get(self, path: str) -> tuple[int, str]:
        _, response = await self.app.asgi_client.get(self.url(path), headers=self.headers)
        return response.status, response.text


@pytest.fixture
async def app(ctx: Context, seed: Seed) -> AsyncIterator[App]:
    runtime.use_context(ctx, TEST_SETTINGS)
    guarded = build_app(executor(), TOKEN)
    guarded.config.TOUCHUP = False
    yield guarded
    stop_serving()


def calls(action: str, outcome: str) -> float:
    value = REGISTRY.get_sample_value(
        "licencebot_action_calls_total", {"action": action, "outcome": outcome}
    )
    return value or 0.0


async def cancellation_confirmed(rasa: Caller, ctx: Context) -> Dialogue:
    """Anna linked through Rasa, her cancel form filled and confirmed: one call from done."""
    anna = Dialogue(rasa, "rasa-anna")
    code = await invite(ctx, Role.ADMIN, "acme")
    anna.user(
        f'/link_account{{"invite_code": "{code}"}}', "link_account", sets={"invite_code": code}
    )
    assert (await anna.run("action_link_account")).status == 200
    anna.user("E3 kündigen", "cancel_product", sets={"subscription": "M365-E3"})
    await anna.activate("cancel_form")
    assert (await anna.run("action_ask_confirm_cancel")).status == 200
    await anna.answer("ja", "affirm", {"confirm_cancel": True})
    return anna


async def test_a_call_without_the_token_gets_401_and_cancels_nothing(
    app: App, ctx: Context, seed: Seed, caplog: pytest.LogCaptureFixture
) -> None:  # R24
    caplog.set_level(logging.DEBUG)
    placed = await orders.place_order(
        ctx, seed.acme_admin, PlaceOrder("acme", "M365-E3", 18, True, True)
    )
    e3 = placed.subscription.id
    rasa = Caller(app, TOKEN)
    anna = await cancellation_confirmed(rasa, ctx)
    forged = anna.body("action_cancel_subscription")  # a tracker with Anna's sender_id
    refused_before = calls("other", "unauthorized")

    for intruder in (
        Caller(app),
        Caller(app, "wrong-token-of-the-same-length-xx"),
        Caller(app, TOKEN[:-1]),
        Caller(app, headers={"Authorization": "Bearer not-the-token"}),
    ):
        reply = await intruder.post(forged)
        assert (reply.status, reply.body) == (401, {"error": "unauthorized"})
        assert (await intruder.get("/actions"))[0] == 401
    status = await orders.order_status(ctx, seed.acme_admin, e3)
    assert (status.status, status.end_date) == (Status.ORDERED, None)
    assert calls("other", "unauthorized") == refused_before + 4

    done = await rasa.post(forged)  # the same call as Rasa sends it: ?token=
    assert done.status == 200
    assert done.texts == [
        "Die Kündigung von Microsoft 365 E3 ist eingegangen. Enddatum: 30.11.2026."
    ]
    status = await orders.order_status(ctx, seed.acme_admin, e3)
    assert status.status is Status.CANCELLED
    # The server never logs it, not even from the query string (httpx is the calling side).
    server_logs = [r.getMessage() for r in caplog.records if not r.name.startswith("httpx")]
    assert server_logs
    assert not [line for line in server_logs if TOKEN in line]


async def test_a_bearer_header_is_accepted_like_the_query_parameter(app: App) -> None:
    bearer = Caller(app, headers={"Authorization": f"Bearer {TOKEN}"})
    dialogue = Dialogue(bearer, "visitor")
    dialogue.user("hallo", "greet")
    reply = await dialogue.run("action_greet")
    assert reply.status == 200
    assert reply.texts[0].startswith("Willkommen beim Lizenz-Marketplace.")
    status, listed = await bearer.get("/actions")
    assert status == 200
    assert "action_cancel_subscription" in listed


async def test_the_probes_answer_without_the_token_and_tell_nothing_personal(
    app: App, ctx: Context
) -> None:
    rasa = Caller(app, TOKEN)
    dialogue = Dialogue(rasa, "rasa-personal-sender-4711")
    dialogue.user("hallo", "greet")
    greeted_before = calls("action_greet", "ok")
    assert (await dialogue.run("action_greet")).status == 200
    assert calls("action_greet", "ok") == greeted_before + 1
    unknown_before = calls("other", "unknown_action")
    assert (await rasa.post(dialogue.body("action_made_up_by_a_caller"))).status == 404
    assert calls("other", "unknown_action") == unknown_before + 1  # no caller-made labels

    anyone = Caller(app)
    assert await anyone.get("/healthz") == (200, '{"status":"ok"}')
    assert (await anyone.get("/health"))[0] == 200  # rasa-sdk's own stays
    assert await anyone.get("/readyz") == (200, '{"status":"ready","reason":"ready"}')
    status, metrics = await anyone.get("/metrics")
    assert status == 200
    assert 'licencebot_action_calls_total{action="action_greet",outcome="ok"}' in metrics
    assert 'licencebot_action_duration_seconds_count{action="action_greet"}' in metrics
    assert "rasa-personal-sender-4711" not in metrics
    assert "made_up" not in metrics


async def test_readyz_is_503_while_the_database_cannot_be_reached(tmp_path: Path) -> None:
    unreachable = tmp_path / "no" / "such" / "dir" / "x.db"
    runtime.use_context(
        None,
        TEST_SETTINGS.model_copy(update={"database_url": f"sqlite+aiosqlite:///{unreachable}"}),
    )
    try:
        app = build_app(executor(), TOKEN)
        status, body = await Caller(app).get("/readyz")
        assert status == 503
        assert body == '{"status":"not ready","reason":"database unreachable (OperationalError)"}'
        assert (await Caller(app).get("/healthz"))[0] == 200  # the process itself serves
    finally:
        runtime.use_context(None)


async def test_without_a_token_the_server_serves_anyone_on_loopback(
    ctx: Context, seed: Seed
) -> None:
    """Local use (`python -m rasa_sdk --actions actions` or `licencebot actions` on 127.0.0.1)."""
    runtime.use_context(ctx, TEST_SETTINGS)
    try:
        app = build_app(executor(), None)
        dialogue = Dialogue(Caller(app), "local")
        dialogue.user("hallo", "greet")
        assert (await dialogue.run("action_greet")).status == 200
    finally:
        stop_serving()


def test_binding_needs_a_token_except_on_loopback() -> None:
    for host in ("127.0.0.1", "127.0.0.2", "::1", "localhost"):
        assert check_binding(host, None) is None
    for host in ("0.0.0.0", "::", "", "192.0.2.10", "actions.example.com"):
        problem = check_binding(host, None)
        assert problem is not None
        assert problem.startswith(f"refusing to listen on {host} without ACTION_SERVER_TOKEN")
    assert check_binding("0.0.0.0", TOKEN) is None
    assert check_binding("0.0.0.0", "short") == (
        "ACTION_SERVER_TOKEN is too short; use at least 16 random characters"
    )


def test_endpoints_yml_sends_the_token_from_the_environment() -> None:
    """Rasa expands `${ACTION_SERVER_TOKEN}` at start and sends it as `?token=`."""
    import yaml

    endpoints = yaml.safe_load((ROOT / "endpoints.yml").read_text(encoding="utf-8"))
    assert endpoints["action_endpoint"] == {
        "url": "http://localhost:5055/webhook",
        "token": "${ACTION_SERVER_TOKEN}",
    }
