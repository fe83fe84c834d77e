"""The Mini App's words and figures as JSON (docs/miniapp.md): the page only lays them out.

Raw values keep the shape of `GET /app/api/overview` (docs/interfaces.md: money as decimal
strings, months `YYYY-MM`); every figure also comes as text formatted by Babel in the person's
language (`…_text`), so the page never formats money or dates itself.
"""

from __future__ import annotations

from datetime import date, tzinfo
from typing import Any

from domain.licence_requests import RequestKind
from domain.services.dashboard import (
    AUDIT_KINDS,
    AuditLine,
    AuditTrail,
    Dashboard,
    MonthTotal,
    SeatRow,
)
from domain.services.licence_requests import RequestView
from domain.services.tickets import TicketView
from domain.texts import tickets
from domain.texts.i18n import N_, Translator

# Every label the page shows, sent once with the data (`texts`) and before it (`/app/api/texts`).
PAGE = (
    N_("miniapp.title"),
    N_("miniapp.loading"),
    N_("miniapp.error_auth"),
    N_("miniapp.error_rights"),
    N_("miniapp.error_other"),
    N_("miniapp.read_only"),
    N_("miniapp.seats"),
    N_("miniapp.seats_none"),
    N_("miniapp.seats_paid"),
    N_("miniapp.seats_assigned"),
    N_("miniapp.seats_unassigned"),
    N_("miniapp.seats_unknown"),
    N_("miniapp.costs"),
    N_("miniapp.costs_forecast"),
    N_("miniapp.costs_none"),
    N_("miniapp.audit"),
    N_("miniapp.audit_none"),
    N_("miniapp.audit_who"),
    N_("miniapp.audit_what"),
    N_("miniapp.audit_since"),
    N_("miniapp.audit_until"),
    N_("miniapp.audit_all"),
    N_("miniapp.requests"),
    N_("miniapp.requests_none"),
    N_("miniapp.tickets"),
    N_("miniapp.tickets_none"),
    N_("miniapp.customer"),
    N_("miniapp.customer_choose"),
    N_("miniapp.customer_search"),
    N_("miniapp.customer_none"),
    N_("miniapp.customer_change"),
    N_("miniapp.member_note"),
)
_KINDS = {
    "orders": N_("miniapp.kind.orders"),
    "changes": N_("miniapp.kind.changes"),
    "cancellations": N_("miniapp.kind.cancellations"),
    "addons": N_("miniapp.kind.addons"),
    "requests": N_("miniapp.kind.requests"),
    "consents": N_("miniapp.kind.consents"),
    "people": N_("miniapp.kind.people"),
    "tickets": N_("miniapp.kind.tickets"),
    "seats": N_("miniapp.kind.seats"),
}
assert set(_KINDS) == set(AUDIT_KINDS)
# What an audit entry says; an action missing here reads as `miniapp.audit.other`.
_ACTIONS = {
    "order.place": N_("miniapp.audit.order_place"),
    "subscription.provision": N_("miniapp.audit.subscription_provision"),
    "subscription.change_quantity": N_("miniapp.audit.subscription_change_quantity"),
    "subscription.cancel": N_("miniapp.audit.subscription_cancel"),
    "subscription.withdraw_cancellation": N_("miniapp.audit.subscription_withdraw_cancellation"),
    "subscription.end": N_("miniapp.audit.subscription_end"),
    "addon.book": N_("miniapp.audit.addon_book"),
    "addon.change_quantity": N_("miniapp.audit.addon_change_quantity"),
    "addon.cancel": N_("miniapp.audit.addon_cancel"),
    "request.ask": N_("miniapp.audit.request_ask"),
    "request.approve": N_("miniapp.audit.request_approve"),
    "request.decline": N_("miniapp.audit.request_decline"),
    "request.withdraw": N_("miniapp.audit.request_withdraw"),
    "consent.terms": N_("miniapp.audit.consent_terms"),
    "consent.microsoft_account": N_("miniapp.audit.consent_microsoft_account"),
    "customer.add": N_("miniapp.audit.customer_add"),
    "customer.set_price": N_("miniapp.audit.customer_set_price"),
    "invite.create": N_("miniapp.audit.invite_create"),
    "user.link": N_("miniapp.audit.user_link"),
    "user.forget": N_("miniapp.audit.user_forget"),
    "ticket.open": N_("miniapp.audit.ticket_open"),
    "ticket.take": N_("miniapp.audit.ticket_take"),
    "ticket.resolve": N_("miniapp.audit.ticket_resolve"),
    "subscription.schedule_reduction": N_("miniapp.audit.subscription_schedule_reduction"),
    "subscription.withdraw_reduction": N_("miniapp.audit.subscription_withdraw_reduction"),
    "subscription.apply_reduction": N_("miniapp.audit.subscription_apply_reduction"),
    "subscription.skip_reduction": N_("miniapp.audit.subscription_skip_reduction"),
    "seats.report": N_("miniapp.audit.seats_report"),
    "seats.spare": N_("miniapp.audit.seats_spare"),
    "seats.hints": N_("miniapp.audit.seats_hints"),
    "seats.hint": N_("miniapp.audit.seats_hint"),
}
_REQUESTS = {
    RequestKind.ORDER: N_("miniapp.request.order"),
    RequestKind.CHANGE: N_("miniapp.request.change"),
    RequestKind.ADDON: N_("miniapp.request.addon"),
}
_OTHER = N_("miniapp.audit.other")
_CHANNELS = {
    "telegram": N_("miniapp.channel.telegram"),
    "rasa": N_("miniapp.channel.rasa"),
    "cli": N_("miniapp.channel.cli"),
    "system": N_("miniapp.channel.system"),
}


def page_texts(tr: Translator) -> dict[str, Any]:
    """The page's labels in one language, and the audit filter's kinds."""
    return {
        "language": tr.language,
        "labels": {key.removeprefix("miniapp."): tr(key) for key in PAGE},
        "kinds": [{"id": kind, "name": tr(key)} for kind, key in _KINDS.items()],
    }


def overview(board: Dashboard, tr: Translator, tz: tzinfo) -> dict[str, Any]:
    """`GET /app/api/overview` (docs/interfaces.md), with texts for every figure."""
    return {
        "customer": {"id": board.customer_id, "name": board.customer_name},
        "full": board.full,
        "seats": [_seat(line, tr) for line in board.seats],
        "months": [_month(month, tr) for month in board.months if not month.forecast],
        "forecast": next((_month(m, tr) for m in board.months if m.forecast), None),
        "audit": [] if board.audit is None else audit(board.audit, tr, tz)["lines"],
        "people": [] if board.audit is None else list(board.audit.people),
        "requests": [_request(r, tr) for r in board.requests],
        "tickets": [_ticket(t, tr, tz) for t in board.tickets],
        "texts": page_texts(tr),
    }


def audit(trail: AuditTrail, tr: Translator, tz: tzinfo) -> dict[str, Any]:
    """`GET /app/api/audit`: the filtered trail, newest first."""
    return {
        "lines": [_audit_line(line, tr, tz) for line in trail.lines],
        "people": list(trail.people),
        "matching": trail.matching,
    }


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def _seat(row: SeatRow, tr: Translator) -> dict[str, Any]:
    line = row.line
    scheduled = ""
    if row.scheduled_for is not None and row.scheduled_quantity is not None:
        scheduled = tr(
            "miniapp.seats_scheduled",
            quantity=row.scheduled_quantity,
            date=tr.date(row.scheduled_for),
        )
    stale = ""
    if line.assigned is not None and line.stale and line.as_of is not None:
        stale = tr("miniapp.seats_stale", date=tr.date(line.as_of.date()))
    return {
        "sku": line.sku,
        "name": line.name,
        "paid": line.paid,
        "assigned": line.assigned,
        "unassigned": line.unassigned,
        "stale": line.stale,
        "stale_text": stale,
        "scheduled_quantity": row.scheduled_quantity,
        "scheduled_for": _iso(row.scheduled_for),
        "scheduled_text": scheduled,
        "monthly_total": str(row.monthly_total),
        "monthly_total_text": tr.money(row.monthly_total),
    }


def _month(month: MonthTotal, tr: Translator) -> dict[str, Any]:
    return {
        "month": month.month.strftime("%Y-%m"),
        "total": str(month.total),
        "label": tr.month(month.month),
        "short": tr.month_short(month.month),
        "total_text": tr.money(month.total),
    }


def _audit_line(line: AuditLine, tr: Translator, tz: tzinfo) -> dict[str, Any]:
    details = line.details
    params = {
        "product": line.product or "",
        "quantity": details.get("quantity", ""),
        "old": details.get("old", ""),
        "new": details.get("new", ""),
        "version": details.get("terms_version", ""),
        "date": tr.date(_day(details.get("end_date") or details.get("scheduled_for"))),
        "assigned": details.get("assigned", ""),
        "spare": details.get("spare", ""),
        "action": line.action,
    }
    key = _ACTIONS.get(line.action, _OTHER)
    return {
        "at": line.at.isoformat(),
        "at_text": tr.moment(line.at, tz),
        "who": line.who,
        "what": tr(key, **params),
        "action": line.action,
        "kind": line.kind,
        "channel": tr(_CHANNELS.get(line.channel.value, "miniapp.channel.system")),
    }


def _day(value: object) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _request(view: RequestView, tr: Translator) -> dict[str, Any]:
    return {
        "id": view.id,
        "kind": view.kind.value,
        "status": view.status.value,
        "product": view.addon_name if view.addon_sku else view.product_name,
        "quantity": view.quantity,
        "requested_by": view.requested_by_name,
        "text": tr(
            _REQUESTS[view.kind],
            product=view.product_name,
            addon=view.addon_name or "",
            quantity=view.quantity if view.quantity is not None else "",
        ),
        "status_text": tr.request_status(view.status),
    }


def _ticket(view: TicketView, tr: Translator, tz: tzinfo) -> dict[str, Any]:
    return {
        "id": view.id,
        "status": view.status.value,
        "subject": view.subject,
        "created_at": view.created_at.isoformat(),
        "created_text": tr.moment(view.created_at, tz),
        "status_text": tickets.status(tr, view.status),
    }
