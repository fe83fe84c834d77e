"""Costs, unused seats and the reduction at the month end through the action server (issue 21):
the same use cases and screens as Telegram's /costs and the hint; the tests' fixed clock."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from domain.commands import PlaceOrder
from domain.model import Channel, Role
from domain.services import accounts, orders, seats, subscriptions
from domain.services.accounts import OPERATOR
from domain.services.context import Context
from tests.conftest import Seed
from tests.rasa.action_server import QUIET, ActionServer, linked, serve, stop_serving

pytestmark = QUIET
NBSP = "\xa0"


@pytest.fixture
async def server(ctx: Context, seed: Seed) -> AsyncIterator[ActionServer]:
    yield serve(ctx)
    stop_serving()


async def e3_with_12_of_20_in_use(ctx: Context, sender: str) -> None:
    admin = await accounts.resolve_actor(ctx, Channel.RASA, sender)
    placed = await orders.place_order(ctx, admin, PlaceOrder("acme", "M365-E3", 20, True, True))
    await subscriptions.mark_provisioned(ctx, OPERATOR, placed.subscription.id)
    await seats.report_usage(ctx, OPERATOR, "acme", "M365-E3", 12)


async def test_what_we_pay_then_yes_schedules_the_reduction(
    server: ActionServer, ctx: Context
) -> None:
    dialogue = await linked(server, ctx, Role.ADMIN, "acme", "rasa-anna")
    await e3_with_12_of_20_in_use(ctx, "rasa-anna")
    dialogue.user("was zahlen wir im Monat", "show_costs")
    reply = await dialogue.run("action_show_costs")
    said = "\n".join(reply.texts)
    assert f"Dieser Monat (11/2026): 935,40{NBSP}€" in said  # 20 x 46.77
    assert "Microsoft 365 E3: 12 von 20 zugewiesen" in said
    assert (
        f"Soll ich zum 30.11.2026 auf das reduzieren, was Sie nutzen? Das spart 374,16{NBSP}€ "
        "im Monat. (Ja/Nein)"
    ) in said
    assert reply.slot("reduction_offered") is True

    dialogue.user("ja", "affirm")
    reply = await dialogue.run("action_reduce_to_usage")
    assert "Eingeplant: Microsoft 365 E3 wird zum 30.11.2026 auf 12 reduziert" in reply.text
    assert reply.slot("reduction_offered") is False
    view = await orders.order_status(ctx, OPERATOR, 1)
    assert (view.quantity, view.scheduled_quantity) == (20, 12)


async def test_no_ends_it_and_a_member_gets_no_offer(server: ActionServer, ctx: Context) -> None:
    dialogue = await linked(server, ctx, Role.ADMIN, "acme", "rasa-anna")
    await e3_with_12_of_20_in_use(ctx, "rasa-anna")
    dialogue.user("reduziere zum Monatsende auf das, was wir nutzen", "show_costs")
    reply = await dialogue.run("action_reduce_to_usage")  # first the summary and the question
    assert "(Ja/Nein)" in reply.text
    assert (await orders.order_status(ctx, OPERATOR, 1)).scheduled_quantity is None
    dialogue.user("nein", "deny")
    reply = await dialogue.run("action_reduce_to_usage")
    assert reply.text == "In Ordnung, es bleibt alles, wie es ist."
    assert (await orders.order_status(ctx, OPERATOR, 1)).scheduled_quantity is None

    member = await linked(server, ctx, Role.MEMBER, "acme", "rasa-mia")
    member.user("wie viele Lizenzen sind ungenutzt", "show_costs")
    reply = await member.run("action_show_costs")
    assert "12 von 20 zugewiesen" in "\n".join(reply.texts)
    assert "(Ja/Nein)" not in "\n".join(reply.texts)
    assert reply.slot("reduction_offered") is False
    member.user("reduziere zum Monatsende auf das, was wir nutzen", "show_costs")
    refused = await member.run("action_reduce_to_usage")
    assert "Administrator" in refused.text  # R23: members ask the admins
    assert (await orders.order_status(ctx, OPERATOR, 1)).scheduled_quantity is None
