"""The catalogue with the customer's prices, one product's details, and placing an order."""

from __future__ import annotations

from actions import history, lookups, parsing
from actions.base import Events, LicenceAction, reset
from actions.conversation import Conversation
from domain.commands import PlaceOrder
from domain.services import catalogue, licence_requests, orders, submissions
from domain.services.licence_requests import RequestView
from domain.services.submissions import Requested
from domain.texts import catalogue as screens
from domain.texts import licence_requests as request_texts
from domain.texts import results

ORDER_FORM = "order_form"
ORDER_SLOTS = ("product", "quantity", "terms_accepted", "account_consent")


class ListProducts(LicenceAction):
    """Every orderable product at this customer's price, with what is booked (R1, R2)."""

    def name(self) -> str:
        return "action_list_products"

    async def act(self, conv: Conversation) -> Events:
        actor, customer_id = conv.require_actor(), conv.customer_id
        offers = await catalogue.browse_catalogue(conv.ctx, actor, customer_id)
        overview = await orders.list_orders(conv.ctx, actor, customer_id)
        conv.show(screens.products(conv.texts.tr, overview.customer_name, offers))
        return []


class ProductDetails(LicenceAction):
    """The product named now (entity or slot); without one, the catalogue."""

    def name(self) -> str:
        return "action_product_details"

    async def act(self, conv: Conversation) -> Events:
        actor, customer_id = conv.require_actor(), conv.customer_id
        mentioned = lookups.mentioned_product(conv)
        if mentioned is None:
            return await ListProducts().act(conv)
        sku = await lookups.product(conv, mentioned)
        if sku is None:
            return []
        offer = await catalogue.product_details(conv.ctx, actor, customer_id, sku)
        conv.show(screens.details(conv.texts.tr, offer))
        return []


class PlaceOrderAction(LicenceAction):
    """The completed order_form as one order; a retried call returns the same order (R9)."""

    requires_link = False  # the form's slots are checked first: an aborted form says no more
    writes = True

    def name(self) -> str:
        return "action_place_order"

    def when_refused(self) -> Events:
        return reset(ORDER_SLOTS)

    async def act(self, conv: Conversation) -> Events:
        sku = conv.slot("product")
        quantity = parsing.quantity(conv.slot("quantity"), conv.texts.language)
        key = history.order_key(conv.sender_id, conv.events, ORDER_FORM)
        if not isinstance(sku, str) or quantity is None or key is None:
            conv.say("rasa.nothing_done")
            return reset(ORDER_SLOTS)
        actor = conv.require_actor()
        placed = await submissions.submit_order(
            conv.ctx,
            actor,
            PlaceOrder(
                conv.customer_id,
                sku,
                quantity,
                terms_accepted=conv.slot("terms_accepted") is True,
                account_consent=conv.slot("account_consent") is True,
                idempotency_key=key,
            ),
            actor.label,
            tell_admins=True,  # Rasa cannot send the admins the card: a notice instead
        )
        if isinstance(placed, Requested):  # a member's: the admins decide (R23)
            await say_sent(conv, placed.request)
            return reset(ORDER_SLOTS)
        conv.show(results.order_placed(conv.texts.tr, placed))
        return reset(ORDER_SLOTS)


async def say_sent(conv: Conversation, view: RequestView) -> None:
    """A member's request was stored: the same request Telegram's "Send request" makes; the
    admins hear of it through the outbox (a notice, since Rasa cannot give them the card) and
    decide under /requests."""
    admins = await licence_requests.deciders(conv.ctx, view.customer_id)
    # no "we will let you know": Rasa cannot tell unasked
    conv.show(request_texts.sent(conv.texts.tr, view.id, bool(admins)))
