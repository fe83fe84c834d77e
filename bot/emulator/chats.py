"""The chats with the bot (private chats and groups) and the Bot API methods that act in them.

sendMessage, editMessageText, editMessageReplyMarkup, deleteMessage, answerCallbackQuery,
sendChatAction and getChat check their input as Telegram does and record what the bot did in each
chat. The bot counts as an administrator of every group: it may delete the members' messages.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from bot.emulator.activity import Activity
from bot.emulator.errors import ApiError, JsonDict, bad_request
from bot.emulator.formatting import render_text
from bot.emulator.markup import check_reply_markup, inline_part
from bot.emulator.model import CallbackAnswer, Chat, ChatEvent, Document, SentMessage
from bot.emulator.threads import Placement, bot_placement, implicit_reply, place, thread_fields
from bot.emulator.transport import FILES, optional_int

if TYPE_CHECKING:
    from bot.emulator.users import EmulatedUser

MAX_ANSWER_TEXT = 200
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"
BLOCKED = "Forbidden: bot was blocked by the user"
NO_GIFTS = {
    "unlimited_gifts": False,
    "limited_gifts": False,
    "unique_gifts": False,
    "premium_subscription": False,
    "gifts_from_channels": False,
}
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)


class Chats:
    """Every chat with the bot (users' private chats, groups), the open callback queries and
    their answers."""

    def __init__(self, activity: Activity, bot_info: JsonDict) -> None:
        self.callback_answers: dict[str, CallbackAnswer] = {}
        self.event_seq = 0  # of the newest ChatEvent in any chat
        self._activity = activity
        self._bot_info = bot_info
        self._chats: dict[int, Chat] = {}
        self._next_query = 0
        self._open_queries: set[str] = set()

    # users, groups and their chats

    def add(self, user: EmulatedUser) -> None:
        """Open the private chat of a new user."""
        self._chats[user.id] = Chat(user.id, user=user)

    def add_group(self, chat_id: int, title: str, *, forum: bool) -> Chat:
        """A new group (a supergroup, with topics if `forum`) with the bot in it."""
        chat = Chat(chat_id, title=title, is_forum=forum)
        self._chats[chat_id] = chat
        return chat

    def user(self, user_id: int) -> EmulatedUser | None:
        """The user with this id, None if there is none yet."""
        chat = self._chats.get(user_id)
        return None if chat is None else chat.user

    def chat(self, chat_id: int) -> Chat:
        """The chat with this id; a LookupError if there is no such user or group."""
        if chat_id not in self._chats:
            if chat_id < 0:
                raise LookupError(f"no group {chat_id}; create one with emu.group({chat_id}, ...)")
            raise LookupError(f"no user {chat_id}; create one with emu.user({chat_id})")
        return self._chats[chat_id]

    def messages(self, chat_id: int) -> list[SentMessage]:
        """The bot's current (not deleted) messages in a chat, oldest first."""
        return [m for m in self.chat(chat_id).messages.values() if not m.deleted]

    def last_message(self, chat_id: int) -> SentMessage:
        """The bot's newest current message in a chat."""
        messages = self.messages(chat_id)
        if not messages:
            raise LookupError(f"the bot has no message in chat {chat_id}")
        return messages[-1]

    def bot_message(self, chat_id: int, message_id: int) -> SentMessage:
        """A current message of the bot; a LookupError for a deleted or unknown one."""
        message = self.chat(chat_id).messages.get(message_id)
        if message is None or message.deleted:
            raise LookupError(f"the bot has no message {message_id} in chat {chat_id}")
        return message

    def bot_user(self) -> JsonDict:
        """The bot as a Bot API User object."""
        return {key: self._bot_info[key] for key in ("id", "is_bot", "first_name", "username")}

    def message_json(self, message: SentMessage, *, nested: bool = False) -> JsonDict:
        """A bot message as a Bot API Message object; `nested` (as a reply_to_message) leaves
        out its own reply_to_message, as Telegram does."""
        chat = self.chat(message.chat_id)
        placement = Placement(message.message_thread_id, message.reply_to_message_id)
        body: JsonDict = {
            "message_id": message.message_id,
            "from": self.bot_user(),
            "chat": chat.chat_api(),
            "date": message.date,
            **thread_fields(chat, placement),
            "text": message.plain_text,
        }
        if message.document is not None:  # a caption instead of a text
            del body["text"]
            body["document"] = {
                "file_id": f"doc-{message.chat_id}-{message.message_id}",
                "file_unique_id": f"u{message.chat_id}x{message.message_id}",
                "file_name": message.document.file_name,
                "file_size": len(message.document.content),
            }
            if message.plain_text:
                body["caption"] = message.plain_text
        if message.entities:
            key = "caption_entities" if message.document is not None else "entities"
            body[key] = [dict(entity) for entity in message.entities]
        if message.edit_date is not None:
            body["edit_date"] = message.edit_date
        if message.inline_keyboard is not None:
            body["reply_markup"] = message.inline_keyboard
        if not nested:
            self.add_reply(chat, body, implicit_reply(message.message_id, placement))
        return body

    def open_query(self) -> str:
        """The id of a new callback query, open until the bot answers it."""
        self._next_query += 1
        query_id = str(4_000_000_000_000_000 + self._next_query)
        self._open_queries.add(query_id)
        return query_id

    async def next_event(
        self,
        chat_id: int,
        after: int,
        timeout: float,  # noqa: ASYNC109
        accept: Callable[[SentMessage], bool] = lambda _: True,
    ) -> ChatEvent:
        """The first message sent or edited in a chat after event `after` (and `accept`ed),
        waiting for it."""
        deadline = time.monotonic() + timeout
        chat = self.chat(chat_id)
        while True:
            event = next(
                (
                    e
                    for e in chat.events
                    if e.seq > after and e.kind != "deleted" and accept(chat.messages[e.message_id])
                ),
                None,
            )
            if event is not None:
                return event
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"the bot did not write in chat {chat_id} in {timeout} s")
            await self._activity.wait_change(remaining)

    # Bot API methods

    def send_message(self, params: JsonDict) -> JsonDict:
        """sendMessage: a text with entities and reply markup as Telegram checks them."""
        chat = self.target_chat(params)
        text = params.get("text")
        if not isinstance(text, str):
            raise bad_request("message text is empty")
        parse_mode = params.get("parse_mode") or None
        plain, entities = render_text(text, parse_mode)
        markup = check_reply_markup(params.get("reply_markup"))
        placement = bot_placement(chat, params)
        preview = params.get("link_preview_options")
        if preview is None and params.get("disable_web_page_preview"):
            preview = {"is_disabled": True}
        message = self._new_message(
            chat, placement, text, parse_mode, (plain, entities), markup=markup, preview=preview
        )
        if markup is not None and "keyboard" in markup:
            chat.reply_keyboard = markup
        elif markup is not None and markup.get("remove_keyboard"):
            chat.reply_keyboard = None
        self.record(chat, "sent", message.message_id)
        return self.message_json(message)

    def send_document(self, params: JsonDict) -> JsonDict:
        """sendDocument of an uploaded file, with an optional caption (its text)."""
        chat = self.target_chat(params)
        upload = (params.get(FILES) or {}).get("document")
        if upload is None:
            raise bad_request("there is no document in the request")
        file_name, content = upload
        caption = params.get("caption") or ""
        if not isinstance(caption, str):
            raise bad_request("invalid caption")
        parse_mode = params.get("parse_mode") or None
        plain, entities = render_text(caption, parse_mode) if caption else ("", [])
        placement = bot_placement(chat, params)
        document = Document(str(file_name), content)
        message = self._new_message(
            chat, placement, caption, parse_mode, (plain, entities), document=document
        )
        self.record(chat, "sent", message.message_id)
        return self.message_json(message)

    @staticmethod
    def _new_message(
        chat: Chat,
        placement: Placement,
        text: str,
        parse_mode: str | None,
        rendered: tuple[str, list[JsonDict]],
        *,
        markup: JsonDict | None = None,
        preview: JsonDict | None = None,
        document: Document | None = None,
    ) -> SentMessage:
        """A new bot message in `chat` (`rendered`: its text as the user sees it, entities)."""
        plain, entities = rendered
        message = SentMessage(
            message_id=chat.take_message_id(),
            chat_id=chat.id,
            text=text,
            parse_mode=parse_mode,
            plain_text=plain,
            entities=entities,
            reply_markup=markup,
            link_preview_options=preview,
            date=int(time.time()),
            message_thread_id=placement.thread_id,
            reply_to_message_id=placement.reply_to_id,
            document=document,
        )
        chat.messages[message.message_id] = message
        return message

    def edit_message_text(self, params: JsonDict) -> JsonDict:
        """editMessageText, refused when nothing the user sees would change."""
        chat, message = self._edit_target(params)
        text = params.get("text")
        if not isinstance(text, str):
            raise bad_request("text must be non-empty")
        parse_mode = params.get("parse_mode") or None
        plain, entities = render_text(text, parse_mode)
        markup = check_reply_markup(params.get("reply_markup"), inline_only=True)
        unchanged = (message.plain_text, message.entities, message.inline_keyboard)
        if (plain, entities, inline_part(markup)) == unchanged:
            raise bad_request(NOT_MODIFIED)
        message.history.append(message.version())
        message.text, message.parse_mode, message.plain_text = text, parse_mode, plain
        message.entities, message.reply_markup = entities, markup
        if "link_preview_options" in params:
            message.link_preview_options = params["link_preview_options"]
        return self._edited(chat, message)

    def edit_message_reply_markup(self, params: JsonDict) -> JsonDict:
        """editMessageReplyMarkup, refused when the inline keyboard would stay the same."""
        chat, message = self._edit_target(params)
        markup = check_reply_markup(params.get("reply_markup"), inline_only=True)
        if inline_part(markup) == message.inline_keyboard:
            raise bad_request(NOT_MODIFIED)
        message.history.append(message.version())
        message.reply_markup = markup
        return self._edited(chat, message)

    def delete_message(self, params: JsonDict) -> bool:
        """deleteMessage of a current bot message or of a user's message (not of a topic's
        service message)."""
        chat = self.target_chat(params)
        message_id = optional_int(params, "message_id") or 0
        if not chat.has_message(message_id):
            raise bad_request("message to delete not found")
        if message_id in chat.posts:
            if "forum_topic_created" in chat.posts[message_id]:
                raise bad_request("message can't be deleted")
            del chat.posts[message_id]
        else:
            chat.messages[message_id].deleted = True
        self.record(chat, "deleted", message_id)
        return True

    def answer_callback_query(self, params: JsonDict) -> bool:
        """answerCallbackQuery: once per open query, a text of at most 200 characters."""
        query_id = str(params.get("callback_query_id") or "")
        if query_id not in self._open_queries:
            raise bad_request(QUERY_TOO_OLD)
        text = params.get("text")
        if text is not None and len(str(text)) > MAX_ANSWER_TEXT:
            raise bad_request("MESSAGE_TOO_LONG")
        self._open_queries.discard(query_id)
        self.callback_answers[query_id] = CallbackAnswer(
            query_id=query_id,
            text=None if text is None else str(text),
            show_alert=params.get("show_alert") is True,
            url=params.get("url"),
            cache_time=optional_int(params, "cache_time"),
        )
        return True

    def send_chat_action(self, params: JsonDict) -> bool:
        """sendChatAction with one of Telegram's actions."""
        chat = self.target_chat(params)
        action = params.get("action")
        if action not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        place(chat, None, optional_int(params, "message_thread_id") or None)
        chat.actions.append(str(action))
        return True

    def get_chat(self, params: JsonDict) -> JsonDict:
        """getChat: the chat as a ChatFullInfo (also for a user who blocked the bot)."""
        chat = self.target_chat(params, writing=False)
        info = chat.chat_api()
        if chat.user is not None and chat.user.username is not None:
            info["active_usernames"] = [chat.user.username]
        info["accent_color_id"] = abs(chat.id) % 7  # as Telegram derives it without a choice
        info["max_reaction_count"] = 11
        info["accepted_gift_types"] = dict(NO_GIFTS)
        return info

    # helpers

    def target_chat(self, params: JsonDict, *, writing: bool = True) -> Chat:
        """The chat of chat_id: 400 "chat not found", 403 if the user blocked the bot and the
        bot wants to write."""
        chat_id = params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise bad_request("chat_id is empty")
        chat = self._chats.get(chat_id) if isinstance(chat_id, int) else None
        if chat is None:
            raise bad_request("chat not found")
        if writing and chat.user is not None and chat.user.blocked:
            raise ApiError(403, BLOCKED)
        return chat

    def _edit_target(self, params: JsonDict) -> tuple[Chat, SentMessage]:
        if params.get("inline_message_id"):
            raise bad_request("inline messages are not supported by the emulator")
        chat = self.target_chat(params)
        message_id = optional_int(params, "message_id") or 0
        if message_id in chat.posts:
            raise bad_request("message can't be edited")
        message = chat.messages.get(message_id)
        if message is None or message.deleted:
            raise bad_request("message to edit not found")
        return chat, message

    def add_reply(self, chat: Chat, body: JsonDict, reply_to: int | None) -> None:
        """Put the replied message (if still there) into a message as reply_to_message."""
        if reply_to is None or not chat.has_message(reply_to):
            return
        if reply_to in chat.posts:
            replied = {k: v for k, v in chat.posts[reply_to].items() if k != "reply_to_message"}
        else:
            replied = self.message_json(chat.messages[reply_to], nested=True)
        body["reply_to_message"] = replied

    def _edited(self, chat: Chat, message: SentMessage) -> JsonDict:
        message.edit_date = int(time.time())
        self.record(chat, "edited", message.message_id)
        return self.message_json(message)

    def record(self, chat: Chat, kind: str, message_id: int) -> None:
        """Note what the bot did to a message and wake the waiters."""
        self.event_seq += 1
        chat.events.append(ChatEvent(self.event_seq, kind, message_id))
        self._activity.notify()
