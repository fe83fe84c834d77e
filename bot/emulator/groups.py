"""Simulated groups: supergroups with the bot in it, forums (with topics) or not.

Any simulated user may write in a group, reply to its messages and press the buttons of the bot's
messages there. The bot counts as an administrator with every right: it sees every message
(privacy mode is not modelled), may create and manage topics and write in closed ones.
"""

from __future__ import annotations

from types import EllipsisType
from typing import TYPE_CHECKING

from bot.emulator.errors import JsonDict
from bot.emulator.members import callback, edit, post
from bot.emulator.model import Chat, SentMessage, Topic, message_id_of

if TYPE_CHECKING:
    from bot.emulator.chats import Chats
    from bot.emulator.updates import Updates
    from bot.emulator.users import EmulatedUser

# A thread filter: a topic's message_thread_id, None for messages outside threads, ... for all.
Thread = int | None | EllipsisType


class EmulatedGroup:
    """A supergroup (chat id < 0) the bot is a member of; with topics when it is a forum."""

    def __init__(self, chats: Chats, updates: Updates, chat: Chat) -> None:
        self._chats = chats
        self._updates = updates
        self._chat = chat
        self._cursor = 0  # the newest chat event seen when someone last acted here

    @property
    def id(self) -> int:
        """The chat id (negative)."""
        return self._chat.id

    @property
    def title(self) -> str:
        """The group's title."""
        return self._chat.title or ""

    @property
    def is_forum(self) -> bool:
        """Whether the group has topics."""
        return self._chat.is_forum

    def chat_api(self) -> JsonDict:
        """The group as a Bot API Chat object."""
        return self._chat.chat_api()

    # what members do

    async def send(
        self,
        user: EmulatedUser,
        text: str,
        *,
        reply_to: SentMessage | int | None = None,
        thread: int | None = None,
    ) -> JsonDict:
        """A message from `user` in the group, optionally as a reply and/or in a topic; the update.

        A reply goes into the topic of the message it replies to. In a forum a message without
        `thread` (and not replying to a topic message) belongs to the General topic.
        """
        self._check_member(user)
        reply_id = None if reply_to is None else message_id_of(reply_to)
        message = post(self._chats, self._chat, user, text, reply_id, thread)
        return self._act({"message": message})

    async def edit(self, user: EmulatedUser, message: JsonDict | int, text: str) -> JsonDict:
        """`user` edits their message here (its update from `send`, or its id): the bot gets
        an `edited_message` update."""
        self._check_member(user)
        if isinstance(message, int):
            message_id = message
        else:
            message_id = int(message.get("message", message)["message_id"])
        return self._act({"edited_message": edit(self._chat, user, message_id, text)})

    async def press(self, user: EmulatedUser, message: SentMessage | int, button: str) -> JsonDict:
        """`user` presses an inline button (exact label or callback_data) of a bot message here."""
        message_id = message_id_of(message)
        found = self._chats.bot_message(self.id, message_id).button(button)
        if "callback_data" not in found:
            raise ValueError(f"button {button!r} sends no callback query: {found}")
        return await self.press_data(user, message_id, found["callback_data"])

    async def press_data(self, user: EmulatedUser, message_id: int, data: str) -> JsonDict:
        """A callback query from `user` with any (possibly forged) data for a bot message here."""
        self._check_member(user)
        current = self._chats.message_json(self._chats.bot_message(self.id, message_id))
        return self._act(callback(self._chats, self._chat, user, current, data))

    # what the bot did

    def messages(self, thread: Thread = ...) -> list[SentMessage]:
        """The bot's current messages here, oldest first: all, those in one topic (or reply
        thread), or with thread=None those outside threads (a forum's General topic)."""
        return [m for m in self._chats.messages(self.id) if _in_thread(m, thread)]

    def last_message(self, thread: Thread = ...) -> SentMessage:
        """The bot's newest current message here (or in one topic)."""
        messages = self.messages(thread)
        if not messages:
            where = "" if thread is ... else f" (thread {thread})"
            raise LookupError(f"the bot has no message in group {self.id}{where}")
        return messages[-1]

    async def wait_reply(self, timeout: float = 30.0, *, thread: Thread = ...) -> SentMessage:  # noqa: ASYNC109
        """The bot message sent or edited here (or in one topic) first after the last action in
        this group or the last message waited for."""
        event = await self._chats.next_event(
            self.id, self._cursor, timeout, lambda message: _in_thread(message, thread)
        )
        self._cursor = event.seq
        return self._chat.messages[event.message_id]

    def topics(self) -> dict[int, str]:
        """Every topic the bot created (closed ones too): message_thread_id → name."""
        return {thread: topic.name for thread, topic in self._chat.topics.items()}

    def topic(self, thread: int) -> Topic:
        """A topic with its name, icon and whether it is closed."""
        if thread not in self._chat.topics:
            raise LookupError(f"no topic {thread} in group {self.id}; it has {self.topics()}")
        return self._chat.topics[thread]

    def delete_topic(self, thread: int) -> None:
        """An administrator deletes a topic with its messages: the bot's later messages to it
        get 400 "message thread not found"."""
        self.topic(thread)
        del self._chat.topics[thread]
        for message_id in [m.message_id for m in self.messages(thread)]:
            del self._chat.messages[message_id]

    def posts(self) -> list[JsonDict]:
        """The members' messages and the service messages here, as the bot got them."""
        return list(self._chat.posts.values())

    def _check_member(self, user: EmulatedUser) -> None:
        if self._chats.user(user.id) is not user:
            raise ValueError(f"{user!r} is not a user of this emulator; create it with emu.user()")

    def _act(self, body: JsonDict) -> JsonDict:
        self._cursor = self._chats.event_seq
        return self._updates.enqueue(body)


def _in_thread(message: SentMessage, thread: Thread) -> bool:
    return thread is ... or message.message_thread_id == thread
