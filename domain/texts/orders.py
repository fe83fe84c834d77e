"""The order screens (R10): "Meine Bestellungen", one subscription, the status, in HTML."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Protocol

from domain.model import ConsentKind, Status
from domain.seats import SeatLine
from domain.texts import seats as seat_texts
from domain.texts.i18n import N_, Translator
from domain.texts.markup import escape
from domain.views import AddonView, OrdersOverview, SubscriptionView


def entry(tr: Translator, sub: SubscriptionView, seats: SeatLine | None = None) -> str:
    """One subscription as "Meine Bestellungen" shows it (R10), with the seats assigned
    (`seats`, when looked up) and a scheduled reduction (issue 21)."""
    none = tr("orders.none")
    lines = [
        tr(
            "orders.entry",
            name=escape(sub.product_name),
            number=sub.id,
            quantity=sub.quantity,
            status=tr.status(sub.status),
            provisioned=tr.date(sub.provisioned_on) or none,
            start=tr.date(sub.start_date),
            end=tr.date(sub.end_date) or none,
            price=tr.money(sub.unit_price),
            total=tr.money(sub.monthly_total),
        )
    ]
    if seats is not None and seats.assigned is not None and sub.status is Status.PROVISIONED:
        lines.append(tr("orders.seats", seats=seat_texts.assigned(tr, seats)))
    if sub.scheduled_quantity is not None:
        lines.append(f"⏬ {seat_texts.scheduled(tr, sub)}")
    lines += [_addon_line(tr, a) for a in sub.addons]
    return "\n".join(lines)


def _addon_line(tr: Translator, addon: AddonView) -> str:
    return tr(
        "orders.addon",
        name=escape(addon.name),
        quantity=addon.quantity,
        price=tr.money(addon.unit_price),
        total=tr.money(addon.monthly_total),
        status=tr.status(addon.status),
    )


def cancelled_along(tr: Callable[..., str], names: Sequence[str]) -> str:
    """ " and the add-on(s) …" in a cancellation question (R18): none, one or several."""
    if not names:
        return ""
    key = N_("cancel_sub.addon") if len(names) == 1 else N_("cancel_sub.addons")
    return tr(key, names=", ".join(names))


def cancel_question(
    tr: Translator,
    name: str,
    quantity: int,
    addon_names: Sequence[str],
    end: date | None,
    asks: bool = False,
) -> str:
    """ "<product> kündigen?" with quantity, add-ons along and end date (R18-R20): the
    confirmation, a member's request before sending and the admins' card say it alike;
    `asks`: a member's, sent to the admins as a request (R23)."""
    text = tr(
        "cancel_sub.ask",
        name=escape(name),
        quantity=quantity,
        addons=cancelled_along(tr, [escape(n) for n in addon_names]),
        end=tr.date(end),
    )
    return text + "\n\n" + tr("request.send_hint_no_consents") if asks else text


class Priced(Protocol):
    """The figures of a summary before a write (R3): an order's quote, an add-on booking's
    dry run, or a request's figures."""

    @property
    def quantity(self) -> int: ...
    @property
    def unit_price(self) -> Decimal: ...
    @property
    def monthly_total(self) -> Decimal: ...
    @property
    def start_date(self) -> date | None: ...


class OrderFigures(Priced, Protocol):
    @property
    def product_name(self) -> str: ...


Consents = Mapping[ConsentKind, bool]
"""The consents a write needs, each ticked or not, in the order they are shown (R5, R17)."""

_CONSENT_LINES = {
    ConsentKind.TERMS: N_("order.consent_terms"),
    ConsentKind.MICROSOFT_ACCOUNT: N_("order.consent_account"),
}


def box(ticked: bool) -> str:
    return "☑" if ticked else "☐"


def with_consents(tr: Translator, summary: str, consents: Consents | None) -> str:
    """A summary with the consents to tick below it (Telegram); without (None or none
    needed), the summary alone: Rasa asks for them one by one."""
    if not consents:
        return summary
    lines = "\n".join(tr(_CONSENT_LINES[kind], box=box(on)) for kind, on in consents.items())
    return f"{summary}\n\n{lines}"


def order_summary(tr: Translator, figures: OrderFigures, consents: Consents | None = None) -> str:
    """The card before an order (R3, R5): product, users, price per user, monthly total and
    start date; an admin's own order, a member's request and the admins' card alike."""
    text = tr("order.summary", name=escape(figures.product_name), **_figures(tr, figures))
    return with_consents(tr, text, consents)


def addon_summary(
    tr: Translator, name: str, product: str, figures: Priced, consents: Consents | None = None
) -> str:
    """The card before an add-on is booked (R15, R17): the add-on for its product, users,
    price per user, monthly total and start date."""
    text = tr("addons.summary", name=escape(name), product=escape(product), **_figures(tr, figures))
    return with_consents(tr, text, consents)


def _figures(tr: Translator, figures: Priced) -> dict[str, object]:
    return {
        "quantity": figures.quantity,
        "price": tr.money(figures.unit_price),
        "total": tr.money(figures.monthly_total),
        "start": tr.date(figures.start_date),
    }


def quantity_hint(tr: Translator, summary: str) -> str:
    """An add-on's summary in Telegram: a typed number is another quantity."""
    return summary + "\n\n" + tr("addon_hint")


def listed(overview: OrdersOverview) -> list[SubscriptionView]:
    """The subscriptions in the order "Meine Bestellungen" lists them: running ones first,
    then the ended ones, each by order number."""
    return sorted(overview.subscriptions, key=lambda s: (not s.running, s.id))


def orders(
    tr: Translator,
    overview: OrdersOverview,
    shown: Sequence[SubscriptionView],
    page: int = 0,
    pages: int = 1,
) -> str:
    """ "Meine Bestellungen": the `shown` entries (one page of `listed`), the customer's
    monthly total, and the page line when there are `pages` > 1 (`page` counts from 0)."""
    header = tr("orders.title", customer=escape(overview.customer_name))
    if not overview.subscriptions:
        empty = tr("orders.empty")
        return f"{header}\n\n{empty}"
    parts = [header, *(entry(tr, s) for s in shown)]
    parts.append(tr("orders.total", total=tr.money(overview.monthly_total)))
    if pages > 1:
        parts.append(tr("orders.page", page=page + 1, pages=pages))
    return "\n\n".join(parts)


def status(
    tr: Translator, overview: OrdersOverview, seats: Mapping[int, SeatLine] | None = None
) -> str:
    """Everything running at a glance, add-ons indented, with the monthly total; seats
    assigned per subscription (`seats` by subscription id) and scheduled reductions."""
    lines = [tr("status_screen.title", customer=escape(overview.customer_name))]
    running = overview.running()
    for sub in running:
        lines.append(
            tr(
                "status_screen.line",
                name=escape(sub.product_name),
                quantity=sub.quantity,
                status=tr.status(sub.status),
            )
        )
        seat = (seats or {}).get(sub.id)
        if seat is not None and seat.assigned is not None and sub.status is Status.PROVISIONED:
            lines.append(f"   {seat_texts.assigned(tr, seat)}")
        if sub.scheduled_quantity is not None:
            lines.append(f"   ⏬ {seat_texts.scheduled(tr, sub)}")
        lines += [
            tr(
                "status_screen.addon_line",
                name=escape(a.name),
                quantity=a.quantity,
                status=tr.status(a.status),
            )
            for a in sub.addons
            if a.status is not Status.ENDED
        ]
    if not running:
        lines.append(tr("status_screen.none"))
    lines.append(tr("orders.total", total=tr.money(overview.monthly_total)))
    return "\n".join(lines)
