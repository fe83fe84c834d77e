"""Seats, costs and month-end reductions on the fakes (domain/services/seats.py, issue 21)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from domain import errors
from domain.clock import FixedClock
from domain.commands import ChangeQuantity
from domain.model import ReductionOutcome
from domain.services import seats, subscriptions
from domain.services.context import Context
from tests.conftest import Seed
from tests.fakes import FakeStore
from tests.unit.services.support import BASIC, STANDARD, actions, kinds, order

MONTH_END = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)  # 1 Dec, Berlin: November has ended
HINT_DAY = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)  # within SEAT_HINT_DAYS of the month end


async def provisioned_with_usage(ctx: Context, seed: Seed, assigned: int = 6) -> int:
    sub_id = await order(ctx, seed.acme_admin, STANDARD, 10, provision=True)
    await seats.report_usage(ctx, seed.agent, "acme", STANDARD, assigned)
    return sub_id


async def test_the_overview_shows_seats_paid_and_assigned_and_what_could_go(
    ctx: Context, seed: Seed
) -> None:
    sub_id = await provisioned_with_usage(ctx, seed)
    await seats.set_spare(ctx, seed.acme_admin, "acme", STANDARD, 1)
    overview = await seats.seat_overview(ctx, seed.acme_member, "acme")
    [line] = overview.lines
    assert (line.subscription_id, line.paid, line.assigned, line.target) == (sub_id, 10, 6, 7)
    assert line.monthly_saving == Decimal("41.76")  # 3 × 13.92
    assert str(overview.month_end) == "2026-11-30"


async def test_usage_and_buffers_are_checked_and_audited(
    ctx: Context, seed: Seed, store: FakeStore
) -> None:
    with pytest.raises(errors.InvalidQuantity):
        await seats.report_usage(ctx, seed.agent, "acme", STANDARD, -1)
    with pytest.raises(errors.ProductNotFound):
        await seats.report_usage(ctx, seed.agent, "acme", "NOPE", 1)
    with pytest.raises(errors.PermissionDenied):  # R23: the desk enters usage, not customers
        await seats.report_usage(ctx, seed.acme_admin, "acme", STANDARD, 1)
    with pytest.raises(errors.InvalidSpare):
        await seats.set_spare(ctx, seed.acme_admin, "acme", STANDARD, -1)
    with pytest.raises(errors.PermissionDenied):  # R23: admins only
        await seats.set_spare(ctx, seed.acme_member, "acme", STANDARD, 1)
    with pytest.raises(errors.CustomerNotFound):  # R24
        await seats.set_spare(ctx, seed.globex_admin, "acme", STANDARD, 1)
    await seats.set_spare(ctx, seed.acme_admin, "acme", STANDARD, 2)
    assert store.state.seat_buffers == {("acme", STANDARD): 2}
    assert actions(store, "acme")[-1] == "seats.spare"


async def test_an_admins_settings_and_hint_choice(ctx: Context, seed: Seed) -> None:
    await order(ctx, seed.acme_admin, BASIC, 3)
    settings = await seats.seat_settings(ctx, seed.acme_admin)
    assert (settings.hints, settings.spare, settings.names) == (
        True,
        {BASIC: 0},
        {BASIC: "Microsoft 365 Business Basic"},
    )
    assert await seats.set_hints(ctx, seed.acme_admin, False) is False
    assert not (await seats.seat_settings(ctx, seed.acme_admin)).hints
    with pytest.raises(errors.PermissionDenied):
        await seats.seat_settings(ctx, seed.acme_member)


async def test_a_scheduled_reduction_is_applied_at_the_month_end(
    ctx: Context, seed: Seed, store: FakeStore, clock: FixedClock
) -> None:
    sub_id = await provisioned_with_usage(ctx, seed)
    preview = await seats.schedule_reduction(ctx, seed.acme_admin, sub_id, 7, dry_run=True)
    assert store.state.subscriptions[sub_id].scheduled_quantity is None  # a preview
    seen = preview.subscription.version
    done = await seats.schedule_reduction(ctx, seed.acme_admin, sub_id, 7, seen)
    assert (done.old_quantity, done.new_quantity, done.monthly_saving) == (10, 7, Decimal("41.76"))
    assert actions(store, "acme")[-1] == "subscription.schedule_reduction"
    assert kinds(store)[-1] == "provisioned"  # the only admin scheduled it: nobody to tell
    clock.set(MONTH_END)
    await seats.report_usage(ctx, seed.agent, "acme", STANDARD, 6)  # fresh usage
    [applied] = await seats.apply_due_reductions(ctx)
    assert (applied.reduction.new, applied.reduction.outcome) == (7, ReductionOutcome.APPLIED)
    assert store.state.subscriptions[sub_id].quantity == 7
    assert [(c.from_quantity, c.to_quantity) for c in store.state.changes] == [(10, 7)]
    assert kinds(store)[-1] == "reduction.applied"
    assert await seats.apply_due_reductions(ctx) == []  # once


async def test_a_reduction_below_the_seats_in_use_is_refused_or_cut_short(
    ctx: Context, seed: Seed, store: FakeStore, clock: FixedClock
) -> None:
    sub_id = await provisioned_with_usage(ctx, seed, assigned=6)
    with pytest.raises(errors.BelowAssigned):
        await seats.schedule_reduction(ctx, seed.acme_admin, sub_id, 5)
    with pytest.raises(errors.ReductionNotLower):
        await seats.schedule_reduction(ctx, seed.acme_admin, sub_id, 10)
    await seats.schedule_reduction(ctx, seed.acme_admin, sub_id, 6)
    clock.set(MONTH_END)
    await seats.report_usage(ctx, seed.agent, "acme", STANDARD, 8)  # more people since
    [applied] = await seats.apply_due_reductions(ctx)
    assert (applied.reduction.new, applied.reduction.outcome) == (8, ReductionOutcome.PARTIAL)
    assert store.state.subscriptions[sub_id].quantity == 8


async def test_without_fresh_usage_the_month_end_skips_and_says_so(
    ctx: Context, seed: Seed, store: FakeStore, clock: FixedClock
) -> None:
    sub_id = await provisioned_with_usage(ctx, seed)
    await seats.schedule_reduction(ctx, seed.acme_admin, sub_id, 7)
    clock.set(datetime(2026, 12, 9, 9, 0, tzinfo=UTC))  # the report is 15 days old
    [skipped] = await seats.apply_due_reductions(ctx)
    assert skipped.reduction.outcome is ReductionOutcome.SKIPPED_UNKNOWN
    assert store.state.subscriptions[sub_id].quantity == 10
    assert kinds(store)[-1] == "reduction.skipped"


async def test_a_reduction_is_withdrawn_or_settled_by_a_new_total(
    ctx: Context, seed: Seed, store: FakeStore
) -> None:  # issue 21, R13
    sub_id = await provisioned_with_usage(ctx, seed)
    await seats.schedule_reduction(ctx, seed.acme_admin, sub_id, 7)
    view = await seats.withdraw_reduction(ctx, seed.acme_admin, sub_id)
    assert store.state.subscriptions[sub_id].scheduled_quantity is None
    with pytest.raises(errors.NoReductionScheduled):
        await seats.withdraw_reduction(ctx, seed.acme_admin, sub_id)
    with pytest.raises(errors.VersionConflict):
        await seats.schedule_reduction(ctx, seed.acme_admin, sub_id, 7, view.version - 1)
    await seats.schedule_reduction(ctx, seed.acme_admin, sub_id, 7)
    changed = await subscriptions.change_quantity(ctx, seed.acme_admin, ChangeQuantity(sub_id, 6))
    assert (changed.reduction is not None, changed.reduction_kept) == (True, False)
    assert actions(store, "acme")[-1] == "subscription.withdraw_reduction"


async def test_members_and_other_customers_cannot_schedule(ctx: Context, seed: Seed) -> None:
    sub_id = await provisioned_with_usage(ctx, seed)  # R23, R24
    with pytest.raises(errors.PermissionDenied):
        await seats.schedule_reduction(ctx, seed.acme_member, sub_id, 7)
    with pytest.raises(errors.SubscriptionNotFound):
        await seats.schedule_reduction(ctx, seed.globex_admin, sub_id, 7)


async def test_the_month_end_hint_goes_once_to_the_admins_who_want_it(
    ctx: Context, seed: Seed, store: FakeStore, clock: FixedClock
) -> None:
    await provisioned_with_usage(ctx, seed)
    assert await seats.send_hints(ctx) == []  # too early in the month
    clock.set(HINT_DAY)
    await seats.report_usage(ctx, seed.agent, "acme", STANDARD, 6)
    assert await seats.send_hints(ctx) == ["acme"]
    assert await seats.send_hints(ctx) == []  # once a month
    assert kinds(store)[-1] == "seats.hint"
    assert [d["user_id"] for d in store.state.deliveries[-1:]] == [seed.acme_admin.user_id]
    assert store.state.seat_hints == {("acme", "2026-11"): Decimal("55.68")}


async def test_no_hint_for_an_admin_who_turned_hints_off(
    ctx: Context, seed: Seed, store: FakeStore, clock: FixedClock
) -> None:
    await provisioned_with_usage(ctx, seed)
    await seats.set_hints(ctx, seed.acme_admin, False)
    clock.set(HINT_DAY)
    await seats.report_usage(ctx, seed.agent, "acme", STANDARD, 6)
    assert await seats.send_hints(ctx) == []
    assert store.state.seat_hints == {}


async def test_costs_per_month_from_the_history_and_next_month_after_changes(
    ctx: Context, seed: Seed
) -> None:
    sub_id = await provisioned_with_usage(ctx, seed)
    await subscriptions.change_quantity(ctx, seed.acme_admin, ChangeQuantity(sub_id, 12))
    await seats.schedule_reduction(ctx, seed.acme_admin, sub_id, 7)
    costs = await seats.cost_overview(ctx, seed.acme_member, "acme", months=3)
    assert [str(m.month) for m in costs.months] == ["2026-09-01", "2026-10-01", "2026-11-01"]
    assert (costs.months[0].total, costs.this_month.total) == (Decimal(0), Decimal("167.04"))
    assert costs.next_month.total == Decimal("97.44")  # 7 × 13.92 after the reduction
    with pytest.raises(errors.CustomerNotFound):  # R24
        await seats.cost_overview(ctx, seed.globex_admin, "acme")
