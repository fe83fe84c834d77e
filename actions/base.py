"""Abstract bases of every action and form validation (the SDK registers only concrete ones).

`LicenceAction`: opens the conversation (one unit of work for the call, committed once),
requires a linked sender unless told otherwise, and turns any domain refusal into its
sentence. `LicenceFormValidation`: refuses calls for a form that is not running, checks the
sender's right for the whole form once, clears values left over from an earlier run, and lets
the `validate_<slot>` methods reach the conversation.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from contextvars import ContextVar
from typing import Any, ClassVar

from rasa_sdk import Action, FormValidationAction
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.forms import REQUESTED_SLOT
from rasa_sdk.interfaces import ActionExecutionRejection

from actions import history, lookups, parsing
from actions.conversation import Conversation
from domain import errors
from domain.access import Action as Right
from domain.access import authorize
from domain.licence_requests import RequestKind
from domain.nlu import answers
from domain.services import submissions

Events = list[dict[str, Any]]
Slots = dict[str, Any]

# Refusals that concern the chosen subscription itself: ask for the subscription again.
SUBSCRIPTION_REFUSALS = (
    errors.SubscriptionNotFound,
    errors.SubscriptionNotActive,
    errors.AddonRequiresProvisioned,
    errors.VersionConflict,
)
# The version of the subscription as the form chose it; every check and write on it passes
# it as `expected_version`, so a change made meanwhile is noticed (R13).
VERSION_SLOT = "subscription_version"

# Answers to a form's question that leave the form (`cancel`: the `/cancel` command).
LEAVE_INTENTS = frozenset({"deny", "goodbye", "cancel"})

_CONVERSATION: ContextVar[Conversation] = ContextVar("licencebot_conversation")


def reset(slots: Iterable[str]) -> Events:
    """Events that empty `slots`, so that the next form run starts clean."""
    return [SlotSet(slot, None) for slot in slots]


def with_version(slots: Iterable[str]) -> list[str]:
    """`slots`, and the subscription's version with the subscription: they go together."""
    names = list(slots)
    return [*names, VERSION_SLOT] if "subscription" in names else names


class LicenceAction(Action, ABC):  # type: ignore[misc]  # rasa_sdk has no type information
    """An action of this assistant: thin, one use case, answers from the catalogues."""

    identify: ClassVar[bool] = True  # resolve the sender before `act`
    requires_link: ClassVar[bool] = True  # NotLinked unless the sender redeemed an invite
    writes: ClassVar[bool] = False  # its unit of work may write (else: read only)

    @abstractmethod
    def name(self) -> str: ...

    @abstractmethod
    async def act(self, conv: Conversation) -> Events:
        """Do the work and say the result; raise a DomainError to refuse."""

    def when_refused(self) -> Events:
        """Events to return after a refusal was said."""
        return []

    async def run(self, dispatcher: Any, tracker: Any, domain: dict[str, Any]) -> Events:
        async with Conversation.open(
            dispatcher, tracker, identify=self.identify, write=self.writes
        ) as conv:
            try:
                if self.requires_link:
                    conv.require_actor()
                events = await self.act(conv)
            except errors.DomainError as refusal:
                conv.refuse(refusal)
                events = self.when_refused()
            return [*events, *conv.language_events()]  # after a revert, which would undo it


class LicenceFormValidation(FormValidationAction, ABC):  # type: ignore[misc]  # no type info
    """`validate_<form>`: one `validate_<slot>` per slot; refusals are explained, not raised."""

    right: ClassVar[Right]  # what the sender must be allowed to do with this form (R23)
    extra_slots: ClassVar[tuple[str, ...]] = ()  # asked in addition to the domain's slots
    # A member fills the form to ask the admins for this instead (R23); None: no member may.
    members_ask: ClassVar[RequestKind | None] = None

    @abstractmethod
    def name(self) -> str: ...

    @property
    def conv(self) -> Conversation:
        """The conversation of the call being validated."""
        return _CONVERSATION.get()

    def asks(self) -> bool:
        """Whether the sender fills this form to ask the customer's admins (a member, R23)
        rather than to write; False when they may do neither (refused when validating)."""
        actor = self.conv.actor
        if self.members_ask is None or actor is None:
            return False
        try:
            return submissions.asks(actor, self.members_ask, actor.customer_id)
        except errors.DomainError:
            return False

    async def required_slots(
        self, domain_slots: list[str], dispatcher: Any, tracker: Any, domain: dict[str, Any]
    ) -> list[str]:
        return [*domain_slots, *(s for s in self.extra_slots if s not in domain_slots)]

    async def run(self, dispatcher: Any, tracker: Any, domain: dict[str, Any]) -> Events:
        form = self.form_name()
        active = (tracker.active_loop or {}).get("name")
        if not history.called_for_form(tracker.events, active, form):
            raise ActionExecutionRejection(self.name(), f"{form} is not running")
        async with Conversation.open(dispatcher, tracker) as conv:
            return await self._validate(conv, dispatcher, tracker, domain)

    async def _validate(
        self, conv: Conversation, dispatcher: Any, tracker: Any, domain: dict[str, Any]
    ) -> Events:
        form = self.form_name()
        token = _CONVERSATION.set(conv)
        try:
            return await self._validate_as(conv, form, dispatcher, tracker, domain)
        finally:
            _CONVERSATION.reset(token)

    async def _validate_as(
        self, conv: Conversation, form: str, dispatcher: Any, tracker: Any, domain: dict[str, Any]
    ) -> Events:
        slots = await self.required_slots(self.domain_slots(domain), dispatcher, tracker, domain)
        if self.leaving(conv, form):  # "abbrechen", "nein", "/cancel", a goodbye: nothing done
            conv.say("rasa.form_left")
            return self._abort(slots)
        try:
            actor = conv.require_actor()
            if self.members_ask is not None:  # a member may fill it to ask the admins (R23)
                submissions.asks(actor, self.members_ask, actor.customer_id)
            else:
                authorize(actor, self.right, actor.customer_id)
            _ = conv.customer_id  # a service desk agent has no customer here
        except errors.DomainError as refusal:
            conv.refuse(refusal)
            return self._abort(slots)
        stale = history.leftovers(tracker.events, tracker.slots, form, slots)
        tracker.add_slots(reset(with_version(stale)))
        try:
            events: Events = await super().run(dispatcher, tracker, domain)
        except errors.DomainError as refusal:
            conv.refuse(refusal)
            return self._abort(slots)
        return events

    @staticmethod
    def leaving(conv: Conversation, form: str) -> bool:
        """The user answered the form's question with a wish to stop: a no, a goodbye,
        `/cancel` or the words for it ("abbrechen", "stop"). Not in the turn that starts the
        form: "cancel E3" starts the cancellation."""
        if history.activated_this_turn(conv.events, conv.active_form, form):
            return False
        return conv.latest_intent in LEAVE_INTENTS or answers.wants_to_stop(conv.latest_text)

    @staticmethod
    def _abort(slots: Iterable[str]) -> Events:
        """End the form: nothing of it can be done for this sender."""
        return [*reset(with_version(slots)), SlotSet(REQUESTED_SLOT, None), ActiveLoop(None)]

    # -- helpers for the validate_<slot> methods
    def confirmed(self, slot: str, value: Any, missing_text: str) -> Slots:
        """A yes/no slot: True is kept only from an explicit yes to this very question, which
        the classifier also read as `affirm` with at least CONSENT_CONFIDENCE (R5, R11, R20);
        False says what is missing and leaves it unset."""
        answer = parsing.yes_no(value)
        if answer is True and not self.explicit_yes():
            self.conv.say("rasa.answer_yes_no")
            return {slot: None}
        if answer is False:
            self.conv.say_text(missing_text)
        return {slot: True if answer else None}

    async def extract_quantity(
        self, dispatcher: Any, tracker: Any, domain: dict[str, Any]
    ) -> Slots:
        """A bare number ("3", "drei") answering "how many?", whatever intent the classifier
        gave it: a number alone is no other request (the forms ignore other writes' intents)."""
        if tracker.get_slot(REQUESTED_SLOT) != "quantity":
            return {}
        if (tracker.active_loop or {}).get("name") != self.form_name():
            return {}
        if history.set_this_turn(tracker.events, "quantity"):
            return {}
        text = self.conv.latest_text.strip()
        number = parsing.quantity(text, self.conv.texts.language)
        return {"quantity": text} if number is not None else {}

    def yes_no_answer(self, tracker: Any, slot: str) -> Slots:
        """ "Ja" / "Nein" as the answer to `slot` of this form, while it is the asked one
        (for slots the domain gives no from_intent mapping)."""
        if tracker.get_slot(REQUESTED_SLOT) != slot:
            return {}
        if (tracker.active_loop or {}).get("name") != self.form_name():
            return {}
        intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
        values = {"affirm": True, "deny": False}
        return {slot: values[intent]} if intent in values else {}

    def explicit_yes(self) -> bool:
        conv = self.conv
        return (
            conv.latest_intent == "affirm"
            and conv.latest_confidence >= answers.CONSENT_CONFIDENCE
            and answers.explicit_yes(conv.latest_text)
        )

    def quantity_or_none(self, value: Any) -> int | None:
        """The typed quantity as an int; says `order.not_a_number` when it is none."""
        quantity = parsing.quantity(value, self.conv.texts.language)
        if quantity is None:
            self.conv.say("order.not_a_number")
        return quantity


class SubscriptionFormValidation(LicenceFormValidation, ABC):
    """The forms that work on one of the customer's subscriptions."""

    async def validate_subscription(
        self, value: Any, dispatcher: Any, tracker: Any, domain: dict[str, Any]
    ) -> Slots:
        """An order number or a booked product's name/SKU → the subscription id as text.

        Another customer's number is refused exactly like an unknown one (R24).
        """
        if value is None:
            return self.forget_subscription()
        conv = self.conv
        try:
            view = await lookups.subscription(conv, value)
        except lookups.NotBooked as not_booked:
            conv.say("free_text.not_booked", name=not_booked.name)
            return self.forget_subscription()
        except errors.DomainError as refusal:
            conv.refuse(refusal)
            return self.forget_subscription()
        return {"subscription": str(view.id), VERSION_SLOT: view.version}

    async def extract_subscription(
        self, dispatcher: Any, tracker: Any, domain: dict[str, Any]
    ) -> Slots:
        """The product named while "which subscription?" is asked ("M365 E3", read as an
        order by the classifier, so Rasa's mappings ignore it): that product's subscription.
        Not when the message names an add-on ("Copilot for E3" asks for something else)."""
        if tracker.get_slot(REQUESTED_SLOT) != "subscription":
            return {}
        if (tracker.active_loop or {}).get("name") != self.form_name():
            return {}
        if history.set_this_turn(tracker.events, "subscription"):
            return {}
        conv = self.conv
        product = conv.latest_entity("product")
        if product is None or conv.latest_entity("addon") is not None:
            return {}
        return {"subscription": product}

    @staticmethod
    def forget_subscription(**more: Any) -> Slots:
        """Ask for the subscription again (and forget the version seen of it)."""
        return {**more, "subscription": None, VERSION_SLOT: None}

    def subscription_id(self) -> int | None:
        return parsing.subscription_id(self.conv.slot("subscription"))

    def seen_version(self) -> int | None:
        """The version of the subscription when the form chose it (R13)."""
        return parsing.version(self.conv.slot(VERSION_SLOT))
