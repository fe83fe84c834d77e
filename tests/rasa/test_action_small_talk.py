"""Greeting, goodbye, help, fallback, the way to the service desk, and the plain questions."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from actions.conversation import Texts
from domain.model import Role
from domain.services.context import Context
from tests.conftest import Seed
from tests.rasa.action_server import (
    QUIET,
    TEST_SETTINGS,
    ActionServer,
    linked,
    serve,
    stop_serving,
)

pytestmark = QUIET


@pytest.fixture
async def server(ctx: Context, seed: Seed) -> AsyncIterator[ActionServer]:
    yield serve(ctx)
    stop_serving()


@pytest.mark.parametrize("language", ["de", "en"])
async def test_small_talk_comes_from_the_catalogues_in_the_conversations_language(
    server: ActionServer, ctx: Context, language: str
) -> None:
    texts = Texts(language)
    anna = await linked(server, ctx, Role.ADMIN, "acme", f"rasa-anna-{language}")
    anna.slots["language"] = language
    anna.user("hallo", "greet")
    assert (await anna.run("action_greet")).texts == [texts("free_text.greet", name="ACME GmbH")]
    for action, key in (
        ("action_goodbye", "free_text.goodbye"),
        ("action_help", "rasa.help"),
        ("action_fallback", "free_text.can_do"),
    ):
        assert (await anna.run(action)).texts == [texts(key)], action
    contact = TEST_SETTINGS.service_desk_contact
    assert (await anna.run("action_handoff")).texts == [texts("support.text", contact=contact)]
    assert "<b>" not in texts("support.text", contact=contact)  # plain text for Rasa channels

    # questions asked outside their form fall back to the plain question
    assert (await anna.run("action_ask_quantity")).texts == [texts("rasa.ask.quantity")]
    assert (await anna.run("action_ask_terms_accepted")).texts == [
        texts("rasa.ask.terms", url=TEST_SETTINGS.terms_url)
    ]
    assert (await anna.run("action_ask_account_consent")).texts == [
        texts("rasa.ask.account_consent")
    ]
    assert (await anna.run("action_ask_subscription")).texts == [texts("rasa.ask.no_subscriptions")]


async def test_a_service_desk_agent_is_greeted_but_has_no_customer_here(
    server: ActionServer, ctx: Context
) -> None:
    agent = await linked(server, ctx, Role.AGENT, None, "rasa-desk")
    de = Texts("de")
    assert (await agent.run("action_greet")).texts == [de("free_text.greet", name=de("role.agent"))]
    assert (await agent.run("action_show_orders")).texts == [de("errors.not_linked")]
    agent.user("E3 bestellen", "order_product", sets={"product": "M365-E3"})
    reply = await agent.activate("order_form")
    assert reply.texts == [de("errors.permission_denied", role=de("role.agent"))]
    assert agent.active_loop is None
