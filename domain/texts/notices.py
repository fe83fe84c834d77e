"""Notifications in words: every kind the outbox delivers, rendered once (Telegram HTML).

A notice is rendered when it is delivered, in the recipient's language of that moment, from
the ids and figures its payload holds (domain/services/notifications.py).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from domain.licence_requests import RequestKind
from domain.ports import Notification
from domain.services import notifications as kinds
from domain.services import seats as seat_kinds
from domain.texts import seats as seat_texts
from domain.texts.i18n import Translator
from domain.texts.markup import escape


class UnknownNotice(ValueError):
    """A kind this version cannot say (written by a newer version): it waits for one that can."""


def notice(tr: Translator, notification: Notification) -> str:
    """The message for one person."""
    p = notification.payload
    kind = notification.kind
    name = escape(str(p.get("product_name", "")))
    number = p.get("subscription_id", "")
    if kind == kinds.PROVISIONED:
        text = tr(
            "notify.provisioned",
            name=name,
            quantity=int(p.get("quantity", 0)),
            number=number,
            date=_date(tr, p.get("provisioned_on")),
        )
        if p.get("addons_offered", True):  # older notices do not say: as they were written
            text += " " + tr("notify.provisioned_addons")
        addons = _names(p)
        return text + ("\n" + tr("notify.addons", names=addons) if addons else "")
    if kind == kinds.ADDONS_PROVISIONED:
        return tr(
            "notify.addons_provisioned",
            name=name,
            number=number,
            names=_names(p),
            date=_date(tr, p.get("provisioned_on")),
        )
    if kind == kinds.CHANGED:
        return tr(
            "notify.changed",
            name=name,
            number=number,
            old=p.get("old", ""),
            new=p.get("new", ""),
            total=tr.money(_decimal(p.get("monthly_total"))),
        )
    if kind == kinds.ADDON_CHANGED:
        addon = escape(str(p.get("addon_name", "")))
        old, new = p.get("old", ""), p.get("new", "")
        return tr("notify.addon_changed", addon=addon, name=name, number=number, old=old, new=new)
    if kind == kinds.ADDON_CANCELLED:
        addon = escape(str(p.get("addon_name", "")))
        date_ = _date(tr, p.get("end_date"))
        return tr("notify.addon_cancelled", addon=addon, name=name, number=number, date=date_)
    if kind == kinds.CANCELLED:
        text = tr("notify.cancelled", name=name, number=number, date=_date(tr, p.get("end_date")))
        addons = _names(p)
        return text + ("\n" + tr("notify.cancelled_addons", names=addons) if addons else "")
    if kind == kinds.WITHDRAWN:
        return tr("notify.withdrawn", name=name, number=number)
    if kind == kinds.ENDED:
        return tr("notify.ended", name=name, number=number, date=_date(tr, p.get("end_date")))
    if kind in _REQUEST_KINDS:
        return _request(tr, kind, p)
    if kind in _SEAT_KINDS:
        return _seats(tr, kind, p)
    raise UnknownNotice(kind)


_SEAT_KINDS = (
    seat_kinds.HINT,
    seat_kinds.SCHEDULED,
    seat_kinds.WITHDRAWN,
    seat_kinds.REDUCED,
    seat_kinds.SKIPPED,
)


def _seats(tr: Translator, kind: str, p: dict[str, Any]) -> str:
    """The month-end hint and what became of a scheduled reduction (issue 21)."""
    day = _date(tr, p.get("date"))
    if kind == seat_kinds.HINT:
        lines = [tr("notify.seats_hint")]
        lines += [seat_texts.hint_line(tr, line, day) for line in p.get("lines") or []]
        return "\n\n".join(lines)
    name = escape(str(p.get("product_name", "")))
    facts: dict[str, object] = {
        "name": name,
        "number": p.get("subscription_id", ""),
        "old": p.get("old", ""),
        "new": p.get("new", ""),
        "wanted": p.get("wanted", ""),
        "assigned": p.get("assigned", ""),
        "date": day,
        "saving": tr.money(_decimal(p.get("saving"))),
        "total": tr.money(_decimal(p.get("monthly_total"))),
    }
    if kind == seat_kinds.SCHEDULED:
        return tr("notify.reduction_scheduled", **facts)
    if kind == seat_kinds.WITHDRAWN:
        return tr("notify.reduction_withdrawn", **facts)
    outcome = str(p.get("outcome", ""))
    if kind == seat_kinds.REDUCED:
        if outcome == "partial":
            return tr("notify.reduction_partial", **facts)
        return tr("notify.reduction_applied", **facts)
    if outcome == "skipped_in_use":
        return tr("notify.reduction_skipped_in_use", **facts)
    if outcome == "skipped_not_active":
        return tr("notify.reduction_skipped_not_active", **facts)
    return tr("notify.reduction_skipped_unknown", **facts)


_REQUEST_KINDS = (
    kinds.REQUEST_ASKED,
    kinds.REQUEST_APPROVED,
    kinds.REQUEST_DECLINED,
    kinds.REQUEST_WITHDRAWN,
)


def _request(tr: Translator, kind: str, p: dict[str, Any]) -> str:
    name = escape(str(p.get("product_name", "")))
    quantity = int(p.get("quantity") or 0)
    if p.get("kind") == RequestKind.ORDER:
        what = tr("request.order", name=name, quantity=quantity)
    elif p.get("kind") == RequestKind.CHANGE:
        what = tr(
            "request.change", name=name, number=p.get("subscription_id", ""), quantity=quantity
        )
    elif p.get("kind") == RequestKind.CANCEL:
        what = tr("request.cancel", name=name, number=p.get("subscription_id", ""))
    else:
        what = tr(
            "request.addon",
            addon=escape(str(p.get("addon_name") or "")),
            name=name,
            number=p.get("subscription_id", ""),
        )
    customer = escape(str(p.get("customer_name", "")))
    number = p.get("request_id", "")
    if kind == kinds.REQUEST_APPROVED:
        return tr("notify.request_approved", number=number, customer=customer, what=what)
    if kind == kinds.REQUEST_ASKED:  # a notice has no buttons: /requests has them
        return tr("notify.request_asked", number=number, customer=customer, what=what)
    if kind == kinds.REQUEST_WITHDRAWN:
        return tr("notify.request_withdrawn", number=number, customer=customer, what=what)
    return tr(
        "notify.request_declined",
        number=number,
        customer=customer,
        what=what,
        reason=escape(str(p.get("reason", ""))),
    )


def _names(p: dict[str, Any]) -> str:
    return escape(", ".join(map(str, p.get("addons") or [])))


def _date(tr: Translator, value: object) -> str:
    return tr.date(date.fromisoformat(value)) if isinstance(value, str) and value else ""


def _decimal(value: object) -> Decimal:
    return Decimal(str(value)) if value is not None else Decimal(0)
