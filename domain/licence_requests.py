"""Licence requests (R23): a member asks, or the service desk prepares; an admin decides.

A request is what would be ordered — a new product with a quantity, a new total for a
subscription, an add-on, or a subscription's cancellation — waiting for one of the customer's
admins. Approving runs the same use case an admin's own order runs, with the consents the
admin ticks (R5, R17); nothing is ordered on a customer's behalf without them. The first
decision wins.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain import errors
from domain.model import Actor, ConsentKind

MAX_REASON = 500


class RequestKind(StrEnum):
    ORDER = "order"  # a new product with a quantity
    CHANGE = "change"  # a new total for a subscription
    ADDON = "addon"  # an add-on for a subscription
    CANCEL = "cancel"  # a subscription cancelled with its add-ons to the month end (R18, R19)


def consents_for(kind: RequestKind) -> tuple[ConsentKind, ...]:
    """What the approving admin accepts: both for a new product (R5), the terms for an add-on
    (R17), nothing beyond confirming for a change of quantity or a cancellation."""
    if kind is RequestKind.ORDER:
        return (ConsentKind.TERMS, ConsentKind.MICROSOFT_ACCOUNT)
    if kind is RequestKind.ADDON:
        return (ConsentKind.TERMS,)
    return ()


class RequestStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


class Origin(StrEnum):
    MEMBER = "member"  # a member of the customer asked (R23)
    AGENT = "agent"  # the service desk prepared it for the customer (R23)


@dataclass(eq=False)
class LicenceRequest:
    id: int | None
    customer_id: str
    kind: RequestKind
    origin: Origin
    product_sku: str
    quantity: int | None  # None for an add-on: the base quantity (R17)
    requested_by: int  # user id
    requested_by_name: str
    created_at: datetime
    subscription_id: int | None = None
    addon_sku: str | None = None
    status: RequestStatus = RequestStatus.PENDING
    decided_by: int | None = None
    decided_by_name: str = ""
    reason: str = ""
    decided_at: datetime | None = None
    result_id: int | None = None  # the subscription ordered or changed
    version: int = 1

    def _check_pending(self) -> None:
        if self.status is not RequestStatus.PENDING:
            raise errors.RequestDecided(self.id or 0, self.status.value, self.decided_by_name)

    def approve(self, admin: Actor, name: str, at: datetime, result_id: int) -> None:
        self._check_pending()
        self.status, self.result_id = RequestStatus.APPROVED, result_id
        self._decided(admin, name, at)

    def decline(self, admin: Actor, name: str, reason: str, at: datetime) -> None:
        self._check_pending()
        text = reason.strip()
        if not text:
            raise errors.ReasonMissing()
        if len(text) > MAX_REASON:
            raise errors.ReasonTooLong(len(text), MAX_REASON)
        self.status, self.reason = RequestStatus.DECLINED, text
        self._decided(admin, name, at)

    def withdraw(self, by: Actor, at: datetime) -> None:
        """The one who asked takes it back while nobody has decided; they are named as the one
        who ended it (the admins' cards then say who withdrew it)."""
        self._check_pending()
        self.status, self.decided_at, self.decided_by = RequestStatus.WITHDRAWN, at, by.user_id
        self.decided_by_name = self.requested_by_name

    def _decided(self, admin: Actor, name: str, at: datetime) -> None:
        self.decided_by, self.decided_by_name, self.decided_at = admin.user_id, name, at
