"""Licence requests in words (R23): what was asked, by whom, and where it stands."""

from __future__ import annotations

from domain.requests import RequestKind
from domain.services.requests import RequestView
from domain.texts.i18n import Translator
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


def pending_note(tr: Translator, count: int) -> str:
    """The line `/status` adds while requests wait for a decision."""
    return tr("requests.pending", count=count)
