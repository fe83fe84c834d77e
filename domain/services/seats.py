"""Seats assigned against seats paid, costs, and reductions at the month end (issue 21).

Reading: `seat_overview` (usage per subscription, with what the month end could save) and
`cost_overview` (this month, next month, past months). Writing: usage reported by the service
desk, the customer's spare-seat buffers and hint preference, scheduling and withdrawing a
reduction. Rounds: `send_hints` (the month-end hint, once per customer and month) and
`apply_due_reductions` (the month end, re-checking usage). All safe in several workers.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from domain import errors, metrics
from domain.access import Action, authorize
from domain.costs import Change, CostOverview, month_cost, months_back, projected_cost
from domain.dates import last_of_month
from domain.model import (
    SYSTEM_MAX_QUANTITY,
    Actor,
    Channel,
    QuantityChange,
    Reduction,
    Role,
    Status,
    Subscription,
)
from domain.ports import UnitOfWork
from domain.pricing import monthly_total
from domain.seats import MAX_SPARE, SeatLine, SeatOverview, SeatReport, newest, seat_lines
from domain.services import notifications as notices
from domain.services.common import bump, commit_write, load_for_write
from domain.services.context import Context
from domain.views import SubscriptionView, subscription_view

log = logging.getLogger(__name__)

MONTH_END_ACTOR = Actor(Role.OPERATOR, Channel.SYSTEM, None, label="month-end job")
HINT_ACTOR = Actor(Role.OPERATOR, Channel.SYSTEM, None, label="seat hints")

# Kinds of notice (stored; keep the values)
HINT = "seats.hint"  # seats could go at the month end (to the admins who want hints)
SCHEDULED = "reduction.scheduled"  # an admin scheduled a reduction
WITHDRAWN = "reduction.withdrawn"  # ... and took it back
REDUCED = "reduction.applied"  # the month end reduced (as scheduled or as far as possible)
SKIPPED = "reduction.skipped"  # the month end could not reduce, and why


# --- reading -------------------------------------------------------------------------------------
async def _usage(
    ctx: Context, uow: UnitOfWork, customer_id: str, subs: Sequence[Subscription]
) -> dict[str, SeatReport]:
    """The newest report per SKU: the service desk's stored ones or the adapter's live ones."""
    today = ctx.today()
    paid = {
        s.product_sku: s.quantity for s in subs if s.effective_status(today) is Status.PROVISIONED
    }
    live = await ctx.provisioner.seats(customer_id, paid, today, ctx.now()) if paid else ()
    return newest(await uow.seats.reports(customer_id), live)


async def _lines(ctx: Context, uow: UnitOfWork, customer_id: str) -> list[SeatLine]:
    subs = await uow.subscriptions.for_customer(customer_id)
    reports = await _usage(ctx, uow, customer_id, subs)
    spare = await uow.seats.buffers(customer_id)
    return seat_lines(subs, reports, spare, ctx.today(), ctx.now(), ctx.seats)


async def seat_overview(ctx: Context, actor: Actor, customer_id: str) -> SeatOverview:
    """Seats paid and assigned per subscription, and what the month end could save."""
    authorize(actor, Action.VIEW, customer_id)
    async with ctx.uow(write=False) as uow:
        customer = await uow.customers.get(customer_id)
        lines = await _lines(ctx, uow, customer_id)
    return SeatOverview(customer.id, customer.name, tuple(lines), last_of_month(ctx.today()))


async def cost_overview(
    ctx: Context, actor: Actor, customer_id: str, months: int = 12
) -> CostOverview:
    """The last `months` months (ending with this one) from the quantity history, and next
    month after cancellations and scheduled reductions."""
    authorize(actor, Action.VIEW, customer_id)
    months = max(1, min(months, 120))
    today = ctx.today()
    async with ctx.uow(write=False) as uow:
        customer = await uow.customers.get(customer_id)
        subs = await uow.subscriptions.for_customer(customer_id)
        history = {
            sub.id or 0: [
                Change(r["addon_booking_id"], r["from_quantity"], r["to_quantity"], r["changed_at"])
                for r in await uow.records.history(sub.id or 0)
            ]
            for sub in subs
        }
    past = tuple(month_cost(subs, history, m, today, ctx.tz) for m in months_back(today, months))
    return CostOverview(customer.id, customer.name, past, projected_cost(subs, today))


# --- usage, buffers, preferences ---------------------------------------------------------------
async def report_usage(
    ctx: Context, actor: Actor, customer_id: str, sku: str, assigned: int
) -> SeatReport:
    """The service desk enters the seats the tenant has assigned (manual provisioning)."""
    authorize(actor, Action.PROVISION, customer_id)
    if (
        isinstance(assigned, bool)
        or not isinstance(assigned, int)
        or not 0 <= assigned <= SYSTEM_MAX_QUANTITY
    ):
        raise errors.InvalidQuantity(assigned, 0, SYSTEM_MAX_QUANTITY)
    async with ctx.uow() as uow:
        customer = await uow.customers.get(customer_id, lock=True)
        catalogue = await uow.catalogue.load()
        catalogue.product(sku)  # ProductNotFound for an unknown SKU
        report = SeatReport(sku, assigned, ctx.now(), "manual")
        await uow.seats.report(customer.id, report)
        await uow.records.audit(
            ctx.audit(actor, customer.id, "seats.report", f"product:{sku}", assigned=assigned)
        )
        await uow.commit()
    return report


async def set_spare(ctx: Context, actor: Actor, customer_id: str, sku: str, spare: int) -> int:
    """Seats of a product the customer keeps free; hints and reductions leave them (admins)."""
    authorize(actor, Action.CHANGE, customer_id)
    if isinstance(spare, bool) or not isinstance(spare, int) or not 0 <= spare <= MAX_SPARE:
        raise errors.InvalidSpare(spare, MAX_SPARE)
    async with ctx.uow() as uow:
        customer = await uow.customers.get(customer_id, lock=True)
        (await uow.catalogue.load()).product(sku)
        await uow.seats.set_buffer(customer.id, sku, spare)
        await uow.records.audit(
            ctx.audit(actor, customer.id, "seats.spare", f"product:{sku}", spare=spare)
        )
        await uow.commit()
    return spare


@dataclass(frozen=True)
class SeatSettings:
    hints: bool
    spare: dict[str, int]  # per SKU of a running subscription (0 when none set)
    names: dict[str, str]


async def seat_settings(ctx: Context, actor: Actor) -> SeatSettings:
    """An admin's hint preference and the customer's buffers per booked product."""
    authorize(actor, Action.CHANGE, actor.customer_id)
    assert actor.customer_id is not None
    assert actor.user_id is not None
    async with ctx.uow(write=False) as uow:
        wanted = await uow.seats.hints_wanted(actor.user_id)
        buffers = await uow.seats.buffers(actor.customer_id)
        subs = await uow.subscriptions.for_customer(actor.customer_id)
    running = [s for s in subs if s.effective_status(ctx.today()) is not Status.ENDED]
    return SeatSettings(
        wanted,
        {s.product_sku: buffers.get(s.product_sku, 0) for s in running},
        {s.product_sku: s.product_name for s in running},
    )


async def set_hints(ctx: Context, actor: Actor, wanted: bool) -> bool:
    """The admin's own choice: month-end hints on or off."""
    authorize(actor, Action.CHANGE, actor.customer_id)
    assert actor.user_id is not None
    async with ctx.uow() as uow:
        await uow.seats.set_hints(actor.user_id, wanted, ctx.now())
        await uow.records.audit(
            ctx.audit(actor, actor.customer_id, "seats.hints", f"user:{actor.user_id}", on=wanted)
        )
        await uow.commit()
    return wanted


# --- scheduling a reduction --------------------------------------------------------------------
@dataclass(frozen=True)
class ReductionScheduled:
    subscription: SubscriptionView
    old_quantity: int
    new_quantity: int
    monthly_saving: Decimal


async def schedule_reduction(
    ctx: Context,
    actor: Actor,
    subscription_id: int,
    quantity: int,
    expected_version: int | None = None,
    *,
    dry_run: bool = False,
) -> ReductionScheduled:
    """Reduce to `quantity` at the end of this month (admins); refused below the seats
    assigned now (fresh usage), the add-ons (R12) or 1. `dry_run`: the summary to confirm."""
    async with ctx.uow() as uow:
        customer, sub = await load_for_write(
            ctx, uow, actor, Action.CHANGE, subscription_id, expected_version
        )
        line = next(
            (x for x in await _lines(ctx, uow, customer.id) if x.subscription_id == sub.id), None
        )
        assigned = line.assigned if line is not None and line.known else None
        sub.schedule_reduction(quantity, ctx.today(), assigned)
        saving = _saving(sub, sub.quantity - quantity)
        result = ReductionScheduled(
            subscription_view(sub, ctx.today()), sub.quantity, quantity, saving
        )
        if dry_run:
            return result
        bump(sub)
        await uow.records.audit(
            ctx.audit(
                actor,
                customer.id,
                "subscription.schedule_reduction",
                f"subscription:{sub.id}",
                quantity=quantity,
                scheduled_for=str(sub.scheduled_for),
            )
        )
        await notices.tell(
            uow,
            ctx.now(),
            customer.id,
            SCHEDULED,
            {
                "subscription_id": sub.id,
                "product_name": sub.product_name,
                "old": sub.quantity,
                "new": quantity,
                "date": str(sub.scheduled_for),
                "saving": str(saving),
            },
            skip=actor.user_id,
        )
        await commit_write(ctx, uow, sub)
    return ReductionScheduled(
        subscription_view(sub, ctx.today()), result.old_quantity, quantity, saving
    )


def _saving(sub: Subscription, seats: int) -> Decimal:
    return monthly_total(sub.unit_price, max(seats, 0))


async def withdraw_reduction(
    ctx: Context, actor: Actor, subscription_id: int, expected_version: int | None = None
) -> SubscriptionView:
    """Take a scheduled reduction back before it takes effect."""
    async with ctx.uow() as uow:
        customer, sub = await load_for_write(
            ctx, uow, actor, Action.CHANGE, subscription_id, expected_version
        )
        quantity, day = sub.withdraw_reduction()
        bump(sub)
        await uow.records.audit(
            ctx.audit(
                actor,
                customer.id,
                "subscription.withdraw_reduction",
                f"subscription:{sub.id}",
                quantity=quantity,
                scheduled_for=str(day),
            )
        )
        await notices.tell(
            uow,
            ctx.now(),
            customer.id,
            WITHDRAWN,
            {
                "subscription_id": sub.id,
                "product_name": sub.product_name,
                "new": quantity,
                "date": str(day),
            },
            skip=actor.user_id,
        )
        await commit_write(ctx, uow, sub)
    return subscription_view(sub, ctx.today())


# --- the month-end round -------------------------------------------------------------------------
@dataclass(frozen=True)
class Applied:
    subscription_id: int
    customer_id: str
    reduction: Reduction
    monthly_saving: Decimal


async def apply_due_reductions(ctx: Context) -> list[Applied]:
    """Every reduction scheduled for a month that has ended, re-checked against the seats
    assigned now: never below them (reduced as far as possible, or skipped), never on unknown
    or stale usage; the admins are told either way. Another worker applying the same one
    first makes this one's commit conflict: it leaves it to that worker."""
    today = ctx.today()
    async with ctx.uow(write=False) as uow:
        due = await uow.subscriptions.reductions_due(today)
    done: list[Applied] = []
    for subscription_id in due:
        try:
            applied = await _apply_one(ctx, subscription_id)
        except (errors.VersionConflict, errors.NoReductionScheduled):
            log.info("reduction of subscription %s: settled by another worker", subscription_id)
            continue
        done.append(applied)
        if applied.reduction.applied:  # counted once committed (reductions: the audit trail)
            metrics.SAVED.inc(float(applied.monthly_saving))
    return done


async def _apply_one(ctx: Context, subscription_id: int) -> Applied:
    today = ctx.today()
    async with ctx.uow() as uow:
        customer, sub = await load_for_write(
            ctx, uow, MONTH_END_ACTOR, Action.PROVISION, subscription_id, None
        )
        if not sub.reduction_due(today):
            raise errors.NoReductionScheduled()
        lines = await _lines(ctx, uow, customer.id)
        line = next((x for x in lines if x.subscription_id == sub.id), None)
        assigned = line.assigned if line is not None and line.known else None
        reduction = sub.apply_reduction(today, assigned)
        bump(sub)
        saving = _saving(sub, reduction.old - reduction.new)
        if reduction.applied:
            await uow.records.quantity_change(
                QuantityChange(
                    sub.id or 0, None, reduction.old, reduction.new, MONTH_END_ACTOR, ctx.now()
                )
            )
        await uow.records.audit(
            ctx.audit(
                MONTH_END_ACTOR,
                customer.id,
                "subscription.apply_reduction"
                if reduction.applied
                else "subscription.skip_reduction",
                f"subscription:{sub.id}",
                old=reduction.old,
                new=reduction.new,
                wanted=reduction.wanted,
                assigned=assigned,
                outcome=reduction.outcome.value,
            )
        )
        await notices.tell(
            uow,
            ctx.now(),
            customer.id,
            REDUCED if reduction.applied else SKIPPED,
            {
                "subscription_id": sub.id,
                "product_name": sub.product_name,
                "old": reduction.old,
                "new": reduction.new,
                "wanted": reduction.wanted,
                "assigned": assigned,
                "outcome": reduction.outcome.value,
                "date": str(reduction.scheduled_for),
                "saving": str(saving),
                "monthly_total": str(sub.monthly_total),
            },
        )
        await commit_write(ctx, uow, sub)
    return Applied(subscription_id, customer.id, reduction, saving)


# --- the month-end hint --------------------------------------------------------------------------
async def send_hints(ctx: Context) -> list[str]:
    """From SEAT_HINT_DAYS before the month end: each customer with seats to spare beyond
    its buffer (fresh usage, nothing scheduled yet) gets one hint this month, to every admin
    who wants hints; returns the customers hinted in this round."""
    today = ctx.today()
    if not ctx.seats.hint_due(today):
        return []
    month = f"{today:%Y-%m}"
    async with ctx.uow(write=False) as uow:
        customers = [c for c, _ in await uow.customers.directory()]
    hinted: list[str] = []
    for customer_id in customers:
        try:
            if await _hint_one(ctx, customer_id, month):
                hinted.append(customer_id)
        except errors.Duplicate:  # another worker recorded the month's hint first
            continue
    return hinted


async def _hint_one(ctx: Context, customer_id: str, month: str) -> bool:
    async with ctx.uow() as uow:
        if await uow.seats.hinted(customer_id, month):
            return False
        lines = [
            x
            for x in await _lines(ctx, uow, customer_id)
            if x.reducible > 0 and not x.scheduled and x.status is Status.PROVISIONED
        ]
        if not lines:
            return False
        admins = [
            a.id
            for a in await uow.users.of_customer(customer_id, Role.ADMIN)
            if a.id is not None and a.channel in notices.PUSH_CHANNELS
        ]
        wanted = [a for a in admins if await uow.seats.hints_wanted(a)]
        if not wanted:
            return False
        saving = sum((x.monthly_saving for x in lines), Decimal(0))
        if not await uow.seats.claim_hint(customer_id, month, ctx.now(), saving):
            return False
        payload = {
            "date": str(last_of_month(ctx.today())),
            "lines": [
                {
                    "subscription_id": x.subscription_id,
                    "product_name": x.name,
                    "paid": x.paid,
                    "assigned": x.assigned,
                    "unassigned": x.unassigned,
                    "target": x.target,
                    "saving": str(x.monthly_saving),
                }
                for x in lines
            ],
        }
        await uow.outbox.add(customer_id, HINT, payload, ctx.now(), wanted)
        await uow.records.audit(
            ctx.audit(HINT_ACTOR, customer_id, "seats.hint", f"month:{month}", saving=str(saving))
        )
        await uow.commit()
    return True
