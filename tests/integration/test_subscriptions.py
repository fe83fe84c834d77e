"""Change quantity, cancel, withdraw, provision, end (R10-R13, R18-R21) on both databases."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from domain import errors
from domain.clock import FixedClock
from domain.commands import (
    BookAddon,
    CancelSubscription,
    ChangeQuantity,
    PlaceOrder,
    WithdrawCancellation,
)
from domain.model import Actor
from domain.services import addons, orders, subscriptions
from domain.services.accounts import OPERATOR
from domain.services.context import Context
from domain.views import SubscriptionView
from tests.conftest import Seed


async def booked(
    ctx: Context,
    actor: Actor,
    sku: str = "M365-BUSINESS-STANDARD",
    quantity: int = 18,
    customer: str = "acme",
) -> SubscriptionView:
    placed = await orders.place_order(ctx, actor, PlaceOrder(customer, sku, quantity, True, True))
    return placed.subscription


def move_clock(ctx: Context, at: datetime) -> None:
    assert isinstance(ctx.clock, FixedClock)
    ctx.clock.set(at)


async def test_changing_the_quantity_sets_a_new_total_and_keeps_history(
    ctx: Context, seed: Seed
) -> None:  # R11
    sub = await booked(ctx, seed.acme_admin)
    changed = await subscriptions.change_quantity(
        ctx, seed.acme_admin, ChangeQuantity(sub.id, 40, expected_version=sub.version)
    )
    assert (changed.old_quantity, changed.new_quantity) == (18, 40)
    assert changed.subscription.monthly_total == Decimal("556.80")
    assert changed.subscription.version == sub.version + 1
    down = await subscriptions.change_quantity(ctx, seed.acme_admin, ChangeQuantity(sub.id, 5))
    assert down.subscription.quantity == 5
    async with ctx.uow(write=False) as uow:
        history = await uow.records.history(sub.id)
    assert [(h["from_quantity"], h["to_quantity"]) for h in history] == [(18, 40), (40, 5)]
    assert all(h["user_id"] == seed.acme_admin.user_id for h in history)
    assert all(h["changed_at"] == ctx.now() for h in history)


async def test_a_change_based_on_an_old_view_conflicts(ctx: Context, seed: Seed) -> None:
    # R13: two admins looked at version 1; the second change must not apply blindly.
    sub = await booked(ctx, seed.acme_admin)
    await subscriptions.change_quantity(
        ctx, seed.acme_admin, ChangeQuantity(sub.id, 40, expected_version=sub.version)
    )
    with pytest.raises(errors.VersionConflict) as refused:
        await subscriptions.change_quantity(
            ctx, seed.acme_admin, ChangeQuantity(sub.id, 25, expected_version=sub.version)
        )
    assert refused.value.current_quantity == 40
    status = await orders.order_status(ctx, seed.acme_admin, sub.id)
    assert status.quantity == 40


async def test_the_same_quantity_is_refused(ctx: Context, seed: Seed) -> None:  # R12
    sub = await booked(ctx, seed.acme_admin)
    with pytest.raises(errors.QuantityUnchanged):
        await subscriptions.change_quantity(ctx, seed.acme_admin, ChangeQuantity(sub.id, 18))


async def test_a_cancelled_subscription_cannot_be_changed(ctx: Context, seed: Seed) -> None:
    # R12
    sub = await booked(ctx, seed.acme_admin)
    await subscriptions.cancel_subscription(ctx, seed.acme_admin, CancelSubscription(sub.id))
    with pytest.raises(errors.SubscriptionNotActive) as refused:
        await subscriptions.change_quantity(ctx, seed.acme_admin, ChangeQuantity(sub.id, 20))
    assert refused.value.status == "cancelled"
    assert refused.value.end_date == date(2026, 11, 30)


async def test_a_change_may_not_break_the_shared_seat_cap(ctx: Context, seed: Seed) -> None:
    # R4, R12
    basic = await booked(ctx, seed.acme_admin, "M365-BUSINESS-BASIC", 250)
    await booked(ctx, seed.acme_admin, "M365-BUSINESS-PREMIUM", 50)
    with pytest.raises(errors.SeatCapExceeded) as refused:
        await subscriptions.change_quantity(ctx, seed.acme_admin, ChangeQuantity(basic.id, 251))
    assert refused.value.available == 250


async def test_a_change_below_an_add_on_names_the_add_on(ctx: Context, seed: Seed) -> None:
    # R12, R17
    sub = await booked(ctx, seed.acme_admin)
    await subscriptions.mark_provisioned(ctx, OPERATOR, sub.id)
    await addons.book_addon(
        ctx, seed.acme_admin, BookAddon(sub.id, "COPILOT", terms_accepted=True, quantity=10)
    )
    with pytest.raises(errors.BelowAddonQuantity) as refused:
        await subscriptions.change_quantity(ctx, seed.acme_admin, ChangeQuantity(sub.id, 9))
    assert (refused.value.addon_name, refused.value.addon_quantity) == ("Microsoft 365 Copilot", 10)
    ok = await subscriptions.change_quantity(ctx, seed.acme_admin, ChangeQuantity(sub.id, 10))
    assert ok.new_quantity == 10


async def test_cancelling_ends_product_and_add_ons_on_the_last_day_of_the_month(
    ctx: Context, seed: Seed
) -> None:  # R18, R19
    sub = await booked(ctx, seed.acme_admin)
    await subscriptions.mark_provisioned(ctx, OPERATOR, sub.id)
    await addons.book_addon(ctx, seed.acme_admin, BookAddon(sub.id, "EXO-ARCHIVE", True))
    cancelled = await subscriptions.cancel_subscription(
        ctx, seed.acme_admin, CancelSubscription(sub.id)
    )
    assert cancelled.status.value == "cancelled"
    assert cancelled.end_date == date(2026, 11, 30)
    assert [(a.status.value, a.end_date) for a in cancelled.addons] == [
        ("cancelled", date(2026, 11, 30))
    ]
    with pytest.raises(errors.NotCancellable):
        await subscriptions.cancel_subscription(ctx, seed.acme_admin, CancelSubscription(sub.id))


@pytest.mark.parametrize(
    ("at", "end"),
    [
        (datetime(2028, 2, 10, 9, 0, tzinfo=UTC), date(2028, 2, 29)),  # leap year
        (datetime(2027, 2, 10, 9, 0, tzinfo=UTC), date(2027, 2, 28)),
        (datetime(2027, 4, 30, 21, 59, tzinfo=UTC), date(2027, 4, 30)),  # 23:59 CEST
        (datetime(2027, 4, 30, 22, 0, tzinfo=UTC), date(2027, 5, 31)),  # 00:00 CEST, May
    ],
)
async def test_the_end_date_is_the_last_day_of_the_berlin_month(
    ctx: Context, seed: Seed, at: datetime, end: date
) -> None:  # R8, R19
    sub = await booked(ctx, seed.acme_admin)
    move_clock(ctx, at)
    cancelled = await subscriptions.cancel_subscription(
        ctx, seed.acme_admin, CancelSubscription(sub.id)
    )
    assert cancelled.end_date == end


async def test_a_running_cancellation_can_be_withdrawn(ctx: Context, seed: Seed) -> None:  # R20
    sub = await booked(ctx, seed.acme_admin)
    await subscriptions.mark_provisioned(ctx, OPERATOR, sub.id)
    await addons.book_addon(ctx, seed.acme_admin, BookAddon(sub.id, "EXO-ARCHIVE", True))
    await subscriptions.cancel_subscription(ctx, seed.acme_admin, CancelSubscription(sub.id))
    back = await subscriptions.withdraw_cancellation(
        ctx, seed.acme_admin, WithdrawCancellation(sub.id)
    )
    assert back.status.value == "provisioned"
    assert back.end_date is None
    assert [a.status.value for a in back.addons] == ["ordered"]


async def test_a_cancellation_past_its_end_cannot_be_withdrawn(ctx: Context, seed: Seed) -> None:
    sub = await booked(ctx, seed.acme_admin)
    await subscriptions.cancel_subscription(ctx, seed.acme_admin, CancelSubscription(sub.id))
    move_clock(ctx, datetime(2026, 12, 2, 9, 0, tzinfo=UTC))
    with pytest.raises(errors.CancellationNotWithdrawable) as refused:
        await subscriptions.withdraw_cancellation(
            ctx, seed.acme_admin, WithdrawCancellation(sub.id)
        )
    assert refused.value.status == "ended"


async def test_withdrawing_needs_a_cancellation(ctx: Context, seed: Seed) -> None:
    sub = await booked(ctx, seed.acme_admin)
    with pytest.raises(errors.CancellationNotWithdrawable):
        await subscriptions.withdraw_cancellation(
            ctx, seed.acme_admin, WithdrawCancellation(sub.id)
        )


async def test_ended_subscriptions_leave_the_monthly_total(ctx: Context, seed: Seed) -> None:
    # R21
    keep = await booked(ctx, seed.acme_admin, "M365-E3", 2)
    drop = await booked(ctx, seed.acme_admin, "EXO-P1", 10)
    await subscriptions.cancel_subscription(ctx, seed.acme_admin, CancelSubscription(drop.id))
    before = await orders.list_orders(ctx, seed.acme_admin, "acme")
    assert before.monthly_total == Decimal("93.54") + Decimal("44.00")  # runs to month end
    move_clock(ctx, datetime(2026, 12, 1, 0, 30, tzinfo=UTC))  # 01:30 Berlin on 1 Dec
    ended = await subscriptions.end_expired(ctx)
    assert ended == [drop.id]
    after = await orders.list_orders(ctx, seed.acme_admin, "acme")
    assert after.monthly_total == Decimal("93.54")
    assert {s.id: s.status.value for s in after.subscriptions} == {
        keep.id: "ordered",
        drop.id: "ended",
    }
    assert await subscriptions.end_expired(ctx) == []  # once only


async def test_provisioning_sets_the_date_and_is_for_the_service_desk(
    ctx: Context, seed: Seed
) -> None:  # R10, R23
    sub = await booked(ctx, seed.acme_admin)
    with pytest.raises(errors.PermissionDenied):
        await subscriptions.mark_provisioned(ctx, seed.acme_admin, sub.id)
    done = await subscriptions.mark_provisioned(ctx, seed.agent, sub.id)
    assert (done.status.value, done.provisioned_on) == ("provisioned", date(2026, 11, 24))
    with pytest.raises(errors.AlreadyProvisioned):
        await subscriptions.mark_provisioned(ctx, OPERATOR, sub.id)


async def test_another_customers_subscription_looks_like_a_missing_one(
    ctx: Context, seed: Seed
) -> None:  # R24
    sub = await booked(ctx, seed.acme_admin)
    attempts = [
        subscriptions.change_quantity(ctx, seed.globex_admin, ChangeQuantity(sub.id, 1)),
        subscriptions.cancel_subscription(ctx, seed.globex_admin, CancelSubscription(sub.id)),
        orders.order_status(ctx, seed.globex_admin, sub.id),
        addons.book_addon(ctx, seed.globex_admin, BookAddon(sub.id, "COPILOT", True)),
    ]
    for attempt in attempts:
        with pytest.raises(errors.SubscriptionNotFound):
            await attempt
    with pytest.raises(errors.SubscriptionNotFound):
        await orders.order_status(ctx, seed.acme_admin, 999_999)
    assert (await orders.order_status(ctx, seed.acme_admin, sub.id)).quantity == 18


async def test_members_and_agents_can_look_but_not_change(ctx: Context, seed: Seed) -> None:
    # R23
    sub = await booked(ctx, seed.acme_admin)
    assert (await orders.order_status(ctx, seed.acme_member, sub.id)).id == sub.id
    assert (await orders.list_orders(ctx, seed.agent, "acme")).subscriptions[0].id == sub.id
    for actor in (seed.acme_member, seed.agent):
        with pytest.raises(errors.PermissionDenied):
            await subscriptions.change_quantity(ctx, actor, ChangeQuantity(sub.id, 20))
        with pytest.raises(errors.PermissionDenied):
            await subscriptions.cancel_subscription(ctx, actor, CancelSubscription(sub.id))
    assert (await orders.order_status(ctx, seed.acme_admin, sub.id)).status.value == "ordered"


async def test_each_write_is_audited_with_actor_and_channel(ctx: Context, seed: Seed) -> None:
    # R25
    sub = await booked(ctx, seed.acme_admin)
    await subscriptions.change_quantity(ctx, seed.acme_admin, ChangeQuantity(sub.id, 20))
    await subscriptions.mark_provisioned(ctx, OPERATOR, sub.id)
    await subscriptions.cancel_subscription(ctx, seed.acme_admin, CancelSubscription(sub.id))
    await subscriptions.withdraw_cancellation(ctx, seed.acme_admin, WithdrawCancellation(sub.id))
    async with ctx.uow(write=False) as uow:
        entries = await uow.records.audit_for("acme")
    trail = [(e["action"], e["channel"].value, e["actor_role"].value) for e in entries]
    assert trail[-5:] == [
        ("order.place", "telegram", "admin"),
        ("subscription.change_quantity", "telegram", "admin"),
        ("subscription.provision", "cli", "operator"),
        ("subscription.cancel", "telegram", "admin"),
        ("subscription.withdraw_cancellation", "telegram", "admin"),
    ]
