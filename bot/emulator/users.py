"""Simulated Telegram users: they write to the bot, press its buttons, wait for its replies and
may block it."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from bot.emulator.errors import JsonDict
from bot.emulator.members import callback, edit, post, post_media
from bot.emulator.model import message_id_of

if TYPE_CHECKING:
    from bot.emulator.chats import Chats
    from bot.emulator.model import ChatEvent, SentMessage
    from bot.emulator.updates import Updates


class EmulatedUser:
    """A Telegram user in a private chat with the bot (chat id = user id)."""

    def __init__(
        self,
        chats: Chats,
        updates: Updates,
        user_id: int,
        first_name: str,
        language_code: str | None,
        username: str | None,
        last_name: str | None,
    ) -> None:
        self.id = user_id
        self.first_name = first_name
        self.language_code = language_code
        self.username = username
        self.last_name = last_name
        self.blocked = (
            False  # the bot's requests to this chat get 403 "bot was blocked by the user"
        )
        self._chats = chats
        self._updates = updates
        self._cursor = 0  # the newest chat event seen when this user last acted or was answered

    def to_api(self) -> JsonDict:
        """The user as a Bot API User object."""
        user: JsonDict = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        optional = {
            "last_name": self.last_name,
            "username": self.username,
            "language_code": self.language_code,
        }
        user.update({key: value for key, value in optional.items() if value is not None})
        return user

    def chat_api(self) -> JsonDict:
        """The private chat as a Bot API Chat object."""
        chat: JsonDict = {"id": self.id, "type": "private", "first_name": self.first_name}
        if self.last_name is not None:
            chat["last_name"] = self.last_name
        if self.username is not None:
            chat["username"] = self.username
        return chat

    async def send(self, text: str, *, reply_to: SentMessage | int | None = None) -> JsonDict:
        """Write a text message to the bot, optionally as a reply; a leading /command gets its
        bot_command entity."""
        self._check_not_blocked()
        reply_id = None if reply_to is None else message_id_of(reply_to)
        message = post(self._chats, self._chats.chat(self.id), self, text, reply_id)
        return self._act({"message": message})

    async def send_media(self, kind: str) -> JsonDict:
        """Send a message without text: "sticker", "photo", "voice" or "location"."""
        self._check_not_blocked()
        message = post_media(self._chats, self._chats.chat(self.id), self, kind)
        return self._act({"message": message})

    def block(self) -> JsonDict:
        """Block the bot: its requests to this chat get 403 "Forbidden: bot was blocked by the
        user", and it gets the my_chat_member update Telegram sends (status "kicked")."""
        if self.blocked:
            raise ValueError(f"user {self.id} has already blocked the bot")
        self.blocked = True
        return self._my_chat_member("member", "kicked")

    def unblock(self) -> JsonDict:
        """Unblock the bot (Telegram's "Restart"), with its my_chat_member update ("member")."""
        if not self.blocked:
            raise ValueError(f"user {self.id} has not blocked the bot")
        self.blocked = False
        return self._my_chat_member("kicked", "member")

    async def edit(self, message: JsonDict | int, text: str) -> JsonDict:
        """Edit one of this user's messages (its update from `send`, or its id): the bot gets
        an `edited_message` update."""
        self._check_not_blocked()
        message_id = message if isinstance(message, int) else _sent_id(message)
        edited = edit(self._chats.chat(self.id), self, message_id, text)
        return self._act({"edited_message": edited})

    async def press(self, message: SentMessage | int, button: str) -> JsonDict:
        """Press an inline button of a bot message, found by exact label or by callback_data."""
        message_id = message_id_of(message)
        current = self._chats.bot_message(self.id, message_id)
        found = current.button(button)
        if "callback_data" not in found:
            raise ValueError(f"button {button!r} sends no callback query: {found}")
        return await self.press_data(message_id, found["callback_data"])

    async def press_data(self, message_id: int, data: str) -> JsonDict:
        """Send a callback query with any (possibly forged) data for a bot message."""
        current = self._chats.bot_message(self.id, message_id)
        return self._callback(self._chats.message_json(current), data)

    async def press_inaccessible(self, data: str, message_id: int = 1) -> JsonDict:
        """Send a callback query whose message is inaccessible (date 0), as for old messages."""
        message = {"chat": self.chat_api(), "message_id": message_id, "date": 0}
        return self._callback(message, data)

    async def wait_reply(self, timeout: float = 30.0) -> SentMessage:  # noqa: ASYNC109
        """The bot message sent or edited first after this user's last action."""
        event = await self._chats.next_event(self.id, self._cursor, timeout)
        self._cursor = event.seq
        return self._chats.chat(self.id).messages[event.message_id]

    def messages(self) -> list[SentMessage]:
        """The bot's current messages in this chat."""
        return self._chats.messages(self.id)

    def last_message(self) -> SentMessage:
        """The bot's newest current message in this chat."""
        return self._chats.last_message(self.id)

    def events(self) -> list[ChatEvent]:
        """Everything the bot did in this chat (sent, edited, deleted), in order."""
        return list(self._chats.chat(self.id).events)

    def _callback(self, message: JsonDict, data: str) -> JsonDict:
        self._check_not_blocked()
        return self._act(callback(self._chats, self._chats.chat(self.id), self, message, data))

    def _check_not_blocked(self) -> None:
        if self.blocked:
            raise ValueError(f"user {self.id} blocked the bot; call unblock() first")

    def _my_chat_member(self, old: str, new: str) -> JsonDict:
        bot = self._chats.bot_user()
        member: JsonDict = {
            "chat": self.chat_api(),
            "from": self.to_api(),
            "date": int(time.time()),
            "old_chat_member": _member(bot, old),
            "new_chat_member": _member(bot, new),
        }
        return self._updates.enqueue({"my_chat_member": member})

    def _act(self, body: JsonDict) -> JsonDict:
        self._cursor = self._chats.event_seq
        return self._updates.enqueue(body)


def _sent_id(update: JsonDict) -> int:
    """The message id of an update returned by `send` (or of a Message object)."""
    message = update.get("message", update)
    return int(message["message_id"])


def _member(user: JsonDict, status: str) -> JsonDict:
    """A ChatMember object; a "kicked" one is banned forever (until_date 0)."""
    member: JsonDict = {"user": user, "status": status}
    if status == "kicked":
        member["until_date"] = 0
    return member
