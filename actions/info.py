"""Small talk, help, the fallback and the way to a human (R26)."""

from __future__ import annotations

from rasa_sdk.events import UserUtteranceReverted

from actions.base import Events, LicenceAction
from actions.conversation import Conversation
from domain.nlu import answers, language
from domain.services import orders, tickets
from domain.services.tickets import OpenTicket
from domain.texts import tickets as ticket_texts
from domain.tickets import MAX_TEXT


class Greet(LicenceAction):
    """Greets a linked sender by customer name; tells anyone else how to get access."""

    requires_link = False

    def name(self) -> str:
        return "action_greet"

    async def act(self, conv: Conversation) -> Events:
        actor = conv.actor
        if actor is None:
            conv.say("start.unknown", contact=conv.settings.service_desk_contact)
        elif actor.customer_id is None:
            conv.say("free_text.greet", name=conv.texts.tr.role(actor.role))
        else:
            overview = await orders.list_orders(conv.ctx, actor, actor.customer_id)
            conv.say("free_text.greet", name=overview.customer_name)
        return []


class Goodbye(LicenceAction):
    identify = False
    requires_link = False

    def name(self) -> str:
        return "action_goodbye"

    async def act(self, conv: Conversation) -> Events:
        conv.say("free_text.goodbye")
        return []


class Help(LicenceAction):
    identify = False
    requires_link = False

    def name(self) -> str:
        return "action_help"

    async def act(self, conv: Conversation) -> Events:
        conv.say("rasa.help")
        return []


class Fallback(LicenceAction):
    """Not understood for sure: say so once and what the assistant can do (never guess a
    write); inside a form, that its question still waits for an answer or can be left.

    The message is reverted (`UserUtteranceReverted`, as Rasa's own `action_default_fallback`
    does): the conversation is back where it was before it, so Rasa listens next instead of
    predicting this action again until its circuit breaker stops answering the sender.
    A message that asks for the other language ("in English please") switches to it.
    """

    identify = False
    requires_link = False

    def name(self) -> str:
        return "action_fallback"

    def when_refused(self) -> Events:
        return [UserUtteranceReverted()]

    async def act(self, conv: Conversation) -> Events:
        if language.asked_for(conv.latest_text) is not None:
            conv.say("language.saved")
        elif conv.active_form is None and (
            conv.latest_intent == "cancel" or answers.wants_to_stop(conv.latest_text)
        ):
            conv.say("rasa.nothing_running")
        elif conv.active_form is not None:
            conv.say("rasa.fallback_in_form")
        else:
            conv.say("free_text.can_do")
        return [UserUtteranceReverted()]


class Handoff(LicenceAction):
    """A ticket for the service desk (R26), through the same use case as the Telegram bot: the
    latest message is the concern, the running form what the user was doing. The bot posts it
    to the service desk group (outbox); the user gets its number and the desk's contact.

    The contact is public (it is shown to unknown users as well); an unlinked sender, or the
    service desk itself, is told the contact only.
    """

    requires_link = False
    writes = True

    def name(self) -> str:
        return "action_handoff"

    async def act(self, conv: Conversation) -> Events:
        contact = conv.settings.service_desk_contact
        if conv.actor is None:
            conv.say("errors.not_linked")
        if conv.actor is None or conv.actor.customer_id is None:
            conv.say("support.text", contact=contact)
            return []
        concern = conv.latest_text.strip() or conv.texts("context.none")
        opened = await tickets.open_ticket(
            conv.ctx,
            conv.actor,
            OpenTicket(concern[:MAX_TEXT], _doing(conv), conv.texts.language),
        )
        conv.show(ticket_texts.opened(conv.texts.tr, opened, contact))
        return []


def _doing(conv: Conversation) -> str:
    """What the sender was doing: the running form and the slots it has (desk's language)."""
    form = conv.active_form
    if form is None:
        return "–"
    filled = ", ".join(
        f"{slot}={conv.slot(slot)}"
        for slot in ("product", "subscription", "addon", "quantity")
        if conv.slot(slot) is not None
    )
    return f"Rasa {form}" + (f": {filled}" if filled else "")
