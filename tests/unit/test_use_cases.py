"""Use cases over the in-memory fakes (tests/fakes.py): the rules without a database.

The same use cases run against SQLite and PostgreSQL in tests/integration; these show that
they depend on the ports only, and run in milliseconds.
"""

from __future__ import annotations

from datetime import date

import pytest

from domain import errors
from domain.clock import FixedClock
from domain.commands import BookAddon, CancelSubscription, ChangeQuantity, PlaceOrder
from domain.model import Actor, Channel, Customer, Role, Status
from domain.services import addons, orders, subscriptions
from domain.services.accounts import OPERATOR
from domain.services.context import Context
from tests.conftest import NOW
from tests.fakes import FakeStore, State
from tests.unit.test_model import CATALOGUE, E5, STANDARD

ADMIN = Actor(Role.ADMIN, Channel.TELEGRAM, "acme", user_id=1)
MEMBER = Actor(Role.MEMBER, Channel.TELEGRAM, "acme", user_id=2)
RIVAL = Actor(Role.ADMIN, Channel.TELEGRAM, "globex", user_id=3)


@pytest.fixture
def store() -> FakeStore:
    state = State(catalogue=CATALOGUE)
    state.customers = {"acme": Customer("acme", "ACME GmbH"), "globex": Customer("globex", "G")}
    return FakeStore(state)


@pytest.fixture
def ctx(store: FakeStore) -> Context:
    return Context(store, clock=FixedClock(NOW))


def order(sku: str = STANDARD.sku, quantity: int = 18, key: str | None = "k1") -> PlaceOrder:
    return PlaceOrder("acme", sku, quantity, True, True, key)


async def test_an_order_is_stored_with_both_consents_in_one_commit(  # R5, R7
    ctx: Context, store: FakeStore
) -> None:
    placed = await orders.place_order(ctx, ADMIN, order())
    assert placed.created
    assert placed.subscription.start_date == date(2026, 11, 1)
    assert store.commits == 1
    assert len(store.state.consents) == 2
    assert [e.action for e in store.state.audit] == ["order.place"]


async def test_without_both_consents_nothing_is_stored(ctx: Context, store: FakeStore) -> None:
    with pytest.raises(errors.ConsentMissing):  # R5
        await orders.place_order(ctx, ADMIN, PlaceOrder("acme", E5.sku, 3, True, False, "k"))
    assert store.state.subscriptions == {}
    assert store.commits == 0


async def test_the_same_confirmation_twice_is_one_order(ctx: Context, store: FakeStore) -> None:
    first = await orders.place_order(ctx, ADMIN, order())  # R9
    again = await orders.place_order(ctx, ADMIN, order())
    assert (first.created, again.created) == (True, False)
    assert first.subscription.id == again.subscription.id
    assert len(store.state.subscriptions) == 1


async def test_a_member_may_not_order_but_may_ask(ctx: Context) -> None:  # R23
    with pytest.raises(errors.PermissionDenied) as refused:
        await orders.place_order(ctx, MEMBER, order())
    assert refused.value.can_request


async def test_a_change_confirmed_after_another_change_is_a_conflict(ctx: Context) -> None:
    placed = await orders.place_order(ctx, ADMIN, order())  # R13
    sub = placed.subscription
    await subscriptions.change_quantity(ctx, ADMIN, ChangeQuantity(sub.id, 20, sub.version))
    with pytest.raises(errors.VersionConflict) as conflict:
        await subscriptions.change_quantity(ctx, ADMIN, ChangeQuantity(sub.id, 40, sub.version))
    assert conflict.value.current_quantity == 20


async def test_a_stale_write_from_a_racing_unit_of_work_is_a_conflict(
    ctx: Context, store: FakeStore
) -> None:  # R13: the storage's report becomes the domain's refusal
    sub = (await orders.place_order(ctx, ADMIN, order())).subscription
    async with store.unit_of_work() as racing:
        loaded = await racing.subscriptions.get(sub.id)
        assert loaded is not None
        await subscriptions.change_quantity(ctx, ADMIN, ChangeQuantity(sub.id, 25))
        loaded.quantity, loaded.version = 30, loaded.version + 1
        with pytest.raises(errors.StaleWrite):
            await racing.commit()
    assert store.state.subscriptions[sub.id].quantity == 25


async def test_another_customers_subscription_looks_missing(ctx: Context) -> None:  # R24
    sub = (await orders.place_order(ctx, ADMIN, order())).subscription
    with pytest.raises(errors.SubscriptionNotFound):
        await orders.order_status(ctx, RIVAL, sub.id)
    with pytest.raises(errors.SubscriptionNotFound):
        await subscriptions.prepare_change(ctx, RIVAL, sub.id)


async def test_cancelling_ends_on_the_last_day_of_the_month(ctx: Context) -> None:  # R19
    sub = (await orders.place_order(ctx, ADMIN, order())).subscription
    preview = await subscriptions.cancel_subscription(
        ctx, ADMIN, CancelSubscription(sub.id), dry_run=True
    )
    assert preview.end_date == date(2026, 11, 30)
    assert (await orders.order_status(ctx, ADMIN, sub.id)).status is Status.ORDERED  # a preview


async def test_add_ons_wait_for_provisioning(ctx: Context) -> None:  # R14
    sub = (await orders.place_order(ctx, ADMIN, order())).subscription
    with pytest.raises(errors.AddonRequiresProvisioned):
        await addons.addon_choices(ctx, ADMIN, sub.id)
    await subscriptions.mark_provisioned(ctx, OPERATOR, sub.id)
    choices = await addons.addon_choices(ctx, ADMIN, sub.id)
    assert [a.sku for a in choices.offers] == list(STANDARD.addon_skus)
    booked = await addons.book_addon(ctx, ADMIN, BookAddon(sub.id, "EXO-ARCHIVE", True, 5))
    assert (booked.addon.sku, booked.addon.quantity) == ("EXO-ARCHIVE", 5)
    assert [a.sku for a in booked.subscription.addons] == ["EXO-ARCHIVE"]


async def test_use_cases_bound_to_one_unit_of_work_commit_once(
    ctx: Context, store: FakeStore
) -> None:  # design decision 2: one update, one transaction
    async with store.unit_of_work() as uow:
        bound = ctx.bound(uow)
        sub = (await orders.place_order(bound, ADMIN, order())).subscription
        await subscriptions.change_quantity(bound, ADMIN, ChangeQuantity(sub.id, 20))
        assert store.commits == 0  # the owner commits
        await uow.commit()
    assert store.commits == 1
    assert store.state.subscriptions[sub.id].quantity == 20


async def test_a_refused_use_case_undoes_only_its_own_part(ctx: Context, store: FakeStore) -> None:
    async with store.unit_of_work() as uow:
        bound = ctx.bound(uow)
        sub = (await orders.place_order(bound, ADMIN, order())).subscription
        with pytest.raises(errors.QuantityUnchanged):
            await subscriptions.change_quantity(bound, ADMIN, ChangeQuantity(sub.id, 18))
        await uow.commit()
    assert list(store.state.subscriptions) == [sub.id]
