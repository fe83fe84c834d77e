"""Where a new message goes in a chat: its forum topic or reply thread, and what it replies to.

As in the Bot API: in a forum a message belongs to a topic (message_thread_id, is_topic_message)
or to the General topic (no thread); without an explicit reply a topic message replies to the
service message that created the topic. A reply outside topics opens (or continues) the reply
thread of the replied message, whose id becomes the reply's message_thread_id. A reply goes into
the topic of the message it replies to. Outside forums Telegram ignores the bot's
message_thread_id; private chats have no topics here.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from bot.emulator.errors import JsonDict, bad_request
from bot.emulator.model import Chat
from bot.emulator.transport import optional_int

THREAD_NOT_FOUND = "message thread not found"
REPLY_NOT_FOUND = "message to be replied not found"


class Placement(NamedTuple):
    """Where a new message goes."""

    thread_id: int | None  # its message_thread_id
    reply_to_id: int | None  # the message it explicitly replies to


def place(
    chat: Chat, reply_to: int | None, thread: int | None, *, without_reply: bool = False
) -> Placement:
    """The placement of a new message; Telegram's 400s for a missing topic or replied message.

    `without_reply` is allow_sending_without_reply: a missing replied message is then dropped.
    A reply to a message of another topic than `thread` is refused (Telegram would send it with
    an external reply, which the emulator does not model).
    """
    if thread is not None and chat.user is None and not chat.is_forum:
        thread = None  # a plain group: Telegram ignores message_thread_id
    if thread is not None and thread not in chat.topics:
        raise bad_request(THREAD_NOT_FOUND)
    if reply_to is None:
        return Placement(thread, None)
    if not chat.has_message(reply_to):
        if without_reply:
            return Placement(thread, None)
        raise bad_request(REPLY_NOT_FOUND)
    replied_thread = chat.thread_of(reply_to)
    replied_topic = replied_thread if replied_thread in chat.topics else None
    if thread is not None and replied_topic != thread:
        raise bad_request(REPLY_NOT_FOUND)
    if replied_topic is not None:
        return Placement(replied_topic, reply_to)
    if chat.user is not None:
        return Placement(None, reply_to)
    return Placement(replied_thread or reply_to, reply_to)


def bot_placement(chat: Chat, params: JsonDict) -> Placement:
    """Where sendMessage puts its message: message_thread_id, reply_parameters (or the older
    reply_to_message_id and allow_sending_without_reply)."""
    thread = optional_int(params, "message_thread_id")
    if thread is not None and thread <= 0:
        thread = None  # the Bot API reads a non-positive thread id as none
    reply: Any = params.get("reply_parameters")
    if reply is None:
        reply = {
            "message_id": params.get("reply_to_message_id"),
            "allow_sending_without_reply": params.get("allow_sending_without_reply"),
        }
    if not isinstance(reply, dict):
        raise bad_request("can't parse reply parameters JSON object")
    other_chat = reply.get("chat_id")
    if other_chat not in (None, "", chat.id, str(chat.id)):
        raise bad_request("replies to other chats are not supported by the emulator")
    reply_to = optional_int(reply, "message_id")
    without = reply.get("allow_sending_without_reply") in (True, "true", "1", 1)
    return place(
        chat, reply_to if reply_to and reply_to > 0 else None, thread, without_reply=without
    )


def thread_fields(chat: Chat, placement: Placement) -> JsonDict:
    """The message_thread_id and is_topic_message fields of a message placed so."""
    if placement.thread_id is None:
        return {}
    fields: JsonDict = {"message_thread_id": placement.thread_id}
    if placement.thread_id in chat.topics:
        fields["is_topic_message"] = True
    return fields


def implicit_reply(message_id: int, placement: Placement) -> int | None:
    """The message a message is shown replying to: the explicit one, else the root of its thread
    (in a topic the service message that created it)."""
    if placement.reply_to_id is not None:
        return placement.reply_to_id
    thread = placement.thread_id
    return thread if thread is not None and thread < message_id else None
