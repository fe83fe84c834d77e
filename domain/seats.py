"""Seats assigned against seats paid, and what a reduction at the month end would save.

Pure rules (no storage): the provisioning adapter reports how many seats of a product the
customer's tenant has assigned to people (Microsoft Graph `subscribedSkus.consumedUnits`
against `prepaidUnits.enabled`); a report older than the policy's maximum age is stale, shown
as such and never acted on. See docs/provisioning.md ("Seat usage").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from domain.dates import last_of_month
from domain.model import Status, Subscription
from domain.pricing import monthly_total, sum_money

MAX_SPARE = 10_000  # spare seats a customer may keep per product (a sane bound)


@dataclass(frozen=True)
class SeatPolicy:
    """When usage counts as stale and when the month-end hint goes out (SEAT_* settings)."""

    hint_days: int = 5  # SEAT_HINT_DAYS: the hint from this many days before the month end
    max_age: timedelta = timedelta(days=7)  # SEAT_USAGE_MAX_AGE_DAYS

    def hint_due(self, today: date) -> bool:
        """From `hint_days` before the last day of the month until its end."""
        return today >= last_of_month(today) - timedelta(days=self.hint_days)


@dataclass(frozen=True)
class SeatReport:
    """What the tenant says: seats of `sku` assigned to people, as of `as_of`."""

    sku: str
    assigned: int
    as_of: datetime
    source: str = ""


def newest(*reports: Iterable[SeatReport]) -> dict[str, SeatReport]:
    """Per SKU the newest report of several sources."""
    best: dict[str, SeatReport] = {}
    for source in reports:
        for report in source:
            known = best.get(report.sku)
            if known is None or report.as_of > known.as_of:
                best[report.sku] = report
    return best


@dataclass(frozen=True)
class SeatLine:
    """One subscription's seats: paid, assigned, and what the month end could save."""

    subscription_id: int
    sku: str
    name: str
    status: Status
    paid: int
    assigned: int | None  # None: no report
    as_of: datetime | None
    stale: bool
    spare: int  # the customer's buffer for this product
    floor: int  # the least quantity a reduction may leave (add-ons, R4, R12)
    unit_price: Decimal
    scheduled_quantity: int | None
    scheduled_for: date | None

    @property
    def known(self) -> bool:
        """Usage to act on: reported, fresh, and the licences are provisioned."""
        return self.assigned is not None and not self.stale

    @property
    def unassigned(self) -> int | None:
        return None if self.assigned is None else max(self.paid - self.assigned, 0)

    @property
    def target(self) -> int:
        """The quantity a reduction would leave: the seats in use plus the buffer, never
        below the add-ons or 1; the paid quantity when nothing can go."""
        if not self.known or self.status is not Status.PROVISIONED or self.assigned is None:
            return self.paid
        return min(self.paid, max(self.assigned + self.spare, self.floor, 1))

    @property
    def reducible(self) -> int:
        """Seats that could go at the month end beyond the buffer."""
        return self.paid - self.target

    @property
    def monthly_saving(self) -> Decimal:
        return monthly_total(self.unit_price, self.reducible)

    @property
    def scheduled(self) -> bool:
        return self.scheduled_quantity is not None

    def as_json(self) -> dict[str, Any]:
        return {
            "sku": self.sku,
            "name": self.name,
            "subscription_id": self.subscription_id,
            "paid": self.paid,
            "assigned": self.assigned,
            "unassigned": self.unassigned,
            "spare": self.spare,
            "unit_price": str(self.unit_price),
            "monthly_saving": str(self.monthly_saving),
            "target": self.target,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "stale": self.stale,
            "scheduled_quantity": self.scheduled_quantity,
            "scheduled_for": self.scheduled_for.isoformat() if self.scheduled_for else None,
        }


def floor_of(sub: Subscription) -> int:
    """The least total a reduction may leave: the largest running add-on, at least 1."""
    return max([1, *(a.quantity for a in sub.running_addons())])


def seat_lines(
    subs: Iterable[Subscription],
    reports: Mapping[str, SeatReport],
    spare: Mapping[str, int],
    today: date,
    now: datetime,
    policy: SeatPolicy,
) -> list[SeatLine]:
    """A line for every subscription still running (ordered ones have no seats to count)."""
    lines = []
    for sub in subs:
        status = sub.effective_status(today)
        if status is Status.ENDED:
            continue
        report = reports.get(sub.product_sku)
        lines.append(
            SeatLine(
                subscription_id=sub.id or 0,
                sku=sub.product_sku,
                name=sub.product_name,
                status=status,
                paid=sub.quantity,
                assigned=report.assigned if report else None,
                as_of=report.as_of if report else None,
                stale=report is None or now - report.as_of > policy.max_age,
                spare=spare.get(sub.product_sku, 0),
                floor=floor_of(sub),
                unit_price=sub.unit_price,
                scheduled_quantity=sub.scheduled_quantity,
                scheduled_for=sub.scheduled_for,
            )
        )
    return lines


@dataclass(frozen=True)
class SeatOverview:
    customer_id: str
    customer_name: str
    lines: tuple[SeatLine, ...]
    month_end: date

    @property
    def monthly_saving(self) -> Decimal:
        return sum_money(line.monthly_saving for line in self.lines)

    def savings(self) -> list[SeatLine]:
        """Lines where the month end could save something and nothing is scheduled yet."""
        return [line for line in self.lines if line.reducible > 0 and not line.scheduled]

    def line(self, subscription_id: int) -> SeatLine | None:
        for line in self.lines:
            if line.subscription_id == subscription_id:
                return line
        return None
