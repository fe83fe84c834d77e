"""Tenant isolation on the Rasa side (R22–R24): every action and form validation, called with
the slots of an ACME admin's conversation (ACME's subscription, quantities, consents), but by a
sender linked to another customer, by an ACME member and by an unlinked sender: zero leaks of
ACME's data to the others, zero writes."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select

from domain.commands import PlaceOrder
from domain.model import Role
from domain.services import orders, subscriptions
from domain.services.accounts import OPERATOR
from domain.services.context import Context
from domain.storage import tables
from tests.conftest import Seed
from tests.rasa.action_server import QUIET, ActionServer, Dialogue, linked, serve, stop_serving
from tests.reliability.conftest import held
from tests.storage import read

pytestmark = QUIET
ACTIONS = [
    "action_list_products", "action_product_details", "action_place_order", "action_show_orders",
    "action_order_status", "action_change_quantity", "action_book_addon",
    "action_cancel_subscription", "action_handoff", "validate_order_form",
    "validate_change_quantity_form", "validate_addon_form", "validate_cancel_form",
]  # fmt: skip
ACME_SLOTS = {
    "product": "M365-BUSINESS-STANDARD",
    "quantity": 40,
    "terms_accepted": True,
    "account_consent": True,
    "subscription": "1",
    "addon": "M365-COPILOT",
    "confirm_cancel": True,
}


@pytest.fixture
async def server(ctx: Context, seed: Seed) -> AsyncIterator[ActionServer]:
    yield serve(ctx)
    stop_serving()


async def _writes(ctx: Context) -> tuple[int, int, int]:
    async with read(ctx.db) as uow:
        subs = await uow.session.scalar(select(func.count()).select_from(tables.subscriptions))
        bookings = await uow.session.scalar(select(func.count()).select_from(tables.addon_bookings))
        versions = await uow.session.scalar(select(func.sum(tables.subscriptions.c.version)))
        return int(subs or 0), int(bookings or 0), int(versions or 0)


async def test_actions_replayed_by_strangers_leak_nothing_and_write_nothing(
    server: ActionServer, ctx: Context, seed: Seed
) -> None:
    placed = await orders.place_order(
        ctx, seed.acme_admin, PlaceOrder("acme", "M365-BUSINESS-STANDARD", 18, True, True)
    )
    await subscriptions.mark_provisioned(ctx, OPERATOR, placed.subscription.id)
    intruders = {
        "globex admin": await linked(server, ctx, Role.ADMIN, "globex", "rasa-globex"),
        "acme member": await linked(server, ctx, Role.MEMBER, "acme", "rasa-member"),
        "unlinked": Dialogue(server, "rasa-nobody"),
    }
    before = await _writes(ctx)
    tried = ok = 0
    for who, dialogue in intruders.items():
        for action in ACTIONS:
            tried += 1
            dialogue.slots.update(ACME_SLOTS)
            dialogue.user("bitte", "order_product")
            if action.startswith("validate_"):
                dialogue.active_loop = action.removeprefix("validate_")
            reply = await server.post(dialogue.body(action))
            dialogue.active_loop = None
            texts = " ".join(reply.texts) if reply.status == 200 else ""
            # ACME's name or its order number 1 (a sender's own new ticket number is not ACME's)
            mentions_order = re.search(r"(?<!Ticket )Nr\. 1\b", texts) is not None
            leak = who != "acme member" and ("ACME" in texts or mentions_order)
            if not leak and await _writes(ctx) == before:
                ok += 1
    held("Rasa actions replayed by another customer, a member and a stranger", tried, ok)
    assert ok == tried
