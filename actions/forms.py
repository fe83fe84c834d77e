"""`validate_<form>` for the four forms: each slot checked by the use case a write would run.

A rejected value is set back to None with one sentence why, so the form asks again. Ranges,
seat caps, R6, add-on rules and the like are decided by the domain (`quote_order` and the
`dry_run` of the write use cases); these classes only translate.
"""

from __future__ import annotations

from typing import Any

from actions import history, lookups, parsing
from actions.base import SUBSCRIPTION_REFUSALS as SUBSCRIPTION
from actions.base import VERSION_SLOT, LicenceFormValidation, Slots, SubscriptionFormValidation
from domain import errors
from domain.access import Action as Right
from domain.commands import BookAddon, ChangeAddon, ChangeQuantity
from domain.licence_requests import RequestKind
from domain.nlu.numbers import Quantity, asked_quantity, new_total, read_quantity
from domain.services import addons, catalogue, orders, subscriptions
from domain.views import AddonView, SubscriptionView

CONSENT_SLOTS = ("terms_accepted", "account_consent")
# Refusals that concern the chosen product or add-on rather than the quantity.
_PRODUCT = (errors.AlreadySubscribed, errors.ProductRetired, errors.ProductNotFound)
_ADDON = (errors.AddonNotOffered, errors.AddonAlreadyBooked)


class ValidateOrderForm(LicenceFormValidation):
    """order_form: product, quantity, terms_accepted, account_consent (R3-R6)."""

    right = Right.ORDER
    members_ask = RequestKind.ORDER  # a member's order is a request; the admin gives consents

    def name(self) -> str:
        return "validate_order_form"

    async def required_slots(
        self, domain_slots: list[str], dispatcher: Any, tracker: Any, domain: dict[str, Any]
    ) -> list[str]:
        """A member is not asked for the consents: the approving admin gives them (R5, R23)."""
        slots = await super().required_slots(domain_slots, dispatcher, tracker, domain)
        return [s for s in slots if s not in CONSENT_SLOTS] if self.asks() else slots

    async def validate_product(
        self, value: Any, dispatcher: Any, tracker: Any, domain: dict[str, Any]
    ) -> Slots:
        """A SKU or a name → the SKU; unknown → close matches; booked already → R6."""
        if value is None:
            return {"product": None}
        conv = self.conv
        sku = await lookups.product(conv, value)
        if sku is None:
            return {"product": None}
        try:
            await catalogue.quote_order(conv.ctx, conv.require_actor(), conv.customer_id, sku, 1)
        except errors.DomainError as refusal:
            conv.refuse(refusal)
            return {"product": None}
        return {"product": sku}

    async def validate_quantity(
        self, value: Any, dispatcher: Any, tracker: Any, domain: dict[str, Any]
    ) -> Slots:
        """A whole number the domain accepts for this product (R4), checked by a quote."""
        if value is None:
            return {"quantity": None}
        quantity = self.quantity_or_none(value)
        conv = self.conv
        sku = conv.slot("product")
        if quantity is None or not isinstance(sku, str):
            return {"quantity": None}
        try:
            await catalogue.quote_order(
                conv.ctx, conv.require_actor(), conv.customer_id, sku, quantity
            )
        except _PRODUCT as refusal:
            conv.refuse(refusal)
            return {"quantity": None, "product": None}
        except errors.DomainError as refusal:
            conv.refuse(refusal)
            return {"quantity": None}
        return {"quantity": quantity}

    async def validate_terms_accepted(
        self, value: Any, dispatcher: Any, tracker: Any, domain: dict[str, Any]
    ) -> Slots:
        return self._consent("terms_accepted", value, "consent.terms")

    async def validate_account_consent(
        self, value: Any, dispatcher: Any, tracker: Any, domain: dict[str, Any]
    ) -> Slots:
        return self._consent("account_consent", value, "consent.microsoft_account")

    def _consent(self, slot: str, value: Any, consent_key: str) -> Slots:
        texts = self.conv.texts
        missing = texts("errors.consent_missing", missing=texts(consent_key))
        return self.confirmed(slot, value, missing)


class _BookedAddon(SubscriptionFormValidation):
    """A form that works on a booked add-on instead of its product when the message that
    started it named one ("Copilot kündigen", "Copilot auf 4 Nutzer", R17): `addon` is then
    asked first and settles the subscription when only one has it running."""

    async def required_slots(
        self, domain_slots: list[str], dispatcher: Any, tracker: Any, domain: dict[str, Any]
    ) -> list[str]:
        slots = await super().required_slots(domain_slots, dispatcher, tracker, domain)
        return ["addon", *slots] if tracker.get_slot("addon") is not None else slots

    async def extract_addon(self, dispatcher: Any, tracker: Any, domain: dict[str, Any]) -> Slots:
        """The add-on the starting message named is validated with the form's first call."""
        value = tracker.get_slot("addon")
        if value is None or not history.set_this_turn(tracker.events, "addon"):
            return {}
        return {"addon": value}

    async def validate_addon(
        self, value: Any, dispatcher: Any, tracker: Any, domain: dict[str, Any]
    ) -> Slots:
        """A booked add-on's SKU, and its subscription if only one has it (R17); one not
        booked ends the form (`AddonNotBooked`: nothing else is meant)."""
        if value is None:
            return {"addon": None}
        found = await self.booked_addon(value)
        if found is None:
            return {"addon": None}
        if len(found) > 1:  # booked for several products: which subscription is asked
            return {"addon": found[0][1].sku}
        sub, addon = found[0]
        return {"addon": addon.sku, "subscription": str(sub.id), VERSION_SLOT: sub.version}

    async def booked_addon(self, value: Any) -> list[tuple[SubscriptionView, AddonView]] | None:
        """Where the add-on named by `value` runs (of the chosen subscription, if any)."""
        conv = self.conv
        sku = await lookups.addon(conv, value)
        if sku is None:
            return None
        return await addons.booked(
            conv.ctx, conv.require_actor(), conv.customer_id, sku, self.subscription_id()
        )


class ValidateChangeQuantityForm(_BookedAddon):
    """change_quantity_form: subscription, quantity as the new total (R11, R12), then the
    summary and an explicit yes (`confirm_change`, an extra slot) before anything is written;
    or, started for a booked add-on, that add-on's new number of users (R17).

    A quantity named before the subscription is known ("Bitte auf 8 erhöhen", then "which
    one?") is kept as asked (a total "8", or a change "+5") until the subscription is chosen.
    """

    right = Right.CHANGE
    extra_slots = ("confirm_change",)

    def name(self) -> str:
        return "validate_change_quantity_form"

    async def validate_subscription(
        self, value: Any, dispatcher: Any, tracker: Any, domain: dict[str, Any]
    ) -> Slots:
        chosen = await super().validate_subscription(value, dispatcher, tracker, domain)
        pending = parsing.pending_quantity(self.conv.slot("quantity"))
        number = parsing.subscription_id(chosen.get("subscription"))
        if pending is None or number is None:
            return chosen
        return {**chosen, **await self._total(pending, number, chosen.get(VERSION_SLOT))}

    async def validate_quantity(
        self, value: Any, dispatcher: Any, tracker: Any, domain: dict[str, Any]
    ) -> Slots:
        """The new total; "5 weitere" / "5 more" in the latest message adds to the current."""
        if value is None:
            return {"quantity": None}
        quantity = self.quantity_or_none(value)
        if quantity is None:
            return {"quantity": None}
        if self.conv.slot("addon") is not None:  # the add-on's users (R17)
            return await self._addon_total(quantity)
        asked = await self._asked(quantity)
        number = self.subscription_id()
        if number is None:  # kept as asked until the subscription is known
            return {"quantity": parsing.as_pending(asked)}
        return await self._total(asked, number, self.seen_version())

    async def _total(self, asked: Quantity, number: int, version: Any) -> Slots:
        """The new total of subscription `number`, checked by a dry run of the change."""
        conv = self.conv
        actor = conv.require_actor()
        try:
            current = await orders.order_status(conv.ctx, actor, number)
            total = new_total(current.quantity, asked)
            await subscriptions.change_quantity(
                conv.ctx,
                actor,
                ChangeQuantity(number, total, expected_version=parsing.version(version)),
                dry_run=True,
            )
        except SUBSCRIPTION as refusal:
            conv.refuse(refusal)
            return self.forget_subscription(quantity=None)
        except errors.DomainError as refusal:
            conv.refuse(refusal)
            return {"quantity": None}
        return {"quantity": total, "confirm_change": None}

    async def extract_confirm_change(
        self, dispatcher: Any, tracker: Any, domain: dict[str, Any]
    ) -> Slots:
        return self.yes_no_answer(tracker, "confirm_change")

    async def validate_confirm_change(
        self, value: Any, dispatcher: Any, tracker: Any, domain: dict[str, Any]
    ) -> Slots:
        missing = self.conv.texts("rasa.change_not_confirmed")
        return self.confirmed("confirm_change", value, missing)

    async def _addon_total(self, quantity: int) -> Slots:
        """The add-on's new number of users, checked as the change would be (R13, R17)."""
        found = await self.booked_addon(self.conv.slot("addon"))
        if found is None or len(found) != 1:
            return {"quantity": None}
        sub, addon = found[0]
        conv = self.conv
        total = new_total(addon.quantity, await self._asked(quantity))
        try:
            await addons.change_addon(
                conv.ctx,
                conv.require_actor(),
                ChangeAddon(sub.id, addon.id, total, expected_version=sub.version),
                dry_run=True,
            )
        except errors.DomainError as refusal:
            conv.refuse(refusal)
            return {"quantity": None}
        return {"quantity": total, "confirm_change": None}

    async def _asked(self, quantity: int) -> Quantity:
        """What the number asks for in the latest message: "5 weitere" is a change (R11)."""
        conv = self.conv
        names = await lookups.names(conv)
        message = read_quantity(conv.latest_text, conv.texts.language, names.mask)
        return asked_quantity(quantity, message)


class ValidateAddonForm(SubscriptionFormValidation):
    """addon_form: subscription, addon, quantity, and the terms for the add-on (R14-R17).

    The terms (R17) are asked as an extra slot, `terms_accepted`, which this action also
    reads from a yes/no answer while it is the requested slot.
    """

    right = Right.ADDON
    extra_slots = ("terms_accepted",)

    def name(self) -> str:
        return "validate_addon_form"

    async def validate_addon(
        self, value: Any, dispatcher: Any, tracker: Any, domain: dict[str, Any]
    ) -> Slots:
        """A SKU or a name → the SKU, offered for the subscription's product (R15)."""
        if value is None:
            return {"addon": None}
        conv = self.conv
        sku = await lookups.addon(conv, value)
        number = self.subscription_id()
        if sku is None:
            return {"addon": None}
        if number is None:
            return {"addon": sku}
        try:
            await addons.book_addon(
                conv.ctx,
                conv.require_actor(),
                BookAddon(number, sku, False, expected_version=self.seen_version()),
                dry_run=True,
            )
        except SUBSCRIPTION as refusal:
            conv.refuse(refusal)
            return self.forget_subscription(addon=sku)
        except errors.DomainError as refusal:
            conv.refuse(refusal)
            return {"addon": None}
        return {"addon": sku}

    async def validate_quantity(
        self, value: Any, dispatcher: Any, tracker: Any, domain: dict[str, Any]
    ) -> Slots:
        """Users for the add-on: at most the base quantity (R17), as the domain checks."""
        if value is None:
            return {"quantity": None}
        quantity = self.quantity_or_none(value)
        conv = self.conv
        number, sku = self.subscription_id(), conv.slot("addon")
        if quantity is None or number is None or not isinstance(sku, str):
            return {"quantity": None}
        try:
            await addons.book_addon(
                conv.ctx,
                conv.require_actor(),
                BookAddon(number, sku, False, quantity, expected_version=self.seen_version()),
                dry_run=True,
            )
        except SUBSCRIPTION as refusal:
            conv.refuse(refusal)
            return self.forget_subscription(quantity=None)
        except _ADDON as refusal:
            conv.refuse(refusal)
            return {"quantity": None, "addon": None}
        except errors.DomainError as refusal:
            conv.refuse(refusal)
            return {"quantity": None}
        return {"quantity": quantity}

    async def extract_terms_accepted(
        self, dispatcher: Any, tracker: Any, domain: dict[str, Any]
    ) -> Slots:
        """ "Ja" / "Nein" while the terms are asked (the domain maps it for order_form only)."""
        return self.yes_no_answer(tracker, "terms_accepted")

    async def validate_terms_accepted(
        self, value: Any, dispatcher: Any, tracker: Any, domain: dict[str, Any]
    ) -> Slots:
        missing = self.conv.texts("rasa.addon_terms_missing")
        return self.confirmed("terms_accepted", value, missing)


class ValidateCancelForm(_BookedAddon):
    """cancel_form: subscription and an explicit confirmation (R18-R20); a member's ends in a
    request to the admins (R23)."""

    right = Right.CANCEL
    members_ask = RequestKind.CANCEL

    def name(self) -> str:
        return "validate_cancel_form"

    async def validate_confirm_cancel(
        self, value: Any, dispatcher: Any, tracker: Any, domain: dict[str, Any]
    ) -> Slots:
        missing = self.conv.texts("rasa.cancel_not_confirmed")
        return self.confirmed("confirm_cancel", value, missing)
