"""The chat's steps and the typed drafts of its writes, kept in the database between updates.

A draft is what a flow has collected so far (product, quantity, consents) and the
idempotency key of its confirmation (R9); buttons name a draft by id and revision (`ref`), and
every press is checked against it (`Turn.pressed_draft`): a message that showed other values
than an open draft now holds says it is no longer current instead of acting on them.
"""

from __future__ import annotations

import dataclasses
import json
import zlib
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar, Generic, Self, TypeVar

from domain.conversation import Draft


class Step(StrEnum):
    """Where a chat stands: what typed text means next."""

    IDLE = "idle"
    ORDER_QUANTITY = "order_quantity"
    ORDER_SUMMARY = "order_summary"
    CHANGE_QUANTITY = "change_quantity"
    CHANGE_SUMMARY = "change_summary"
    CANCEL_CONFIRM = "cancel_confirm"
    ADDON_QUANTITY = "addon_quantity"
    ADDON_CHANGE_QUANTITY = "addon_change_quantity"  # a booked add-on's new number of users
    TICKET_WRITE = "ticket_write"  # the next typed text is the concern of a new ticket
    CUSTOMER_SEARCH = "customer_search"  # service desk: the next typed text names a customer
    TICKET_ANSWER = "ticket_answer"  # service desk: the next typed text answers a ticket
    PREPARE_QUANTITY = "prepare_quantity"  # service desk: a prepared request's quantity
    REQUEST_APPROVAL = "request_approval"  # an admin ticks the consents of a request (R23)
    REQUEST_REASON = "request_reason"  # the next typed text is why a request is declined


class DraftState(StrEnum):
    OPEN = "open"
    DONE = "done"
    DISCARDED = "discarded"


@dataclass
class Form:
    """Base of the typed drafts; stored as a JSON object of its fields."""

    kind: ClassVar[str]

    def as_data(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Self | None:
        """The form stored in `data`; None when it does not fit (a forged or very old row)."""
        names = {f.name for f in dataclasses.fields(cls)}
        try:
            return cls(**{k: v for k, v in data.items() if k in names})
        except TypeError:
            return None


@dataclass
class OrderForm(Form):
    kind: ClassVar[str] = "order"
    sku: str
    quantity: int | None = None
    terms: bool = False
    account: bool = False
    asked: bool = False  # sent to the admins as a request (a member, R23); result_id: its number


@dataclass
class ChangeForm(Form):
    kind: ClassVar[str] = "change"
    subscription: int
    version: int  # the version the user saw: a change made meanwhile is a conflict (R13)
    quantity: int | None = None
    asked: bool = False


@dataclass
class CancelForm(Form):
    kind: ClassVar[str] = "cancel"
    subscription: int
    version: int
    asked: bool = False  # sent to the admins as a request (a member, R23)


@dataclass
class AddonForm(Form):
    kind: ClassVar[str] = "addon"
    subscription: int
    sku: str
    quantity: int | None = None  # None: the base quantity (R17)
    terms: bool = False
    asked: bool = False


@dataclass
class AddonChangeForm(Form):
    """A booked add-on's new number of users (R17), against the version seen (R13)."""

    kind: ClassVar[str] = "addon_change"
    subscription: int
    booking: int
    version: int
    quantity: int | None = None


@dataclass
class AddonCancelForm(Form):
    """A booked add-on cancelled on its own (R17, R19), against the version seen (R13)."""

    kind: ClassVar[str] = "addon_cancel"
    subscription: int
    booking: int
    version: int


@dataclass
class ApprovalForm(Form):
    """An admin approving a request: the consents they tick (R5, R17)."""

    kind: ClassVar[str] = "approval"
    request: int
    terms: bool = False
    account: bool = False


@dataclass
class DeclineForm(Form):
    kind: ClassVar[str] = "decline"
    request: int


@dataclass
class TicketForm(Form):
    kind: ClassVar[str] = "ticket"
    context: str  # what the user was doing when they asked for the service desk (R26)


@dataclass
class HeldForm(Form):
    """A text typed while attached to a ticket that reads like a new request: held back until
    the user says whether it is for the ticket (issue 18)."""

    kind: ClassVar[str] = "held"
    ticket: int
    text: str


@dataclass
class CustomerForm(Form):
    """The service desk's chosen customer (agents have none of their own): its card's
    buttons name this draft, never the customer id itself."""

    kind: ClassVar[str] = "customer"
    customer_id: str


@dataclass
class AnswerForm(Form):
    """An agent answers a ticket from the customer card: the next typed text is the answer."""

    kind: ClassVar[str] = "answer"
    ticket: int
    card: int  # the CustomerForm draft of the customer card it started from


@dataclass
class PrepareForm(Form):
    """A licence request the service desk prepares for a customer's admins (R23)."""

    kind: ClassVar[str] = "prepare"
    customer_id: str
    card: int  # the CustomerForm draft of the customer card it started from
    request: str = ""  # RequestKind: order | change | addon; "" until chosen
    sku: str | None = None  # the product of a new order
    subscription: int | None = None  # change, add-on
    addon: str | None = None
    quantity: int | None = None  # None for an add-on: the base quantity (R17)


@dataclass
class MoveForm(Form):
    """An invite that would move a linked person to another customer or role, asked about
    first (issue 19): the invite's reference (a hash, never the code itself)."""

    kind: ClassVar[str] = "move"
    ref: str


F = TypeVar("F", bound=Form)


@dataclass
class Drafted(Generic[F]):
    """A stored draft with its typed form."""

    draft: Draft
    form: F

    @property
    def id(self) -> int:
        return self.draft.id

    @property
    def revision(self) -> int:
        """What the form holds, as a number (CRC-32 of its fields): a screen's buttons carry
        the revision they were made for, so a press checks that the draft still holds what
        its message shows, whichever way it changed since."""
        fields = json.dumps(self.form.as_data(), sort_keys=True, separators=(",", ":"))
        return zlib.crc32(fields.encode()) & 0x7FFFFFFF

    @property
    def ref(self) -> str:
        """The draft in callback data, `<id>.<revision>` (bot/callbacks.py `Press.draft`)."""
        return f"{self.draft.id}.{self.revision}"

    @property
    def state(self) -> DraftState:
        return DraftState(self.draft.state)

    @property
    def idempotency_key(self) -> str:
        return self.draft.idempotency_key

    @property
    def result_id(self) -> int | None:
        return self.draft.result_id

    def finish(self, result_id: int | None) -> None:
        self.draft.state, self.draft.result_id = DraftState.DONE, result_id

    def discard(self) -> None:
        self.draft.state = DraftState.DISCARDED
