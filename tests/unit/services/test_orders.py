"""Ordering on the fakes (domain/services/orders.py, R5-R10)."""

from __future__ import annotations

from datetime import date

import pytest

from domain import errors
from domain.commands import PlaceOrder
from domain.model import Status
from domain.services import orders
from domain.services.context import Context
from tests.conftest import Seed
from tests.fakes import FakeStore
from tests.unit.services.support import BASIC, E3, STANDARD, order


def cmd(
    sku: str = STANDARD,
    quantity: int = 18,
    key: str = "k1",
    *,
    terms: bool = True,
    account: bool = True,
) -> PlaceOrder:
    return PlaceOrder("acme", sku, quantity, terms, account, key)


async def test_an_order_starts_on_the_first_with_both_consents_stored(
    ctx: Context, seed: Seed, store: FakeStore
) -> None:  # R5, R7
    placed = await orders.place_order(ctx, seed.acme_admin, cmd())
    sub = placed.subscription
    assert (placed.created, sub.status, sub.start_date) == (True, Status.ORDERED, date(2026, 11, 1))
    assert {c.kind.value for c in store.state.consents} == {"terms", "microsoft_account"}
    assert {c.terms_version for c in store.state.consents} == {"1"}


async def test_nothing_is_ordered_without_both_consents(
    ctx: Context, seed: Seed, store: FakeStore
) -> None:  # R5
    for missing in (cmd(terms=False), cmd(account=False)):
        with pytest.raises(errors.ConsentMissing):
            await orders.place_order(ctx, seed.acme_admin, missing)
    assert store.state.subscriptions == {}


async def test_the_same_confirmation_again_is_the_same_order(
    ctx: Context, seed: Seed, store: FakeStore
) -> None:  # R9
    first = await orders.place_order(ctx, seed.acme_admin, cmd())
    again = await orders.place_order(ctx, seed.acme_admin, cmd())
    assert (again.created, again.subscription.id) == (False, first.subscription.id)
    assert len(store.state.subscriptions) == 1 and len(store.state.consents) == 2


async def test_an_order_is_refused_per_the_rules(ctx: Context, seed: Seed) -> None:
    await order(ctx, seed.acme_admin, BASIC, 250)
    with pytest.raises(errors.SeatCapExceeded):  # R4: 250 + 51 > 300 together
        await orders.place_order(ctx, seed.acme_admin, cmd(quantity=51))
    with pytest.raises(errors.InvalidQuantity):  # R4
        await orders.place_order(ctx, seed.acme_admin, cmd(E3, 0))
    with pytest.raises(errors.AlreadySubscribed):  # R6
        await orders.place_order(ctx, seed.acme_admin, cmd(BASIC, 1, key="k2"))
    with pytest.raises(errors.PermissionDenied) as member:  # R23: a member asks instead
        await orders.place_order(ctx, seed.acme_member, cmd())
    assert member.value.can_request
    with pytest.raises(errors.CustomerNotFound):  # R24
        await orders.place_order(ctx, seed.globex_admin, cmd())


async def test_my_orders_and_one_orders_status(ctx: Context, seed: Seed) -> None:  # R10, R24
    sub_id = await order(ctx, seed.acme_admin, STANDARD, 18, provision=True)
    overview = await orders.list_orders(ctx, seed.acme_member, "acme")
    [sub] = overview.subscriptions
    assert (sub.id, sub.status, str(sub.monthly_total)) == (sub_id, Status.PROVISIONED, "250.56")
    assert (await orders.order_status(ctx, seed.acme_member, sub_id)).quantity == 18
    with pytest.raises(errors.SubscriptionNotFound):
        await orders.order_status(ctx, seed.globex_admin, sub_id)
    with pytest.raises(errors.CustomerNotFound):
        await orders.list_orders(ctx, seed.globex_admin, "acme")
