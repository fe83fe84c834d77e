"""The service desk's view of customers (R23): find one, its card, a request's figures.

Agents have no customer of their own: they look one up (`find_customers`: the exact id first,
then names that read alike, misspellings included), see its orders, tickets and requests, and
prepare licence requests that the customer's admins confirm with their own consents (R5, R17).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from rapidfuzz import fuzz

from domain import errors
from domain.access import Action, authorize
from domain.commands import BookAddon, ChangeQuantity
from domain.model import Actor, Role, Status
from domain.requests import RequestKind, RequestStatus
from domain.services import addons, catalog, subscriptions
from domain.services.context import Context
from domain.services.requests import AskRequest
from domain.tickets import TicketStatus
from domain.views import OrdersOverview, SubscriptionView, overview, subscription_view

MAX_MATCHES = 8
MIN_SCORE = 75.0  # "Acne" still finds "ACME GmbH" (75), "Xyz" finds nothing
MAX_BEHIND = 20.0  # a match this far behind the best one is left out
_WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class CustomerMatch:
    id: str
    name: str
    score: float  # 100: the exact id or name


@dataclass(frozen=True)
class CustomerSearch:
    query: str
    matches: tuple[CustomerMatch, ...]  # best first; empty: nothing reads alike

    @property
    def single(self) -> CustomerMatch | None:
        return self.matches[0] if len(self.matches) == 1 else None


def _fold(text: str) -> str:
    """Case, accents and ß folded away: "Müller" and "muller" are one spelling."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().replace("ß", "ss"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _words(text: str) -> list[str]:
    return _WORD.findall(_fold(text))


def _word_score(word: str, candidates: list[str]) -> float:
    """How well one typed word fits the best word of a name (a prefix of 3+ letters fits)."""
    best = 0.0
    for candidate in candidates:
        if len(word) >= 3 and candidate.startswith(word):
            return 100.0
        best = max(best, fuzz.ratio(word, candidate))
    return best


def _score(query: str, customer_id: str, name: str) -> float:
    words = _words(query)
    if not words:
        return 0.0
    candidates = [*_words(name), *_words(customer_id)]
    per_word = sum(_word_score(w, candidates) for w in words) / len(words)
    whole = fuzz.ratio(" ".join(words), " ".join(_words(name)))
    return max(per_word, whole)


def search(query: str, directory: list[tuple[str, str]]) -> tuple[CustomerMatch, ...]:
    """The customers a typed id or name means: an exact id or name alone, else every name
    that reads alike (R23: the desk finds a customer despite a typo), best first."""
    typed = query.strip()
    for customer_id, name in directory:
        if customer_id.casefold() == typed.casefold():
            return (CustomerMatch(customer_id, name, 100.0),)
    exact = [(i, n) for i, n in directory if _fold(n).strip() == _fold(typed)]
    if len(exact) == 1:
        return (CustomerMatch(exact[0][0], exact[0][1], 100.0),)
    scored = [CustomerMatch(i, n, _score(typed, i, n)) for i, n in directory]
    found = [m for m in scored if m.score >= MIN_SCORE]
    if not found:
        return ()
    best = max(m.score for m in found)
    found = [m for m in found if m.score >= best - MAX_BEHIND]
    found.sort(key=lambda m: (-m.score, _fold(m.name), m.id))
    return tuple(found[:MAX_MATCHES])


async def find_customers(ctx: Context, actor: Actor, query: str) -> CustomerSearch:
    """`/customer <name or id>`: only the service desk and operators search (R23, R24)."""
    authorize(actor, Action.FIND_CUSTOMERS, None)
    async with ctx.uow(write=False) as uow:
        directory = list(await uow.customers.directory())
    return CustomerSearch(query.strip(), search(query, directory))


@dataclass(frozen=True)
class CustomerCard:
    """One customer at a glance for the service desk."""

    overview: OrdersOverview
    waiting: int  # subscriptions and add-ons waiting to be provisioned
    open_tickets: int
    pending_requests: int

    @property
    def customer_id(self) -> str:
        return self.overview.customer_id

    @property
    def customer_name(self) -> str:
        return self.overview.customer_name


async def customer_card(ctx: Context, actor: Actor, customer_id: str) -> CustomerCard:
    """The card the desk opens from a search: orders, open tickets, requests waiting."""
    authorize(actor, Action.FIND_CUSTOMERS, customer_id)
    async with ctx.uow(write=False) as uow:
        customer = await uow.customers.get(customer_id)
        subs = await uow.subscriptions.for_customer(customer_id)
        tickets = await uow.tickets.find(customer_id=customer_id)
        pending = await uow.requests.find(customer_id=customer_id, status=RequestStatus.PENDING)
    orders = overview(customer, subs, ctx.today())
    waiting = sum(
        (s.status is Status.ORDERED) + sum(a.status is Status.ORDERED for a in s.addons)
        for s in orders.subscriptions
    )
    unresolved = sum(t.status is not TicketStatus.RESOLVED for t in tickets)
    return CustomerCard(orders, waiting, unresolved, len(pending))


@dataclass(frozen=True)
class RequestPreview:
    """What a prepared request would do, with this customer's prices (R2, R3, R11, R17)."""

    customer_id: str
    customer_name: str
    kind: RequestKind
    product_name: str
    quantity: int  # the order's quantity, the new total, the add-on's users
    unit_price: Decimal
    monthly_total: Decimal
    start_date: date | None = None  # a new product: the 1st of this month (R7)
    old_quantity: int | None = None  # a change
    old_total: Decimal | None = None  # a change
    addon_name: str | None = None  # an add-on


async def preview_request(ctx: Context, actor: Actor, cmd: AskRequest) -> RequestPreview:
    """The summary before the desk sends a request: every check of the write itself, run as
    the customer's admin would run it (nothing is saved; `requests.ask` checks again)."""
    authorize(actor, Action.PREPARE, cmd.customer_id)
    admin = Actor(Role.ADMIN, actor.channel, cmd.customer_id, actor.user_id, label="preview")
    async with ctx.uow(write=False) as uow:
        name = (await uow.customers.get(cmd.customer_id)).name
    if cmd.kind is RequestKind.ORDER:
        quote = await catalog.quote_order(
            ctx, admin, cmd.customer_id, cmd.product_sku or "", cmd.quantity or 0
        )
        return RequestPreview(
            cmd.customer_id,
            name,
            cmd.kind,
            product_name=quote.product_name,
            quantity=quote.quantity,
            unit_price=quote.unit_price,
            monthly_total=quote.monthly_total,
            start_date=quote.start_date,
        )
    if cmd.kind is RequestKind.CHANGE:
        before = await _subscription_of(ctx, cmd)
        changed = await subscriptions.change_quantity(
            ctx, admin, ChangeQuantity(before.id, cmd.quantity or 0), dry_run=True
        )
        return RequestPreview(
            cmd.customer_id,
            name,
            cmd.kind,
            product_name=before.product_name,
            quantity=changed.new_quantity,
            unit_price=before.unit_price,
            monthly_total=changed.subscription.monthly_total,
            old_quantity=changed.old_quantity,
            old_total=before.monthly_total,
        )
    booked = await addons.book_addon(
        ctx,
        admin,
        BookAddon(cmd.subscription_id or 0, cmd.addon_sku or "", False, cmd.quantity),
        dry_run=True,
    )
    return RequestPreview(
        cmd.customer_id,
        name,
        cmd.kind,
        product_name=booked.subscription.product_name,
        quantity=booked.addon.quantity,
        unit_price=booked.addon.unit_price,
        monthly_total=booked.addon.monthly_total,
        start_date=booked.addon.start_date,
        addon_name=booked.addon.name,
    )


async def _subscription_of(ctx: Context, cmd: AskRequest) -> SubscriptionView:
    """The subscription as it is now, and only if it belongs to the request's customer (R24)."""
    async with ctx.uow(write=False) as uow:
        sub = await uow.subscriptions.get(cmd.subscription_id or 0)
    if sub is None or sub.customer_id != cmd.customer_id:
        raise errors.SubscriptionNotFound(cmd.subscription_id)
    return subscription_view(sub, ctx.today())
