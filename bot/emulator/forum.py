"""Forum topics: createForumTopic, editForumTopic, closeForumTopic and reopenForumTopic.

Each topic is opened by a service message (forum_topic_created) whose id is the topic's
message_thread_id; edits, closing and reopening add their service messages to the topic, as in
Telegram. As Telegram does, a name is stripped and cut to 128 characters, an empty one refused;
without one of the six documented icon colours Telegram picks one.
"""

from __future__ import annotations

import time

from bot.emulator.chats import Chats
from bot.emulator.errors import JsonDict, bad_request
from bot.emulator.model import Chat, Topic
from bot.emulator.transport import optional_int

MAX_NAME = 128
ICON_COLORS = (0x6FB9F0, 0xFFD67E, 0xCB86DB, 0x8EEE98, 0xFF93B2, 0xFB6F5F)
NOT_MODIFIED = "TOPIC_NOT_MODIFIED"


class Forum:
    """The forum topic methods of the Bot API, acting on the emulator's chats."""

    def __init__(self, chats: Chats) -> None:
        self._chats = chats

    def create_topic(self, params: JsonDict) -> JsonDict:
        """createForumTopic: a ForumTopic; the chat must be a forum."""
        chat = self._forum(params)
        name = _name(params.get("name"))
        if not name:
            raise bad_request("title must be non-empty")
        color = optional_int(params, "icon_color") or 0
        if not 0 <= color <= 0xFFFFFF:
            raise bad_request("invalid icon color specified")
        if color not in ICON_COLORS:
            color = ICON_COLORS[len(chat.topics) % len(ICON_COLORS)]
        emoji = str(params.get("icon_custom_emoji_id") or "") or None
        thread = chat.take_message_id()
        topic = Topic(thread, name, color, emoji)
        chat.topics[thread] = topic
        self._service(chat, thread, "forum_topic_created", _created(topic), message_id=thread)
        return topic.to_api()

    def edit_topic(self, params: JsonDict) -> bool:
        """editForumTopic: a new name and/or custom emoji; nothing given changes nothing."""
        chat, topic = self._topic(params)
        name = _name(params.get("name"))
        if params.get("name") and not name:
            raise bad_request("title must be non-empty")
        edited: JsonDict = {}
        if name:
            edited["name"] = name
        if "icon_custom_emoji_id" in params:
            edited["icon_custom_emoji_id"] = str(params.get("icon_custom_emoji_id") or "")
        if not edited:
            return True
        current = {"name": topic.name, "icon_custom_emoji_id": topic.icon_custom_emoji_id or ""}
        if all(current[key] == value for key, value in edited.items()):
            raise bad_request(NOT_MODIFIED)
        topic.name = edited.get("name", topic.name)
        topic.icon_custom_emoji_id = edited.get("icon_custom_emoji_id", topic.icon_custom_emoji_id)
        self._service(chat, topic.message_thread_id, "forum_topic_edited", edited)
        return True

    def close_topic(self, params: JsonDict) -> bool:
        """closeForumTopic: refused (TOPIC_NOT_MODIFIED) when the topic is closed already."""
        return self._toggle(params, closed=True)

    def reopen_topic(self, params: JsonDict) -> bool:
        """reopenForumTopic: refused (TOPIC_NOT_MODIFIED) when the topic is open."""
        return self._toggle(params, closed=False)

    def _toggle(self, params: JsonDict, *, closed: bool) -> bool:
        chat, topic = self._topic(params)
        if topic.closed == closed:
            raise bad_request(NOT_MODIFIED)
        topic.closed = closed
        kind = "forum_topic_closed" if closed else "forum_topic_reopened"
        self._service(chat, topic.message_thread_id, kind, {})
        return True

    def _forum(self, params: JsonDict) -> Chat:
        chat = self._chats.target_chat(params)
        if not chat.is_forum:
            raise bad_request("the chat is not a forum")
        return chat

    def _topic(self, params: JsonDict) -> tuple[Chat, Topic]:
        chat = self._forum(params)
        topic = chat.topics.get(optional_int(params, "message_thread_id") or 0)
        if topic is None:
            raise bad_request("TOPIC_ID_INVALID")
        return chat, topic

    def _service(
        self, chat: Chat, thread: int, kind: str, content: JsonDict, message_id: int | None = None
    ) -> None:
        """Add a service message by the bot to a topic (the creating one has id = thread)."""
        message_id = message_id or chat.take_message_id()
        message: JsonDict = {
            "message_id": message_id,
            "from": self._chats.bot_user(),
            "chat": chat.chat_api(),
            "date": int(time.time()),
            "message_thread_id": thread,
            kind: content,
            "is_topic_message": True,
        }
        if message_id != thread:
            self._chats.add_reply(chat, message, thread)
        chat.posts[message_id] = message


def _name(value: object) -> str:
    return str(value or "").strip()[:MAX_NAME]


def _created(topic: Topic) -> JsonDict:
    created: JsonDict = {"name": topic.name, "icon_color": topic.icon_color}
    if topic.icon_custom_emoji_id:
        created["icon_custom_emoji_id"] = topic.icon_custom_emoji_id
    return created
