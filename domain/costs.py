"""What a customer pays per month: this month, next month, and past months rebuilt from the
quantity history (R11). Pure rules, no storage.

A month is charged with the quantity a subscription (or add-on) had at the end of that month
(the current quantity for this month), at the stored unit price, for every month from its
start date until its end date (R7, R19, R21). Next month takes cancellations and add-ons that
end this month out, and scheduled reductions in (docs/decisions.md, "Costs").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from domain.dates import first_of_month, last_of_month
from domain.model import Status, Subscription
from domain.pricing import monthly_total, sum_money


@dataclass(frozen=True)
class Change:
    """One entry of the quantity history: the booking's (None: the licences') new total."""

    addon_booking_id: int | None
    from_quantity: int
    to_quantity: int
    at: datetime


@dataclass(frozen=True)
class CostLine:
    sku: str
    name: str
    quantity: int
    unit_price: Decimal
    total: Decimal

    def as_json(self) -> dict[str, Any]:
        return {
            "sku": self.sku,
            "name": self.name,
            "quantity": self.quantity,
            "total": str(self.total),
        }


@dataclass(frozen=True)
class MonthCost:
    month: date  # its first day
    lines: tuple[CostLine, ...]
    projected: bool = False  # next month: what will be charged as things stand

    @property
    def total(self) -> Decimal:
        return sum_money(line.total for line in self.lines)

    @property
    def key(self) -> str:
        return f"{self.month:%Y-%m}"

    def as_json(self) -> dict[str, Any]:
        return {
            "month": self.key,
            "total": str(self.total),
            "lines": [line.as_json() for line in self.lines],
            "projected": self.projected,
        }


@dataclass(frozen=True)
class CostOverview:
    customer_id: str
    customer_name: str
    months: tuple[MonthCost, ...]  # oldest first, ending with this month
    next_month: MonthCost

    @property
    def this_month(self) -> MonthCost:
        return self.months[-1]

    def as_json(self) -> list[dict[str, Any]]:
        return [m.as_json() for m in (*self.months, self.next_month)]


def months_back(today: date, count: int) -> list[date]:
    """The first days of the last `count` months, oldest first, ending with this month."""
    first = first_of_month(today)
    months = [first]
    while len(months) < count:
        months.append(first_of_month(months[-1] - timedelta(days=1)))
    return months[::-1]


def next_month_of(day: date) -> date:
    return last_of_month(day) + timedelta(days=1)


def quantity_at(current: int, changes: Sequence[Change], instant: datetime) -> int:
    """The quantity at `instant` from the current one and its changes (oldest first)."""
    before = [c for c in changes if c.at < instant]
    if before:
        return before[-1].to_quantity
    return changes[0].from_quantity if changes else current


def _runs_in(start: date, end: date | None, status: Status, month: date) -> bool:
    if start > last_of_month(month):
        return False
    if end is not None:
        return end >= month
    return status is not Status.ENDED


def month_cost(
    subs: Iterable[Subscription],
    history: Mapping[int, Sequence[Change]],
    month: date,
    today: date,
    tz: ZoneInfo,
) -> MonthCost:
    """What `month` (up to and including this one) costs."""
    current = month == first_of_month(today)
    end_instant = datetime.combine(next_month_of(month), time(), tz)
    lines: list[CostLine] = []
    for sub in subs:
        if not _runs_in(sub.start_date, sub.end_date, sub.status, month):
            continue
        changes = history.get(sub.id or 0, ())
        own = [c for c in changes if c.addon_booking_id is None]
        qty = sub.quantity if current else quantity_at(sub.quantity, own, end_instant)
        lines.append(
            CostLine(
                sub.product_sku,
                sub.product_name,
                qty,
                sub.unit_price,
                monthly_total(sub.unit_price, qty),
            )
        )
        for booking in sub.addons:
            if not _runs_in(booking.start_date, booking.end_date, booking.status, month):
                continue
            mine = [c for c in changes if c.addon_booking_id == booking.id]
            n = booking.quantity if current else quantity_at(booking.quantity, mine, end_instant)
            lines.append(
                CostLine(
                    booking.addon_sku,
                    booking.addon_name,
                    n,
                    booking.unit_price,
                    monthly_total(booking.unit_price, n),
                )
            )
    return MonthCost(month, _merged(lines))


def projected_cost(subs: Iterable[Subscription], today: date) -> MonthCost:
    """Next month as things stand: cancellations end, scheduled reductions take effect."""
    month = next_month_of(today)
    lines: list[CostLine] = []
    for sub in subs:
        if not _runs_in(sub.start_date, sub.end_date, sub.effective_status(today), month):
            continue
        qty = sub.quantity
        due = sub.scheduled_for
        if sub.scheduled_quantity is not None and due is not None and due < month:
            qty = sub.scheduled_quantity
        lines.append(
            CostLine(
                sub.product_sku,
                sub.product_name,
                qty,
                sub.unit_price,
                monthly_total(sub.unit_price, qty),
            )
        )
        for booking in sub.addons:
            if _runs_in(
                booking.start_date, booking.end_date, booking.effective_status(today), month
            ):
                lines.append(
                    CostLine(
                        booking.addon_sku,
                        booking.addon_name,
                        booking.quantity,
                        booking.unit_price,
                        monthly_total(booking.unit_price, booking.quantity),
                    )
                )
    return MonthCost(month, _merged(lines), projected=True)


def _merged(lines: list[CostLine]) -> tuple[CostLine, ...]:
    """One line per SKU (an ended subscription and its successor in the same month)."""
    by_sku: dict[str, CostLine] = {}
    for line in lines:
        known = by_sku.get(line.sku)
        if known is None:
            by_sku[line.sku] = line
        else:
            by_sku[line.sku] = CostLine(
                line.sku,
                line.name,
                known.quantity + line.quantity,
                line.unit_price,
                sum_money((known.total, line.total)),
            )
    return tuple(by_sku.values())
