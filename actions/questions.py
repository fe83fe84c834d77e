"""`action_ask_<slot>`: the form questions (the domain has no `utter_ask_*` responses).

Each question names the facts the answer depends on: the price before the quantity, the
figures before the consent (R3, R5), the end date before a cancellation (R19, R20).
"""

from __future__ import annotations

from actions import lookups, parsing, render
from actions.base import VERSION_SLOT, Events, LicenceAction
from actions.conversation import Conversation
from domain.commands import BookAddon, CancelAddon, ChangeAddon, ChangeQuantity
from domain.services import addons, cancellations, catalogue, orders, subscriptions
from domain.texts import addon_changes as addon_texts
from domain.texts import orders as order_texts
from domain.texts import results
from domain.texts.i18n import N_

_WHICH_SUBSCRIPTION = {
    "change_quantity_form": N_("rasa.ask.subscription_change"),
    "addon_form": N_("rasa.ask.subscription_addon"),
    "cancel_form": N_("rasa.ask.subscription_cancel"),
}


class AskProduct(LicenceAction):
    def name(self) -> str:
        return "action_ask_product"

    async def act(self, conv: Conversation) -> Events:
        offers = await catalogue.browse_catalogue(conv.ctx, conv.require_actor(), conv.customer_id)
        names = [o.name for o in offers if o.booked_subscription_id is None]
        if not names:
            conv.say("products.empty")
        else:
            conv.say("rasa.ask.product", names=", ".join(names))
        return []


class AskQuantity(LicenceAction):
    """Asked by three forms: a new order, a new total, an add-on's users."""

    def name(self) -> str:
        return "action_ask_quantity"

    async def act(self, conv: Conversation) -> Events:
        form, actor = conv.active_form, conv.require_actor()
        sku = conv.slot("product")
        if form == "order_form" and isinstance(sku, str):
            offer = await catalogue.product_details(conv.ctx, actor, conv.customer_id, sku)
            conv.say(
                "rasa.ask.order_quantity",
                name=offer.name,
                price=conv.texts.money(offer.unit_price),
                maximum=offer.max_quantity,
            )
            return []
        view = await lookups.subscription_in_slot(conv)
        booked = conv.slot("addon")
        if form == "change_quantity_form" and view is not None and isinstance(booked, str):
            (sub, addon), *_ = await addons.booked(  # the add-on's users (R17)
                conv.ctx, actor, conv.customer_id, booked, view.id
            )
            conv.say(
                "rasa.ask.change_addon_quantity",
                name=addon.name,
                product=sub.product_name,
                quantity=addon.quantity,
                maximum=sub.quantity,
            )
            return []
        if form == "change_quantity_form" and view is not None:
            conv.say("rasa.ask.change_quantity", name=view.product_name, quantity=view.quantity)
            return []
        addon = conv.slot("addon")
        if form == "addon_form" and view is not None and isinstance(addon, str):
            names = await lookups.names(conv)
            conv.say(
                "rasa.ask.addon_quantity",
                name=names.addons.get(addon, addon),
                product=view.product_name,
                maximum=view.quantity,
            )
            return []
        conv.say("rasa.ask.quantity")
        return []


class AskTermsAccepted(LicenceAction):
    """The summary of what is agreed to, as Telegram's card, then the question (R3, R5, R17)."""

    def name(self) -> str:
        return "action_ask_terms_accepted"

    async def act(self, conv: Conversation) -> Events:
        tr, actor = conv.texts.tr, conv.require_actor()
        sku, quantity = conv.slot("product"), conv.slot("quantity")
        if conv.active_form == "order_form" and isinstance(sku, str) and isinstance(quantity, int):
            quote = await catalogue.quote_order(conv.ctx, actor, conv.customer_id, sku, quantity)
            conv.show(order_texts.order_summary(tr, quote))
        elif conv.active_form == "addon_form":
            await self._addon_summary(conv, quantity)
        conv.say("rasa.ask.terms", url=conv.settings.terms_url)
        return []

    @staticmethod
    async def _addon_summary(conv: Conversation, quantity: object) -> None:
        view = await lookups.subscription_in_slot(conv)
        addon = conv.slot("addon")
        if view is not None and isinstance(addon, str):
            preview = await addons.book_addon(
                conv.ctx,
                conv.require_actor(),
                BookAddon(
                    view.id,
                    addon,
                    False,
                    quantity if isinstance(quantity, int) else None,
                    expected_version=parsing.version(conv.slot(VERSION_SLOT)),
                ),
                dry_run=True,
            )
            pending, product = preview.addon, preview.subscription.product_name
            conv.show(order_texts.addon_summary(conv.texts.tr, pending.name, product, pending))


class AskAccountConsent(LicenceAction):
    def name(self) -> str:
        return "action_ask_account_consent"

    async def act(self, conv: Conversation) -> Events:
        conv.say("rasa.ask.account_consent")
        return []


class AskSubscription(LicenceAction):
    """Which subscription: the running ones, by number and product."""

    def name(self) -> str:
        return "action_ask_subscription"

    async def act(self, conv: Conversation) -> Events:
        overview = await orders.list_orders(conv.ctx, conv.require_actor(), conv.customer_id)
        running = overview.running()
        if not running:
            conv.say("rasa.ask.no_subscriptions")
            return []
        question = _WHICH_SUBSCRIPTION.get(conv.active_form or "", N_("rasa.ask.subscription"))
        conv.say(question, orders=render.order_lines(conv.texts, running))
        return []


class AskAddon(LicenceAction):
    """The add-ons offered for the subscription's product, at this customer's prices (R15)."""

    def name(self) -> str:
        return "action_ask_addon"

    async def act(self, conv: Conversation) -> Events:
        view = await lookups.subscription_in_slot(conv)
        if view is None:
            conv.say("rasa.ask.subscription_addon", orders="")
            return []
        offer = await catalogue.product_details(
            conv.ctx, conv.require_actor(), conv.customer_id, view.product_sku
        )
        booked = {a.sku for a in view.running_addons()}
        lines = [
            conv.texts("rasa.addon_line", name=a.name, price=conv.texts.money(a.unit_price))
            for a in offer.addons
            if a.sku not in booked
        ]
        if not lines:
            conv.say("addons.none", name=view.product_name)
        else:
            conv.say("rasa.ask.addon", product=view.product_name, addons="\n".join(lines))
        return []


class AskConfirmCancel(LicenceAction):
    """What a cancellation takes along and when it ends, as Telegram's question, then yes or
    no (R18-R20)."""

    def name(self) -> str:
        return "action_ask_confirm_cancel"

    async def act(self, conv: Conversation) -> Events:
        view = await lookups.subscription_in_slot(conv)
        if view is None:
            conv.say("rasa.ask.subscription_cancel", orders="")
            return []
        booked = conv.slot("addon")
        if isinstance(booked, str):  # the add-on on its own (R17, R19)
            (_, addon), *_ = await addons.booked(
                conv.ctx, conv.require_actor(), conv.customer_id, booked, view.id
            )
            cancelled = await addons.cancel_addon(
                conv.ctx,
                conv.require_actor(),
                CancelAddon(view.id, addon.id, parsing.version(conv.slot(VERSION_SLOT))),
                dry_run=True,
            )
            conv.show(addon_texts.cancel_question(conv.texts.tr, cancelled))
            conv.say("rasa.ask.confirm_cancel")
            return []
        preview = await cancellations.preview_cancel(  # the end date, as decided (R19)
            conv.ctx,
            conv.require_actor(),
            view.id,
            expected_version=parsing.version(conv.slot(VERSION_SLOT)),
        )
        # Telegram's question as plain text; a member's confirmation sends a request (R23)
        conv.show(
            order_texts.cancel_question(
                conv.texts.tr,
                preview.product_name,
                preview.quantity,
                preview.addon_names,
                preview.end_date,
                asks=preview.asks,
            )
        )
        conv.say(
            N_("rasa.ask.confirm_cancel_request") if preview.asks else N_("rasa.ask.confirm_cancel")
        )
        return []


class AskConfirmChange(LicenceAction):
    """Old and new quantity and monthly total, then yes or no (R11), as Telegram's summary."""

    def name(self) -> str:
        return "action_ask_confirm_change"

    async def act(self, conv: Conversation) -> Events:
        view = await lookups.subscription_in_slot(conv)
        quantity = parsing.quantity(conv.slot("quantity"), conv.texts.language)
        if view is None or quantity is None:
            conv.say("rasa.ask.subscription_change", orders="")
            return []
        booked = conv.slot("addon")
        if isinstance(booked, str):  # the add-on's users: old → new, as in Telegram (R17)
            actor = conv.require_actor()
            (_, addon), *_ = await addons.booked(conv.ctx, actor, conv.customer_id, booked, view.id)
            changed = await addons.change_addon(
                conv.ctx,
                actor,
                ChangeAddon(
                    view.id,
                    addon.id,
                    quantity,
                    expected_version=parsing.version(conv.slot(VERSION_SLOT)),
                ),
                dry_run=True,
            )
            conv.show(addon_texts.summary(conv.texts.tr, changed))
            conv.say("rasa.ask.confirm_change")
            return []
        preview = await subscriptions.change_quantity(
            conv.ctx,
            conv.require_actor(),
            ChangeQuantity(
                view.id, quantity, expected_version=parsing.version(conv.slot(VERSION_SLOT))
            ),
            dry_run=True,
        )
        conv.show(results.change_summary(conv.texts.tr, view, preview))
        conv.say("rasa.ask.confirm_change")
        return []
