"""Placing orders (R3, R5-R9) on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from domain import errors
from domain.clock import FixedClock
from domain.commands import AddCustomer, CancelSubscription, PlaceOrder
from domain.model import Actor, Role
from domain.services import accounts, orders, subscriptions
from domain.services.accounts import OPERATOR
from domain.services.context import Context
from tests.conftest import Seed, link


def order(
    sku: str = "M365-BUSINESS-STANDARD",
    quantity: int = 18,
    key: str | None = None,
    customer: str = "acme",
    terms: bool = True,
    account: bool = True,
) -> PlaceOrder:
    return PlaceOrder(customer, sku, quantity, terms, account, key)


async def test_an_order_starts_on_the_first_of_the_month_with_price_and_total(
    ctx: Context, seed: Seed
) -> None:  # R3, R7
    placed = await orders.place_order(ctx, seed.acme_admin, order(key="k1"))
    sub = placed.subscription
    assert placed.created
    assert (sub.product_sku, sub.quantity, sub.status.value) == (
        "M365-BUSINESS-STANDARD",
        18,
        "ordered",
    )
    assert sub.start_date == date(2026, 11, 1)
    assert sub.unit_price == Decimal("13.92")
    assert sub.monthly_total == Decimal("250.56")
    assert (sub.end_date, sub.provisioned_on) == (None, None)


async def test_the_start_date_follows_berlin_not_utc_at_month_end(ctx: Context, seed: Seed) -> None:
    # R7, R8: 23:30 UTC on 30 Nov is already 1 Dec in Berlin.
    assert isinstance(ctx.clock, FixedClock)
    ctx.clock.set(datetime(2026, 11, 30, 23, 30, tzinfo=UTC))
    placed = await orders.place_order(ctx, seed.acme_admin, order())
    assert placed.subscription.start_date == date(2026, 12, 1)


async def test_both_consents_are_stored_with_who_when_and_terms_version(
    ctx: Context, seed: Seed
) -> None:  # R5
    ctx.terms_version = "2026-10"
    placed = await orders.place_order(ctx, seed.acme_admin, order())
    async with ctx.uow(write=False) as uow:
        consents = await uow.records.consents_for(placed.subscription.id)
    assert sorted(c["kind"].value for c in consents) == ["microsoft_account", "terms"]
    for consent in consents:
        assert consent["terms_version"] == "2026-10"
        assert consent["user_id"] == seed.acme_admin.user_id
        assert consent["given_at"] == ctx.now()


@pytest.mark.parametrize(
    ("terms", "account", "missing"),
    [
        (False, True, ("terms",)),
        (True, False, ("microsoft_account",)),
        (False, False, ("terms", "microsoft_account")),
    ],
)
async def test_nothing_is_ordered_without_both_consents(
    ctx: Context, seed: Seed, terms: bool, account: bool, missing: tuple[str, ...]
) -> None:  # R5
    with pytest.raises(errors.ConsentMissing) as refused:
        await orders.place_order(ctx, seed.acme_admin, order(terms=terms, account=account))
    assert refused.value.missing == missing
    assert (await orders.list_orders(ctx, seed.acme_admin, "acme")).subscriptions == ()


async def test_the_same_confirmation_twice_creates_one_order(ctx: Context, seed: Seed) -> None:
    # R9
    first = await orders.place_order(ctx, seed.acme_admin, order(key="tap-1"))
    second = await orders.place_order(ctx, seed.acme_admin, order(key="tap-1"))
    assert (first.created, second.created) == (True, False)
    assert second.subscription.id == first.subscription.id
    listed = await orders.list_orders(ctx, seed.acme_admin, "acme")
    assert [s.id for s in listed.subscriptions] == [first.subscription.id]


async def test_a_booked_product_cannot_be_ordered_a_second_time(ctx: Context, seed: Seed) -> None:
    # R6
    first = await orders.place_order(ctx, seed.acme_admin, order(key="a"))
    with pytest.raises(errors.AlreadySubscribed) as refused:
        await orders.place_order(ctx, seed.acme_admin, order(quantity=5, key="b"))
    assert refused.value.subscription_id == first.subscription.id
    assert refused.value.quantity == 18


async def test_a_cancelled_product_can_be_ordered_again_only_after_it_ended(
    ctx: Context, seed: Seed
) -> None:  # R20, R21
    first = await orders.place_order(ctx, seed.acme_admin, order())
    await subscriptions.cancel_subscription(
        ctx, seed.acme_admin, CancelSubscription(first.subscription.id)
    )
    with pytest.raises(errors.AlreadySubscribed):
        await orders.place_order(ctx, seed.acme_admin, order(quantity=3))
    assert isinstance(ctx.clock, FixedClock)
    ctx.clock.set(datetime(2026, 12, 1, 8, 0, tzinfo=UTC))
    again = await orders.place_order(ctx, seed.acme_admin, order(quantity=3))
    assert again.subscription.start_date == date(2026, 12, 1)
    listed = await orders.list_orders(ctx, seed.acme_admin, "acme")
    assert [s.status.value for s in listed.subscriptions] == ["ended", "ordered"]


async def test_the_business_plans_share_300_seats(ctx: Context, seed: Seed) -> None:  # R4
    await orders.place_order(ctx, seed.acme_admin, order("M365-BUSINESS-BASIC", 200))
    with pytest.raises(errors.SeatCapExceeded) as refused:
        await orders.place_order(ctx, seed.acme_admin, order("M365-BUSINESS-PREMIUM", 101))
    assert (refused.value.cap, refused.value.in_use, refused.value.available) == (300, 200, 100)
    placed = await orders.place_order(ctx, seed.acme_admin, order("M365-BUSINESS-PREMIUM", 100))
    assert placed.subscription.quantity == 100
    # Another customer's seats are its own.
    other = await orders.place_order(
        ctx, seed.globex_admin, order("M365-BUSINESS-BASIC", 300, customer="globex")
    )
    assert other.created


@pytest.mark.parametrize("quantity", [0, -5, 301, 10**12])
async def test_quantities_outside_the_limits_are_refused(
    ctx: Context, seed: Seed, quantity: int
) -> None:  # R4
    with pytest.raises(errors.InvalidQuantity) as refused:
        await orders.place_order(ctx, seed.acme_admin, order("M365-BUSINESS-BASIC", quantity))
    assert (refused.value.minimum, refused.value.maximum) == (1, 300)


async def test_unknown_products_are_refused(ctx: Context, seed: Seed) -> None:
    with pytest.raises(errors.ProductNotFound):
        await orders.place_order(ctx, seed.acme_admin, order("NO-SUCH-THING"))


async def test_the_customers_own_price_is_used(ctx: Context, seed: Seed) -> None:  # R2
    await accounts.add_customer(ctx, OPERATOR, AddCustomer("initech", "Initech", Decimal("10")))
    await accounts.set_price(ctx, OPERATOR, "initech", "M365-E3", Decimal("40.00"))
    admin = await _admin_of(ctx, "initech")
    e3 = await orders.place_order(ctx, admin, order("M365-E3", 10, customer="initech"))
    e5 = await orders.place_order(ctx, admin, order("M365-E5", 3, customer="initech"))
    assert e3.subscription.unit_price == Decimal("40.00")  # explicit price
    assert e5.subscription.unit_price == Decimal("63.94")  # 71.04 less 10 %, half up
    assert e5.subscription.monthly_total == Decimal("191.82")


async def _admin_of(ctx: Context, customer_id: str) -> Actor:
    return await link(ctx, Role.ADMIN, customer_id, f"admin-of-{customer_id}")


async def test_members_may_not_order_but_may_ask_an_admin(ctx: Context, seed: Seed) -> None:
    # R23
    with pytest.raises(errors.PermissionDenied) as refused:
        await orders.place_order(ctx, seed.acme_member, order())
    assert refused.value.can_request


async def test_the_service_desk_cannot_order_for_a_customer(ctx: Context, seed: Seed) -> None:
    # R23: the agent prepares, the customer's admin confirms with the consents.
    with pytest.raises(errors.PermissionDenied) as refused:
        await orders.place_order(ctx, seed.agent, order())
    assert not refused.value.can_request


async def test_nobody_orders_for_another_customer(ctx: Context, seed: Seed) -> None:  # R24
    with pytest.raises(errors.CustomerNotFound):
        await orders.place_order(ctx, seed.globex_admin, order(customer="acme"))
    assert (await orders.list_orders(ctx, seed.acme_admin, "acme")).subscriptions == ()


async def test_every_order_leaves_an_audit_entry(ctx: Context, seed: Seed) -> None:  # R25
    placed = await orders.place_order(ctx, seed.acme_admin, order())
    async with ctx.uow(write=False) as uow:
        entries = await uow.records.audit_for("acme")
    entry = next(e for e in entries if e["action"] == "order.place")
    assert entry["target"] == f"subscription:{placed.subscription.id}"
    assert entry["actor_user_id"] == seed.acme_admin.user_id
    assert entry["channel"].value == "telegram"
    assert entry["at"] == ctx.now()
    assert entry["details"]["quantity"] == 18
