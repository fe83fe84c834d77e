"""Licence requests on both databases (R23): members ask, the service desk prepares, admins
decide with their own consents; the first decision wins."""

from __future__ import annotations

import asyncio

import pytest

from domain import errors
from domain.commands import PlaceOrder
from domain.licence_requests import Origin, RequestKind, RequestStatus
from domain.model import Role
from domain.services import licence_requests, orders, subscriptions
from domain.services.accounts import OPERATOR
from domain.services.context import Context
from domain.services.licence_requests import Approval, AskRequest
from domain.storage.database import Database
from tests.conftest import Seed, link

E3 = "M365-E3"
BOTH = Approval(terms_accepted=True, account_consent=True, idempotency_key="approve-1")


async def member_asks(ctx: Context, seed: Seed, quantity: int = 12) -> int:
    view = await licence_requests.ask(
        ctx, seed.acme_member, AskRequest("acme", RequestKind.ORDER, E3, quantity), "Mia"
    )
    return view.id


async def test_a_members_request_is_ordered_when_an_admin_approves_with_consents(  # R23, R5
    ctx: Context, seed: Seed
) -> None:
    request_id = await member_asks(ctx, seed)
    [pending] = await licence_requests.list_requests(
        ctx, seed.acme_admin, status=RequestStatus.PENDING
    )
    assert (pending.id, pending.origin, pending.product_name) == (
        request_id,
        Origin.MEMBER,
        "Microsoft 365 E3",
    )
    assert (await orders.list_orders(ctx, OPERATOR, "acme")).subscriptions == ()
    with pytest.raises(errors.ConsentMissing):  # nothing without both consents (R5)
        await licence_requests.approve(
            ctx, seed.acme_admin, request_id, Approval(True, False), "Anna"
        )
    done = await licence_requests.approve(ctx, seed.acme_admin, request_id, BOTH, "Anna")
    assert (done.status, done.decided_by_name) == (RequestStatus.APPROVED, "Anna")
    [sub] = (await orders.list_orders(ctx, OPERATOR, "acme")).subscriptions
    assert (sub.product_sku, sub.quantity, done.result_id) == (E3, 12, sub.id)


async def test_a_declined_request_carries_the_reason_and_orders_nothing(
    ctx: Context, seed: Seed
) -> None:
    request_id = await member_asks(ctx, seed)
    with pytest.raises(errors.ReasonMissing):
        await licence_requests.decline(ctx, seed.acme_admin, request_id, "  ", "Anna")
    done = await licence_requests.decline(
        ctx, seed.acme_admin, request_id, "Budget erst im Januar", "Anna"
    )
    assert (done.status, done.reason) == (RequestStatus.DECLINED, "Budget erst im Januar")
    [mine] = await licence_requests.list_requests(ctx, seed.acme_member)
    assert mine.reason == "Budget erst im Januar"
    assert (await orders.list_orders(ctx, OPERATOR, "acme")).subscriptions == ()


async def test_the_first_decision_wins(ctx: Context, seed: Seed) -> None:  # R23
    request_id = await member_asks(ctx, seed)
    second_admin = await link(ctx, Role.ADMIN, "acme", "102")
    await licence_requests.decline(ctx, seed.acme_admin, request_id, "Nein", "Anna")
    with pytest.raises(errors.RequestDecided) as late:
        await licence_requests.approve(ctx, second_admin, request_id, BOTH, "Ben")
    assert (late.value.status, late.value.decided_by) == ("declined", "Anna")
    assert (await orders.list_orders(ctx, OPERATOR, "acme")).subscriptions == ()


async def test_two_admins_deciding_at_once_order_at_most_once(
    ctx: Context, seed: Seed, db: Database
) -> None:  # R23, R9: one wins, the other is told
    request_id = await member_asks(ctx, seed)
    second_admin = await link(ctx, Role.ADMIN, "acme", "102")
    results = await asyncio.gather(
        licence_requests.approve(ctx, seed.acme_admin, request_id, BOTH, "Anna"),
        licence_requests.approve(ctx, second_admin, request_id, BOTH, "Ben"),
        return_exceptions=True,
    )
    decided = [r for r in results if isinstance(r, licence_requests.RequestView)]
    refused = [r for r in results if isinstance(r, errors.RequestDecided)]
    assert (len(decided), len(refused)) == (1, 1), results
    assert len((await orders.list_orders(ctx, OPERATOR, "acme")).subscriptions) == 1


async def test_requests_are_checked_like_the_write_itself(ctx: Context, seed: Seed) -> None:
    with pytest.raises(errors.InvalidQuantity):  # R4
        await licence_requests.ask(
            ctx, seed.acme_member, AskRequest("acme", RequestKind.ORDER, E3, 0), "Mia"
        )
    placed = await orders.place_order(
        ctx, seed.acme_admin, PlaceOrder("acme", E3, 10, True, True, "k")
    )
    with pytest.raises(errors.AlreadySubscribed):  # R6
        await member_asks(ctx, seed)
    with pytest.raises(errors.AddonRequiresProvisioned):  # R14
        await licence_requests.ask(
            ctx,
            seed.acme_member,
            AskRequest(
                "acme",
                RequestKind.ADDON,
                subscription_id=placed.subscription.id,
                addon_sku="COPILOT",
            ),
            "Mia",
        )
    change = await licence_requests.ask(
        ctx,
        seed.acme_member,
        AskRequest("acme", RequestKind.CHANGE, quantity=15, subscription_id=placed.subscription.id),
        "Mia",
    )
    await licence_requests.approve(ctx, seed.acme_admin, change.id, Approval(False, False), "Anna")
    [sub] = (await orders.list_orders(ctx, OPERATOR, "acme")).subscriptions
    assert sub.quantity == 15


async def test_the_service_desk_prepares_for_any_customer_and_admins_decide(
    ctx: Context, seed: Seed
) -> None:  # R23
    prepared = await licence_requests.ask(
        ctx, seed.agent, AskRequest("globex", RequestKind.ORDER, E3, 5), "Bernd (Service Desk)"
    )
    assert prepared.origin is Origin.AGENT
    with pytest.raises(errors.RequestNotFound):  # another customer's admin: missing (R24)
        await licence_requests.approve(ctx, seed.acme_admin, prepared.id, BOTH, "Anna")
    for stranger in (seed.acme_admin, seed.acme_member):
        with pytest.raises(errors.RequestNotFound):
            await licence_requests.decline(ctx, stranger, prepared.id, "nein", "Mia")
    own = await member_asks(ctx, seed)
    with pytest.raises(errors.PermissionDenied):  # members ask, they do not decide
        await licence_requests.decline(ctx, seed.acme_member, own, "nein", "Mia")
    done = await licence_requests.approve(ctx, seed.globex_admin, prepared.id, BOTH, "Gina")
    assert done.status is RequestStatus.APPROVED
    listed = await licence_requests.list_requests(ctx, OPERATOR, "globex")
    assert [r.id for r in listed] == [prepared.id]
    assert [p.external_id for p in await licence_requests.deciders(ctx, "globex")] == ["200"]


async def test_admins_order_themselves_and_customers_cannot_prepare(
    ctx: Context, seed: Seed
) -> None:
    for actor in (seed.acme_admin, seed.globex_admin):
        with pytest.raises((errors.PermissionDenied, errors.CustomerNotFound)):
            await licence_requests.ask(
                ctx, actor, AskRequest("acme", RequestKind.ORDER, E3, 5), "X"
            )
    assert await subscriptions.end_expired(ctx) == []


async def test_the_same_request_waiting_is_not_sent_twice(ctx: Context, seed: Seed) -> None:
    first = await member_asks(ctx, seed, quantity=12)
    with pytest.raises(errors.RequestPending) as twin:  # a second press, a second device
        await member_asks(ctx, seed, quantity=12)
    assert twin.value.request_id == first
    other = await member_asks(ctx, seed, quantity=13)  # a different wish is a new request
    await licence_requests.decline(ctx, seed.acme_admin, first, "Nein", "Anna")
    again = await member_asks(ctx, seed, quantity=12)  # decided: may be asked again
    assert len({first, other, again}) == 3


async def test_figures_are_what_the_admin_would_order_at_this_customers_prices(
    ctx: Context, seed: Seed
) -> None:  # R3, R23
    ask = AskRequest("acme", RequestKind.ORDER, E3, 12)
    preview = await licence_requests.preview(ctx, seed.acme_member, ask)
    assert (preview.product_name, preview.quantity, str(preview.monthly_total)) == (
        "Microsoft 365 E3",
        12,
        "561.24",
    )
    with pytest.raises(errors.PermissionDenied):  # an admin orders instead of asking
        await licence_requests.preview(ctx, seed.acme_admin, ask)
    request_id = await member_asks(ctx, seed)
    assert (await licence_requests.figures(ctx, seed.acme_admin, request_id)).quantity == 12
    with pytest.raises(errors.RequestNotFound):  # another customer's request: missing (R24)
        await licence_requests.figures(ctx, seed.globex_admin, request_id)


async def test_a_member_who_moved_to_another_customer_no_longer_sees_the_old_requests(
    ctx: Context, seed: Seed
) -> None:  # R24: what was asked for ACME is ACME's, not the person's
    await member_asks(ctx, seed)
    assert len(await licence_requests.list_requests(ctx, seed.acme_member)) == 1
    moved = await link(ctx, Role.MEMBER, "globex", "101", move=True)  # the same person joins
    assert moved.user_id == seed.acme_member.user_id and moved.customer_id == "globex"
    assert await licence_requests.list_requests(ctx, moved) == []
    assert await licence_requests.list_requests(ctx, moved, status=RequestStatus.PENDING) == []
