"""Seats assigned against seats paid, the month-end hint and scheduled reductions (issue 21),
on SQLite and PostgreSQL. The clock is the tests' fixed one: 24 Nov 2026 in Berlin; November's
hint window (SEAT_HINT_DAYS = 5) opens on 25 Nov."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from prometheus_client import REGISTRY

from domain import errors
from domain.clock import FixedClock
from domain.commands import BookAddon, CancelSubscription, ChangeQuantity, PlaceOrder
from domain.model import Actor, Channel, ReductionOutcome, Status
from domain.services import addons, orders, privacy, seats, subscriptions
from domain.services.accounts import OPERATOR
from domain.services.context import Context
from domain.storage.database import Database
from domain.views import SubscriptionView
from tests.conftest import Seed

E3 = "M365-E3"
HINT_DAY = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)  # 26 Nov, 09:00 in Berlin
NEXT_MONTH = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)  # 1 Dec, 07:00 in Berlin


async def provisioned(
    ctx: Context, actor: Actor, quantity: int = 20, sku: str = E3, customer: str = "acme"
) -> SubscriptionView:
    placed = await orders.place_order(ctx, actor, PlaceOrder(customer, sku, quantity, True, True))
    return await subscriptions.mark_provisioned(ctx, OPERATOR, placed.subscription.id)


def at(ctx: Context, when: datetime) -> None:
    assert isinstance(ctx.clock, FixedClock)
    ctx.clock.set(when)


async def hints_of(ctx: Context, customer: str = "acme") -> list[dict[str, object]]:
    async with ctx.uow(write=False) as uow:
        return [n.payload for n in await uow.outbox.notices(customer) if n.kind == seats.HINT]


async def recipients(ctx: Context, kind: str) -> list[int]:
    async with ctx.uow(write=False) as uow:
        notes = [n for n in await uow.outbox.notices("acme") if n.kind == kind]
        users = [s["user_id"] for n in notes for s in await uow.outbox.states(n.id)]
    return sorted(users)


# --- usage ---------------------------------------------------------------------------------------
async def test_usage_is_unknown_until_reported_then_shows_what_a_reduction_saves(
    ctx: Context, seed: Seed
) -> None:
    sub = await provisioned(ctx, seed.acme_admin)
    [line] = (await seats.seat_overview(ctx, seed.acme_member, "acme")).lines
    assert (line.paid, line.assigned, line.stale, line.monthly_saving) == (
        20,
        None,
        True,
        Decimal(0),
    )

    await seats.report_usage(ctx, OPERATOR, "acme", E3, 12)
    [line] = (await seats.seat_overview(ctx, seed.acme_member, "acme")).lines
    assert line.subscription_id == sub.id
    assert (line.paid, line.assigned, line.unassigned, line.target) == (20, 12, 8, 12)
    assert line.monthly_saving == Decimal("8") * sub.unit_price
    assert line.as_of == ctx.now()
    assert line.as_json()["monthly_saving"] == str(line.monthly_saving)


async def test_stale_usage_is_shown_as_such_and_offers_no_saving(ctx: Context, seed: Seed) -> None:
    await provisioned(ctx, seed.acme_admin)
    await seats.report_usage(ctx, OPERATOR, "acme", E3, 12)
    at(ctx, ctx.now() + ctx.seats.max_age + timedelta(minutes=1))
    [line] = (await seats.seat_overview(ctx, seed.acme_admin, "acme")).lines
    assert (line.assigned, line.stale, line.reducible) == (12, True, 0)


async def test_the_buffer_is_kept_and_add_ons_set_the_floor(ctx: Context, seed: Seed) -> None:
    sub = await provisioned(ctx, seed.acme_admin)
    await seats.report_usage(ctx, OPERATOR, "acme", E3, 12)
    await seats.set_spare(ctx, seed.acme_admin, "acme", E3, 3)
    [line] = (await seats.seat_overview(ctx, seed.acme_admin, "acme")).lines
    assert (line.target, line.reducible) == (15, 5)
    await addons.book_addon(ctx, seed.acme_admin, BookAddon(sub.id, "DEFENDER-O365-P1", True, 17))
    [line] = (await seats.seat_overview(ctx, seed.acme_admin, "acme")).lines
    assert (line.target, line.reducible) == (17, 3)  # R12: not below the add-on


async def test_only_the_service_desk_reports_usage_and_only_admins_keep_buffers(
    ctx: Context, seed: Seed
) -> None:  # R23, R24
    await provisioned(ctx, seed.acme_admin)
    with pytest.raises(errors.PermissionDenied):
        await seats.report_usage(ctx, seed.acme_admin, "acme", E3, 1)
    with pytest.raises(errors.PermissionDenied):
        await seats.set_spare(ctx, seed.acme_member, "acme", E3, 1)
    with pytest.raises(errors.CustomerNotFound):
        await seats.seat_overview(ctx, seed.globex_admin, "acme")
    with pytest.raises(errors.InvalidSpare):
        await seats.set_spare(ctx, seed.acme_admin, "acme", E3, -1)
    with pytest.raises(errors.InvalidQuantity):
        await seats.report_usage(ctx, OPERATOR, "acme", E3, -1)
    with pytest.raises(errors.ProductNotFound):
        await seats.report_usage(ctx, OPERATOR, "acme", "NOPE", 1)


# --- scheduling ----------------------------------------------------------------------------------
async def test_a_reduction_is_scheduled_to_the_month_end_and_can_be_withdrawn(
    ctx: Context, seed: Seed
) -> None:
    sub = await provisioned(ctx, seed.acme_admin)
    await seats.report_usage(ctx, OPERATOR, "acme", E3, 12)
    summary = await seats.schedule_reduction(
        ctx, seed.acme_admin, sub.id, 12, sub.version, dry_run=True
    )
    assert summary.monthly_saving == 8 * sub.unit_price
    assert (await orders.order_status(ctx, OPERATOR, sub.id)).scheduled_quantity is None

    done = await seats.schedule_reduction(ctx, seed.acme_admin, sub.id, 12, sub.version)
    view = await orders.order_status(ctx, OPERATOR, sub.id)
    assert (view.quantity, view.scheduled_quantity, view.scheduled_for) == (
        20,
        12,
        datetime(2026, 11, 30).date(),
    )
    assert view.as_json()["scheduled_quantity"] == 12
    assert view.as_json()["scheduled_for"] == "2026-11-30"
    assert done.subscription.version == sub.version + 1

    withdrawn = await seats.withdraw_reduction(ctx, seed.acme_admin, sub.id)
    assert (withdrawn.scheduled_quantity, withdrawn.scheduled_for) == (None, None)
    with pytest.raises(errors.NoReductionScheduled):
        await seats.withdraw_reduction(ctx, seed.acme_admin, sub.id)


async def test_a_reduction_below_the_seats_in_use_is_refused(ctx: Context, seed: Seed) -> None:
    sub = await provisioned(ctx, seed.acme_admin)
    await seats.report_usage(ctx, OPERATOR, "acme", E3, 12)
    with pytest.raises(errors.BelowAssigned) as refused:
        await seats.schedule_reduction(ctx, seed.acme_admin, sub.id, 11)
    assert refused.value.assigned == 12
    with pytest.raises(errors.ReductionNotLower):
        await seats.schedule_reduction(ctx, seed.acme_admin, sub.id, 20)
    with pytest.raises(errors.PermissionDenied):  # R23: members ask, admins decide
        await seats.schedule_reduction(ctx, seed.acme_member, sub.id, 12)


async def test_cancelling_drops_a_scheduled_reduction(ctx: Context, seed: Seed) -> None:  # R18
    sub = await provisioned(ctx, seed.acme_admin)
    await seats.schedule_reduction(ctx, seed.acme_admin, sub.id, 12)
    cancelled = await subscriptions.cancel_subscription(
        ctx, seed.acme_admin, CancelSubscription(sub.id)
    )
    assert cancelled.scheduled_quantity is None


# --- the month end -------------------------------------------------------------------------------
async def test_the_month_end_applies_a_reduction_once_and_tells_the_admins(
    ctx: Context, seed: Seed
) -> None:
    sub = await provisioned(ctx, seed.acme_admin)
    await seats.report_usage(ctx, OPERATOR, "acme", E3, 12)
    await seats.schedule_reduction(ctx, seed.acme_admin, sub.id, 12)
    assert await seats.apply_due_reductions(ctx) == []  # not before the month has ended

    at(ctx, NEXT_MONTH)
    await seats.report_usage(ctx, OPERATOR, "acme", E3, 12)
    [done] = await seats.apply_due_reductions(ctx)
    assert (done.reduction.old, done.reduction.new) == (20, 12)
    assert done.reduction.outcome is ReductionOutcome.APPLIED
    assert done.monthly_saving == 8 * sub.unit_price
    assert await seats.apply_due_reductions(ctx) == []  # the next round: nothing more
    view = await orders.order_status(ctx, OPERATOR, sub.id)
    assert (view.quantity, view.scheduled_quantity) == (12, None)
    async with ctx.uow(write=False) as uow:
        history = await uow.records.history(sub.id)
    assert [(h["from_quantity"], h["to_quantity"]) for h in history] == [(20, 12)]  # R11
    assert await recipients(ctx, seats.REDUCED) == [seed.acme_admin.user_id]


async def test_more_seats_in_use_at_the_month_end_reduce_less(ctx: Context, seed: Seed) -> None:
    sub = await provisioned(ctx, seed.acme_admin)
    await seats.report_usage(ctx, OPERATOR, "acme", E3, 12)
    await seats.schedule_reduction(ctx, seed.acme_admin, sub.id, 12)
    at(ctx, NEXT_MONTH)
    await seats.report_usage(ctx, OPERATOR, "acme", E3, 15)  # three people joined
    [done] = await seats.apply_due_reductions(ctx)
    assert (done.reduction.new, done.reduction.outcome) == (15, ReductionOutcome.PARTIAL)
    assert (await orders.order_status(ctx, OPERATOR, sub.id)).quantity == 15


@pytest.mark.parametrize("assigned", [20, None])
async def test_no_free_seat_or_no_fresh_usage_skips_the_reduction(
    ctx: Context, seed: Seed, assigned: int | None
) -> None:
    sub = await provisioned(ctx, seed.acme_admin)
    await seats.report_usage(ctx, OPERATOR, "acme", E3, 12)
    await seats.schedule_reduction(ctx, seed.acme_admin, sub.id, 12)
    at(ctx, NEXT_MONTH + ctx.seats.max_age)  # the November report is stale by now
    if assigned is not None:
        await seats.report_usage(ctx, OPERATOR, "acme", E3, assigned)
    [done] = await seats.apply_due_reductions(ctx)
    expected = ReductionOutcome.SKIPPED_IN_USE if assigned else ReductionOutcome.SKIPPED_UNKNOWN
    assert (done.reduction.new, done.reduction.outcome) == (20, expected)
    view = await orders.order_status(ctx, OPERATOR, sub.id)
    assert (view.quantity, view.scheduled_quantity) == (20, None)
    assert await recipients(ctx, seats.SKIPPED) == [seed.acme_admin.user_id]


async def test_a_withdrawn_reduction_is_not_applied(ctx: Context, seed: Seed) -> None:
    sub = await provisioned(ctx, seed.acme_admin)
    await seats.report_usage(ctx, OPERATOR, "acme", E3, 12)
    await seats.schedule_reduction(ctx, seed.acme_admin, sub.id, 12)
    await seats.withdraw_reduction(ctx, seed.acme_admin, sub.id)
    at(ctx, NEXT_MONTH)
    assert await seats.apply_due_reductions(ctx) == []
    assert (await orders.order_status(ctx, OPERATOR, sub.id)).quantity == 20


def _twin(ctx: Context, db: Database) -> Context:
    """A second worker: its own engine on the same database, the same clock."""
    return dataclasses.replace(ctx, db=Database(db.url, schema=db.schema))


async def test_two_workers_apply_a_reduction_once(ctx: Context, db: Database, seed: Seed) -> None:
    sub = await provisioned(ctx, seed.acme_admin)
    await seats.report_usage(ctx, OPERATOR, "acme", E3, 12)
    await seats.schedule_reduction(ctx, seed.acme_admin, sub.id, 12)
    at(ctx, NEXT_MONTH)
    await seats.report_usage(ctx, OPERATOR, "acme", E3, 12)
    other = _twin(ctx, db)
    try:
        first, second = await asyncio.gather(
            seats.apply_due_reductions(ctx), seats.apply_due_reductions(other)
        )
    finally:
        await other.db.dispose()
    assert len(first) + len(second) == 1
    assert (await orders.order_status(ctx, OPERATOR, sub.id)).quantity == 12
    async with ctx.uow(write=False) as uow:
        assert len(await uow.records.history(sub.id)) == 1
    assert await recipients(ctx, seats.REDUCED) == [seed.acme_admin.user_id]


# --- the hint ------------------------------------------------------------------------------------
async def test_the_hint_goes_out_in_the_window_once_a_month_to_the_admins(
    ctx: Context, seed: Seed
) -> None:
    sub = await provisioned(ctx, seed.acme_admin)
    await seats.report_usage(ctx, OPERATOR, "acme", E3, 12)
    assert await seats.send_hints(ctx) == []  # 24 Nov: too early
    at(ctx, HINT_DAY)
    await seats.report_usage(ctx, OPERATOR, "acme", E3, 12)
    assert await seats.send_hints(ctx) == ["acme"]
    assert await seats.send_hints(ctx) == []  # one per customer and month
    [hint] = await hints_of(ctx)
    assert hint["date"] == "2026-11-30"
    assert hint["lines"] == [
        {
            "subscription_id": sub.id,
            "product_name": sub.product_name,
            "paid": 20,
            "assigned": 12,
            "unassigned": 8,
            "target": 12,
            "saving": str(8 * sub.unit_price),
        }
    ]
    assert await recipients(ctx, seats.HINT) == [seed.acme_admin.user_id]  # no member


async def test_no_hint_when_nothing_can_be_saved_beyond_the_buffer(
    ctx: Context, seed: Seed
) -> None:
    await provisioned(ctx, seed.acme_admin)
    at(ctx, HINT_DAY)
    await seats.report_usage(ctx, OPERATOR, "acme", E3, 20)
    assert await seats.send_hints(ctx) == []
    await seats.report_usage(ctx, OPERATOR, "acme", E3, 17)
    await seats.set_spare(ctx, seed.acme_admin, "acme", E3, 3)
    assert await seats.send_hints(ctx) == []  # the buffer keeps the three
    await seats.set_spare(ctx, seed.acme_admin, "acme", E3, 2)
    assert await seats.send_hints(ctx) == ["acme"]
    [hint] = await hints_of(ctx)
    assert hint["lines"][0]["target"] == 19  # type: ignore[index]


async def test_no_hint_on_stale_usage_or_when_a_reduction_is_scheduled(
    ctx: Context, seed: Seed
) -> None:
    sub = await provisioned(ctx, seed.acme_admin)
    await seats.report_usage(ctx, OPERATOR, "acme", E3, 12)
    at(ctx, HINT_DAY + ctx.seats.max_age)  # stale, and December's window is not open yet
    assert await seats.send_hints(ctx) == []
    at(ctx, HINT_DAY)
    await seats.report_usage(ctx, OPERATOR, "acme", E3, 12)
    await seats.schedule_reduction(ctx, seed.acme_admin, sub.id, 12)
    assert await seats.send_hints(ctx) == []


async def test_an_admin_who_turned_hints_off_gets_none(ctx: Context, seed: Seed) -> None:
    await provisioned(ctx, seed.acme_admin)
    await seats.set_hints(ctx, seed.acme_admin, False)
    assert not (await seats.seat_settings(ctx, seed.acme_admin)).hints
    at(ctx, HINT_DAY)
    await seats.report_usage(ctx, OPERATOR, "acme", E3, 12)
    assert await seats.send_hints(ctx) == []
    await seats.set_hints(ctx, seed.acme_admin, True)
    assert await seats.send_hints(ctx) == ["acme"]


async def test_two_workers_send_one_hint(ctx: Context, db: Database, seed: Seed) -> None:
    await provisioned(ctx, seed.acme_admin)
    at(ctx, HINT_DAY)
    await seats.report_usage(ctx, OPERATOR, "acme", E3, 12)
    other = _twin(ctx, db)
    try:
        first, second = await asyncio.gather(seats.send_hints(ctx), seats.send_hints(other))
    finally:
        await other.db.dispose()
    assert sorted(first + second) == ["acme"]
    assert len(await hints_of(ctx)) == 1


# --- costs ---------------------------------------------------------------------------------------
async def test_costs_rebuild_past_months_and_project_the_next(ctx: Context, seed: Seed) -> None:
    sub = await provisioned(ctx, seed.acme_admin)  # November: 20
    await seats.report_usage(ctx, OPERATOR, "acme", E3, 12)
    await seats.schedule_reduction(ctx, seed.acme_admin, sub.id, 12)
    costs = await seats.cost_overview(ctx, seed.acme_member, "acme", months=3)
    assert [m.key for m in costs.months] == ["2026-09", "2026-10", "2026-11"]
    assert [m.total for m in costs.months[:2]] == [0, 0]  # started on 1 Nov (R7)
    assert costs.this_month.total == 20 * sub.unit_price
    assert (costs.next_month.key, costs.next_month.projected) == ("2026-12", True)
    assert costs.next_month.total == 12 * sub.unit_price  # after the scheduled reduction

    at(ctx, NEXT_MONTH)
    await seats.report_usage(ctx, OPERATOR, "acme", E3, 12)
    await seats.apply_due_reductions(ctx)
    costs = await seats.cost_overview(ctx, seed.acme_member, "acme", months=2)
    assert [(m.key, m.total) for m in costs.months] == [
        ("2026-11", 20 * sub.unit_price),  # from the history: 20 until the month's end
        ("2026-12", 12 * sub.unit_price),
    ]
    [line] = costs.months[0].lines
    assert line.as_json() == {
        "sku": E3,
        "name": sub.product_name,
        "quantity": 20,
        "total": str(20 * sub.unit_price),
    }
    cancelled = await subscriptions.cancel_subscription(
        ctx, seed.acme_admin, CancelSubscription(sub.id)
    )
    assert cancelled.status is Status.CANCELLED
    costs = await seats.cost_overview(ctx, seed.acme_admin, "acme", months=1)
    assert costs.next_month.total == 0  # R19: it ends with December


# --- a change of quantity while a reduction is scheduled -----------------------------------------
async def test_a_later_change_keeps_drops_or_settles_the_scheduled_reduction(
    ctx: Context, seed: Seed
) -> None:  # R11, issue 21: never dropped unsaid
    sub = await provisioned(ctx, seed.acme_admin)
    await seats.schedule_reduction(ctx, seed.acme_admin, sub.id, 12)
    kept = await subscriptions.change_quantity(ctx, seed.acme_admin, ChangeQuantity(sub.id, 25))
    assert (kept.reduction, kept.reduction_kept) == ((12, date(2026, 11, 30)), True)
    assert kept.subscription.scheduled_quantity == 12

    dropped = await subscriptions.change_quantity(
        ctx, seed.acme_admin, ChangeQuantity(sub.id, 24, keep_reduction=False)
    )
    assert (dropped.reduction, dropped.reduction_kept) == ((12, date(2026, 11, 30)), False)
    assert dropped.subscription.scheduled_quantity is None

    await seats.schedule_reduction(ctx, seed.acme_admin, sub.id, 12)
    settled = await subscriptions.change_quantity(ctx, seed.acme_admin, ChangeQuantity(sub.id, 10))
    assert (settled.reduction_kept, settled.subscription.scheduled_quantity) == (False, None)
    at(ctx, NEXT_MONTH)
    assert await seats.apply_due_reductions(ctx) == []
    assert (await orders.order_status(ctx, OPERATOR, sub.id)).quantity == 10


# --- metrics -------------------------------------------------------------------------------------
def _sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_metrics_count_hints_reductions_and_the_monthly_saving(
    ctx: Context, seed: Seed
) -> None:
    before = {
        "hints": _sample("licencebot_seat_hints_total", channel="system"),
        "scheduled": _sample(
            "licencebot_seat_reductions_total", outcome="scheduled", channel="telegram"
        ),
        "applied": _sample("licencebot_seat_reductions_total", outcome="applied", channel="system"),
        "skipped": _sample("licencebot_seat_reductions_total", outcome="skipped", channel="system"),
        "saved": _sample("licencebot_seat_savings_euros_total"),
    }
    sub = await provisioned(ctx, seed.acme_admin)
    other = await provisioned(ctx, seed.acme_admin, 10, "M365-E5")
    at(ctx, HINT_DAY)
    await seats.report_usage(ctx, OPERATOR, "acme", E3, 12)
    await seats.report_usage(ctx, OPERATOR, "acme", "M365-E5", 5)
    await seats.send_hints(ctx)
    await seats.send_hints(ctx)
    await seats.schedule_reduction(ctx, seed.acme_admin, sub.id, 12)
    await seats.schedule_reduction(ctx, seed.acme_admin, other.id, 5)
    at(ctx, NEXT_MONTH)
    await seats.report_usage(ctx, OPERATOR, "acme", E3, 12)
    await seats.report_usage(ctx, OPERATOR, "acme", "M365-E5", 10)  # all in use: skipped
    await seats.apply_due_reductions(ctx)
    assert _sample("licencebot_seat_hints_total", channel="system") - before["hints"] == 1
    assert (
        _sample("licencebot_seat_reductions_total", outcome="scheduled", channel="telegram")
        - before["scheduled"]
        == 2
    )
    assert (
        _sample("licencebot_seat_reductions_total", outcome="applied", channel="system")
        - before["applied"]
        == 1
    )
    assert (
        _sample("licencebot_seat_reductions_total", outcome="skipped", channel="system")
        - before["skipped"]
        == 1
    )
    saved = _sample("licencebot_seat_savings_euros_total") - before["saved"]
    assert round(saved, 2) == float(8 * sub.unit_price)


async def test_the_hint_preference_is_exported_and_forgotten(ctx: Context, seed: Seed) -> None:
    await seats.set_hints(ctx, seed.acme_admin, False)  # docs/privacy.md
    data = await privacy.export_user(ctx, OPERATOR, Channel.TELEGRAM, "100")
    assert data["user"]["seat_hints_off_since"] == ctx.now().isoformat()
    await privacy.forget_user(ctx, OPERATOR, Channel.TELEGRAM, "100")
    async with ctx.uow(write=False) as uow:
        assert await uow.seats.hints_wanted(seed.acme_admin.user_id or 0)  # the row is gone
