"""The service desk's screens (R23): customer search, the customer card, its orders, tickets
and requests, and the summary of a request prepared for the customer's admins."""

from __future__ import annotations

from collections.abc import Sequence

from domain.licence_requests import RequestKind
from domain.services.customers import CustomerCard, CustomerSearch
from domain.services.licence_requests import RequestFigures, RequestView
from domain.services.tickets import TicketView
from domain.texts import licence_requests as request_texts
from domain.texts import orders as order_texts
from domain.texts import tickets as ticket_texts
from domain.texts.i18n import N_, Translator
from domain.texts.markup import escape, quotable
from domain.tickets import Author
from domain.views import OrdersOverview, ProductOffer, SubscriptionView


def search_ask(tr: Translator) -> str:
    return tr("agent.search_ask")


def search_result(tr: Translator, found: CustomerSearch) -> str:
    """Nothing found (with what to try next), or which of several customers is meant."""
    if not found.matches:
        return tr("agent.search_none", query=escape(quotable(found.query)))
    return tr("agent.search_many", count=len(found.matches), query=escape(quotable(found.query)))


def card(tr: Translator, shown: CustomerCard) -> str:
    """One customer at a glance: subscriptions, what waits, tickets, requests."""
    orders = shown.overview
    lines = [
        tr("agent.card_title", name=escape(shown.customer_name), id=escape(shown.customer_id)),
        tr("agent.card_subscriptions", count=len(orders.running())),
    ]
    if shown.waiting:
        lines.append(tr("agent.card_waiting", count=shown.waiting))
    lines.append(tr("orders.total", total=tr.money(orders.monthly_total)))
    lines.append(tr("agent.card_tickets", count=shown.open_tickets))
    lines.append(tr("agent.card_requests", count=shown.pending_requests))
    return "\n".join(lines)


def orders(tr: Translator, overview: OrdersOverview, shown: Sequence[SubscriptionView]) -> str:
    """The customer's subscriptions as "Meine Bestellungen" shows them (R10), for the desk."""
    header = tr("agent.orders_title", customer=escape(overview.customer_name))
    if not overview.subscriptions:
        return f"{header}\n\n" + tr("agent.orders_empty", customer=escape(overview.customer_name))
    parts = [header, *(order_texts.entry(tr, s) for s in shown)]
    parts.append(tr("orders.total", total=tr.money(overview.monthly_total)))
    return "\n\n".join(parts)


def provisioned(tr: Translator, view: SubscriptionView, customer: str) -> str:
    return tr("agent.provisioned", number=view.id, customer=escape(customer))


def tickets(tr: Translator, customer: str, found: Sequence[TicketView]) -> str:
    if not found:
        return tr("agent.tickets_none", customer=escape(customer))
    lines = [tr("agent.tickets_title", customer=escape(customer))]
    lines += [
        tr(
            "tickets.line",
            number=t.id,
            status=ticket_texts.status(tr, t.status),
            subject=escape(t.subject),
        )
        for t in found
    ]
    return "\n".join(lines)


def requests(tr: Translator, customer: str, found: Sequence[RequestView]) -> str:
    """The customer's requests with status, who asked, and the reason of a decline."""
    if not found:
        return tr("agent.requests_none", customer=escape(customer))
    lines = [tr("agent.requests_title", customer=escape(customer))]
    for request in found:
        line = tr(
            "requests.line",
            number=request.id,
            status=tr.request_status(request.status),
            what=request_texts.what(tr, request),
            by=escape(request.requested_by_name),
        )
        if request.reason:
            line += "\n  " + tr("requests.reason", reason=escape(request.reason))
        lines.append(line)
    return "\n".join(lines)


# -- preparing a request for the customer's admins (R23)
def prepare_kind(tr: Translator, customer: str) -> str:
    return tr("agent.prepare_title", customer=escape(customer))


def pick_product(tr: Translator, customer: str, offers: Sequence[ProductOffer]) -> str:
    if not offers:
        return tr("agent.no_products", customer=escape(customer))
    lines = [tr("agent.pick_product", customer=escape(customer))]
    lines += [
        tr("products.line", name=escape(o.name), price=tr.money(o.unit_price)) for o in offers
    ]
    return "\n".join(lines)


def pick_subscription(tr: Translator, customer: str, kind: RequestKind, found: bool) -> str:
    """Which subscription a change or an add-on is for; none that fits: why (R12, R14)."""
    if found:
        return tr("agent.pick_subscription", customer=escape(customer))
    if kind is RequestKind.ADDON:
        return tr("agent.no_provisioned", customer=escape(customer))
    return tr("agent.no_subscriptions", customer=escape(customer))


def summary(tr: Translator, customer: str, figures: RequestFigures) -> str:
    """The request as the admins will be asked to confirm it (the members' summary), with
    this customer's prices, and that nothing is ordered without their consent (R5, R17)."""
    title = tr("agent.summary_title", customer=escape(customer))
    cancel = figures.kind is RequestKind.CANCEL
    key = N_("agent.summary_footer_cancel") if cancel else N_("agent.summary_footer")
    footer = tr(key, customer=escape(customer))
    return f"{title}\n\n{request_texts.summary(tr, figures)}\n\n{footer}"


def sent(tr: Translator, request: RequestView) -> str:
    return tr(
        "agent.sent",
        number=request.id,
        what=request_texts.what(tr, request),
        customer=escape(request.customer_name),
    )


SHOWN_MESSAGES = 8  # the newest messages of a ticket on its screen, each at most …
SHOWN_LENGTH = 400  # … characters (the whole conversation: the service desk group)


def ticket(tr: Translator, view: TicketView) -> str:
    """One ticket for an agent: its card (who, for whom, doing what, the concern) and the
    newest messages after it."""
    lines = [ticket_texts.desk_card(tr, view)]
    for message in view.messages[1:][-SHOWN_MESSAGES:]:
        text = message.text
        text = text if len(text) <= SHOWN_LENGTH else text[: SHOWN_LENGTH - 1] + "…"
        if message.author is Author.AGENT:
            line = tr("agent.line_agent", name=escape(message.name), text=escape(text))
        else:
            line = tr("agent.line_customer", name=escape(view.user_name), text=escape(text))
        lines.append(line)
    if view.taken_by:
        lines.append(tr("desk.taken_by", name=escape(view.taken_by)))
    return "\n\n".join(lines)


def answer_ask(tr: Translator, view: TicketView) -> str:
    return tr(
        "agent.answer_ask",
        number=view.id,
        user=escape(view.user_name),
        customer=escape(view.customer_name),
    )


def answer_sent(tr: Translator, view: TicketView) -> str:
    if view.channel != "telegram":  # the customer reads it when they ask (Rasa)
        return tr("desk.stored_only", number=view.id, user=escape(view.user_name))
    return tr("agent.answer_sent", number=view.id, user=escape(view.user_name))
