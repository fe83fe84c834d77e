"""Compact callback data (≤ 64 bytes): `<prefix>:<arg>:<arg>`; every press is re-checked."""

from __future__ import annotations

from dataclasses import dataclass

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
