"""What the Mini App shows (docs/miniapp.md): read-only, decided here for every front end.

An admin sees their customer's seats, monthly costs and audit trail (R25, with the consents and
their terms version, R5), open requests and their own tickets; an agent (or operator) the same
for a customer chosen in the app; a member only their own requests and tickets (R23). Another
customer's data is refused exactly like a missing customer (R24).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from domain import errors
from domain.access import Action, authorize, may
from domain.licence_requests import RequestStatus
from domain.model import Actor, Channel, Role, Status, Subscription
from domain.ports import TrailEntry, UnitOfWork
from domain.pricing import monthly_total
from domain.seats import SeatLine
from domain.services import licence_requests as request_service
from domain.services import seats
from domain.services import tickets as ticket_service
from domain.services.context import Context
from domain.services.licence_requests import RequestView
from domain.services.tickets import TicketView
from domain.tickets import TicketStatus

MONTHS = 12  # the chart: this month and the 11 before it, then next month's forecast
AUDIT_LIMIT = 200  # the newest lines the app shows; the filters narrow the rest down
# What the audit filter "what" offers: a kind groups the audit actions that start with these.
AUDIT_KINDS: dict[str, tuple[str, ...]] = {
    "orders": ("order.", "subscription.provision"),
    "changes": (
        "subscription.change_quantity",
        "addon.change_quantity",
        "subscription.schedule_reduction",
        "subscription.withdraw_reduction",
        "subscription.apply_reduction",
        "subscription.skip_reduction",
    ),
    "cancellations": (
        "subscription.cancel",
        "subscription.withdraw_cancellation",
        "subscription.end",
    ),
    "addons": ("addon.book", "addon.cancel"),
    "requests": ("request.",),
    "consents": ("consent.",),
    "people": ("user.", "invite.", "customer."),
    "tickets": ("ticket.",),
    "seats": ("seats.",),
}


@dataclass(frozen=True)
class SeatRow:
    """One product's seats (`domain/seats.py`: paid, assigned, unassigned, stale usage) and
    what is scheduled: a reduction, or a cancellation (0 from its end date)."""

    line: SeatLine
    scheduled_quantity: int | None
    scheduled_for: date | None

    @property
    def monthly_total(self) -> Decimal:
        return monthly_total(self.line.unit_price, self.line.paid)


@dataclass(frozen=True)
class MonthTotal:
    month: date  # its first day
    total: Decimal
    forecast: bool = False  # next month, after the scheduled changes


@dataclass(frozen=True)
class AuditLine:
    """Who did what when (R25): `product` names what the target is about, when known."""

    at: datetime
    who: str
    role: Role | None
    channel: Channel
    action: str
    kind: str  # one of AUDIT_KINDS, or "other"
    product: str | None
    details: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class AuditFilter:
    who: str | None = None  # exactly as listed in `AuditTrail.people`
    kind: str | None = None  # a key of AUDIT_KINDS
    since: date | None = None  # in the provider's time zone, inclusive
    until: date | None = None


@dataclass(frozen=True)
class AuditTrail:
    lines: tuple[AuditLine, ...]  # newest first, at most AUDIT_LIMIT
    people: tuple[str, ...]  # who appears in the whole trail, for the filter
    matching: int  # how many lines match the filter (may exceed AUDIT_LIMIT)


@dataclass(frozen=True)
class Dashboard:
    customer_id: str
    customer_name: str
    full: bool  # figures and audit (admins, the desk); False: a member's own requests only
    seats: tuple[SeatRow, ...]
    months: tuple[MonthTotal, ...]  # the last 12 months, then next month's forecast
    audit: AuditTrail | None
    requests: tuple[RequestView, ...]  # open ones
    tickets: tuple[TicketView, ...]  # not resolved


@dataclass(frozen=True)
class Viewer:
    """Who opened the app: the actor, and the language they chose in the chat (if any)."""

    actor: Actor
    language: str | None


async def viewer(ctx: Context, telegram_user_id: int) -> Viewer:
    """The linked person behind a Telegram user id, or NotLinked (R22)."""
    async with ctx.uow(write=False) as uow:
        user = await uow.users.by_external(Channel.TELEGRAM, str(telegram_user_id))
        if user is None:
            raise errors.NotLinked()
        chat = await uow.chats.get(telegram_user_id)  # the private chat has the user's id
    return Viewer(user.as_actor(), chat.language or user.language)


def chooses_customer(actor: Actor) -> bool:
    """The service desk has no customer of its own: it picks one in the app (R23)."""
    return actor.customer_id is None and may(actor, Action.FIND_CUSTOMERS, None)


def _customer_of(actor: Actor, customer_id: str | None) -> str:
    """The customer the app shows: the actor's own, or the one an agent chose."""
    chosen = customer_id or actor.customer_id
    if chosen is None:
        raise errors.CustomerNotFound("")  # an agent who has not chosen yet
    authorize(actor, Action.VIEW, chosen)
    return chosen


async def dashboard(ctx: Context, actor: Actor, customer_id: str | None = None) -> Dashboard:
    """Everything the Mini App's first screen shows for one customer."""
    chosen = _customer_of(actor, customer_id)
    full = may(actor, Action.DASHBOARD, chosen)
    async with ctx.uow(write=False) as uow:
        customer = await uow.customers.get(chosen)
        subs = list(await uow.subscriptions.for_customer(chosen)) if full else []
        trail = await _trail(ctx, uow, chosen, AuditFilter()) if full else None
    rows: list[SeatRow] = []
    months: list[MonthTotal] = []
    if full:  # the seats helper's figures (issue 21): one calculation for chat and app
        usage = await seats.seat_overview(ctx, actor, chosen)
        rows = _rows(usage.lines, subs, ctx.today())
        costs = await seats.cost_overview(ctx, actor, chosen, MONTHS)
        months = [MonthTotal(m.month, m.total) for m in costs.months]
        months.append(MonthTotal(costs.next_month.month, costs.next_month.total, forecast=True))
    pending = await request_service.list_requests(
        ctx, actor, chosen if full else None, RequestStatus.PENDING
    )
    return Dashboard(
        customer.id,
        customer.name,
        full,
        seats=tuple(rows),
        months=tuple(months),
        audit=trail,
        requests=tuple(r for r in pending if r.customer_id == chosen),
        tickets=tuple(await _tickets(ctx, actor, chosen)),
    )


async def audit_trail(
    ctx: Context, actor: Actor, customer_id: str | None, wanted: AuditFilter
) -> AuditTrail:
    """The customer's audit trail, filtered (admins, the desk, operators; R25)."""
    chosen = _customer_of(actor, customer_id)
    authorize(actor, Action.DASHBOARD, chosen)
    async with ctx.uow(write=False) as uow:
        await uow.customers.get(chosen)
        return await _trail(ctx, uow, chosen, wanted)


def kind_of(action: str) -> str:
    for kind, prefixes in AUDIT_KINDS.items():
        if action.startswith(prefixes):
            return kind
    return "other"


async def _trail(
    ctx: Context, uow: UnitOfWork, customer_id: str, wanted: AuditFilter
) -> AuditTrail:
    entries = await uow.records.trail(customer_id)
    subs = await uow.subscriptions.for_customer(customer_id)
    names = _target_names(subs)
    people = tuple(sorted({e.who for e in entries}, key=str.casefold))
    matching = [e for e in entries if _matches(ctx, e, wanted)]
    newest = list(reversed(matching))[:AUDIT_LIMIT]
    lines = tuple(
        AuditLine(
            at=e.at,
            who=e.who,
            role=e.role,
            channel=e.channel,
            action=e.action,
            kind=kind_of(e.action),
            product=names.get(e.target),
            details=dict(e.details),
        )
        for e in newest
    )
    return AuditTrail(lines, people, len(matching))


def _matches(ctx: Context, entry: TrailEntry, wanted: AuditFilter) -> bool:
    if wanted.who is not None and entry.who != wanted.who:
        return False
    if wanted.kind is not None and kind_of(entry.action) != wanted.kind:
        return False
    day = entry.at.astimezone(ctx.tz).date()
    if wanted.since is not None and day < wanted.since:
        return False
    return wanted.until is None or day <= wanted.until


def _target_names(subs: Sequence[Subscription]) -> dict[str, str]:
    """`subscription:7` and `product:SKU` → the product's name, `addon_booking:3` → the
    add-on's."""
    names: dict[str, str] = {}
    for sub in subs:
        names[f"subscription:{sub.id}"] = sub.product_name
        names[f"product:{sub.product_sku}"] = sub.product_name
        for booking in sub.addons:
            names[f"addon_booking:{booking.id}"] = booking.addon_name
    return names


def _rows(lines: Sequence[SeatLine], subs: Sequence[Subscription], today: date) -> list[SeatRow]:
    ends = {sub.id: sub.end_date for sub in subs if sub.effective_status(today) is Status.CANCELLED}
    rows = []
    for line in lines:
        if line.subscription_id in ends:
            rows.append(SeatRow(line, 0, ends[line.subscription_id]))
        else:
            rows.append(SeatRow(line, line.scheduled_quantity, line.scheduled_for))
    return rows


async def _tickets(ctx: Context, actor: Actor, customer_id: str) -> list[TicketView]:
    """The person's own unresolved tickets; for the desk, the chosen customer's."""
    if may(actor, Action.HANDLE_TICKETS, customer_id):
        found = await ticket_service.list_tickets(ctx, actor, customer_id)
    elif actor.user_id is None:
        return []
    else:
        found = await ticket_service.my_tickets(ctx, actor, limit=50)
    return [t for t in found if t.status is not TicketStatus.RESOLVED]
