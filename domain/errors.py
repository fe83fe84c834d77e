"""One named exception per refused action (R4-R24).

Each carries what a front end needs to explain the refusal in the user's language: a stable
`code` (the message catalogue key) and the facts as attributes (`params()`). None of them holds
another customer's data.
"""

from __future__ import annotations

from datetime import date
from typing import Any


class DomainError(Exception):
    """Base of every refusal the domain decides."""

    code = "error"

    def params(self) -> dict[str, Any]:
        return {k: v for k, v in vars(self).items() if not k.startswith("_")}

    def __str__(self) -> str:
        details = ", ".join(f"{k}={v!r}" for k, v in self.params().items())
        return f"{self.code}({details})"


# --- identity and rights (R22-R24) ------------------------------------------------------------
class NotLinked(DomainError):
    """The chat user has not redeemed an invite yet (R22)."""

    code = "not_linked"


class InviteInvalid(DomainError):
    code = "invite_invalid"


class InviteExpired(DomainError):
    code = "invite_expired"

    def __init__(self, expired_at: date) -> None:
        self.expired_at = expired_at


class InviteUsed(DomainError):
    code = "invite_used"


class InviteRevoked(DomainError):
    """The service desk revoked the invite before anybody used it (issue 19)."""

    code = "invite_revoked"


class MoveNeedsConfirmation(DomainError):
    """The person is linked to another customer or role: the invite moves them only when they
    confirm (issue 19). `ref` names the invite for the confirmation (not the code)."""

    code = "move_needs_confirmation"

    def __init__(self, current: str, target: str, role: str, ref: str) -> None:
        self.current = current  # the person's own customer now ("" for the service desk)
        self.target = target  # the invite's customer ("" for the service desk)
        self.role = role  # the invite's role
        self._ref = ref

    @property
    def ref(self) -> str:
        return self._ref


class PermissionDenied(DomainError):
    """The role may not do this (R23). `can_request`: a member may ask an admin instead."""

    code = "permission_denied"

    def __init__(self, action: str, role: str, can_request: bool = False) -> None:
        self.action = action
        self.role = role
        self.can_request = can_request


class CustomerNotFound(DomainError):
    code = "customer_not_found"

    def __init__(self, customer_id: str) -> None:
        self.customer_id = customer_id


class CustomerExists(DomainError):
    code = "customer_exists"

    def __init__(self, customer_id: str) -> None:
        self.customer_id = customer_id


# --- catalogue (R1, R15) ------------------------------------------------------------------------
class ProductNotFound(DomainError):
    code = "product_not_found"

    def __init__(self, sku: str) -> None:
        self.sku = sku


class ProductRetired(DomainError):
    code = "product_retired"

    def __init__(self, sku: str, name: str) -> None:
        self.sku = sku
        self.name = name


class AddonNotOffered(DomainError):
    """The add-on is not offered for this product (R15); the user may ask for it (R16)."""

    code = "addon_not_offered"

    def __init__(self, addon_sku: str, product_name: str) -> None:
        self.addon_sku = addon_sku
        self.product_name = product_name


# --- quantities (R4) -----------------------------------------------------------------------------
class InvalidQuantity(DomainError):
    """Not a whole number in [minimum, maximum]."""

    code = "invalid_quantity"

    def __init__(self, value: object, minimum: int, maximum: int) -> None:
        self.value = value
        self.minimum = minimum
        self.maximum = maximum


class SeatCapExceeded(DomainError):
    """Products sharing a seat cap would together exceed it (R4)."""

    code = "seat_cap_exceeded"

    def __init__(self, cap_name: str, cap: int, in_use: int, available: int) -> None:
        self.cap_name = cap_name
        self.cap = cap
        self.in_use = in_use
        self.available = available


# --- ordering (R5, R6) ---------------------------------------------------------------------------
class ConsentMissing(DomainError):
    """One or both consents were not given (R5); `missing` names which."""

    code = "consent_missing"

    def __init__(self, missing: tuple[str, ...]) -> None:
        self.missing = missing


class AlreadySubscribed(DomainError):
    """The customer already has an active subscription of this product (R6)."""

    code = "already_subscribed"

    def __init__(self, subscription_id: int, quantity: int, status: str) -> None:
        self.subscription_id = subscription_id
        self.quantity = quantity
        self.status = status


# --- subscriptions (R10-R13, R18-R21) ---------------------------------------------------------
class SubscriptionNotFound(DomainError):
    """Unknown id, or one of another customer (never told apart, R24)."""

    code = "subscription_not_found"

    def __init__(self, subscription_id: object) -> None:
        self.subscription_id = subscription_id


class SubscriptionNotActive(DomainError):
    """The subscription is cancelled or ended, so it cannot be changed (R12, R20)."""

    code = "subscription_not_active"

    def __init__(self, status: str, end_date: date | None) -> None:
        self.status = status
        self.end_date = end_date


class QuantityUnchanged(DomainError):
    code = "quantity_unchanged"

    def __init__(self, quantity: int) -> None:
        self.quantity = quantity


class BelowAddonQuantity(DomainError):
    """The new total is below an add-on's quantity (R12): reduce or cancel the add-on first."""

    code = "below_addon_quantity"

    def __init__(self, addon_sku: str, addon_name: str, addon_quantity: int) -> None:
        self.addon_sku = addon_sku
        self.addon_name = addon_name
        self.addon_quantity = addon_quantity


class VersionConflict(DomainError):
    """Someone else changed the subscription meanwhile (R13): look again."""

    code = "version_conflict"

    def __init__(self, subscription_id: int, current_quantity: int, current_version: int) -> None:
        self.subscription_id = subscription_id
        self.current_quantity = current_quantity
        self.current_version = current_version


class AlreadyProvisioned(DomainError):
    code = "already_provisioned"

    def __init__(self, provisioned_on: date | None) -> None:
        self.provisioned_on = provisioned_on


class NotCancellable(DomainError):
    """Already cancelled or ended (R20)."""

    code = "not_cancellable"

    def __init__(self, status: str, end_date: date | None) -> None:
        self.status = status
        self.end_date = end_date


class CancellationNotWithdrawable(DomainError):
    code = "cancellation_not_withdrawable"

    def __init__(self, status: str, end_date: date | None) -> None:
        self.status = status
        self.end_date = end_date


# --- add-ons (R14-R17) -----------------------------------------------------------------------
class AddonRequiresProvisioned(DomainError):
    """Add-ons only for provisioned subscriptions (R14); `status` tells why not yet."""

    code = "addon_requires_provisioned"

    def __init__(self, status: str, product_name: str) -> None:
        self.status = status
        self.product_name = product_name


class AddonAlreadyBooked(DomainError):
    code = "addon_already_booked"

    def __init__(self, booking_id: int, quantity: int) -> None:
        self.booking_id = booking_id
        self.quantity = quantity


class AddonNotFound(DomainError):
    code = "addon_not_found"

    def __init__(self, booking_id: object) -> None:
        self.booking_id = booking_id


class AddonNotBooked(DomainError):
    """A booked add-on to change or cancel (R17) that is not booked (for that product)."""

    code = "addon_not_booked"

    def __init__(self, addon_name: str) -> None:
        self.addon_name = addon_name


class AddonExceedsBase(DomainError):
    """An add-on is per user: at most the base quantity (R17)."""

    code = "addon_exceeds_base"

    def __init__(self, base_quantity: int) -> None:
        self.base_quantity = base_quantity


# --- seats and reductions at the month end (issue 21) -----------------------------------------
class ReductionNeedsProvisioned(DomainError):
    """Seats can be counted, and reduced, once the licences are provisioned."""

    code = "reduction_needs_provisioned"

    def __init__(self, product_name: str) -> None:
        self.product_name = product_name


class ReductionNotLower(DomainError):
    code = "reduction_not_lower"

    def __init__(self, quantity: int) -> None:
        self.quantity = quantity


class BelowAssigned(DomainError):
    """A reduction may not take seats that are assigned to people."""

    code = "below_assigned"

    def __init__(self, assigned: int) -> None:
        self.assigned = assigned


class NoReductionScheduled(DomainError):
    code = "no_reduction_scheduled"


class InvalidSpare(DomainError):
    code = "invalid_spare"

    def __init__(self, value: object, maximum: int) -> None:
        self.value = value
        self.maximum = maximum


# --- service desk tickets (R26) -------------------------------------------------------------
class TicketNotFound(DomainError):
    """Unknown ticket, or one of another person (never told apart, R24)."""

    code = "ticket_not_found"

    def __init__(self, ticket_id: object) -> None:
        self.ticket_id = ticket_id


class TicketClosed(DomainError):
    """A resolved ticket takes no more messages; a new concern opens a new ticket."""

    code = "ticket_closed"

    def __init__(self, ticket_id: int) -> None:
        self.ticket_id = ticket_id


class TicketTaken(DomainError):
    """Another agent handles this ticket already."""

    code = "ticket_taken"

    def __init__(self, ticket_id: int, taken_by: str) -> None:
        self.ticket_id = ticket_id
        self.taken_by = taken_by


class TicketTextEmpty(DomainError):
    code = "ticket_text_empty"


class TicketTextTooLong(DomainError):
    code = "ticket_text_too_long"

    def __init__(self, length: int, maximum: int) -> None:
        self.length = length
        self.maximum = maximum


# --- licence requests (R23) -----------------------------------------------------------------
class RequestNotFound(DomainError):
    """Unknown request, or one of another customer (never told apart, R24)."""

    code = "request_not_found"

    def __init__(self, request_id: object) -> None:
        self.request_id = request_id


class RequestDecided(DomainError):
    """Somebody decided first: the first decision wins (R23)."""

    code = "request_decided"

    def __init__(self, request_id: int, status: str, decided_by: str) -> None:
        self.request_id = request_id
        self.status = status
        self.decided_by = decided_by


class RequestPending(DomainError):
    """The same request waits for a decision already; it is not sent twice."""

    code = "request_pending"

    def __init__(self, request_id: int) -> None:
        self.request_id = request_id


class ReasonMissing(DomainError):
    """Declining needs a reason, for the one who asked."""

    code = "reason_missing"


class ReasonTooLong(DomainError):
    code = "reason_too_long"

    def __init__(self, length: int, maximum: int) -> None:
        self.length = length
        self.maximum = maximum


# --- personal data (docs/privacy.md) ---------------------------------------------------------
class PersonUnknown(DomainError):
    """Nothing is stored about this chat identity (never linked, or forgotten already)."""

    code = "person_unknown"

    def __init__(self, channel: str, external_id: str) -> None:
        self.channel = channel
        self.external_id = external_id


# --- what storage reports to the use cases (not refusals: they decide what it means) ---------
class StorageConflict(Exception):
    """Base of what the unit of work reports instead of a database driver's exception."""


class Duplicate(StorageConflict):
    """A unique key (an idempotency key, a customer id) was taken by another transaction."""


class StaleWrite(StorageConflict):
    """An aggregate was changed by another writer since it was read (R13)."""
