"""Link the Rasa sender to a customer with a one-time invite code (R22)."""

from __future__ import annotations

from rasa_sdk.events import SlotSet

from actions.base import Events, LicenceAction
from actions.conversation import Conversation, Texts
from domain.commands import LinkUser
from domain.model import Channel
from domain.services import accounts
from domain.texts.i18n import pick_language

MAX_SENDER_ID_LENGTH = 128  # what the users table stores as a channel's own id


class LinkAccount(LicenceAction):
    """The code from slot `invite_code`, else the latest message; greets by customer name."""

    identify = False
    requires_link = False
    writes = True

    def name(self) -> str:
        return "action_link_account"

    def when_refused(self) -> Events:
        return [SlotSet("invite_code", None)]

    async def act(self, conv: Conversation) -> Events:
        code = conv.slot("invite_code")
        if not isinstance(code, str) or not code.strip():
            code = conv.latest_text
        if len(conv.sender_id) > MAX_SENDER_ID_LENGTH:
            conv.say("errors.error")
            return self.when_refused()
        linked = await accounts.link_user(
            conv.ctx,
            Channel.RASA,
            LinkUser(conv.sender_id, code, display_name="", language=conv.told_language),
        )
        # The person's language from now on: as this conversation told it, else as stored
        # for them (a person linking again), else the conversation's default.
        language = pick_language(linked.user.language, conv.texts.language)
        conv.texts = Texts(language)
        if linked.customer_name is None:
            conv.say("rasa.welcome_agent")
        else:
            role = conv.texts.tr.role(linked.user.role)
            conv.say("rasa.welcome", customer=linked.customer_name, role=role)
        conv.told_language = language
        return [SlotSet("invite_code", None)]  # the code is spent; do not keep it
