"""Compact callback data (≤ 64 bytes): `<prefix>:<arg>:<arg>`; every press is re-checked.

The arguments of a prefix are built and read through its typed dataclass (below the prefixes),
never by position: `Booking(sub, addon).data(ADDON_ENTRY)`, `turn.pressed(Booking).booking_id`.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import ClassVar, Self, get_type_hints

MAX_BYTES = 64
MAX_ID = 2**31 - 1  # ids are 32-bit in the database


@dataclass(frozen=True)
class Press:
    prefix: str
    args: tuple[str, ...]

    def number(self, index: int) -> int | None:
        """Argument `index` as an id-sized non-negative int, None when missing or forged."""
        return _id(self.text(index))

    def draft(self, index: int) -> tuple[int, int | None] | None:
        """Argument `index` as a draft reference `<id>.<revision>` (`Drafted.ref`): the draft and
        the revision the pressed message showed; a bare `<id>` (older buttons) has None."""
        draft, dot, revision = (self.text(index) or "").partition(".")
        number = _id(draft)
        if number is None or not dot:
            return None if number is None else (number, None)
        checked = _id(revision)
        return None if checked is None else (number, checked)

    def text(self, index: int) -> str | None:
        try:
            return self.args[index]
        except IndexError:
            return None


def _id(text: str | None) -> int | None:
    if not text or not text.isascii() or not text.isdigit() or len(text) > 10:
        return None
    return int(text) if int(text) <= MAX_ID else None


def data(prefix: str, *args: object) -> str:
    encoded = ":".join((prefix, *(str(a) for a in args)))
    if len(encoded.encode()) > MAX_BYTES:
        raise ValueError(f"callback data too long: {encoded!r}")
    return encoded


def parse(raw: str | None) -> Press:
    parts = (raw or "").split(":")
    return Press(parts[0], tuple(parts[1:]))


# Prefixes. Patterns in handlers are anchored to these (`^o:`). A `<draft>` argument is a
# draft reference `<id>.<revision>` (`Drafted.ref`): a press on a message that showed other
# values than the draft holds now is stale (it never acts on what a newer message shows).
MENU = "m"
HELP = "h"
LANGUAGE = "l"
SUPPORT = "sd"
PRODUCTS = "p"  # p:<page>
PRODUCT = "pd"  # pd:<sku>
ORDER_NEW = "on"  # on:<sku>
ORDER_QTY = "oq"  # oq:<draft>:<n>
ORDER_TERMS = "ot"  # ot:<draft>
ORDER_ACCOUNT = "oa"  # oa:<draft>
ORDER_CONFIRM = "oc"  # oc:<draft>
ORDER_BACK = "ob"  # ob:<draft>  back to quantity
ORDERS = "s"  # s:<page>
SUBSCRIPTION = "sv"  # sv:<subscription>
CHANGE_NEW = "cn"  # cn:<subscription>
CHANGE_QTY = "cq"  # cq:<draft>:<n>
CHANGE_CONFIRM = "cc"  # cc:<draft>[:<1 keep | 0 drop a scheduled reduction>]
ADDONS = "al"  # al:<subscription>
ADDON_NEW = "an"  # an:<subscription>:<addon sku>
ADDON_TERMS = "at"  # at:<draft>
ADDON_CONFIRM = "ac"  # ac:<draft>
ADDON_REQUEST = "ar"  # ar:<subscription>  add-on not listed → service desk (R16)
ADDON_ENTRY = "ae"  # ae:<subscription>:<booking>  a booked add-on, to change or cancel (R17)
ADDON_CHANGE = "ag"  # ag:<subscription>:<booking>  its new number of users
ADDON_CHANGE_QTY = "au"  # au:<draft>:<n>
ADDON_CHANGE_CONFIRM = "ay"  # ay:<draft>
ADDON_CANCEL_ASK = "ak"  # ak:<subscription>:<booking>
ADDON_CANCEL_CONFIRM = "az"  # az:<draft>
CANCEL_ASK = "ka"  # ka:<subscription>
CANCEL_CONFIRM = "kc"  # kc:<draft>
WITHDRAW = "kw"  # kw:<subscription>:<version>
STATUS = "st"
TICKETS = "tl"  # the user's tickets
TICKET_TAKE = "tt"  # tt:<ticket>  (service desk group)
TICKET_RESOLVE = "tr"  # tr:<ticket>  (service desk group)
ORDER_SEND = "os"  # os:<draft>  a member sends the order to the admins as a request (R23)
CHANGE_SEND = "cs"  # cs:<draft>
ADDON_SEND = "as"  # as:<draft>
REQUESTS = "rl"  # the customer's requests (admins) or one's own (members)
REQUEST_VIEW = "rv"  # rv:<request>  its card with Approve / Decline
REQUEST_APPROVE = "ra"  # ra:<request>  the summary with the consents to tick
REQUEST_TERMS = "rt"  # rt:<draft>
REQUEST_ACCOUNT = "rc"  # rc:<draft>
REQUEST_CONFIRM = "ry"  # ry:<draft>  approve: the write runs with the admin's consents
REQUEST_DECLINE = "rd"  # rd:<request>  asks for the reason
REQUEST_WITHDRAW = "rw"  # rw:<request>  the member who asked takes it back
FREE_TEXT = "fx"  # fx:<reading>:<product(s)>:<addon(s)>:<quantity>:<relative>, or fx:-
# The service desk's customer tools (bot/handlers/agent.py); <card> is a CustomerForm draft,
# <prep> a PrepareForm draft.
CUSTOMER_FIND = "gf"  # ask for a name or id
CUSTOMER = "gc"  # gc:<card>
CUSTOMER_ORDERS = "go"  # go:<card>
CUSTOMER_SUBSCRIPTION = "gs"  # gs:<card>:<subscription>
CUSTOMER_PROVISION = "gp"  # gp:<card>:<subscription>
CUSTOMER_TICKETS = "gt"  # gt:<card>
CUSTOMER_REQUESTS = "gr"  # gr:<card>
CUSTOMER_TICKET = "gk"  # gk:<card>:<ticket>  one ticket's conversation
CUSTOMER_TICKET_ANSWER = "gn"  # gn:<card>:<ticket>  the next typed text answers it
PREPARE = "xn"  # xn:<card>  a new request for the customer
PREPARE_KIND = "xk"  # xk:<prep>:<order|change|addon>
PREPARE_PRODUCT = "xp"  # xp:<prep>:<sku>
PREPARE_SUBSCRIPTION = "xs"  # xs:<prep>:<subscription>
PREPARE_ADDON = "xa"  # xa:<prep>:<addon sku>
PREPARE_QTY = "xq"  # xq:<prep>:<n>
PREPARE_SEND = "xx"  # xx:<prep>
FORGET_ASK = "fa"  # "delete my data" (docs/privacy.md): the confirmation question
FORGET_CONFIRM = "fc"  # yes, delete
FORGET_KEEP = "fk"  # no, keep everything
MOVE_CONFIRM = "mv"  # mv:<draft>  an invite moves the linked person to another customer
MOVE_KEEP = "mk"  # mk:<draft>  stay where one is; the invite stays unused
TICKET_SEND = "tx"  # tx:<draft>  a typed text held back while asking: send it to the ticket
TICKET_WRITE = "tw"  # tw:<ticket>  typed text goes to this open ticket again
# Seats and costs (issue 21, bot/handlers/seats.py)
COSTS = "zc"  # the /costs screen
COSTS_CSV = "zv"  # the months as a CSV document
REDUCE_ASK = "za"  # za:<subscription>:<quantity>  summary of a reduction at the month end
REDUCE_CONFIRM = "zy"  # zy:<subscription>:<quantity>:<version>
REDUCE_LATER = "zn"  # "Nicht jetzt"
REDUCE_WITHDRAW = "zw"  # zw:<subscription>:<version>
SETTINGS = "zs"  # /settings
SETTINGS_HINTS = "zh"  # zh:<1|0>
SETTINGS_SPARE = "zp"  # zp:<sku>:<spare seats>

# Presses that leave every mode (a question, ticket mode, a customer search), like commands:
# the main menu and its entries (bot/turn.py).
NAVIGATION = frozenset(
    {MENU, HELP, LANGUAGE, SUPPORT, PRODUCTS, ORDERS, STATUS, TICKETS, REQUESTS, CUSTOMER_FIND}
    | {COSTS, SETTINGS}
)


# Typed arguments, one small dataclass per shape of data. `Quantity(draft.ref, 5).data(ORDER_QTY)`
# builds a button's data, `Quantity.read(press)` (or `turn.pressed(cb.Quantity)`) reads it back;
# a press whose prefix is not one of the class's, or whose arguments are missing, malformed or
# too many (an old or forged button), raises StaleButton (the stale-button screen). Field types:
# `int` an id-sized non-negative number, `str` a non-empty text, `bool` 1 or 0; `X | None` only
# last, may be left out. A `draft` or `card` field is a draft reference (`Drafted.ref`),
# checked by `Turn.pressed_draft`.


class StaleButton(Exception):
    """A button that no longer fits (old message, finished draft, forged data)."""


@dataclass(frozen=True)
class Args:
    PREFIXES: ClassVar[frozenset[str]] = frozenset()

    def data(self, prefix: str) -> str:
        if prefix not in self.PREFIXES:
            raise ValueError(f"{type(self).__name__} is not the data of {prefix!r}")
        values = [getattr(self, f.name) for f in fields(self)]
        while values and values[-1] is None:
            values.pop()
        return data(prefix, *(int(v) if isinstance(v, bool) else v for v in values))

    @classmethod
    def read(cls, press: Press) -> Self:
        shape = _shape(cls)
        if press.prefix not in cls.PREFIXES or len(press.args) > len(shape):
            raise StaleButton()
        return cls(*(_decode(kind, press.text(i)) for i, kind in enumerate(shape)))


_SHAPES: dict[type[Args], tuple[object, ...]] = {}


def _shape(cls: type[Args]) -> tuple[object, ...]:
    """The types of `cls`'s fields, in order."""
    if cls not in _SHAPES:
        hints = get_type_hints(cls)
        _SHAPES[cls] = tuple(hints[f.name] for f in fields(cls))
    return _SHAPES[cls]


def _decode(kind: object, text: str | None) -> object:
    if text is None and kind in (int | None, str | None, bool | None):
        return None
    value: object = None
    if kind in (int, int | None):
        value = _id(text)
    elif kind in (str, str | None):
        value = text or None
    elif kind in (bool, bool | None) and text in ("0", "1"):
        value = text == "1"
    if value is None:
        raise StaleButton()
    return value


@dataclass(frozen=True)
class Page(Args):
    PREFIXES = frozenset({PRODUCTS, ORDERS})
    page: int


@dataclass(frozen=True)
class Sku(Args):
    PREFIXES = frozenset({PRODUCT, ORDER_NEW})
    sku: str


@dataclass(frozen=True)
class Language(Args):
    PREFIXES = frozenset({LANGUAGE})
    code: str | None = None  # none: the choice of languages


@dataclass(frozen=True)
class Subscription(Args):
    PREFIXES = frozenset({SUBSCRIPTION, CHANGE_NEW, ADDONS, ADDON_REQUEST, CANCEL_ASK})
    subscription_id: int


@dataclass(frozen=True)
class AddonChoice(Args):
    PREFIXES = frozenset({ADDON_NEW})
    subscription_id: int
    addon_sku: str


@dataclass(frozen=True)
class Booking(Args):
    PREFIXES = frozenset({ADDON_ENTRY, ADDON_CHANGE, ADDON_CANCEL_ASK})
    subscription_id: int
    booking_id: int


@dataclass(frozen=True)
class Versioned(Args):
    """The subscription's version the pressed message showed (a newer change makes it stale)."""

    PREFIXES = frozenset({WITHDRAW, REDUCE_WITHDRAW})
    subscription_id: int
    version: int | None = None


@dataclass(frozen=True)
class Reduction(Args):
    PREFIXES = frozenset({REDUCE_ASK, REDUCE_CONFIRM})
    subscription_id: int
    quantity: int
    version: int | None = None  # REDUCE_CONFIRM: the version the summary showed


@dataclass(frozen=True)
class Ticket(Args):
    PREFIXES = frozenset({TICKET_TAKE, TICKET_RESOLVE, TICKET_WRITE})
    ticket_id: int


@dataclass(frozen=True)
class Request(Args):
    PREFIXES = frozenset({REQUEST_VIEW, REQUEST_APPROVE, REQUEST_DECLINE, REQUEST_WITHDRAW})
    request_id: int


@dataclass(frozen=True)
class Quantity(Args):
    PREFIXES = frozenset({ORDER_QTY, CHANGE_QTY, ADDON_CHANGE_QTY, PREPARE_QTY})
    draft: str
    quantity: int


@dataclass(frozen=True)
class ChangeConfirm(Args):
    PREFIXES = frozenset({CHANGE_CONFIRM})
    draft: str
    keep_reduction: bool | None = None  # asked only while a reduction is scheduled (issue 21)


@dataclass(frozen=True)
class CardSubscription(Args):
    PREFIXES = frozenset({CUSTOMER_SUBSCRIPTION, CUSTOMER_PROVISION})
    card: str
    subscription_id: int


@dataclass(frozen=True)
class CardTicket(Args):
    PREFIXES = frozenset({CUSTOMER_TICKET, CUSTOMER_TICKET_ANSWER})
    card: str
    ticket_id: int


@dataclass(frozen=True)
class PrepareKind(Args):
    PREFIXES = frozenset({PREPARE_KIND})
    draft: str  # the PrepareForm draft
    kind: str | None = None  # a RequestKind's value; none: the choice of kinds


@dataclass(frozen=True)
class PrepareSku(Args):
    """The product (PREPARE_PRODUCT) or add-on (PREPARE_ADDON) of a prepared request."""

    PREFIXES = frozenset({PREPARE_PRODUCT, PREPARE_ADDON})
    draft: str  # the PrepareForm draft
    sku: str


@dataclass(frozen=True)
class PrepareSubscription(Args):
    PREFIXES = frozenset({PREPARE_SUBSCRIPTION})
    draft: str  # the PrepareForm draft
    subscription_id: int


@dataclass(frozen=True)
class Hints(Args):
    PREFIXES = frozenset({SETTINGS_HINTS})
    on: bool


@dataclass(frozen=True)
class Spare(Args):
    PREFIXES = frozenset({SETTINGS_SPARE})
    sku: str
    spare: int
