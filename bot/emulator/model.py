"""What the emulator records: chats (private ones and groups, with forum topics), the bot's
messages in them (and their earlier versions), the others' messages, chat events, the bot's
requests and its answers to callback queries."""

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


@dataclass(frozen=True)
class Document:
    """A file the bot sent (sendDocument)."""

    file_name: str
    content: bytes


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
    message_thread_id: int | None = None  # the forum topic (or reply thread) it was sent in
    reply_to_message_id: int | None = None  # the message it explicitly replies to
    edit_date: int | None = None
    deleted: bool = False
    history: list[MessageVersion] = field(default_factory=list)
    document: Document | None = None  # sendDocument: the file; the caption is the text

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


def message_id_of(message: SentMessage | int) -> int:
    """The id of a bot message given as itself or as its id."""
    return message if isinstance(message, int) else message.message_id


@dataclass
class Topic:
    """A forum topic; its id is the id of the service message that created it."""

    message_thread_id: int
    name: str
    icon_color: int
    icon_custom_emoji_id: str | None = None
    closed: bool = False

    def to_api(self) -> JsonDict:
        """The topic as a Bot API ForumTopic object."""
        topic: JsonDict = {
            "message_thread_id": self.message_thread_id,
            "name": self.name,
            "icon_color": self.icon_color,
        }
        if self.icon_custom_emoji_id:
            topic["icon_custom_emoji_id"] = self.icon_custom_emoji_id
        return topic


@dataclass
class Chat:
    """A chat with the bot: a user's private chat (chat id = user id) or a group (negative id).

    `messages` are the bot's own text messages; `posts` everything else with a message id, as
    Bot API Message objects: the users' messages and service messages (a topic was created, ...).
    """

    id: int
    user: EmulatedUser | None = None  # the other party of a private chat
    title: str | None = None  # of a group
    is_forum: bool = False
    next_message_id: int = 1
    messages: dict[int, SentMessage] = field(default_factory=dict)
    posts: dict[int, JsonDict] = field(default_factory=dict)
    topics: dict[int, Topic] = field(default_factory=dict)
    events: list[ChatEvent] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)
    reply_keyboard: JsonDict | None = None

    def take_message_id(self) -> int:
        """The next message id; the bot's and everyone else's messages share one sequence."""
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id

    def chat_api(self) -> JsonDict:
        """The chat as a Bot API Chat object (as messages carry it)."""
        if self.user is not None:
            return self.user.chat_api()
        chat: JsonDict = {"id": self.id, "title": self.title, "type": "supergroup"}
        if self.is_forum:
            chat["is_forum"] = True
        return chat

    def thread_of(self, message_id: int) -> int | None:
        """The message_thread_id of a current message in this chat (None outside threads)."""
        message = self.messages.get(message_id)
        if message is not None:
            return message.message_thread_id
        post = self.posts.get(message_id)
        return None if post is None else post.get("message_thread_id")

    def has_message(self, message_id: int) -> bool:
        """Whether a current (not deleted) message has this id."""
        message = self.messages.get(message_id)
        return message_id in self.posts or (message is not None and not message.deleted)
