"""Commands: what a front end asks the use cases to do, already parsed into plain values."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from domain.model import Role


@dataclass(frozen=True)
class PlaceOrder:
    customer_id: str
    product_sku: str
    quantity: int
    terms_accepted: bool
    account_consent: bool
    idempotency_key: str | None = None


@dataclass(frozen=True)
class ChangeQuantity:
    subscription_id: int
    new_quantity: int
    expected_version: int | None = None
    # A reduction scheduled for the month end (issue 21): False drops it, True or None keeps
    # it (the result says so); a new total at or below it settles it.
    keep_reduction: bool | None = None


@dataclass(frozen=True)
class BookAddon:
    subscription_id: int
    addon_sku: str
    terms_accepted: bool
    quantity: int | None = None  # None: the base quantity (R17)
    expected_version: int | None = None


@dataclass(frozen=True)
class ChangeAddon:
    subscription_id: int
    booking_id: int
    new_quantity: int
    expected_version: int | None = None


@dataclass(frozen=True)
class CancelAddon:
    subscription_id: int
    booking_id: int
    expected_version: int | None = None


@dataclass(frozen=True)
class CancelSubscription:
    subscription_id: int
    expected_version: int | None = None


@dataclass(frozen=True)
class WithdrawCancellation:
    subscription_id: int
    expected_version: int | None = None


@dataclass(frozen=True)
class AddCustomer:
    customer_id: str
    name: str
    discount_percent: Decimal = Decimal(0)


@dataclass(frozen=True)
class CreateInvite:
    role: Role
    customer_id: str | None
    valid_days: int = 7


@dataclass(frozen=True)
class LinkUser:
    channel_user: str  # the channel's own id (Telegram user id, Rasa sender_id)
    code: str
    display_name: str = ""
    language: str | None = None
    # A person linked to another customer or role is moved only when they said so (issue 19);
    # `invite_ref` names the invite of that question (MoveNeedsConfirmation.ref) in place of
    # the code, so a front end need not keep the code itself.
    move: bool = False
    invite_ref: str | None = None
