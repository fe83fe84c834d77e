"""Read models as chat text: the same facts and catalogue keys as the Telegram screens."""

from __future__ import annotations

from collections.abc import Iterable

from actions.conversation import Texts
from domain.model import Status
from domain.texts.markup import plain
from domain.texts.orders import entry
from domain.views import OrdersOverview, ProductOffer, SubscriptionView


def products(texts: Texts, customer_name: str, offers: list[ProductOffer]) -> str:
    """The catalogue at this customer's prices, with what is booked (R1, R2, R6)."""
    if not offers:
        return texts("products.empty")
    lines = [texts("products.title", customer=customer_name)]
    for offer in offers:
        line = texts("products.line", name=offer.name, price=texts.money(offer.unit_price))
        if offer.booked_quantity:
            line += texts("products.booked", quantity=offer.booked_quantity)
        lines.append(line)
    return "\n".join(lines)


def details(texts: Texts, offer: ProductOffer) -> str:
    """One product: description, this customer's price, add-ons, and what is booked."""
    description = offer.description.get(texts.language) or next(
        iter(offer.description.values()), ""
    )
    lines = [
        texts("details.title", name=offer.name),
        description,
        texts("details.price", price=texts.money(offer.unit_price)),
    ]
    if offer.addons:
        lines.append(texts("details.addons", names=", ".join(a.name for a in offer.addons)))
    else:
        lines.append(texts("details.no_addons"))
    if offer.booked_subscription_id is not None and offer.booked_status is not None:
        status = texts.tr.status(offer.booked_status)
        lines.append(texts("details.booked", quantity=offer.booked_quantity, status=status))
    return "\n".join(line for line in lines if line)


def _entry(texts: Texts, sub: SubscriptionView) -> str:
    """One subscription exactly as the Telegram bot's "Meine Bestellungen" shows it (R10)."""
    return plain(entry(texts.tr, sub))


def orders(texts: Texts, overview: OrdersOverview) -> str:
    """ "Meine Bestellungen" (R10): every subscription, ended ones last, and the total."""
    header = texts("orders.title", customer=overview.customer_name)
    if not overview.subscriptions:
        return f"{header}\n\n{texts('orders.empty')}"
    subs = sorted(overview.subscriptions, key=lambda s: (s.status is Status.ENDED, s.id))
    parts = [header, *(_entry(texts, s) for s in subs)]
    parts.append(texts("orders.total", total=texts.money(overview.monthly_total)))
    return "\n\n".join(parts)


def status(texts: Texts, overview: OrdersOverview) -> str:
    """Everything running at a glance, with the monthly total."""
    lines = [texts("status_screen.title", customer=overview.customer_name)]
    running = overview.running()
    for sub in running:
        lines.append(
            texts(
                "status_screen.line",
                name=sub.product_name,
                quantity=sub.quantity,
                status=texts.tr.status(sub.status),
            )
        )
        lines += [
            texts(
                "status_screen.addon_line",
                name=a.name,
                quantity=a.quantity,
                status=texts.tr.status(a.status),
            )
            for a in sub.addons
            if a.status is not Status.ENDED
        ]
    if not running:
        lines.append(texts("status_screen.none"))
    lines.append(texts("orders.total", total=texts.money(overview.monthly_total)))
    return "\n".join(lines)


def order_lines(texts: Texts, subs: Iterable[SubscriptionView]) -> str:
    """Short lines to choose a subscription from: number, product, quantity, status."""
    return "\n".join(
        texts(
            "rasa.order_line",
            number=sub.id,
            name=sub.product_name,
            quantity=sub.quantity,
            status=texts.tr.status(sub.status),
        )
        for sub in subs
    )
