"""The catalogue screens (R1, R2, R6): the product list and one product's details, in HTML."""

from __future__ import annotations

from collections.abc import Sequence

from domain.texts.i18n import Translator
from domain.texts.markup import escape
from domain.views import ProductOffer


def products(
    tr: Translator,
    customer_name: str,
    offers: Sequence[ProductOffer],
    page: int | None = None,
    pages: int | None = None,
) -> str:
    """The products at this customer's prices, with what is booked; `offers` are the ones on
    this page, `page` counts from 0 and the page line shows only when there are `pages` > 1."""
    if not offers:
        return tr("products.empty")
    lines = [tr("products.title", customer=escape(customer_name))]
    for offer in offers:
        line = tr("products.line", name=escape(offer.name), price=tr.money(offer.unit_price))
        if offer.booked_quantity:
            line += tr("products.booked", quantity=offer.booked_quantity)
        lines.append(line)
    if page is not None and pages is not None and pages > 1:
        lines.append(tr("products.page", page=page + 1, pages=pages))
    return "\n".join(lines)


def details(tr: Translator, offer: ProductOffer) -> str:
    """One product: description, this customer's price, its add-ons and what is booked."""
    description = offer.description.get(tr.language) or next(iter(offer.description.values()), "")
    lines = [
        tr("details.title", name=escape(offer.name)),
        escape(description),
        "",
        tr("details.price", price=tr.money(offer.unit_price)),
    ]
    if offer.addons:
        lines.append(tr("details.addons", names=", ".join(escape(a.name) for a in offer.addons)))
    else:
        lines.append(tr("details.no_addons"))
    if offer.booked_subscription_id is not None and offer.booked_status is not None:
        booked = tr(
            "details.booked", quantity=offer.booked_quantity, status=tr.status(offer.booked_status)
        )
        lines += ["", booked]
    return "\n".join(lines)
