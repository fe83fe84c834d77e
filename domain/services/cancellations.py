"""A cancellation asked for or carried out (R18-R20, R23), decided in one place.

An admin cancels; a member asks the customer's admins, whose approval cancels in the same
transaction as the decision (domain/services/licence_requests.py). The front ends show the
question `preview_cancel` returns and pass the confirmation to `submit_cancel`; neither decides
which of the two it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from domain.commands import CancelSubscription
from domain.licence_requests import RequestKind
from domain.model import Actor
from domain.services import licence_requests, orders, subscriptions
from domain.services.context import Context
from domain.services.licence_requests import AskRequest
from domain.services.submissions import Requested, asks
from domain.views import SubscriptionView


@dataclass(frozen=True)
class CancelPreview:
    """What the confirmation names (R20): product, quantity, add-ons along and the end date;
    `asks`: the confirmation sends a request to the admins (a member, R23)."""

    subscription_id: int
    customer_id: str
    product_name: str
    quantity: int
    end_date: date | None
    addon_names: tuple[str, ...]
    version: int  # what the confirmation must still find (R13)
    asks: bool


async def preview_cancel(
    ctx: Context, actor: Actor, subscription_id: int, expected_version: int | None = None
) -> CancelPreview:
    """Every check the cancellation passes (R20: not cancelled yet, still running), nothing
    saved; refused like the write when the actor may neither cancel nor ask (R23, R24)."""
    current = await orders.order_status(ctx, actor, subscription_id)
    along = tuple(a.name for a in current.running_addons())
    asking = asks(actor, RequestKind.CANCEL, current.customer_id)
    if asking:
        figures = await licence_requests.preview(ctx, actor, _asked(current))
        end = figures.end_date
    else:
        cancelled = await subscriptions.cancel_subscription(
            ctx, actor, CancelSubscription(current.id, expected_version), dry_run=True
        )
        end = cancelled.end_date
    return CancelPreview(
        current.id,
        current.customer_id,
        current.product_name,
        current.quantity,
        end,
        along,
        current.version,
        asks=asking,
    )


def _asked(view: SubscriptionView) -> AskRequest:
    return AskRequest(view.customer_id, RequestKind.CANCEL, subscription_id=view.id)


# Either the cancellation itself or the request waiting for the admins.
CancelOutcome = SubscriptionView | Requested


async def submit_cancel(
    ctx: Context,
    actor: Actor,
    cmd: CancelSubscription,
    name: str,
    *,
    tell_admins: bool = False,
) -> CancelOutcome:
    """The confirmation: an admin's cancels (R18, R19), a member's becomes a request (R23).
    `name` names the member on the request; `tell_admins`: the admins hear of it through the
    outbox (a channel that cannot send them its card, Rasa)."""
    current = await orders.order_status(ctx, actor, cmd.subscription_id)
    if asks(actor, RequestKind.CANCEL, current.customer_id):
        asked = await licence_requests.ask(
            ctx, actor, _asked(current), name, tell_admins=tell_admins
        )
        return Requested(asked)
    return await subscriptions.cancel_subscription(ctx, actor, cmd)
