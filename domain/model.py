"""The pure domain model: catalogue, customers, people, subscriptions and their rules.

No storage, chat or Rasa import here. Every rule about data (R4-R21) is decided in this module
or in `dates`/`pricing`; the use cases only load, call and save.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from zoneinfo import ZoneInfo

from domain import errors
from domain.dates import DEFAULT_TIMEZONE, first_of_month, last_of_month, local_today
from domain.pricing import PriceList, monthly_total

PROVIDER_ZONE = ZoneInfo(DEFAULT_TIMEZONE)

# A sane upper bound for any quantity, so that 10^12 is a refusal and not an invoice (R4).
SYSTEM_MAX_QUANTITY = 100_000


class Role(StrEnum):
    ADMIN = "admin"
    MEMBER = "member"
    AGENT = "agent"
    OPERATOR = "operator"  # the provider's own command line


class Channel(StrEnum):
    TELEGRAM = "telegram"
    RASA = "rasa"
    CLI = "cli"
    SYSTEM = "system"  # scheduled jobs


class Status(StrEnum):
    ORDERED = "ordered"
    PROVISIONED = "provisioned"
    CANCELLED = "cancelled"
    ENDED = "ended"


class ConsentKind(StrEnum):
    TERMS = "terms"
    MICROSOFT_ACCOUNT = "microsoft_account"


# --- catalogue ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class SeatCap:
    """Several products that share one maximum of users per customer (R4)."""

    id: str
    name: str
    max_quantity: int


@dataclass(frozen=True)
class Addon:
    sku: str
    name: str
    description: Mapping[str, str]
    list_price: Decimal
    retired: bool = False


@dataclass(frozen=True)
class Product:
    sku: str
    name: str
    description: Mapping[str, str]
    list_price: Decimal
    addon_skus: tuple[str, ...] = ()
    max_quantity: int | None = None
    seat_cap: SeatCap | None = None
    retired: bool = False
    position: int = 0

    @property
    def quantity_limit(self) -> int:
        """Largest quantity one subscription of this product may have (R4)."""
        if self.max_quantity is None:
            return SYSTEM_MAX_QUANTITY
        return min(self.max_quantity, SYSTEM_MAX_QUANTITY)

    def offers(self, addon_sku: str) -> bool:
        return addon_sku in self.addon_skus


@dataclass(frozen=True)
class Catalogue:
    products: Mapping[str, Product]
    addons: Mapping[str, Addon]

    def product(self, sku: str) -> Product:
        try:
            return self.products[sku]
        except KeyError:
            raise errors.ProductNotFound(sku) from None

    def orderable_product(self, sku: str) -> Product:
        product = self.product(sku)
        if product.retired:
            raise errors.ProductRetired(product.sku, product.name)
        return product

    def listed(self) -> list[Product]:
        """Products a customer can order, in catalogue order (R1)."""
        return sorted(
            (p for p in self.products.values() if not p.retired),
            key=lambda p: (p.position, p.name),
        )

    def addons_of(self, product: Product) -> list[Addon]:
        """The add-ons offered for a product (R15), retired ones left out."""
        return [
            self.addons[sku]
            for sku in product.addon_skus
            if sku in self.addons and not self.addons[sku].retired
        ]

    def offered_addon(self, product: Product, addon_sku: str) -> Addon:
        addon = self.addons.get(addon_sku)
        if addon is None or addon.retired or not product.offers(addon_sku):
            raise errors.AddonNotOffered(addon_sku, product.name)
        return addon


# --- customers and people ----------------------------------------------------------------------
@dataclass(eq=False)
class Customer:
    id: str
    name: str
    price_list: PriceList = field(default_factory=PriceList)


@dataclass(frozen=True)
class Actor:
    """Who acts, for which customer, through which channel (R23-R25)."""

    role: Role
    channel: Channel
    customer_id: str | None
    user_id: int | None = None
    label: str = ""

    def require_customer(self) -> str:
        """The customer this person acts for; none (a service desk agent, the operator):
        `NotLinked`, as for someone who has not redeemed an invite (R22)."""
        if self.customer_id is None:
            raise errors.NotLinked()
        return self.customer_id


def require_linked(actor: Actor | None) -> Actor:
    """The actor of a linked chat user, or `NotLinked`: unknown users see only general help
    (R22)."""
    if actor is None:
        raise errors.NotLinked()
    return actor


@dataclass(eq=False)
class ChatUser:
    id: int | None
    channel: Channel
    external_id: str
    role: Role
    customer_id: str | None
    display_name: str = ""
    language: str | None = None

    def as_actor(self) -> Actor:
        return Actor(
            role=self.role,
            channel=self.channel,
            customer_id=self.customer_id,
            user_id=self.id,
            label=self.display_name or f"{self.channel}:{self.external_id}",
        )


# --- quantities (R4) ---------------------------------------------------------------------------
def check_quantity(value: object, maximum: int) -> int:
    """A whole number from 1 to `maximum`, or InvalidQuantity."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= maximum:
        raise errors.InvalidQuantity(value, 1, maximum)
    return value


def check_seat_cap(cap: SeatCap | None, in_use_elsewhere: int, requested: int) -> None:
    """Refuse when the products sharing `cap` would together exceed it (R4)."""
    if cap is not None and in_use_elsewhere + requested > cap.max_quantity:
        raise errors.SeatCapExceeded(
            cap.name,
            cap.max_quantity,
            in_use_elsewhere,
            max(cap.max_quantity - in_use_elsewhere, 0),
        )


def missing_consents(terms: bool, microsoft_account: bool) -> tuple[str, ...]:
    missing = []
    if not terms:
        missing.append(ConsentKind.TERMS.value)
    if not microsoft_account:
        missing.append(ConsentKind.MICROSOFT_ACCOUNT.value)
    return tuple(missing)


# --- subscriptions (R6-R21) ----------------------------------------------------------------------
@dataclass(eq=False)
class AddonBooking:
    id: int | None
    addon_sku: str
    addon_name: str
    quantity: int
    unit_price: Decimal
    status: Status
    start_date: date
    ordered_at: datetime
    provisioned_on: date | None = None
    end_date: date | None = None
    cancelled_with_subscription: bool = False

    def effective_status(self, today: date) -> Status:
        return _effective(self.status, self.end_date, today)

    @property
    def monthly_total(self) -> Decimal:
        return monthly_total(self.unit_price, self.quantity)

    @property
    def running(self) -> bool:
        """Ordered or provisioned, not cancelled."""
        return self.status in (Status.ORDERED, Status.PROVISIONED)


def _effective(status: Status, end_date: date | None, today: date) -> Status:
    if status is Status.CANCELLED and end_date is not None and end_date < today:
        return Status.ENDED
    return status


@dataclass(eq=False)
class Subscription:
    id: int | None
    customer_id: str
    product_sku: str
    product_name: str
    quantity: int
    unit_price: Decimal
    status: Status
    start_date: date
    ordered_at: datetime
    provisioned_on: date | None = None
    end_date: date | None = None
    cancelled_at: datetime | None = None
    version: int = 1
    idempotency_key: str | None = None
    addons: list[AddonBooking] = field(default_factory=list)
    # A reduction to take effect at the end of `scheduled_for`'s month (issue 21)
    scheduled_quantity: int | None = None
    scheduled_for: date | None = None

    # -- reading
    def effective_status(self, today: date) -> Status:
        """The status as of `today`: a cancellation past its end date has ended (R21)."""
        return _effective(self.status, self.end_date, today)

    @property
    def monthly_total(self) -> Decimal:
        return monthly_total(self.unit_price, self.quantity)

    def occupies_product(self, today: date) -> bool:
        """Counts as the one subscription of its product (R6) until it has ended."""
        return self.effective_status(today) is not Status.ENDED

    def running_addons(self) -> list[AddonBooking]:
        return [a for a in self.addons if a.running]

    def booking(self, booking_id: int) -> AddonBooking:
        for booking in self.addons:
            if booking.id == booking_id:
                return booking
        raise errors.AddonNotFound(booking_id)

    def check_changeable(self) -> None:
        """Quantity, add-ons and cancellation can change only while it runs (R12)."""
        if self.status not in (Status.ORDERED, Status.PROVISIONED):
            raise errors.SubscriptionNotActive(self.status.value, self.end_date)

    def check_addons_bookable(self) -> None:
        """Add-ons once the licences are provisioned (R14), saying when that will be."""
        if self.status is not Status.PROVISIONED:
            raise errors.AddonRequiresProvisioned(self.status.value, self.product_name)

    # -- writing
    def change_quantity(self, new_quantity: int, product: Product, seats_elsewhere: int) -> int:
        """Set a new total (R11) after the checks of R12; returns the old quantity."""
        self.check_changeable()
        check_quantity(new_quantity, product.quantity_limit)
        if new_quantity == self.quantity:
            raise errors.QuantityUnchanged(self.quantity)
        for booking in self.running_addons():
            if booking.quantity > new_quantity:
                raise errors.BelowAddonQuantity(
                    booking.addon_sku, booking.addon_name, booking.quantity
                )
        check_seat_cap(product.seat_cap, seats_elsewhere, new_quantity)
        old, self.quantity = self.quantity, new_quantity
        return old

    def provision(self, today: date) -> list[AddonBooking]:
        """Mark as provisioned today, with the add-ons that waited; returns those add-ons."""
        waiting = [a for a in self.addons if a.status is Status.ORDERED]
        if self.status is Status.ORDERED:
            self.status = Status.PROVISIONED
            self.provisioned_on = today
        elif not waiting:
            if self.status is Status.PROVISIONED:
                raise errors.AlreadyProvisioned(self.provisioned_on)
            raise errors.SubscriptionNotActive(self.status.value, self.end_date)
        for booking in waiting:
            booking.status = Status.PROVISIONED
            booking.provisioned_on = today
        return waiting

    def cancel(self, today: date, at: datetime) -> list[AddonBooking]:
        """Cancel with all running add-ons to the end of this month (R18, R19)."""
        if self.status not in (Status.ORDERED, Status.PROVISIONED):
            raise errors.NotCancellable(self.status.value, self.end_date)
        end = last_of_month(today)
        self.status = Status.CANCELLED
        self.end_date = end
        self.cancelled_at = at
        self.scheduled_quantity = self.scheduled_for = None  # everything ends anyway
        cancelled = self.running_addons()
        for booking in cancelled:
            booking.status = Status.CANCELLED
            booking.end_date = end
            booking.cancelled_with_subscription = True
        return cancelled

    def withdraw_cancellation(self, today: date) -> None:
        """Undo a cancellation while it still runs (R20), with the add-ons it took along."""
        if self.status is not Status.CANCELLED or self.effective_status(today) is Status.ENDED:
            raise errors.CancellationNotWithdrawable(
                self.effective_status(today).value, self.end_date
            )
        self.status = Status.PROVISIONED if self.provisioned_on else Status.ORDERED
        self.end_date = None
        self.cancelled_at = None
        for booking in self.addons:
            if booking.status is Status.CANCELLED and booking.cancelled_with_subscription:
                booking.status = Status.PROVISIONED if booking.provisioned_on else Status.ORDERED
                booking.end_date = None
                booking.cancelled_with_subscription = False

    def expire(self, today: date) -> bool:
        """Turn a cancellation past its end date into `ended` (R21); True if it changed."""
        changed = False
        for booking in self.addons:
            if (
                booking.effective_status(today) is Status.ENDED
                and booking.status is not Status.ENDED
            ):
                booking.status = Status.ENDED
                changed = True
        if self.effective_status(today) is Status.ENDED and self.status is not Status.ENDED:
            self.status = Status.ENDED
            changed = True
        return changed

    # -- a reduction at the month end (issue 21)
    def schedule_reduction(self, quantity: int, today: date, assigned: int | None) -> None:
        """Reduce to `quantity` at the end of this month; never below the seats assigned to
        people (`assigned`, when known), the add-ons (R12) or 1 (R4)."""
        if self.status is Status.ORDERED:
            raise errors.ReductionNeedsProvisioned(self.product_name)
        self.check_changeable()
        check_quantity(quantity, SYSTEM_MAX_QUANTITY)
        if quantity >= self.quantity:
            raise errors.ReductionNotLower(self.quantity)
        self._check_reduction_floor(quantity, assigned)
        self.scheduled_quantity = quantity
        self.scheduled_for = last_of_month(today)

    def _check_reduction_floor(self, quantity: int, assigned: int | None) -> None:
        for booking in self.running_addons():
            if booking.quantity > quantity:
                raise errors.BelowAddonQuantity(
                    booking.addon_sku, booking.addon_name, booking.quantity
                )
        if assigned is not None and quantity < assigned:
            raise errors.BelowAssigned(assigned)

    def withdraw_reduction(self) -> tuple[int, date]:
        """Take a scheduled reduction back; returns what was scheduled."""
        if self.scheduled_quantity is None or self.scheduled_for is None:
            raise errors.NoReductionScheduled()
        done = (self.scheduled_quantity, self.scheduled_for)
        self.scheduled_quantity = self.scheduled_for = None
        return done

    def reduction_due(self, today: date) -> bool:
        return self.scheduled_for is not None and self.scheduled_for < today

    def apply_reduction(self, today: date, assigned: int | None) -> Reduction:
        """At the month end: reduce as scheduled, re-checked against the seats assigned now:
        never below them (then as far as possible, or not at all); unknown or stale usage
        (`assigned` None) skips it. The schedule is settled either way."""
        wanted, due = self.scheduled_quantity, self.scheduled_for
        if wanted is None or due is None or due >= today:
            raise errors.NoReductionScheduled()
        self.scheduled_quantity = self.scheduled_for = None
        old = self.quantity
        if self.status is not Status.PROVISIONED:
            return Reduction(old, old, wanted, due, ReductionOutcome.SKIPPED_NOT_ACTIVE)
        if assigned is None:
            return Reduction(old, old, wanted, due, ReductionOutcome.SKIPPED_UNKNOWN)
        target = max(wanted, assigned, *(a.quantity for a in self.running_addons()), 1)
        if target >= old:
            return Reduction(old, old, wanted, due, ReductionOutcome.SKIPPED_IN_USE)
        self.quantity = target
        outcome = ReductionOutcome.APPLIED if target == wanted else ReductionOutcome.PARTIAL
        return Reduction(old, target, wanted, due, outcome)

    # -- add-ons (R14-R17)
    def book_addon(
        self, addon: Addon, unit_price: Decimal, quantity: int | None, today: date, at: datetime
    ) -> AddonBooking:
        self.check_addons_bookable()
        for booking in self.running_addons():
            if booking.addon_sku == addon.sku:
                raise errors.AddonAlreadyBooked(booking.id or 0, booking.quantity)
        qty = self.quantity if quantity is None else quantity
        self._check_addon_quantity(qty)
        booking = AddonBooking(
            id=None,
            addon_sku=addon.sku,
            addon_name=addon.name,
            quantity=qty,
            unit_price=unit_price,
            status=Status.ORDERED,
            start_date=first_of_month(today),
            ordered_at=at,
        )
        self.addons.append(booking)
        return booking

    def change_addon(self, booking_id: int, quantity: int) -> int:
        """New total for one add-on; returns the old quantity."""
        self.check_changeable()
        booking = self.booking(booking_id)
        if not booking.running:
            raise errors.SubscriptionNotActive(booking.status.value, booking.end_date)
        self._check_addon_quantity(quantity)
        if quantity == booking.quantity:
            raise errors.QuantityUnchanged(quantity)
        old, booking.quantity = booking.quantity, quantity
        return old

    def cancel_addon(self, booking_id: int, today: date) -> AddonBooking:
        booking = self.booking(booking_id)
        if not booking.running:
            raise errors.NotCancellable(booking.status.value, booking.end_date)
        booking.status = Status.CANCELLED
        booking.end_date = last_of_month(today)
        return booking

    def _check_addon_quantity(self, quantity: int) -> None:
        """Whole users from 1 up to the base quantity (R17); the refusal names that range."""
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
            raise errors.InvalidQuantity(quantity, 1, self.quantity)
        if quantity > self.quantity:
            raise errors.AddonExceedsBase(self.quantity)


class ReductionOutcome(StrEnum):
    APPLIED = "applied"  # as scheduled
    PARTIAL = "partial"  # more seats are in use now: reduced as far as possible
    SKIPPED_IN_USE = "skipped_in_use"  # every seat above the schedule is in use now
    SKIPPED_UNKNOWN = "skipped_unknown"  # no fresh usage to check against
    SKIPPED_NOT_ACTIVE = "skipped_not_active"  # cancelled meanwhile


@dataclass(frozen=True)
class Reduction:
    """What the month end did with a scheduled reduction."""

    old: int
    new: int
    wanted: int
    scheduled_for: date
    outcome: ReductionOutcome

    @property
    def applied(self) -> bool:
        return self.new < self.old


def check_orderable(
    catalogue: Catalogue,
    product: Product,
    quantity: int,
    subscriptions: Iterable[Subscription],
    today: date,
) -> None:
    """Everything a new order must pass before the consents: R4 and R6."""
    subscriptions = list(subscriptions)
    check_quantity(quantity, product.quantity_limit)
    for sub in subscriptions:
        if sub.product_sku == product.sku and sub.occupies_product(today):
            raise errors.AlreadySubscribed(
                sub.id or 0, sub.quantity, sub.effective_status(today).value
            )
    in_use = seats_in_cap(subscriptions, catalogue, product.seat_cap, today)
    check_seat_cap(product.seat_cap, in_use, quantity)


def new_subscription(
    customer: Customer,
    product: Product,
    quantity: int,
    today: date,
    at: datetime,
    idempotency_key: str | None,
) -> Subscription:
    """A new order: status `ordered`, starting on the 1st of this month (R7)."""
    return Subscription(
        id=None,
        customer_id=customer.id,
        product_sku=product.sku,
        product_name=product.name,
        quantity=quantity,
        unit_price=customer.price_list.unit_price(product.sku, product.list_price),
        status=Status.ORDERED,
        start_date=first_of_month(today),
        ordered_at=at,
        idempotency_key=idempotency_key,
    )


def seats_in_cap(
    subscriptions: Iterable[Subscription],
    catalogue: Catalogue,
    cap: SeatCap | None,
    today: date,
    excluding: int | None = None,
) -> int:
    """Seats the customer holds in products sharing `cap`, except subscription `excluding`.

    A cancelled subscription still holds its seats until its end date.
    """
    if cap is None:
        return 0
    total = 0
    for sub in subscriptions:
        if (excluding is not None and sub.id == excluding) or not sub.occupies_product(today):
            continue
        product = catalogue.products.get(sub.product_sku)
        if product is not None and product.seat_cap is not None and product.seat_cap.id == cap.id:
            total += sub.quantity
    return total


# --- invites (R22) -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Invite:
    id: int
    customer_id: str | None
    role: Role
    expires_at: datetime
    used_at: datetime | None
    revoked_at: datetime | None = None

    def check_redeemable(self, now: datetime, tz: ZoneInfo = PROVIDER_ZONE) -> None:
        """Single use, revocable and expiring (R22); the expiry day is told in the provider's
        zone (R8)."""
        if self.used_at is not None:
            raise errors.InviteUsed()
        if self.revoked_at is not None:
            raise errors.InviteRevoked()
        if now >= self.expires_at:
            raise errors.InviteExpired(local_today(self.expires_at, tz))


# --- records: history, consents, audit (R5, R11, R25) ---------------------------------------------
@dataclass(frozen=True)
class QuantityChange:
    subscription_id: int
    addon_booking_id: int | None
    from_quantity: int
    to_quantity: int
    actor: Actor
    changed_at: datetime


@dataclass(frozen=True)
class Consent:
    customer_id: str
    kind: ConsentKind
    terms_version: str
    actor: Actor
    given_at: datetime
    subscription_id: int | None = None
    addon_booking_id: int | None = None


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    actor: Actor
    customer_id: str | None
    action: str
    target: str
    details: Mapping[str, object] = field(default_factory=dict)
