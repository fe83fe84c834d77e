"""Texts shared by both front ends (the Telegram bot and the Rasa actions), in HTML."""

from __future__ import annotations

import html

from domain.texts.i18n import Translator
from domain.views import AddonView, SubscriptionView


def entry(tr: Translator, sub: SubscriptionView) -> str:
    """One subscription as "Meine Bestellungen" shows it (R10)."""
    none = tr("orders.none")
    lines = [
        tr(
            "orders.entry",
            name=html.escape(sub.product_name),
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
    lines += [_addon_line(tr, a) for a in sub.addons]
    return "\n".join(lines)


def _addon_line(tr: Translator, addon: AddonView) -> str:
    return tr(
        "orders.addon",
        name=html.escape(addon.name),
        quantity=addon.quantity,
        price=tr.money(addon.unit_price),
        total=tr.money(addon.monthly_total),
        status=tr.status(addon.status),
    )
