"""One action call: who is asking (the Rasa sender), in which language, and how to answer."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from actions import runtime
from domain import errors
from domain.model import Actor, Channel
from domain.services import accounts
from domain.services.context import Context
from domain.settings import Settings
from domain.texts.i18n import Translator, pick_language
from domain.texts.refusals import describe

# The catalogues are written for Telegram's HTML; a Rasa channel gets plain text.
_MARKUP = re.compile(r"</?(?:b|i|u|s|code|pre)>")


def plain(text: str) -> str:
    """The bot's HTML message as plain text: tags removed, entities (&amp; …) decoded."""
    return html.unescape(_MARKUP.sub("", text))


class Texts:
    """The bot's message catalogues (bot/locales) as plain text in one language."""

    def __init__(self, language: str) -> None:
        self.tr = Translator(language)

    @property
    def language(self) -> str:
        return self.tr.language

    def __call__(self, key: str, **params: object) -> str:
        return plain(self.tr(key, **params))

    def money(self, amount: Decimal) -> str:
        return self.tr.money(amount)

    def date(self, day: date | None) -> str:
        return self.tr.date(day)

    def refusal(self, error: errors.DomainError) -> str:
        return plain(describe(error, self.tr))


@dataclass
class Conversation:
    """The tracker and dispatcher of one call, with the domain context and the actor."""

    ctx: Context
    settings: Settings
    texts: Texts
    tracker: Any  # rasa_sdk.Tracker
    dispatcher: Any  # rasa_sdk.executor.CollectingDispatcher
    actor: Actor | None  # None: the sender has not redeemed an invite (R22)

    @classmethod
    async def open(cls, dispatcher: Any, tracker: Any, *, identify: bool = True) -> Conversation:
        """The language, and the sender (`sender_id` is the chat identity) unless not needed."""
        ctx = await runtime.context()
        settings = runtime.settings()
        language = pick_language(tracker.get_slot("language"), settings.default_language)
        actor: Actor | None = None
        if identify:
            try:
                actor = await accounts.resolve_actor(ctx, Channel.RASA, str(tracker.sender_id))
            except errors.NotLinked:
                actor = None
        return cls(ctx, settings, Texts(language), tracker, dispatcher, actor)

    @property
    def sender_id(self) -> str:
        return str(self.tracker.sender_id)

    def require_actor(self) -> Actor:
        if self.actor is None:
            raise errors.NotLinked()
        return self.actor

    @property
    def customer_id(self) -> str:
        """The customer the sender acts for; a service desk agent has none here."""
        customer_id = self.require_actor().customer_id
        if customer_id is None:
            raise errors.NotLinked()
        return customer_id

    def slot(self, name: str) -> Any:
        return self.tracker.get_slot(name)

    @property
    def latest_text(self) -> str:
        text = (self.tracker.latest_message or {}).get("text")
        return text if isinstance(text, str) else ""

    @property
    def events(self) -> list[dict[str, Any]]:
        events: list[dict[str, Any]] = self.tracker.events
        return events

    @property
    def active_form(self) -> str | None:
        name = (self.tracker.active_loop or {}).get("name")
        return name if isinstance(name, str) else None

    def latest_entity(self, entity: str) -> Any:
        return next(self.tracker.get_latest_entity_values(entity), None)

    def say(self, key: str, **params: object) -> None:
        self.say_text(self.texts(key, **params))

    def say_text(self, text: str) -> None:
        self.dispatcher.utter_message(text=text)

    def refuse(self, error: errors.DomainError) -> None:
        self.say_text(self.texts.refusal(error))
