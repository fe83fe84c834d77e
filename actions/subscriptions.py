"""My orders and their status; change a quantity, book an add-on, cancel (R10-R20).

The writes pass the version of the subscription as the form chose it (slot
`subscription_version`) as `expected_version`, so a change made meanwhile is a conflict the
user is told about, not overwritten (R13). A retried call finds the work done and says so
instead of doing it twice (the domain refuses the repetition: unchanged quantity, add-on
booked, not cancellable).
"""

from __future__ import annotations

from abc import abstractmethod
from typing import ClassVar

from actions import lookups, parsing, render
from actions.base import VERSION_SLOT, Events, LicenceAction, reset, with_version
from actions.conversation import Conversation
from actions.ordering import say_sent
from domain import errors
from domain.access import Action as Right
from domain.access import authorize
from domain.commands import (
    BookAddon,
    CancelAddon,
    CancelSubscription,
    ChangeAddon,
    ChangeQuantity,
    WithdrawCancellation,
)
from domain.model import Status
from domain.services import addons, cancellations, orders, subscriptions
from domain.services.submissions import Requested
from domain.texts import addon_changes as addon_texts
from domain.texts import orders as screens
from domain.texts import results

# "addon": a booked add-on's users (the form was started for it, R17)
CHANGE_SLOTS = ("subscription", "quantity", "confirm_change", "addon")
ADDON_SLOTS = ("subscription", "addon", "quantity", "terms_accepted")
CANCEL_SLOTS = ("subscription", "confirm_cancel", "addon")  # "addon": one add-on only


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


class WithdrawCancellationAction(LicenceAction):
    """Take a cancellation back while it still runs (R20): the cancelled subscription named
    in the message, or the only one there is; with several, the user is asked to name one.
    As Telegram's one button, the request itself is the confirmation."""

    writes = True

    def name(self) -> str:
        return "action_withdraw_cancellation"

    async def act(self, conv: Conversation) -> Events:
        actor = conv.require_actor()
        overview = await orders.list_orders(conv.ctx, actor, conv.customer_id)
        cancelled = [s for s in overview.running() if s.status is Status.CANCELLED]
        mentioned = lookups.mentioned_product(conv)
        if mentioned is not None:
            names = await lookups.names(conv)
            sku = await lookups.product(conv, mentioned, names)
            if sku is None:
                return []
            cancelled = [s for s in cancelled if s.product_sku == sku]
            if not cancelled:
                conv.say("rasa.withdraw_none_for", name=names.products.get(sku, sku))
                return []
        if not cancelled:
            conv.say("rasa.withdraw_none")
            return []
        if len(cancelled) > 1:
            conv.say("rasa.withdraw_which", orders=render.order_lines(conv.texts, cancelled))
            return []
        sub = cancelled[0]
        view = await subscriptions.withdraw_cancellation(
            conv.ctx, actor, WithdrawCancellation(sub.id, expected_version=sub.version)
        )
        conv.show(results.cancellation_withdrawn(conv.texts.tr, view))
        return []


class _SubscriptionWrite(LicenceAction):
    """A write on the subscription the form chose, at the version it was chosen in (R13)."""

    requires_link = False  # the form's slots are checked first: an aborted form says no more
    writes = True
    right: ClassVar[Right]
    slots: ClassVar[tuple[str, ...]] = ()

    def when_refused(self) -> Events:
        return self.done()

    def done(self) -> Events:
        """Empty the form's slots (and the version), so that the next run starts clean."""
        return reset(with_version(self.slots))

    def incomplete(self, conv: Conversation) -> Events:
        conv.say("rasa.nothing_done")
        return self.done()

    async def act(self, conv: Conversation) -> Events:
        value = conv.slot("subscription")
        if value is None:
            return self.incomplete(conv)
        self.check_right(conv)
        version = parsing.version(conv.slot(VERSION_SLOT))
        if version is None:  # not chosen through the form: nothing seen to write against
            return self.incomplete(conv)
        number = parsing.subscription_id(value)
        if number is None:  # a booked product's name or SKU, resolved as the forms do
            try:
                number = (await lookups.subscription(conv, value)).id
            except lookups.NotBooked as not_booked:
                conv.say("free_text.not_booked", name=not_booked.name)
                return self.done()
        return await self.write(conv, number, version)

    def check_right(self, conv: Conversation) -> None:
        """Refused as the form refuses (R23, R24)."""
        authorize(conv.require_actor(), self.right, conv.customer_id)

    @abstractmethod
    async def write(self, conv: Conversation, number: int, version: int) -> Events:
        """Write on subscription `number` expecting `version`; raise a DomainError to refuse."""


class ChangeQuantityAction(_SubscriptionWrite):
    right = Right.CHANGE
    slots = CHANGE_SLOTS

    def name(self) -> str:
        return "action_change_quantity"

    async def write(self, conv: Conversation, number: int, version: int) -> Events:
        quantity = parsing.quantity(conv.slot("quantity"), conv.texts.language)
        if quantity is None:
            return self.incomplete(conv)
        if parsing.yes_no(conv.slot("confirm_change")) is not True:  # R11: only confirmed
            conv.say("rasa.change_not_confirmed")
            return self.done()
        actor = conv.require_actor()
        booked = conv.slot("addon")
        if isinstance(booked, str):  # the add-on's new number of users (R17)
            (_, addon), *_ = await addons.booked(conv.ctx, actor, conv.customer_id, booked, number)
            result = await addons.change_addon(
                conv.ctx, actor, ChangeAddon(number, addon.id, quantity, expected_version=version)
            )
            conv.show(addon_texts.changed(conv.texts.tr, result))
            return self.done()
        try:
            changed = await subscriptions.change_quantity(
                conv.ctx, actor, ChangeQuantity(number, quantity, expected_version=version)
            )
        except (errors.QuantityUnchanged, errors.VersionConflict):
            view = await orders.order_status(conv.ctx, actor, number)
            if view.quantity != quantity:
                raise  # changed meanwhile to something else: look again (R13)
            # a retried call (or a second admin asking for the same total): it is there already
            conv.say("rasa.change_already", name=view.product_name, quantity=view.quantity)
            return self.done()
        conv.show(results.quantity_changed(conv.texts.tr, changed))
        return self.done()


class BookAddonAction(_SubscriptionWrite):
    """The add-on named by SKU or name, as the form resolves it; the terms as the user
    answered them: the domain refuses a booking without them (R17)."""

    right = Right.ADDON
    slots = ADDON_SLOTS

    def name(self) -> str:
        return "action_book_addon"

    async def write(self, conv: Conversation, number: int, version: int) -> Events:
        value = conv.slot("addon")
        quantity = parsing.quantity(conv.slot("quantity"), conv.texts.language)
        if value is None or quantity is None:
            return self.incomplete(conv)
        sku = await lookups.addon(conv, value)
        if sku is None:
            return self.done()
        terms = parsing.yes_no(conv.slot("terms_accepted")) is True
        try:
            booked = await addons.book_addon(
                conv.ctx,
                conv.require_actor(),
                BookAddon(number, sku, terms, quantity, expected_version=version),
            )
        except errors.ConsentMissing:  # the domain's refusal, in the add-on's words
            conv.say("rasa.addon_terms_missing")
            return self.done()
        conv.show(results.addon_booked(conv.texts.tr, booked.addon))
        return self.done()


class CancelSubscriptionAction(_SubscriptionWrite):
    right = Right.CANCEL
    slots = CANCEL_SLOTS

    def name(self) -> str:
        return "action_cancel_subscription"

    def check_right(self, conv: Conversation) -> None:
        """None here: `submit_cancel` decides whether it cancels or asks, or refuses (R23)."""

    async def write(self, conv: Conversation, number: int, version: int) -> Events:
        if parsing.yes_no(conv.slot("confirm_cancel")) is not True:
            conv.say("rasa.cancel_not_confirmed")
            return self.done()
        actor = conv.require_actor()
        booked = conv.slot("addon")
        if isinstance(booked, str):  # the add-on on its own, to the month end (R17, R19)
            (_, addon), *_ = await addons.booked(conv.ctx, actor, conv.customer_id, booked, number)
            result = await addons.cancel_addon(
                conv.ctx, actor, CancelAddon(number, addon.id, expected_version=version)
            )
            conv.show(addon_texts.cancelled(conv.texts.tr, result))
            return self.done()
        outcome = await cancellations.submit_cancel(
            conv.ctx,
            actor,
            CancelSubscription(number, expected_version=version),
            actor.label,
            tell_admins=True,  # Rasa cannot send the admins the card: a notice instead
        )
        if isinstance(outcome, Requested):  # a member's: the admins decide (R23)
            await say_sent(conv, outcome.request)
            return self.done()
        conv.show(results.cancelled(conv.texts.tr, outcome))
        return self.done()
