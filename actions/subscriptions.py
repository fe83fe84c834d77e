"""My orders and their status; change a quantity, book an add-on, cancel (R10-R20).

The writes re-read the subscription the way its form validated it and pass that version as
`expected_version` (R13); a retried call finds the work done and says so instead of doing it
twice (the domain refuses the repetition: unchanged quantity, add-on booked, not cancellable).
"""

from __future__ import annotations

from actions import lookups, parsing
from actions.base import Events, LicenceAction, reset
from actions.conversation import Conversation
from domain import errors
from domain.commands import BookAddon, CancelSubscription, ChangeQuantity
from domain.services import addons, orders, subscriptions
from domain.texts import orders as screens

CHANGE_SLOTS = ("subscription", "quantity")
ADDON_SLOTS = ("subscription", "addon", "quantity", "terms_accepted")
CANCEL_SLOTS = ("subscription", "confirm_cancel")


class ShowOrders(LicenceAction):
    """ "Meine Bestellungen": every subscription with add-ons and the monthly total (R10)."""

    def name(self) -> str:
        return "action_show_orders"

    async def act(self, conv: Conversation) -> Events:
        overview = await orders.list_orders(conv.ctx, conv.require_actor(), conv.customer_id)
        conv.show(screens.orders(conv.texts.tr, overview, screens.listed(overview)))
        return []


class OrderStatus(LicenceAction):
    """With a product: "Sie haben N Lizenzen X (Status)"; without: everything running."""

    def name(self) -> str:
        return "action_order_status"

    async def act(self, conv: Conversation) -> Events:
        overview = await orders.list_orders(conv.ctx, conv.require_actor(), conv.customer_id)
        mentioned = lookups.mentioned_product(conv)
        if mentioned is None:
            conv.show(screens.status(conv.texts.tr, overview))
            return []
        names = await lookups.names(conv)
        sku = await lookups.product(conv, mentioned, names)
        if sku is None:
            return []
        running = overview.running(sku)
        if not running:
            conv.say("free_text.have_none", name=names.products[sku])
            return []
        sub = running[0]
        status = conv.texts.tr.status(sub.status)
        conv.say("free_text.have", quantity=sub.quantity, name=sub.product_name, status=status)
        return []


class _SubscriptionWrite(LicenceAction):
    """A write on a subscription named by the form's `subscription` slot."""

    requires_link = False  # the form's slots are checked first: an aborted form says no more
    writes = True
    slots: tuple[str, ...] = ()

    def when_refused(self) -> Events:
        return reset(self.slots)

    def subscription_id(self, conv: Conversation) -> int | None:
        return parsing.subscription_id(conv.slot("subscription"))

    def incomplete(self, conv: Conversation) -> Events:
        conv.say("rasa.nothing_done")
        return reset(self.slots)


class ChangeQuantityAction(_SubscriptionWrite):
    slots = CHANGE_SLOTS

    def name(self) -> str:
        return "action_change_quantity"

    async def act(self, conv: Conversation) -> Events:
        number = self.subscription_id(conv)
        quantity = parsing.quantity(conv.slot("quantity"), conv.texts.language)
        if number is None or quantity is None:
            return self.incomplete(conv)
        actor = conv.require_actor()
        seen = await orders.order_status(conv.ctx, actor, number)
        try:
            changed = await subscriptions.change_quantity(
                conv.ctx, actor, ChangeQuantity(number, quantity, expected_version=seen.version)
            )
        except errors.QuantityUnchanged:
            conv.say("rasa.change_already", name=seen.product_name, quantity=seen.quantity)
            return reset(self.slots)
        view = changed.subscription
        conv.say(
            "change.done",
            name=view.product_name,
            new=changed.new_quantity,
            old=changed.old_quantity,
            total=conv.texts.money(view.monthly_total),
        )
        return reset(self.slots)


class BookAddonAction(_SubscriptionWrite):
    slots = ADDON_SLOTS

    def name(self) -> str:
        return "action_book_addon"

    async def act(self, conv: Conversation) -> Events:
        number, sku = self.subscription_id(conv), conv.slot("addon")
        quantity = parsing.quantity(conv.slot("quantity"), conv.texts.language)
        if number is None or not isinstance(sku, str) or quantity is None:
            return self.incomplete(conv)
        if conv.slot("terms_accepted") is not True:
            conv.say("rasa.addon_terms_missing")
            return reset(self.slots)
        actor = conv.require_actor()
        seen = await orders.order_status(conv.ctx, actor, number)
        booked = (
            await addons.book_addon(
                conv.ctx,
                actor,
                BookAddon(number, sku, True, quantity, expected_version=seen.version),
            )
        ).addon
        conv.say(
            "addons.done",
            name=booked.name,
            quantity=booked.quantity,
            total=conv.texts.money(booked.monthly_total),
        )
        return reset(self.slots)


class CancelSubscriptionAction(_SubscriptionWrite):
    slots = CANCEL_SLOTS

    def name(self) -> str:
        return "action_cancel_subscription"

    async def act(self, conv: Conversation) -> Events:
        number = self.subscription_id(conv)
        if number is None:
            return self.incomplete(conv)
        if conv.slot("confirm_cancel") is not True:
            conv.say("rasa.cancel_not_confirmed")
            return reset(self.slots)
        actor = conv.require_actor()
        seen = await orders.order_status(conv.ctx, actor, number)
        view = await subscriptions.cancel_subscription(
            conv.ctx, actor, CancelSubscription(number, expected_version=seen.version)
        )
        conv.say("cancel_sub.done", name=view.product_name, end=conv.texts.date(view.end_date))
        return reset(self.slots)
