"""The service desk's view of customers (R23): find one, and its card.

Agents have no customer of their own: they look one up (`find_customers`: the exact id first,
then names that read alike, misspellings included), see its orders, tickets and requests, and
prepare licence requests that the customer's admins confirm with their own consents (R5, R17).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from rapidfuzz import fuzz

from domain.access import Action, authorize
from domain.licence_requests import RequestStatus
from domain.model import Actor, Status
from domain.services.context import Context
from domain.tickets import TicketStatus
from domain.views import OrdersOverview, overview

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
