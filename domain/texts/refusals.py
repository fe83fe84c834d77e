"""Turn a domain refusal into one sentence in the user's language (docs/ux.md)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from domain import errors
from domain.licence_requests import RequestStatus
from domain.model import ConsentKind, Role, Status
from domain.texts.i18n import N_, Translator
from domain.texts.markup import escape

# One message per refusal code (`errors.<code>`), listed so that `pybabel extract` sees them.
_MESSAGES = {
    key.removeprefix("errors."): key
    for key in (
        N_("errors.error"),
        N_("errors.not_linked"),
        N_("errors.invite_invalid"),
        N_("errors.invite_expired"),
        N_("errors.invite_used"),
        N_("errors.invite_revoked"),
        N_("errors.move_needs_confirmation"),
        N_("errors.permission_denied"),
        N_("errors.customer_not_found"),
        N_("errors.customer_exists"),
        N_("errors.product_not_found"),
        N_("errors.product_retired"),
        N_("errors.addon_not_offered"),
        N_("errors.invalid_quantity"),
        N_("errors.seat_cap_exceeded"),
        N_("errors.consent_missing"),
        N_("errors.already_subscribed"),
        N_("errors.subscription_not_found"),
        N_("errors.subscription_not_active"),
        N_("errors.quantity_unchanged"),
        N_("errors.below_addon_quantity"),
        N_("errors.version_conflict"),
        N_("errors.already_provisioned"),
        N_("errors.not_cancellable"),
        N_("errors.cancellation_not_withdrawable"),
        N_("errors.addon_requires_provisioned"),
        N_("errors.addon_already_booked"),
        N_("errors.addon_not_found"),
        N_("errors.addon_not_booked"),
        N_("errors.addon_exceeds_base"),
        N_("errors.ticket_not_found"),
        N_("errors.ticket_closed"),
        N_("errors.ticket_taken"),
        N_("errors.ticket_text_empty"),
        N_("errors.ticket_text_too_long"),
        N_("errors.request_not_found"),
        N_("errors.request_decided"),
        N_("errors.request_pending"),
        N_("errors.reason_missing"),
        N_("errors.reason_too_long"),
        N_("errors.person_unknown"),
        N_("errors.reduction_needs_provisioned"),
        N_("errors.reduction_not_lower"),
        N_("errors.below_assigned"),
        N_("errors.no_reduction_scheduled"),
        N_("errors.invalid_spare"),
    )
}


def _render(tr: Translator, key: str, value: object) -> object:
    if isinstance(value, date):
        return tr.date(value)
    if isinstance(value, Decimal):
        return tr.money(value)
    if key == "status" and isinstance(value, str) and value in Status._value2member_map_:
        return tr.status(Status(value))
    if key == "status" and isinstance(value, str) and value in RequestStatus._value2member_map_:
        return tr.request_status(RequestStatus(value))
    if key == "role" and isinstance(value, str) and value in Role._value2member_map_:
        return tr.role(Role(value))
    if key == "missing" and isinstance(value, tuple):
        return consent_names(tr, value)
    if isinstance(value, str):
        return escape(value)
    return "" if value is None else value


def consent_names(tr: Translator, kinds: tuple[str, ...]) -> str:
    """The consents still to give, by name (R5, R17)."""
    return ", ".join(tr.consent(ConsentKind(kind)) for kind in kinds)


def describe(error: errors.DomainError, tr: Translator) -> str:
    """The refusal's sentence, in Telegram HTML (plain text via `markup.plain`)."""
    key = _MESSAGES.get(error.code, "errors.error")
    if isinstance(error, errors.PermissionDenied) and error.can_request:
        key = N_("errors.permission_denied_request")
    if isinstance(error, errors.RequestDecided) and error.status == RequestStatus.WITHDRAWN:
        key = N_("errors.request_withdrawn")  # nobody decided: the one who asked took it back
    params = {k: _render(tr, k, v) for k, v in error.params().items()}
    return tr(key, **params)
