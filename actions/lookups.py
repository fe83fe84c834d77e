"""Finding what the user refers to, through the use cases: a subscription, a product, an add-on.

Names are resolved one way for every action and form validation (`domain.nlu.names`, loaded
by `understanding.catalogue_names`); a name that is not found is answered with close matches.
"""

from __future__ import annotations

from actions import history, parsing
from actions.conversation import Conversation
from domain import errors
from domain.nlu.names import CatalogueNames
from domain.services import orders, understanding
from domain.views import SubscriptionView


class NotBooked(Exception):
    """The user named a product the customer has no running subscription of."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


async def names(conv: Conversation) -> CatalogueNames:
    return await understanding.catalogue_names(conv.ctx)


async def product(
    conv: Conversation, value: object, known: CatalogueNames | None = None
) -> str | None:
    """The SKU of the product named by `value`; unknown: says so with close matches."""
    found = known or await names(conv)
    fits = found.product_choices(value)
    if fits:  # "E3": Microsoft 365 E3 or Office 365 E3? Ask instead of guessing.
        listed = ", ".join(found.products[sku] for sku in fits)
        conv.say("rasa.which_product", value=value, choices=listed)
        return None
    sku = found.product(value)
    if sku is None:
        suggestions = ", ".join(found.close_products(value))
        conv.say("rasa.unknown_product", value=value, suggestions=suggestions)
    return sku


async def addon(conv: Conversation, value: object) -> str | None:
    """The SKU of the add-on named by `value`; unknown: says so with close matches."""
    found = await names(conv)
    fits = found.addon_choices(value)
    if fits:  # "Defender": Plan 1 or Plan 2? Ask instead of guessing.
        listed = ", ".join(found.addons[sku] for sku in fits)
        conv.say("rasa.which_addon", value=value, choices=listed)
        return None
    sku = found.addon(value)
    if sku is None:
        suggestions = ", ".join(found.close_addons(value))
        conv.say("rasa.unknown_addon", value=value, suggestions=suggestions)
    return sku


async def subscription(conv: Conversation, value: object) -> SubscriptionView:
    """The subscription meant by an order number or by a booked product's name or SKU.

    Unknown numbers and other customers' numbers both end in SubscriptionNotFound (R24);
    R6 makes a product name unambiguous: at most one running subscription per product.
    """
    number = parsing.subscription_id(value)
    if number is not None:
        return await orders.order_status(conv.ctx, conv.require_actor(), number)
    found = await names(conv)
    sku = found.product(value)
    if sku is None:
        raise errors.SubscriptionNotFound(value)
    overview = await orders.list_orders(conv.ctx, conv.require_actor(), conv.customer_id)
    running = overview.running(sku)
    if not running:
        raise NotBooked(found.products[sku])
    return running[0]


async def subscription_in_slot(conv: Conversation) -> SubscriptionView | None:
    """The subscription of the (validated) `subscription` slot, if there is one."""
    number = parsing.subscription_id(conv.slot("subscription"))
    if number is None:
        return None
    return await orders.order_status(conv.ctx, conv.require_actor(), number)


def mentioned_product(conv: Conversation) -> object:
    """The product named in the latest message: its entity, or the slot it set this turn.

    An older `product` slot value is not a mention: "status" alone means all products.
    """
    entity = conv.latest_entity("product")
    if entity is not None:
        return entity
    if history.set_this_turn(conv.events, "product"):
        return conv.slot("product")
    return None
