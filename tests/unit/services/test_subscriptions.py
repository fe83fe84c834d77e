"""Changing, cancelling, provisioning and ending subscriptions on the fakes
(domain/services/subscriptions.py, R10-R13, R18-R21)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain import errors
from domain.clock import FixedClock
from domain.commands import CancelSubscription, ChangeQuantity, WithdrawCancellation
from domain.model import Status
from domain.services import subscriptions
from domain.services.accounts import OPERATOR
from domain.services.context import Context
from tests.conftest import Seed
from tests.fakes import FakeStore
from tests.unit.services.support import BASIC, STANDARD, actions, kinds, order


async def test_a_new_total_is_kept_in_the_history_and_told(
    ctx: Context, seed: Seed, store: FakeStore
) -> None:  # R11
    sub_id = await order(ctx, seed.acme_admin, quantity=18)
    preview = await subscriptions.change_quantity(
        ctx, seed.acme_admin, ChangeQuantity(sub_id, 40), dry_run=True
    )
    assert (preview.old_quantity, store.state.subscriptions[sub_id].quantity) == (18, 18)
    changed = await subscriptions.change_quantity(
        ctx, seed.acme_admin, ChangeQuantity(sub_id, 40, preview.subscription.version)
    )
    total = changed.subscription.monthly_total
    assert (changed.old_quantity, changed.new_quantity, str(total)) == (18, 40, "556.80")
    assert [(c.from_quantity, c.to_quantity) for c in store.state.changes] == [(18, 40)]
    assert actions(store, "acme")[-1] == "subscription.change_quantity"


async def test_a_change_is_refused_per_r12_and_r4(ctx: Context, seed: Seed) -> None:
    sub_id = await order(ctx, seed.acme_admin, quantity=18)
    await order(ctx, seed.acme_admin, BASIC, 200)
    with pytest.raises(errors.QuantityUnchanged):
        await subscriptions.change_quantity(ctx, seed.acme_admin, ChangeQuantity(sub_id, 18))
    with pytest.raises(errors.SeatCapExceeded):  # R4: 200 + 101 > 300 together
        await subscriptions.change_quantity(ctx, seed.acme_admin, ChangeQuantity(sub_id, 101))
    await subscriptions.cancel_subscription(ctx, seed.acme_admin, CancelSubscription(sub_id))
    with pytest.raises(errors.SubscriptionNotActive):
        await subscriptions.change_quantity(ctx, seed.acme_admin, ChangeQuantity(sub_id, 20))


async def test_who_may_change_what(ctx: Context, seed: Seed) -> None:  # R23, R24
    sub_id = await order(ctx, seed.acme_admin)
    assert (await subscriptions.prepare_change(ctx, seed.acme_member, sub_id)).id == sub_id
    with pytest.raises(errors.PermissionDenied) as refused:
        await subscriptions.change_quantity(ctx, seed.acme_member, ChangeQuantity(sub_id, 20))
    assert refused.value.can_request
    for write in (
        subscriptions.change_quantity(ctx, seed.globex_admin, ChangeQuantity(sub_id, 20)),
        subscriptions.cancel_subscription(ctx, seed.globex_admin, CancelSubscription(sub_id)),
        subscriptions.prepare_change(ctx, seed.globex_admin, sub_id),
    ):
        with pytest.raises(errors.SubscriptionNotFound):
            await write
    with pytest.raises(errors.PermissionDenied):
        await subscriptions.mark_provisioned(ctx, seed.acme_admin, sub_id)


async def test_two_changes_from_the_same_version_conflict(
    ctx: Context, seed: Seed, store: FakeStore
) -> None:  # R13
    sub_id = await order(ctx, seed.acme_admin)
    seen = store.state.subscriptions[sub_id].version
    await subscriptions.change_quantity(ctx, seed.acme_admin, ChangeQuantity(sub_id, 12, seen))
    with pytest.raises(errors.VersionConflict) as conflict:
        await subscriptions.change_quantity(ctx, seed.acme_admin, ChangeQuantity(sub_id, 14, seen))
    assert (conflict.value.current_quantity, store.state.subscriptions[sub_id].quantity) == (12, 12)


async def test_a_cancellation_runs_to_the_month_end_and_can_be_withdrawn(
    ctx: Context, seed: Seed, store: FakeStore
) -> None:  # R18, R19, R20
    sub_id = await order(ctx, seed.acme_admin, provision=True)
    cancelled = await subscriptions.cancel_subscription(
        ctx, seed.acme_admin, CancelSubscription(sub_id)
    )
    assert (cancelled.status, str(cancelled.end_date)) == (Status.CANCELLED, "2026-11-30")
    with pytest.raises(errors.NotCancellable):
        await subscriptions.cancel_subscription(ctx, seed.acme_admin, CancelSubscription(sub_id))
    back = await subscriptions.withdraw_cancellation(
        ctx, seed.acme_admin, WithdrawCancellation(sub_id)
    )
    assert (back.status, back.end_date) == (Status.PROVISIONED, None)
    with pytest.raises(errors.CancellationNotWithdrawable):
        await subscriptions.withdraw_cancellation(
            ctx, seed.acme_admin, WithdrawCancellation(sub_id)
        )


async def test_after_the_end_date_the_subscription_ends_once_and_is_told(
    ctx: Context, seed: Seed, store: FakeStore, clock: FixedClock
) -> None:  # R21
    sub_id = await order(ctx, seed.acme_admin, provision=True)
    await subscriptions.cancel_subscription(ctx, seed.acme_admin, CancelSubscription(sub_id))
    assert await subscriptions.end_expired(ctx) == []
    clock.set(datetime(2026, 12, 1, 9, 0, tzinfo=UTC))
    assert await subscriptions.end_expired(ctx) == [sub_id]
    assert await subscriptions.end_expired(ctx) == []
    assert store.state.subscriptions[sub_id].status is Status.ENDED
    assert kinds(store)[-1] == "ended"
    # R20: a new order after the end
    again = await order(ctx, seed.acme_admin, STANDARD, 5, key="again")
    assert again != sub_id


async def test_provisioning_once(ctx: Context, seed: Seed, store: FakeStore) -> None:  # R10
    sub_id = await order(ctx, seed.acme_admin)
    view = await subscriptions.mark_provisioned(ctx, seed.agent, sub_id)
    assert (view.status, str(view.provisioned_on)) == (Status.PROVISIONED, "2026-11-24")
    with pytest.raises(errors.AlreadyProvisioned):
        await subscriptions.mark_provisioned(ctx, OPERATOR, sub_id)
    assert kinds(store) == ["provisioned"]
