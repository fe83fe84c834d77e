"""What happened, said the same way in every channel: the results of the writes (docs/ux.md).

Each function takes what the use case returned and gives Telegram HTML; the Rasa actions
show it as plain text (`markup.plain`).
"""

from __future__ import annotations

from domain.services.orders import OrderPlaced
from domain.services.subscriptions import QuantityChanged
from domain.texts.i18n import Translator
from domain.texts.markup import escape
from domain.views import AddonView, SubscriptionView


def order_placed(tr: Translator, placed: OrderPlaced) -> str:
    """The order number and what happens next (R9); a repeated confirmation says so."""
    sub = placed.subscription
    if not placed.created:
        return tr("order.already_placed", number=sub.id)
    return tr(
        "order.placed",
        number=sub.id,
        quantity=sub.quantity,
        name=escape(sub.product_name),
        total=tr.money(sub.monthly_total),
        start=tr.date(sub.start_date),
    )


def change_summary(
    tr: Translator, before: SubscriptionView, preview: QuantityChanged, reduction: bool = False
) -> str:
    """What a change of quantity will do, before it is confirmed (R11): old and new quantity,
    the price per user and the old and new monthly total. With `reduction` (Telegram, whose
    buttons keep or drop it), what becomes of a reduction scheduled for the month end: the
    question whether it still stands, or that the new total settles it (issue 21)."""
    text = _change_card(tr, before, preview)
    if not reduction or preview.reduction is None:
        return text
    if preview.reduction_kept:
        quantity, day = preview.reduction
        ask = tr("change.reduction_ask", quantity=quantity, date=tr.date(day))
        return f"{text}\n\n{ask}"
    return f"{text}\n\n{reduction_note(tr, preview)}"


def _change_card(tr: Translator, before: SubscriptionView, preview: QuantityChanged) -> str:
    return tr(
        "change.summary",
        name=escape(before.product_name),
        old=before.quantity,
        new=preview.new_quantity,
        price=tr.money(before.unit_price),
        old_total=tr.money(before.monthly_total),
        new_total=tr.money(preview.subscription.monthly_total),
    )


def quantity_changed(tr: Translator, changed: QuantityChanged) -> str:
    """Old and new quantity and the new monthly total (R11)."""
    view = changed.subscription
    text = tr(
        "change.done",
        name=escape(view.product_name),
        new=changed.new_quantity,
        old=changed.old_quantity,
        total=tr.money(view.monthly_total),
    )
    note = reduction_note(tr, changed)
    return f"{text}\n{note}" if note else text


def reduction_note(tr: Translator, changed: QuantityChanged) -> str:
    """What became of a reduction scheduled for the month end (issue 21), or nothing."""
    if changed.reduction is None:
        return ""
    quantity, day = changed.reduction
    if changed.reduction_kept:
        return tr("change.reduction_kept", quantity=quantity, date=tr.date(day))
    return tr("change.reduction_dropped", quantity=quantity, date=tr.date(day))


def addon_booked(tr: Translator, addon: AddonView) -> str:
    return tr(
        "addons.done",
        name=escape(addon.name),
        quantity=addon.quantity,
        total=tr.money(addon.monthly_total),
    )


def cancelled(tr: Translator, view: SubscriptionView) -> str:
    """The cancellation and its end date (R19)."""
    return tr("cancel_sub.done", name=escape(view.product_name), end=tr.date(view.end_date))


def cancellation_withdrawn(tr: Translator, view: SubscriptionView) -> str:
    return tr("cancel_sub.withdrawn", name=escape(view.product_name))
