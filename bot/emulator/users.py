"""Simulated Telegram users: they write to the bot, press its buttons and wait for its replies."""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING

from bot.emulator.errors import JsonDict
from bot.emulator.formatting import utf16_len

if TYPE_CHECKING:
    from bot.emulator.chats import Chats
    from bot.emulator.model import SentMessage
    from bot.emulator.updates import Updates

_COMMAND_RE = re.compile(r"/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?")


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
        self.blocked = False  # when True the bot's messages get 403 "bot was blocked by the user"
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

    async def send(self, text: str) -> JsonDict:
        """Write a text message to the bot; a leading /command gets its bot_command entity."""
        if not text.strip():
            raise ValueError("Telegram does not send empty messages")
        message: JsonDict = {
            "message_id": self._chats.chat(self.id).take_message_id(),
            "from": self.to_api(),
            "chat": self.chat_api(),
            "date": int(time.time()),
            "text": text,
        }
        command = _COMMAND_RE.match(text)
        if command is not None:
            length = utf16_len(command[0])
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return self._act({"message": message})

    async def press(self, message: SentMessage | int, button: str) -> JsonDict:
        """Press an inline button of a bot message, found by exact label or by callback_data."""
        message_id = message if isinstance(message, int) else message.message_id
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

    async def wait_reply(self, timeout: float = 5.0) -> SentMessage:  # noqa: ASYNC109
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

    def _callback(self, message: JsonDict, data: str) -> JsonDict:
        query = {
            "id": self._chats.open_query(),
            "from": self.to_api(),
            "message": message,
            "chat_instance": str(-(self.id * 1_000_003 + 7)),
            "data": data,
        }
        return self._act({"callback_query": query})

    def _act(self, body: JsonDict) -> JsonDict:
        self._cursor = self._chats.event_seq
        return self._updates.enqueue(body)
