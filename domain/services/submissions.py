"""An order, a change of quantity or an add-on asked for or carried out (R23), decided here.

An admin writes; a member asks the customer's admins, whose approval writes in the same
transaction as the decision (domain/services/licence_requests.py); anyone else is refused as
the write would refuse them (an agent, R23; another customer's person, R24). The front ends
show the summary a `preview_*` returns and pass the confirmation to the `submit_*`: what comes
back is the write's own result or `Requested`, and neither front end decides which it is.
Cancellations follow the same pattern in domain/services/cancellations.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.access import Action, asks_instead
from domain.commands import BookAddon, ChangeQuantity, PlaceOrder
from domain.licence_requests import RequestKind
from domain.model import Actor
from domain.services import addons, catalogue, licence_requests, orders, subscriptions
from domain.services.addons import AddonBooked
from domain.services.context import Context
from domain.services.licence_requests import AskRequest, RequestFigures, RequestView
from domain.services.orders import OrderPlaced
from domain.services.subscriptions import QuantityChanged
from domain.views import Quote

_RIGHTS = {
    RequestKind.ORDER: Action.ORDER,
    RequestKind.CHANGE: Action.CHANGE,
    RequestKind.ADDON: Action.ADDON,
    RequestKind.CANCEL: Action.CANCEL,
}


def asks(actor: Actor, kind: RequestKind, customer_id: str | None) -> bool:
    """Whether `actor`'s write of `kind` for `customer_id` becomes a request to the customer's
    admins (a member, R23) rather than the write (an admin); raises as the write would when
    they may do neither (an agent, R23; another customer's person, R24). A flow asks this
    before its first question, a form before choosing its slots (the consents are the
    approving admin's, R5)."""
    return asks_instead(actor, _RIGHTS[kind], customer_id)


@dataclass(frozen=True)
class Requested:
    """A member's confirmation: the request stored for the customer's admins (R23)."""

    request: RequestView


# What the summary before the confirmation shows: the write's own figures (with the consents
# to give) or the request's (with "Send request", R23).
OrderPreview = Quote | RequestFigures
ChangePreview = QuantityChanged | RequestFigures
AddonPreview = AddonBooked | RequestFigures
# What the confirmation did: the write, or the request to the admins.
OrderOutcome = OrderPlaced | Requested
ChangeOutcome = QuantityChanged | Requested
AddonOutcome = AddonBooked | Requested


async def _requested(
    ctx: Context, actor: Actor, asked: AskRequest, name: str, tell_admins: bool
) -> Requested:
    """A member's confirmation, stored as a request for the customer's admins (R23)."""
    return Requested(await licence_requests.ask(ctx, actor, asked, name, tell_admins=tell_admins))


def _own(actor: Actor) -> str | None:
    """The customer a change or an add-on is decided for: the actor's own (a member asks and
    an admin writes only for their own customer; the write or the request then finds another
    customer's subscription missing, R24)."""
    return actor.customer_id


async def preview_order(
    ctx: Context, actor: Actor, customer_id: str, sku: str, quantity: int
) -> OrderPreview:
    """Every check the order passes (R4, R6), nothing saved: the quote with this customer's
    price and start date (R2, R3), or for a member the request's figures (R23)."""
    if asks(actor, RequestKind.ORDER, customer_id):
        return await licence_requests.preview(ctx, actor, _order_asked(customer_id, sku, quantity))
    return await catalogue.quote_order(ctx, actor, customer_id, sku, quantity)


def _order_asked(customer_id: str, sku: str, quantity: int) -> AskRequest:
    return AskRequest(customer_id, RequestKind.ORDER, sku, quantity)


async def submit_order(
    ctx: Context, actor: Actor, cmd: PlaceOrder, name: str, *, tell_admins: bool = False
) -> OrderOutcome:
    """The confirmation: an admin's order is placed with both consents (R5), once per key
    (R9); a member's becomes a request, the approving admin gives the consents (R23). `name`
    names the member on the request; `tell_admins`: the admins hear of it through the outbox
    (a channel that cannot send them its card, Rasa)."""
    if asks(actor, RequestKind.ORDER, cmd.customer_id):
        return await _requested(
            ctx,
            actor,
            _order_asked(cmd.customer_id, cmd.product_sku, cmd.quantity),
            name,
            tell_admins,
        )
    return await orders.place_order(ctx, actor, cmd)


def _change_asked(actor: Actor, cmd: ChangeQuantity) -> AskRequest:
    return AskRequest(
        actor.require_customer(),
        RequestKind.CHANGE,
        quantity=cmd.new_quantity,
        subscription_id=cmd.subscription_id,
    )


async def preview_change(ctx: Context, actor: Actor, cmd: ChangeQuantity) -> ChangePreview:
    """Every check the new total passes (R11, R12), against the version seen (R13), nothing
    saved: the change as it would be, or for a member the request's figures (R23)."""
    if asks(actor, RequestKind.CHANGE, _own(actor)):
        return await licence_requests.preview(ctx, actor, _change_asked(actor, cmd))
    return await subscriptions.change_quantity(ctx, actor, cmd, dry_run=True)


async def submit_change(
    ctx: Context, actor: Actor, cmd: ChangeQuantity, name: str, *, tell_admins: bool = False
) -> ChangeOutcome:
    """The confirmation: an admin's new total is set if nobody changed the subscription since
    (R11-R13); a member's becomes a request (R23)."""
    if asks(actor, RequestKind.CHANGE, _own(actor)):
        return await _requested(ctx, actor, _change_asked(actor, cmd), name, tell_admins)
    return await subscriptions.change_quantity(ctx, actor, cmd)


def _addon_asked(actor: Actor, cmd: BookAddon) -> AskRequest:
    return AskRequest(
        actor.require_customer(),
        RequestKind.ADDON,
        quantity=cmd.quantity,
        subscription_id=cmd.subscription_id,
        addon_sku=cmd.addon_sku,
    )


async def preview_addon(ctx: Context, actor: Actor, cmd: BookAddon) -> AddonPreview:
    """Every check the booking passes (R14, R15, R17), nothing saved: the booking as it would
    be, or for a member the request's figures (R23)."""
    if asks(actor, RequestKind.ADDON, _own(actor)):
        return await licence_requests.preview(ctx, actor, _addon_asked(actor, cmd))
    return await addons.book_addon(ctx, actor, cmd, dry_run=True)


async def submit_addon(
    ctx: Context, actor: Actor, cmd: BookAddon, name: str, *, tell_admins: bool = False
) -> AddonOutcome:
    """The confirmation: an admin's booking with the terms (R17); a member's becomes a
    request, the approving admin accepts the terms (R23)."""
    if asks(actor, RequestKind.ADDON, _own(actor)):
        return await _requested(ctx, actor, _addon_asked(actor, cmd), name, tell_admins)
    return await addons.book_addon(ctx, actor, cmd)
