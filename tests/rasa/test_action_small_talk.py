"""Greeting, goodbye, help, fallback, the way to the service desk, and the plain questions."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from actions.conversation import Texts
from domain.model import Role
from domain.services import tickets
from domain.services.accounts import OPERATOR
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
from tests.storage import read

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


async def test_a_handoff_opens_a_ticket_the_service_desk_sees(
    server: ActionServer, ctx: Context
) -> None:  # R26: the same use case as the Telegram bot
    anna = await linked(server, ctx, Role.ADMIN, "acme", "rasa-anna-handoff")
    anna.user("Ich möchte mit einem Menschen über unsere Rechnung sprechen", "handoff")
    reply = await anna.run("action_handoff")
    [ticket] = await tickets.list_tickets(ctx, OPERATOR)
    contact = TEST_SETTINGS.service_desk_contact
    assert reply.texts == [Texts("de")("ticket.opened_contact", number=ticket.id, contact=contact)]
    shown = ticket.as_json()  # what `licencebot tickets --json` prints
    assert (shown["customer_id"], shown["status"]) == ("acme", "open")
    assert shown["subject"] == "Ich möchte mit einem Menschen über unsere Rechnung sprechen"
    assert ticket.channel == "rasa"
    async with read(ctx.db) as uow:  # the bot posts it to the service desk group
        [notice] = await uow.outbox.notices()
    assert (notice.kind, notice.payload) == ("ticket.opened", {"ticket_id": ticket.id})


async def test_the_service_desk_itself_gets_the_contact_not_a_ticket(
    server: ActionServer, ctx: Context, seed: Seed
) -> None:
    agent = await linked(server, ctx, Role.AGENT, None, "rasa-agent")
    reply = await agent.run("action_handoff")
    assert reply.texts == [Texts("de")("support.text", contact=TEST_SETTINGS.service_desk_contact)]
    assert await tickets.list_tickets(ctx, OPERATOR) == []
