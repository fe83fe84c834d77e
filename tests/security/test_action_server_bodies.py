"""Issue 19 (5): the action server reads a call once, bounded, and refuses what is no call.

A deflated body is decompressed once and never beyond `actions.calls.MAX_BODY_BYTES` (a
255 KB bomb used to take 741 MB: rasa-sdk and the metrics label each inflated it); a body that
is no action call (`[]`, wrong types) or carries a slot value no database column holds (an
order number of 10**30) is a 400 with a short reason, never a 500 with the body and a traceback.
"""

from __future__ import annotations

import json
import tracemalloc
import zlib
from collections.abc import AsyncIterator
from typing import Any

import pytest
from prometheus_client import REGISTRY

from actions import runtime
from actions.calls import MAX_BODY_BYTES
from actions.server import App, build_app, executor
from domain.commands import PlaceOrder
from domain.model import Role, Status
from domain.services import orders
from domain.services.context import Context
from tests.conftest import Seed
from tests.rasa.action_server import QUIET, TEST_SETTINGS, Dialogue, invite, stop_serving
from tests.rasa.test_action_server_token import Caller

pytestmark = QUIET
TOKEN = "s3cret-token-for-the-action-server"


@pytest.fixture
async def app(ctx: Context, seed: Seed) -> AsyncIterator[App]:
    runtime.use_context(ctx, TEST_SETTINGS)
    guarded = build_app(executor(), TOKEN)
    guarded.config.TOUCHUP = False
    yield guarded
    stop_serving()


async def post_raw(app: App, body: bytes, headers: dict[str, str]) -> tuple[int, Any, str]:
    _, response = await app.asgi_client.post(
        f"/webhook?token={TOKEN}",
        content=body,
        headers={"content-type": "application/json", **headers},
    )
    return response.status, response.json, response.text


def calls(action: str, outcome: str) -> float:
    value = REGISTRY.get_sample_value(
        "licencebot_action_calls_total", {"action": action, "outcome": outcome}
    )
    return value or 0.0


def bomb(size: int) -> bytes:
    """`size` bytes of spaces after a JSON start, deflated (about 1:1000)."""
    packer = zlib.compressobj(9)
    parts = [packer.compress(b'{"next_action": "action_greet", "x": "')]
    chunk = b" " * (1 << 20)
    for _ in range(size // len(chunk)):
        parts.append(packer.compress(chunk))
    parts.append(packer.compress(b'"}'))
    parts.append(packer.flush())
    return b"".join(parts)


async def test_a_deflate_bomb_is_refused_without_inflating_it(app: App) -> None:
    packed = bomb(256 << 20)  # 256 MiB of spaces in about 255 KB
    assert len(packed) < 300_000
    tracemalloc.start()
    try:
        status, body, _ = await post_raw(app, packed, {"content-encoding": "deflate"})
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert status == 413
    assert body == {"error": f"the decompressed body exceeds {MAX_BODY_BYTES} bytes"}
    # Inflated once, and at most to the cap (plus the packed body and its copies).
    assert peak < 3 * MAX_BODY_BYTES


async def test_a_deflated_call_still_works_and_is_counted_by_its_action(app: App) -> None:
    greeted = Dialogue(Caller(app, TOKEN), "visitor")
    greeted.user("hallo", "greet")
    before = calls("action_greet", "ok")
    status, body, _ = await post_raw(
        app,
        zlib.compress(json.dumps(greeted.body("action_greet")).encode()),
        {"content-encoding": "deflate"},
    )
    assert status == 200
    assert body["responses"][0]["text"].startswith("Willkommen beim Lizenz-Marketplace.")
    assert calls("action_greet", "ok") == before + 1


@pytest.mark.parametrize(
    ("raw", "encoding"),
    [
        (b"[]", None),
        (b"null", None),
        (b"42", None),
        (b'"action_greet"', None),
        (b"{", None),
        (b"\xff\xfe", None),
        (b"{}", None),
        (b'{"next_action": 5, "tracker": {"sender_id": "x"}}', None),
        (b'{"next_action": "action_greet", "tracker": []}', None),
        (b'{"next_action": "action_greet", "tracker": {"sender_id": 7}}', None),
        (b'{"next_action": "action_greet", "tracker": {"sender_id": "x", "slots": []}}', None),
        (b'{"next_action": "action_greet", "tracker": {"sender_id": "x", "events": [1]}}', None),
        (b'{"next_action": "action_greet", "tracker": {"sender_id": "x", "paused": "no"}}', None),
        (b"not deflate at all", "deflate"),
        (zlib.compress(b'{"next_action": "action_greet"')[:-4], "deflate"),
        (zlib.compress(b"[]"), "deflate"),
    ],
)
async def test_a_body_that_is_no_action_call_gets_400_and_no_traceback(
    app: App, raw: bytes, encoding: str | None
) -> None:
    before = calls("other", "rejected")
    headers = {"content-encoding": encoding} if encoding else {}
    status, body, text = await post_raw(app, raw, headers)
    assert status == 400
    assert set(body) == {"error"}
    assert "Traceback" not in text
    assert "request_body" not in text
    assert calls("other", "rejected") == before + 1


async def test_an_order_number_of_10_to_the_30_is_refused_and_changes_nothing(
    app: App, ctx: Context, seed: Seed
) -> None:  # R24: nobody's subscription is touched
    placed = await orders.place_order(
        ctx, seed.acme_admin, PlaceOrder("acme", "M365-E3", 18, True, True)
    )
    rasa = Caller(app, TOKEN)
    anna = Dialogue(rasa, "rasa-anna")
    code = await invite(ctx, Role.ADMIN, "acme")
    anna.user(
        f'/link_account{{"invite_code": "{code}"}}', "link_account", sets={"invite_code": code}
    )
    assert (await anna.run("action_link_account")).status == 200
    for slot, value in (
        ("subscription", 10**30),
        ("subscription", -(10**30)),
        ("quantity", 2**63),
        ("subscription_version", 10**20),
    ):
        call = anna.body("action_cancel_subscription")
        call["tracker"]["slots"].update(
            {"subscription": placed.subscription.id, "confirm_cancel": True, slot: value}
        )
        status, body, text = await post_raw(app, json.dumps(call).encode(), {})
        assert (status, body) == (400, {"error": "a slot value is out of range"}), slot
        assert "Traceback" not in text
    status_now = await orders.order_status(ctx, seed.acme_admin, placed.subscription.id)
    assert status_now.status is Status.ORDERED
