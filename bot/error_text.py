"""Turn a domain refusal into one sentence in the user's language."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from bot.i18n import Translator
from domain import errors
from domain.model import ConsentKind, Status


def _render(tr: Translator, key: str, value: object) -> object:
    if isinstance(value, date):
        return tr.date(value)
    if isinstance(value, Decimal):
        return tr.money(value)
    if key == "status" and isinstance(value, str) and value in Status._value2member_map_:
        return tr(f"status.{value}")
    if key == "role" and isinstance(value, str):
        return tr(f"role.{value}")
    if key == "missing" and isinstance(value, tuple):
        return ", ".join(tr(f"consent.{ConsentKind(v).value}") for v in value)
    return "" if value is None else value


def describe(error: errors.DomainError, tr: Translator) -> str:
    key = f"errors.{error.code}"
    if isinstance(error, errors.PermissionDenied) and error.can_request:
        key = "errors.permission_denied_request"
    params = {k: _render(tr, k, v) for k, v in error.params().items()}
    return tr(key, **params)
