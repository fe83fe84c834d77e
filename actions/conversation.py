"""One action call: who is asking (the Rasa sender), in which language, and how to answer.

`Conversation.open` gives the call its one unit of work (docs/design.md, decision 2): the sender is
resolved and every use case of the call runs in it, through a context bound to it; the call
commits once at the end. A refusal that was explained has already undone its use case's part.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from rasa_sdk.events import SlotSet

from actions import runtime
from domain import errors, metrics
from domain.model import Actor, Channel, require_linked
from domain.nlu import language
from domain.services import accounts
from domain.services.context import Context
from domain.settings import Settings
from domain.texts.i18n import Translator, pick_language
from domain.texts.markup import plain
from domain.texts.refusals import describe


class Texts:
    """The message catalogues (domain/texts) as plain text in one language."""

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


def conversation_language(tracker: Any) -> str | None:
    """The language asked for in the latest message ("in English please"); else the slot's
    (set from the linked person, or from the first clear message); else the language the
    latest message is written in; None when nothing tells."""
    text = (tracker.latest_message or {}).get("text")
    text = text if isinstance(text, str) else ""
    slot = tracker.get_slot("language")
    return (
        language.asked_for(text)
        or (slot if isinstance(slot, str) else None)
        or (language.written_in(text))
    )


@dataclass
class Conversation:
    """The tracker and dispatcher of one call, with the domain context and the actor."""

    ctx: Context  # bound to the call's unit of work
    settings: Settings
    texts: Texts
    tracker: Any  # rasa_sdk.Tracker
    dispatcher: Any  # rasa_sdk.executor.CollectingDispatcher
    actor: Actor | None  # None: the sender has not redeemed an invite (R22)
    told_language: str | None = None  # what the slot or the latest message says, if anything

    @classmethod
    @asynccontextmanager
    async def open(
        cls, dispatcher: Any, tracker: Any, *, identify: bool = True, write: bool = False
    ) -> AsyncIterator[Conversation]:
        """The call in one unit of work (`write`: it may write), committed once when the
        call returns; an exception leaves it uncommitted (rolled back).

        Resolves the sender (`sender_id` is the chat identity) unless `identify` is False.
        """
        root = await runtime.context()
        settings = runtime.settings()
        told = conversation_language(tracker)
        language = pick_language(told, settings.default_language)
        async with root.db.unit_of_work(write=write) as uow:
            ctx = root.bound(uow)
            actor: Actor | None = None
            if identify:
                try:
                    actor = await accounts.resolve_actor(ctx, Channel.RASA, str(tracker.sender_id))
                except errors.NotLinked:
                    actor = None
            yield cls(ctx, settings, Texts(language), tracker, dispatcher, actor, told)
            await uow.commit()

    @property
    def sender_id(self) -> str:
        return str(self.tracker.sender_id)

    def require_actor(self) -> Actor:
        return require_linked(self.actor)

    @property
    def customer_id(self) -> str:
        """The customer the sender acts for; a service desk agent has none here."""
        return self.require_actor().require_customer()

    def language_events(self) -> list[dict[str, Any]]:
        """Set the `language` slot when this turn told it (it was unknown, or the user asked
        for another one), so that the following turns stay in it."""
        told = self.told_language
        if told is None or self.tracker.get_slot("language") == told:
            return []
        return [SlotSet("language", told)]

    def slot(self, name: str) -> Any:
        return self.tracker.get_slot(name)

    @property
    def latest_text(self) -> str:
        text = (self.tracker.latest_message or {}).get("text")
        return text if isinstance(text, str) else ""

    @property
    def latest_intent(self) -> str | None:
        intent = (self.tracker.latest_message or {}).get("intent") or {}
        name = intent.get("name")
        return name if isinstance(name, str) else None

    @property
    def latest_confidence(self) -> float:
        intent = (self.tracker.latest_message or {}).get("intent") or {}
        confidence = intent.get("confidence")
        return float(confidence) if isinstance(confidence, int | float) else 0.0

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

    def show(self, screen: str) -> None:
        """A screen of domain/texts (Telegram HTML) as plain text."""
        self.say_text(plain(screen))

    def say_text(self, text: str) -> None:
        self.dispatcher.utter_message(text=text)

    def refuse(self, error: errors.DomainError) -> None:
        metrics.refused(error.code, Channel.RASA.value)
        self.say_text(self.texts.refusal(error))
