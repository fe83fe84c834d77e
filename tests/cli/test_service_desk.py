"""`licencebot tickets --json` and `licencebot requests --json` in the documented shapes."""

from __future__ import annotations

import asyncio

from domain.commands import CancelSubscription, CreateInvite, LinkUser, PlaceOrder
from domain.licence_requests import RequestKind
from domain.model import Channel, Role
from domain.services import accounts, cancellations, licence_requests, orders, tickets
from domain.services.accounts import OPERATOR
from domain.services.context import Context
from domain.services.licence_requests import AskRequest
from domain.services.tickets import OpenTicket
from domain.storage.database import Database
from tests.cli.support import Cli, assert_refused

TICKET_KEYS = {"id", "customer_id", "status", "created_at", "subject", "messages"}
REQUEST_KEYS = {
    "id", "customer_id", "kind", "status", "product_sku", "quantity", "requested_by",
    "decided_by", "reason",
}  # fmt: skip


async def _seed(url: str) -> None:
    db = Database(url)
    try:
        ctx = Context(db)
        invite = await accounts.create_invite(ctx, OPERATOR, CreateInvite(Role.MEMBER, "acme"))
        member = (
            await accounts.link_user(
                ctx, Channel.TELEGRAM, LinkUser("300", invite.code, display_name="Mia")
            )
        ).user.as_actor()
        await tickets.open_ticket(ctx, member, OpenTicket("Bitte Rückruf", "–", "de"))
        await licence_requests.ask(
            ctx, member, AskRequest("acme", RequestKind.ORDER, "M365-E3", 7), "Mia Member"
        )
    finally:
        await db.dispose()


def test_tickets_and_requests_as_json_have_the_documented_shape(cli: Cli) -> None:
    asyncio.run(_seed(cli.database_url))
    [ticket] = cli.json("tickets")
    assert set(ticket) >= TICKET_KEYS
    assert (ticket["customer_id"], ticket["status"], ticket["subject"]) == (
        "acme",
        "open",
        "Bitte Rückruf",
    )
    assert ticket["messages"][0]["from"] == "customer"
    assert cli.json("tickets", "--status", "resolved") == []
    [request] = cli.json("requests", "--customer", "acme")
    assert set(request) == REQUEST_KEYS
    assert request == {
        "id": request["id"],
        "customer_id": "acme",
        "kind": "order",
        "status": "pending",
        "product_sku": "M365-E3",
        "quantity": 7,
        "requested_by": "Mia Member",
        "decided_by": None,
        "reason": None,
    }


def test_a_wrong_ticket_status_is_refused_in_one_line(cli: Cli) -> None:
    assert_refused(cli.run("tickets", "--status", "lost", "--json"), 2)


async def _seed_cancellation(url: str) -> None:
    db = Database(url)
    try:
        ctx = Context(db)
        people = []
        for role, external in ((Role.ADMIN, "301"), (Role.MEMBER, "302")):
            invite = await accounts.create_invite(ctx, OPERATOR, CreateInvite(role, "acme"))
            linked = await accounts.link_user(
                ctx, Channel.TELEGRAM, LinkUser(external, invite.code, display_name=external)
            )
            people.append(linked.user.as_actor())
        admin, member = people
        placed = await orders.place_order(ctx, admin, PlaceOrder("acme", "M365-E3", 4, True, True))
        await cancellations.submit_cancel(
            ctx, member, CancelSubscription(placed.subscription.id), "Mia Member"
        )
    finally:
        await db.dispose()


def test_a_members_cancellation_is_listed_as_kind_cancel(cli: Cli) -> None:  # R23, issue 18
    asyncio.run(_seed_cancellation(cli.database_url))
    [request] = cli.json("requests", "--customer", "acme")
    assert set(request) == REQUEST_KEYS
    assert (request["kind"], request["status"], request["product_sku"]) == (
        "cancel",
        "pending",
        "M365-E3",
    )
    assert request["quantity"] is None  # all licences (R18)
