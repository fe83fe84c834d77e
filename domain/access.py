"""Who may do what for which customer (R23, R24), decided on the server side only."""

from __future__ import annotations

from enum import StrEnum

from domain import errors
from domain.model import Actor, Role


class Action(StrEnum):
    VIEW = "view"  # catalogue with prices, orders, status
    ORDER = "order"
    CHANGE = "change_quantity"
    ADDON = "book_addon"
    CANCEL = "cancel"
    PROVISION = "provision"
    ADMINISTER = "administer"  # customers, invites, price lists
    TICKET = "ticket"  # ask the service desk (R26)
    HANDLE_TICKETS = "handle_tickets"  # answer, take over and resolve tickets
    REQUEST = "request"  # ask the customer's admins for an order, change or add-on (R23)
    PREPARE = "prepare_request"  # the service desk prepares a request for a customer (R23)
    DECIDE = "decide_request"  # approve (with the consents) or decline a request
    FIND_CUSTOMERS = "find_customers"  # search every customer, open its card (service desk)
    PERSONAL_DATA = "personal_data"  # export or erase another person's data (docs/privacy.md)
    DASHBOARD = "dashboard"  # a customer's seats, costs and audit trail in the Mini App (R25)


_CUSTOMER_WRITES = frozenset({Action.ORDER, Action.CHANGE, Action.ADDON, Action.CANCEL})
# what a request can be: everything a member may ask the admins for (R23)
_REQUESTABLE = frozenset({Action.ORDER, Action.CHANGE, Action.ADDON, Action.CANCEL})

_ALLOWED: dict[Role, frozenset[Action]] = {
    Role.ADMIN: frozenset({Action.VIEW, Action.TICKET, Action.DECIDE, Action.DASHBOARD})
    | _CUSTOMER_WRITES,
    Role.MEMBER: frozenset({Action.VIEW, Action.TICKET, Action.REQUEST}),
    # The service desk looks up any customer, provisions and prepares requests; the customer's
    # admin orders (R23).
    Role.AGENT: frozenset(
        {
            Action.VIEW,
            Action.PROVISION,
            Action.HANDLE_TICKETS,
            Action.PREPARE,
            Action.FIND_CUSTOMERS,
            Action.DASHBOARD,
        }
    ),
    Role.OPERATOR: frozenset(
        {
            Action.VIEW,
            Action.PROVISION,
            Action.ADMINISTER,
            Action.HANDLE_TICKETS,
            Action.FIND_CUSTOMERS,
            Action.PERSONAL_DATA,
            Action.DASHBOARD,
        }
    ),
}

_CROSS_CUSTOMER = frozenset({Role.AGENT, Role.OPERATOR})


def can_see_all_customers(actor: Actor) -> bool:
    return actor.role in _CROSS_CUSTOMER


def authorize(actor: Actor, action: Action, customer_id: str | None) -> None:
    """Raise unless `actor` may do `action` for `customer_id` (None: not customer-bound)."""
    foreign = customer_id is not None and actor.customer_id != customer_id
    if foreign and not can_see_all_customers(actor):
        # Never confirm that another customer exists (R24).
        raise errors.CustomerNotFound(customer_id or "")
    if action not in _ALLOWED[actor.role]:
        raise errors.PermissionDenied(
            action.value,
            actor.role.value,
            can_request=actor.role is Role.MEMBER and action in _CUSTOMER_WRITES,
        )


def authorize_record(
    actor: Actor, action: Action, customer_id: str, missing: errors.DomainError
) -> None:
    """`authorize` for one record of `customer_id`: another customer's record is reported
    exactly like a missing one (`missing`), so its existence is never confirmed (R24)."""
    try:
        authorize(actor, action, customer_id)
    except errors.CustomerNotFound:
        raise missing from None


def asks_instead(actor: Actor, action: Action, customer_id: str | None) -> bool:
    """Whether `actor` asks the customer's admins for this write (a member, R23) rather than
    doing it; raises like `authorize` when they may do neither."""
    try:
        authorize(actor, action, customer_id)
    except errors.PermissionDenied as denied:
        if not denied.can_request or action not in _REQUESTABLE:
            raise
        authorize(actor, Action.REQUEST, customer_id)
        return True
    return False


def may(actor: Actor, action: Action, customer_id: str | None) -> bool:
    """Whether `authorize` would let `actor` do this (to offer a button; the press is checked)."""
    try:
        authorize(actor, action, customer_id)
    except errors.DomainError:
        return False
    return True
