"""An add-on changed or cancelled on its own through Rasa (R17, R19), in Rasa's request
format: "Copilot kündigen" runs cancel_form for the add-on, "Copilot auf 4 Nutzer"
change_quantity_form for the add-on; the product is never touched."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from actions.conversation import Texts
from domain.commands import BookAddon, PlaceOrder
from domain.model import Role
from domain.services import addons, orders, subscriptions
from domain.services.accounts import OPERATOR
from domain.services.context import Context
from tests.conftest import Seed
from tests.rasa.action_server import QUIET, ActionServer, Dialogue, linked, serve, stop_serving

pytestmark = QUIET
DE = Texts("de")


@pytest.fixture
async def server(ctx: Context, seed: Seed) -> AsyncIterator[ActionServer]:
    yield serve(ctx)
    stop_serving()


@pytest.fixture
async def anna(server: ActionServer, ctx: Context, seed: Seed) -> Dialogue:
    placed = await orders.place_order(
        ctx, seed.acme_admin, PlaceOrder("acme", "M365-E3", 10, True, True)
    )
    await subscriptions.mark_provisioned(ctx, OPERATOR, placed.subscription.id)
    await addons.book_addon(
        ctx, seed.acme_admin, BookAddon(placed.subscription.id, "COPILOT", True)
    )
    return await linked(server, ctx, Role.ADMIN, "acme", "rasa-anna")


async def e3(ctx: Context) -> tuple[str, int, str]:
    view = await orders.order_status(ctx, OPERATOR, 1)
    return (view.status.value, view.addons[0].quantity, view.addons[0].status.value)


async def test_copilot_kuendigen_cancels_the_add_on_not_the_product(
    anna: Dialogue, ctx: Context
) -> None:
    anna.user("Copilot kündigen", "cancel_product", {"addon": "COPILOT"}, {"addon": "COPILOT"})
    await anna.activate("cancel_form")
    assert anna.requested_slot == "confirm_cancel"  # the one subscription that has it
    question = await anna.run("action_ask_confirm_cancel")
    assert question.texts == [  # Telegram's question as plain text, then yes or no (R20)
        "Microsoft 365 Copilot kündigen?\nDamit kündigen Sie das Add-On für 10 Nutzer zum "
        "30.11.2026. Microsoft 365 E3 läuft weiter.",
        "Soll ich so kündigen? Bitte antworten Sie mit Ja oder Nein.",
    ]
    await anna.answer("ja", "affirm", {"confirm_cancel": True})
    done = await anna.run("action_cancel_subscription")
    assert done.texts == [
        "✅ Die Kündigung des Add-Ons Microsoft 365 Copilot ist eingegangen. Enddatum: 30.11.2026."
    ]
    assert done.slot("addon") is None
    assert await e3(ctx) == ("provisioned", 10, "cancelled")


async def test_an_add_on_gets_a_new_number_of_users(anna: Dialogue, ctx: Context) -> None:
    anna.user(
        "Copilot auf 4 Nutzer reduzieren",
        "change_quantity",
        {"addon": "COPILOT", "quantity": "4"},
        {"addon": "COPILOT", "quantity": "4"},
    )
    await anna.activate("change_quantity_form")
    assert anna.requested_slot == "confirm_change"  # add-on, its subscription, the users
    summary = await anna.run("action_ask_confirm_change")
    assert "Menge: 10 → 4 Nutzer" in summary.text
    assert "Monatlich gesamt: 309,10\xa0€ → 123,64\xa0€ netto" in summary.text
    await anna.answer("ja", "affirm", {"confirm_change": True})
    assert anna.active_loop is None
    done = await anna.run("action_change_quantity")
    assert done.texts == ["✅ Die Menge des Add-Ons Microsoft 365 Copilot ist jetzt 4 (vorher 10)."]
    assert await e3(ctx) == ("provisioned", 4, "ordered")
    anna.user(
        "Copilot auf 11",
        "change_quantity",
        {"addon": "COPILOT", "quantity": "11"},
        {"addon": "COPILOT", "quantity": "11"},
    )
    refused = await anna.activate("change_quantity_form")
    assert refused.texts == [DE("errors.addon_exceeds_base", base_quantity=10)]  # R17


async def test_an_add_on_not_booked_is_said_and_nothing_is_cancelled(
    anna: Dialogue, ctx: Context
) -> None:
    anna.user(
        "Teams Phone kündigen", "cancel_product", {"addon": "TEAMS-PHONE"}, {"addon": "TEAMS-PHONE"}
    )
    reply = await anna.activate("cancel_form")
    assert reply.texts == ["Microsoft Teams Phone Standard haben Sie derzeit nicht gebucht."]
    assert anna.active_loop is None
    assert await e3(ctx) == ("provisioned", 10, "ordered")
