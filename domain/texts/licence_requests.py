"""Licence requests in words (R23): what was asked, by whom, and where it stands."""

from __future__ import annotations

from decimal import Decimal

from domain.licence_requests import Origin, RequestKind, consents_for
from domain.model import ConsentKind
from domain.services.licence_requests import RequestFigures, RequestView
from domain.texts import orders as order_texts
from domain.texts.i18n import N_, Translator
from domain.texts.markup import escape


def what(tr: Translator, request: RequestView) -> str:
    """The write a request asks for, in one line."""
    if request.kind is RequestKind.ORDER:
        return tr(
            "request.order", name=escape(request.product_name), quantity=request.quantity or 0
        )
    if request.kind is RequestKind.CHANGE:
        return tr(
            "request.change",
            name=escape(request.product_name),
            number=request.subscription_id or 0,
            quantity=request.quantity or 0,
        )
    if request.kind is RequestKind.CANCEL:
        name = escape(request.product_name)
        return tr("request.cancel", name=name, number=request.subscription_id or 0)
    return tr(
        "request.addon",
        addon=escape(request.addon_name or ""),
        name=escape(request.product_name),
        number=request.subscription_id or 0,
    )


def listing(tr: Translator, requests: list[RequestView]) -> str:
    """`/requests`: number, status, what and who, newest first."""
    if not requests:
        return tr("requests.none")
    lines = [tr("requests.title")]
    for request in requests:
        line = tr(
            "requests.line",
            number=request.id,
            status=tr.request_status(request.status),
            what=what(tr, request),
            by=escape(request.requested_by_name),
        )
        if request.reason:
            line += "\n  " + tr("requests.reason", reason=escape(request.reason))
        lines.append(line)
    return "\n".join(lines)


def pending_note(tr: Translator, count: int, mine: bool = False) -> str:
    """The line `/status` adds while requests wait for a decision: an admin's to decide, or
    (`mine`) a member's own."""
    key = N_("requests.pending_mine") if mine else N_("requests.pending")
    return tr(key, count=count)


def summary(tr: Translator, figures: RequestFigures) -> str:
    """What the request would do, with this customer's prices (R3, R11, R17)."""
    if figures.kind is RequestKind.ORDER:
        return order_texts.order_summary(tr, figures)
    if figures.kind is RequestKind.CHANGE:
        return tr(
            "change.summary",
            name=escape(figures.product_name),
            old=figures.old_quantity or 0,
            new=figures.quantity,
            price=tr.money(figures.unit_price),
            old_total=tr.money(figures.old_total or Decimal(0)),
            new_total=tr.money(figures.monthly_total),
        )
    if figures.kind is RequestKind.CANCEL:
        return order_texts.cancel_question(
            tr, figures.product_name, figures.quantity, figures.addon_names, figures.end_date
        )
    return order_texts.addon_summary(tr, figures.addon_name or "", figures.product_name, figures)


def to_send(tr: Translator, figures: RequestFigures) -> str:
    """A member's summary before sending: no consents, the admins give them (R23)."""
    if figures.kind is RequestKind.CANCEL:
        return order_texts.cancel_question(
            tr,
            figures.product_name,
            figures.quantity,
            figures.addon_names,
            figures.end_date,
            asks=True,
        )
    # the admins give the consents a new product or an add-on needs (R5, R17); a change none
    if figures.kind is RequestKind.CHANGE:
        return summary(tr, figures) + "\n\n" + tr("request.send_hint_no_consents")
    return summary(tr, figures) + "\n\n" + tr("request.send_hint")


def sent(tr: Translator, number: int, admins: bool, followup: bool = False) -> str:
    """A member's request stored (R23): its number and that the admins have it (`followup`:
    and that the decision is told here, which only Telegram can), or that it waits for the
    customer's first admin in the chat."""
    if not admins:
        return tr("request.sent_no_admin", number=number)
    text = tr("request.sent", number=number)
    return text + " " + tr("request.sent_followup") if followup else text


def approved(tr: Translator, request: RequestView, result: str = "") -> str:
    """What an approval did: the request and who asked, then the write's own result, said as
    the admin's own write would say it (results.py)."""
    head = tr("request.approved", number=request.id, by=escape(request.requested_by_name))
    return f"{head}\n{result}" if result else head


def title(tr: Translator, request: RequestView) -> str:
    """The request's number and who asked (a member, or the service desk preparing it)."""
    agent = request.origin is Origin.AGENT
    key = N_("request.card_agent") if agent else N_("request.card")
    return tr(key, number=request.id, by=escape(request.requested_by_name))


def card(tr: Translator, request: RequestView, figures: RequestFigures) -> str:
    """What every admin of the customer gets: the summary and the price, approve or decline."""
    question = tr("request.card_question")
    return f"{title(tr, request)}\n\n{summary(tr, figures)}\n\n{question}"


def approval(
    tr: Translator, request: RequestView, figures: RequestFigures, ticked: frozenset[ConsentKind]
) -> str:
    """The approving admin's summary with the consents to tick (R5, R17)."""
    consents = {kind: kind in ticked for kind in consents_for(request.kind)}
    text = f"{title(tr, request)}\n\n{summary(tr, figures)}"
    return order_texts.with_consents(tr, text, consents)
