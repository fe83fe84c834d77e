"""What simulated users do in a chat, as Telegram hands it to the bot: their text messages and
their button presses (callback queries), in private chats (users.py) and groups (groups.py)."""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING

from bot.emulator.errors import ApiError, JsonDict
from bot.emulator.formatting import utf16_len
from bot.emulator.threads import implicit_reply, place, thread_fields

if TYPE_CHECKING:
    from bot.emulator.chats import Chats
    from bot.emulator.model import Chat
    from bot.emulator.users import EmulatedUser

_COMMAND_RE = re.compile(r"/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?")


def post(
    chats: Chats,
    chat: Chat,
    sender: EmulatedUser,
    text: str,
    reply_to: int | None = None,
    thread: int | None = None,
) -> JsonDict:
    """Record a text message of `sender` in `chat`; it as a Bot API Message object.

    A leading /command gets its bot_command entity. An empty text, a topic the chat does not have
    or a reply to a message it does not have is a ValueError.
    """
    if not text.strip():
        raise ValueError("Telegram does not send empty messages")
    if thread is not None and not chat.is_forum:
        raise ValueError(f"chat {chat.id} has no topics")
    try:
        placement = place(chat, reply_to, thread)
    except ApiError as error:
        detail = error.description.removeprefix("Bad Request: ")
        raise ValueError(f"{detail} in chat {chat.id}") from None
    message_id = chat.take_message_id()
    message: JsonDict = {
        "message_id": message_id,
        "from": sender.to_api(),
        "chat": chat.chat_api(),
        "date": int(time.time()),
        **thread_fields(chat, placement),
        "text": text,
    }
    command = _COMMAND_RE.match(text)
    if command is not None:
        length = utf16_len(command[0])
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
    chats.add_reply(chat, message, implicit_reply(message_id, placement))
    chat.posts[message_id] = message
    return message


def edit(chat: Chat, sender: EmulatedUser, message_id: int, text: str) -> JsonDict:
    """`sender` edits their message `message_id` in `chat`: the Message object with the new
    text and an edit_date, as Telegram sends it in an `edited_message` update."""
    original = chat.posts.get(message_id)
    if original is None or original["from"]["id"] != sender.id:
        raise ValueError(f"user {sender.id} has no message {message_id} in chat {chat.id}")
    if not text.strip():
        raise ValueError("Telegram does not send empty messages")
    edited: JsonDict = {**original, "text": text, "edit_date": int(time.time())}
    edited.pop("entities", None)
    command = _COMMAND_RE.match(text)
    if command is not None:
        length = utf16_len(command[0])
        edited["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
    chat.posts[message_id] = edited
    return edited


def callback(
    chats: Chats, chat: Chat, sender: EmulatedUser, message: JsonDict, data: str
) -> JsonDict:
    """The body of a callback query update: `sender` pressed a button of `message` in `chat`."""
    query = {
        "id": chats.open_query(),
        "from": sender.to_api(),
        "message": message,
        "chat_instance": str(-(chat.id * 1_000_003 + 7)),
        "data": data,
    }
    return {"callback_query": query}


# What a non-text message carries, as Telegram sends it (file ids are made up).
MEDIA: dict[str, object] = {
    "sticker": {
        "file_id": "sticker-1",
        "file_unique_id": "s1",
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
        "emoji": "\N{SLIGHTLY SMILING FACE}",
    },
    "photo": [{"file_id": "photo-1", "file_unique_id": "p1", "width": 90, "height": 90}],
    "voice": {"file_id": "voice-1", "file_unique_id": "v1", "duration": 2},
    "location": {"latitude": 52.52, "longitude": 13.4},
}


def post_media(chats: Chats, chat: Chat, sender: EmulatedUser, kind: str) -> JsonDict:
    """Record a message of `sender` without text (a sticker, a photo, ...; see MEDIA)."""
    if kind not in MEDIA:
        raise ValueError(f"no such kind of message: {kind}; one of {sorted(MEDIA)}")
    message_id = chat.take_message_id()
    message: JsonDict = {
        "message_id": message_id,
        "from": sender.to_api(),
        "chat": chat.chat_api(),
        "date": int(time.time()),
        kind: MEDIA[kind],
    }
    chat.posts[message_id] = message
    return message
