"""The Rasa sender is the chat identity: linking (R22) and what an unlinked sender gets."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from actions.conversation import Texts
from domain.commands import PlaceOrder
from domain.model import Channel, Role
from domain.services import accounts, orders
from domain.services.context import Context
from tests.conftest import Seed
from tests.rasa.action_server import (
    QUIET,
    TEST_SETTINGS,
    ActionServer,
    Dialogue,
    invite,
    linked,
    serve,
    stop_serving,
)

pytestmark = QUIET
DE = Texts("de")


@pytest.fixture
async def server(ctx: Context, seed: Seed) -> AsyncIterator[ActionServer]:
    yield serve(ctx)
    stop_serving()


async def test_an_invite_links_the_sender_and_greets_by_customer_name(
    server: ActionServer, ctx: Context
) -> None:
    dialogue = await linked(server, ctx, Role.ADMIN, "acme", "rasa-anna")
    assert dialogue.slots["invite_code"] is None  # the spent code is not kept
    actor = await accounts.resolve_actor(ctx, Channel.RASA, "rasa-anna")
    assert (actor.role, actor.customer_id) == (Role.ADMIN, "acme")
    # the same person on Telegram is another identity
    assert (await accounts.resolve_actor(ctx, Channel.TELEGRAM, "100")).customer_id == "acme"

    greeting = await dialogue.run("action_greet")
    assert greeting.texts == ["Guten Tag, ACME GmbH! Wie kann ich helfen?"]


async def test_link_texts_for_welcome_used_invalid_and_typed_codes(
    server: ActionServer, ctx: Context
) -> None:
    code = await invite(ctx, Role.MEMBER, "globex")
    first = Dialogue(server, "rasa-bob")
    first.user(code, "link_account")  # no entity: the code is the message text
    reply = await first.run("action_link_account")
    assert reply.texts == [
        "Willkommen! Sie sind jetzt für Globex AG als Mitglied angemeldet. Wie kann ich helfen?"
    ]

    second = Dialogue(server, "rasa-eve", language="en")
    second.user("/link_account", "link_account", {"invite_code": code}, {"invite_code": code})
    reply = await second.run("action_link_account")
    assert reply.texts == [Texts("en")("errors.invite_used")]
    assert reply.slot("invite_code") is None

    second.user("not a code!", "link_account")
    reply = await second.run("action_link_account")
    assert reply.texts == [Texts("en")("errors.invite_invalid")]

    agent = Dialogue(server, "rasa-desk")
    agent.user(await invite(ctx, Role.AGENT, None), "link_account")
    reply = await agent.run("action_link_account")
    assert reply.texts == [DE("rasa.welcome_agent")]


CUSTOMER_DATA_ACTIONS = (
    "action_list_products",
    "action_product_details",
    "action_show_orders",
    "action_order_status",
    "action_ask_product",
    "action_ask_quantity",
    "action_ask_terms_accepted",
    "action_ask_account_consent",
    "action_ask_subscription",
    "action_ask_addon",
    "action_ask_confirm_cancel",
)


async def test_an_unlinked_sender_gets_no_customer_data(
    server: ActionServer, ctx: Context, seed: Seed
) -> None:
    placed = await orders.place_order(
        ctx, seed.acme_admin, PlaceOrder("acme", "M365-E3", 5, True, True)
    )
    stranger = Dialogue(server, "100")  # acme's admin on Telegram: not a Rasa identity
    stranger.user("Wie viele E3 haben wir?", "order_status", {"product": "M365-E3"})
    complete = {
        "product": "M365-E3",
        "quantity": 5,
        "subscription": str(placed.subscription.id),
        "subscription_version": placed.subscription.version,
        "addon": "COPILOT",
        "terms_accepted": True,
        "account_consent": True,
        "confirm_cancel": True,
    }
    stranger.slots.update(complete)
    for action in CUSTOMER_DATA_ACTIONS:
        reply = await stranger.run(action)
        assert reply.texts == [DE("errors.not_linked")], action

    # writes with complete slots refuse as well, and nothing happens
    stranger.events.append({"event": "active_loop", "timestamp": 1.0, "name": "order_form"})
    for action in (
        "action_place_order",
        "action_change_quantity",
        "action_book_addon",
        "action_cancel_subscription",
    ):
        stranger.slots.update(complete)  # each write empties its form's slots
        reply = await stranger.run(action)
        assert reply.texts == [DE("errors.not_linked")], action
    (only,) = (await orders.list_orders(ctx, seed.acme_admin, "acme")).subscriptions
    assert (only.quantity, only.status.value) == (5, "ordered")

    # a form ends at once: nothing is asked of an unlinked sender
    stranger.user("5 E3 bestellen", "order_product", sets={"product": "M365-E3"})
    reply = await stranger.activate("order_form")
    assert reply.texts == [DE("errors.not_linked")]
    assert {"event": "active_loop", "name": None} in [
        {k: e.get(k) for k in ("event", "name")} for e in reply.events
    ]
    assert stranger.active_loop is None

    # what is public: the greeting for unknown users and the service desk's contact
    reply = await stranger.run("action_greet")
    assert reply.texts == [DE("start.unknown", contact=TEST_SETTINGS.service_desk_contact)]
    reply = await stranger.run("action_handoff")
    assert reply.texts == [
        DE("errors.not_linked"),
        DE("support.text", contact=TEST_SETTINGS.service_desk_contact),
    ]
