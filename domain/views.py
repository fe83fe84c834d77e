"""What the front ends show: read models built from the aggregates (R1-R3, R10, R21)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from domain import errors
from domain.model import AddonBooking, Catalogue, Customer, Product, Status, Subscription
from domain.pricing import monthly_total, sum_money


@dataclass(frozen=True)
class AddonOffer:
    sku: str
    name: str
    description: dict[str, str]
    unit_price: Decimal


@dataclass(frozen=True)
class ProductOffer:
    """A catalogue entry with this customer's price (R2) and what is already booked (R6)."""

    sku: str
    name: str
    description: dict[str, str]
    unit_price: Decimal
    max_quantity: int
    addons: tuple[AddonOffer, ...]
    booked_subscription_id: int | None = None
    booked_quantity: int | None = None
    booked_status: Status | None = None


@dataclass(frozen=True)
class Quote:
    product_sku: str
    product_name: str
    quantity: int
    unit_price: Decimal
    monthly_total: Decimal
    start_date: date


@dataclass(frozen=True)
class AddonView:
    id: int
    sku: str
    name: str
    quantity: int
    status: Status
    start_date: date
    provisioned_on: date | None
    end_date: date | None
    unit_price: Decimal
    monthly_total: Decimal

    @property
    def running(self) -> bool:
        """Ordered or provisioned and not cancelled: counts as booked (R17)."""
        return self.status in (Status.ORDERED, Status.PROVISIONED)

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "sku": self.sku,
            "name": self.name,
            "quantity": self.quantity,
            "status": self.status.value,
            "start_date": _iso(self.start_date),
            "end_date": _iso(self.end_date),
            "unit_price": str(self.unit_price),
            "monthly_total": str(self.monthly_total),
        }


@dataclass(frozen=True)
class SubscriptionView:
    """One line of "Meine Bestellungen" (R10)."""

    id: int
    customer_id: str
    product_sku: str
    product_name: str
    quantity: int
    status: Status
    provisioned_on: date | None
    start_date: date
    end_date: date | None
    unit_price: Decimal
    monthly_total: Decimal
    version: int
    addons: tuple[AddonView, ...]
    scheduled_quantity: int | None = None  # a reduction at the end of `scheduled_for`'s month
    scheduled_for: date | None = None

    @property
    def running(self) -> bool:
        """Not ended: still in the monthly total and the one subscription of its product."""
        return self.status is not Status.ENDED

    @property
    def changeable(self) -> bool:
        """Quantity, add-ons and cancellation are possible (R12, R20)."""
        return self.status in (Status.ORDERED, Status.PROVISIONED)

    @property
    def withdrawable(self) -> bool:
        """A cancellation that still runs can be taken back (R20)."""
        return self.status is Status.CANCELLED

    def running_addons(self) -> list[AddonView]:
        return [a for a in self.addons if a.running]

    def addon(self, booking_id: int) -> AddonView:
        """One of its add-on bookings; a number of another subscription's is not found."""
        for addon in self.addons:
            if addon.id == booking_id:
                return addon
        raise errors.AddonNotFound(booking_id)

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "product_sku": self.product_sku,
            "product_name": self.product_name,
            "quantity": self.quantity,
            "status": self.status.value,
            "provisioned_on": _iso(self.provisioned_on),
            "start_date": _iso(self.start_date),
            "end_date": _iso(self.end_date),
            "unit_price": str(self.unit_price),
            "monthly_total": str(self.monthly_total),
            "addons": [a.as_json() for a in self.addons],
            "scheduled_quantity": self.scheduled_quantity,
            "scheduled_for": _iso(self.scheduled_for),
        }


@dataclass(frozen=True)
class OrdersOverview:
    customer_id: str
    customer_name: str
    subscriptions: tuple[SubscriptionView, ...]
    monthly_total: Decimal  # what runs this month, ended ones left out (R21)

    def running(self, product_sku: str | None = None) -> list[SubscriptionView]:
        """Subscriptions that have not ended, optionally of one product (R6: at most one)."""
        return [
            s
            for s in self.subscriptions
            if s.running and (product_sku is None or s.product_sku == product_sku)
        ]


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def addon_view(booking: AddonBooking, today: date) -> AddonView:
    return AddonView(
        id=booking.id or 0,  # 0: not saved yet (a dry run)
        sku=booking.addon_sku,
        name=booking.addon_name,
        quantity=booking.quantity,
        status=booking.effective_status(today),
        start_date=booking.start_date,
        provisioned_on=booking.provisioned_on,
        end_date=booking.end_date,
        unit_price=booking.unit_price,
        monthly_total=booking.monthly_total,
    )


def subscription_view(
    sub: Subscription, today: date, pending: AddonBooking | None = None
) -> SubscriptionView:
    """The view of `sub`; `pending` (a dry run's booking) is listed first among the add-ons."""
    assert sub.id is not None
    bookings = [pending, *(a for a in sub.addons if a is not pending)] if pending else sub.addons
    return SubscriptionView(
        id=sub.id,
        customer_id=sub.customer_id,
        product_sku=sub.product_sku,
        product_name=sub.product_name,
        quantity=sub.quantity,
        status=sub.effective_status(today),
        provisioned_on=sub.provisioned_on,
        start_date=sub.start_date,
        end_date=sub.end_date,
        unit_price=sub.unit_price,
        monthly_total=sub.monthly_total,
        version=sub.version,
        addons=tuple(addon_view(a, today) for a in bookings),
        scheduled_quantity=sub.scheduled_quantity,
        scheduled_for=sub.scheduled_for,
    )


def overview(customer: Customer, subs: Sequence[Subscription], today: date) -> OrdersOverview:
    views = tuple(subscription_view(s, today) for s in subs)
    running = [
        amount
        for v in views
        if v.running
        for amount in (
            v.monthly_total,
            *(a.monthly_total for a in v.addons if a.status is not Status.ENDED),
        )
    ]
    return OrdersOverview(customer.id, customer.name, views, sum_money(running))


def product_offer(
    catalogue: Catalogue,
    product: Product,
    customer: Customer,
    booked: Subscription | None,
    today: date,
) -> ProductOffer:
    prices = customer.price_list
    return ProductOffer(
        sku=product.sku,
        name=product.name,
        description=dict(product.description),
        unit_price=prices.unit_price(product.sku, product.list_price),
        max_quantity=product.quantity_limit,
        addons=tuple(
            AddonOffer(a.sku, a.name, dict(a.description), prices.unit_price(a.sku, a.list_price))
            for a in catalogue.addons_of(product)
        ),
        booked_subscription_id=booked.id if booked else None,
        booked_quantity=booked.quantity if booked else None,
        booked_status=booked.effective_status(today) if booked else None,
    )


def quote(product: Product, customer: Customer, quantity: int, start_date: date) -> Quote:
    unit = customer.price_list.unit_price(product.sku, product.list_price)
    return Quote(
        product.sku, product.name, quantity, unit, monthly_total(unit, quantity), start_date
    )
