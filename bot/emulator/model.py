"""What the emulator records: private chats with the bot's messages (and their earlier versions)
and chat events, the bot's requests and its answers to callback queries."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

from bot.emulator.errors import JsonDict
from bot.emulator.markup import inline_part

if TYPE_CHECKING:
    from bot.emulator.users import EmulatedUser


class ApiCall(NamedTuple):
    """One request the bot made: method name as sent and decoded parameters."""

    method: str
    params: JsonDict


class ChatEvent(NamedTuple):
    """Something the bot did in a chat: kind is "sent", "edited" or "deleted"."""

    seq: int
    kind: str
    message_id: int


@dataclass(frozen=True)
class CallbackAnswer:
    """The bot's answerCallbackQuery for one callback query."""

    query_id: str
    text: str | None
    show_alert: bool
    url: str | None
    cache_time: int | None


@dataclass(frozen=True)
class MessageVersion:
    """An earlier state of an edited bot message."""

    text: str
    parse_mode: str | None
    plain_text: str
    entities: list[JsonDict]
    reply_markup: JsonDict | None
    date: int


@dataclass
class SentMessage:
    """A message the bot sent; edits change it in place and push the old state to history."""

    message_id: int
    chat_id: int
    text: str  # as the bot sent it, markup included
    parse_mode: str | None
    plain_text: str  # as the user sees it
    entities: list[JsonDict]
    reply_markup: JsonDict | None
    link_preview_options: JsonDict | None
    date: int
    edit_date: int | None = None
    deleted: bool = False
    history: list[MessageVersion] = field(default_factory=list)

    @property
    def inline_keyboard(self) -> JsonDict | None:
        """The inline keyboard shown under the message, if any."""
        return inline_part(self.reply_markup)

    def buttons(self) -> list[str]:
        """Labels of the inline buttons, row by row."""
        return [button["text"] for button in self._inline_buttons()]

    def button(self, label_or_data: str) -> JsonDict:
        """The inline button with this exact label, else with this callback_data."""
        buttons = list(self._inline_buttons())
        for key in ("text", "callback_data"):
            for button in buttons:
                if button.get(key) == label_or_data:
                    return button
        raise LookupError(
            f"no button {label_or_data!r} in message {self.message_id}; it has {self.buttons()}"
        )

    def version(self) -> MessageVersion:
        """The current state as a history entry."""
        date = self.edit_date or self.date
        return MessageVersion(
            self.text, self.parse_mode, self.plain_text, self.entities, self.reply_markup, date
        )

    def _inline_buttons(self) -> Iterator[JsonDict]:
        keyboard = self.inline_keyboard or {}
        for row in keyboard.get("inline_keyboard", []):
            yield from row


@dataclass
class Chat:
    """A private chat: the bot's messages and what it did there; chat id = user id."""

    user: EmulatedUser
    next_message_id: int = 1
    messages: dict[int, SentMessage] = field(default_factory=dict)
    events: list[ChatEvent] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)
    reply_keyboard: JsonDict | None = None

    def take_message_id(self) -> int:
        """The next message id; the bot's and the user's messages share one sequence."""
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id
