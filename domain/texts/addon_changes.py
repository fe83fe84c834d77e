"""An add-on changed or cancelled on its own (R17, R19): its entry, the question, the summary
and the results, said the same way in Telegram and Rasa (Rasa shows them as plain text)."""

from __future__ import annotations

from domain.services.addons import AddonCancelled, AddonChanged
from domain.texts.i18n import Translator
from domain.texts.markup import escape
from domain.views import AddonView, SubscriptionView


def entry(tr: Translator, sub: SubscriptionView, addon: AddonView) -> str:
    """One add-on of a subscription: users, status, price and monthly total (R10, R17)."""
    return tr(
        "addon_entry.text",
        name=escape(addon.name),
        product=escape(sub.product_name),
        quantity=addon.quantity,
        status=tr.status(addon.status),
        price=tr.money(addon.unit_price),
        total=tr.money(addon.monthly_total),
    )


def ask_quantity(tr: Translator, sub: SubscriptionView, addon: AddonView) -> str:
    """The new number of users: at most the product's licences (R17)."""
    return tr(
        "addon_change.ask",
        name=escape(addon.name),
        product=escape(sub.product_name),
        quantity=addon.quantity,
        maximum=sub.quantity,
    )


def summary(tr: Translator, changed: AddonChanged) -> str:
    """Old and new users and monthly totals, before the confirmation (as R11 for products)."""
    return tr(
        "addon_change.summary",
        name=escape(changed.addon.name),
        product=escape(changed.subscription.product_name),
        old=changed.old_quantity,
        new=changed.new_quantity,
        price=tr.money(changed.addon.unit_price),
        old_total=tr.money(changed.old_total),
        new_total=tr.money(changed.addon.monthly_total),
    )


def changed(tr: Translator, result: AddonChanged) -> str:
    return tr(
        "addon_change.done",
        name=escape(result.addon.name),
        new=result.new_quantity,
        old=result.old_quantity,
    )


def cancel_question(tr: Translator, preview: AddonCancelled) -> str:
    """Names the add-on, its users and the end date (R19, R20); the product runs on."""
    return tr(
        "addon_cancel.ask",
        name=escape(preview.addon.name),
        product=escape(preview.subscription.product_name),
        quantity=preview.addon.quantity,
        end=tr.date(preview.addon.end_date),
    )


def cancelled(tr: Translator, result: AddonCancelled) -> str:
    return tr(
        "addon_cancel.done", name=escape(result.addon.name), end=tr.date(result.addon.end_date)
    )
