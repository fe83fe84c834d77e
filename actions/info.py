"""Small talk, help, the fallback and the way to a human (R26)."""

from __future__ import annotations

from actions.base import Events, LicenceAction
from actions.conversation import Conversation
from domain.services import orders


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
    """Not understood for sure: say what the assistant can do (never guess a write)."""

    identify = False
    requires_link = False

    def name(self) -> str:
        return "action_fallback"

    async def act(self, conv: Conversation) -> Events:
        conv.say("free_text.can_do")
        return []


class Handoff(LicenceAction):
    """The service desk's contact (there is no ticket system to hand the chat over to yet).

    The contact is public (it is shown to unknown users as well); an unlinked sender is told
    first that the account is not linked.
    """

    requires_link = False

    def name(self) -> str:
        return "action_handoff"

    async def act(self, conv: Conversation) -> Events:
        if conv.actor is None:
            conv.say("errors.not_linked")
        conv.say("support.text", contact=conv.settings.service_desk_contact)
        return []
