"""A local Telegram Bot API emulator: the fake server for end-to-end tests and `licencebot chat`.

It answers the part of the Bot API the bot uses (getUpdates long polling, webhooks, text messages,
inline keyboards, callback queries, commands) on 127.0.0.1, enforces Telegram's limits with
Telegram's error texts, records what the bot does and simulates users who write and press buttons.
Point python-telegram-bot at it with `ApplicationBuilder().base_url(emu.base_url)`.

Knowingly left out: media and files, groups and channels, inline mode, payments, Markdown parsing
(Markdown and MarkdownV2 texts are taken literally; only HTML is parsed and checked).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, NamedTuple, Self

import httpx
import tornado.httpserver
import tornado.httputil
import tornado.netutil
import tornado.web

JsonDict = dict[str, Any]

log = logging.getLogger(__name__)

MAX_TEXT = 4096
MAX_CALLBACK_DATA = 64
MAX_ANSWER_TEXT = 200
RETRY_MARGIN = 0.3  # seconds a client may take beyond retry_after (PTB's limiter adds 0.1)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 (a header name)
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"
WEBHOOK_ACTIVE = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
OTHER_POLLER = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)
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
# Update kinds Telegram sends only when asked for them in allowed_updates.
NOT_BY_DEFAULT = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
# Methods that are accepted and logged but change nothing the emulator shows.
ACCEPTED_WITHOUT_EFFECT = (
    "close",
    "logOut",
    "setMyName",
    "setMyDescription",
    "setMyShortDescription",
    "setChatMenuButton",
)


class ApiError(Exception):
    """A Bot API refusal, answered as {"ok": false, "error_code": ..., "description": ...}."""

    def __init__(self, status: int, description: str, parameters: JsonDict | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def body(self) -> JsonDict:
        """The JSON body Telegram sends for this error."""
        body: JsonDict = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(detail: str) -> ApiError:
    """A 400 with Telegram's "Bad Request: ..." description."""
    return ApiError(400, f"Bad Request: {detail}")


# --- request parameters ------------------------------------------------------------------------

_JSON_PARAMS = frozenset(
    {
        "reply_markup",
        "allowed_updates",
        "commands",
        "scope",
        "link_preview_options",
        "entities",
        "reply_parameters",
        "menu_button",
    }
)
_INT_PARAMS = frozenset(
    {"chat_id", "message_id", "offset", "limit", "timeout", "cache_time", "max_connections"}
)
_BOOL_PARAMS = frozenset(
    {
        "show_alert",
        "disable_web_page_preview",
        "disable_notification",
        "protect_content",
        "drop_pending_updates",
    }
)
_INT_RE = re.compile(r"-?\d+")


def decode_params(raw: dict[str, Any]) -> JsonDict:
    """Type form values by name as the Bot API does: JSON objects, integers and booleans."""
    params: JsonDict = {}
    for name, value in raw.items():
        if isinstance(value, str):
            if name in _JSON_PARAMS:
                try:
                    value = json.loads(value)
                except ValueError:
                    raise bad_request(f"can't parse {name} JSON object") from None
            elif name in _INT_PARAMS and _INT_RE.fullmatch(value):
                value = int(value)
            elif name in _BOOL_PARAMS and value.lower() in {"true", "false", "1", "0"}:
                value = value.lower() in {"true", "1"}
        params[name] = value
    return params


def request_params(request: tornado.httputil.HTTPServerRequest) -> JsonDict:
    """The parameters of a Bot API request: query string, then a JSON, form or multipart body."""
    raw: dict[str, Any] = {k: v[-1].decode() for k, v in request.query_arguments.items()}
    content_type = request.headers.get("Content-Type", "").split(";")[0].strip().lower()
    if content_type == "application/json" and request.body:
        try:
            body = json.loads(request.body)
        except ValueError:
            raise bad_request("can't parse JSON body") from None
        if not isinstance(body, dict):
            raise bad_request("JSON body must be an object")
        raw.update(body)
    else:
        raw.update({k: v[-1].decode() for k, v in request.body_arguments.items()})
        raw.update({k: f"<file {v[-1].filename}>" for k, v in request.files.items()})
    return decode_params(raw)


# --- text: HTML entities and limits --------------------------------------------------------------

_SIMPLE_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
}
_TAG_NAME_RE = re.compile(r"([A-Za-z][A-Za-z0-9-]*)(.*)", re.DOTALL)
_ATTR_RE = re.compile(r"""([A-Za-z-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"']+))""")
_CHAR_REF_RE = re.compile(r"&(#[0-9]+|#[xX][0-9a-fA-F]+|lt|gt|amp|quot);")
_NAMED_REFS = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of entity offsets."""
    return len(text.encode("utf-16-le")) // 2


def _unescape(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        ref = match[1]
        if not ref.startswith("#"):
            return _NAMED_REFS[ref]
        code = int(ref[2:], 16) if ref[1] in "xX" else int(ref[1:])
        valid = 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF
        return chr(code) if valid else match[0]

    return _CHAR_REF_RE.sub(replace, text)


@dataclass
class _OpenTag:
    name: str
    start: int
    entity: JsonDict | None


def _open_entity(name: str, attrs: str, stack: list[_OpenTag], offset: int) -> JsonDict | None:
    values = {m[1].lower(): _unescape(m[2] or m[3] or m[4] or "") for m in _ATTR_RE.finditer(attrs)}
    if name == "span":
        if values.get("class") != "tg-spoiler":
            raise bad_request(
                f'can\'t parse entities: Tag "span" must have class "tg-spoiler" '
                f"at byte offset {offset}"
            )
        return {"type": "spoiler"}
    if name == "a":
        return {"type": "text_link", "url": values["href"]} if values.get("href") else None
    if name == "tg-emoji":
        return {"type": "custom_emoji", "custom_emoji_id": values.get("emoji-id", "")}
    if name == "code" and stack and stack[-1].name == "pre" and stack[-1].entity is not None:
        language = values.get("class", "")
        if language.startswith("language-"):
            stack[-1].entity["language"] = language.removeprefix("language-")
            return None
    if name == "blockquote" and re.search(r"\bexpandable\b", attrs):
        return {"type": "expandable_blockquote"}
    if name in _SIMPLE_TAGS:
        return {"type": _SIMPLE_TAGS[name]}
    raise bad_request(
        f'can\'t parse entities: Unsupported start tag "{name}" at byte offset {offset}'
    )


def parse_html(text: str) -> tuple[str, list[JsonDict]]:
    """Plain text and entities of a parse_mode=HTML text, refusing what Telegram refuses."""
    plain: list[str] = []
    entities: list[JsonDict] = []
    stack: list[_OpenTag] = []
    position = 0  # in UTF-16 code units of the plain text
    i = 0
    while i < len(text):
        lt = text.find("<", i)
        chunk = _unescape(text[i : lt if lt >= 0 else len(text)])
        plain.append(chunk)
        position += utf16_len(chunk)
        if lt < 0:
            break
        offset = len(text[:lt].encode())
        gt = text.find(">", lt)
        if gt < 0:
            raise bad_request(f"can't parse entities: Unclosed start tag at byte offset {offset}")
        inner = text[lt + 1 : gt]
        i = gt + 1
        if inner.startswith("/"):
            name = inner[1:].strip().lower()
            if not stack:
                raise bad_request(
                    f"can't parse entities: Unexpected end tag at byte offset {offset}"
                )
            tag = stack.pop()
            if name != tag.name:
                raise bad_request(
                    f"can't parse entities: Unmatched end tag at byte offset {offset}, "
                    f'expected "</{tag.name}>", found "</{name}>"'
                )
            if tag.entity is not None and position > tag.start:
                entities.append({**tag.entity, "offset": tag.start, "length": position - tag.start})
            continue
        match = _TAG_NAME_RE.fullmatch(inner)
        if match is None:
            raise bad_request(
                f'can\'t parse entities: Unsupported start tag "{inner}" at byte offset {offset}'
            )
        name = match[1].lower()
        stack.append(_OpenTag(name, position, _open_entity(name, match[2], stack, offset)))
    if stack:
        raise bad_request(
            "can't parse entities: Can't find end tag corresponding to start tag "
            f'"{stack[-1].name}"'
        )
    return "".join(plain), entities


def _strip(plain: str, entities: list[JsonDict]) -> tuple[str, list[JsonDict]]:
    """Telegram trims leading and trailing whitespace; entities move and shrink with it."""
    stripped = plain.strip()
    shift = utf16_len(plain[: len(plain) - len(plain.lstrip())])
    end = utf16_len(stripped)
    kept: list[JsonDict] = []
    for entity in entities:
        start = max(entity["offset"] - shift, 0)
        stop = min(entity["offset"] + entity["length"] - shift, end)
        if stop > start:
            kept.append({**entity, "offset": start, "length": stop - start})
    return stripped, kept


def render_text(text: str, parse_mode: str | None) -> tuple[str, list[JsonDict]]:
    """What the user sees of a message text: plain text and entities, within 1..4096 characters."""
    mode = (parse_mode or "").strip().lower()
    if mode == "html":
        plain, entities = parse_html(text)
    elif mode in {"", "markdown", "markdownv2"}:
        plain, entities = text, []
    else:
        raise bad_request(f"unsupported parse_mode {parse_mode!r}")
    plain, entities = _strip(plain, entities)
    if not plain:
        raise bad_request("message text is empty")
    if len(plain) > MAX_TEXT:  # Telegram counts characters here, not UTF-16 units
        raise bad_request("message is too long")
    entities.sort(key=lambda entity: (entity["offset"], -entity["length"]))
    return plain, entities


# --- reply markup --------------------------------------------------------------------------------

_BUTTON_ACTIONS = frozenset(
    {
        "callback_data",
        "url",
        "login_url",
        "web_app",
        "switch_inline_query",
        "switch_inline_query_current_chat",
        "switch_inline_query_chosen_chat",
        "copy_text",
        "callback_game",
        "pay",
    }
)


def _check_inline_keyboard(rows: Any) -> None:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request('can\'t parse inline keyboard: field "inline_keyboard" must be an Array')
    for button in (button for row in rows for button in row):
        if not isinstance(button, dict) or not isinstance(button.get("text"), str):
            raise bad_request('can\'t parse inline keyboard button: Field "text" must be a String')
        if not _BUTTON_ACTIONS & button.keys():
            raise bad_request(
                "can't parse inline keyboard button: Text buttons are unallowed in the inline "
                "keyboard"
            )
        data = button.get("callback_data")
        if data is not None and not (
            isinstance(data, str) and 1 <= len(data.encode()) <= MAX_CALLBACK_DATA
        ):
            raise bad_request("BUTTON_DATA_INVALID")


def check_reply_markup(markup: Any, *, inline_only: bool = False) -> JsonDict | None:
    """The reply_markup as a dict after Telegram's checks (callback_data 1..64 bytes)."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        _check_inline_keyboard(markup["inline_keyboard"])
        return markup
    if inline_only:
        raise bad_request("inline keyboard expected")
    if "keyboard" in markup:
        rows = markup["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request('can\'t parse keyboard: field "keyboard" must be an Array')
        return markup
    if markup.get("remove_keyboard") is True or markup.get("force_reply") is True:
        return markup
    raise bad_request("can't parse reply keyboard markup JSON object")


def inline_part(markup: JsonDict | None) -> JsonDict | None:
    """The inline keyboard a message shows, None for none or an empty one."""
    if markup is None or not any(markup.get("inline_keyboard") or []):
        return None
    return markup


# --- records -------------------------------------------------------------------------------------


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
class _Chat:
    user: EmulatedUser
    next_message_id: int = 1
    messages: dict[int, SentMessage] = field(default_factory=dict)
    events: list[ChatEvent] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)
    reply_keyboard: JsonDict | None = None

    def take_message_id(self) -> int:
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id


@dataclass
class _Queued:
    update: JsonDict
    forced: bool = False  # re-queued by redeliver(): delivered whatever the offset
    delivered: bool = False

    @property
    def update_id(self) -> int:
        return int(self.update["update_id"])

    @property
    def kind(self) -> str:
        return next(key for key in self.update if key != "update_id")


class _Awaiting(NamedTuple):
    """A delivered update the bot has not visibly answered yet."""

    query_id: str | None  # a callback query is answered by answerCallbackQuery with its id
    chat_id: int | None  # a message by any successful request to its chat
    deadline: float  # after which it counts as deliberately ignored

    @classmethod
    def of(cls, update: JsonDict, deadline: float) -> _Awaiting:
        if "callback_query" in update:
            return cls(str(update["callback_query"]["id"]), None, deadline)
        chat = update.get("message", {}).get("chat", {})
        return cls(None, chat.get("id"), deadline)


# --- simulated users -----------------------------------------------------------------------------

_COMMAND_RE = re.compile(r"/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?")


class EmulatedUser:
    """A Telegram user in a private chat with the bot (chat id = user id)."""

    def __init__(
        self,
        emulator: BotApiEmulator,
        user_id: int,
        first_name: str,
        language_code: str | None,
        username: str | None,
        last_name: str | None,
    ) -> None:
        self.emulator = emulator
        self.id = user_id
        self.first_name = first_name
        self.language_code = language_code
        self.username = username
        self.last_name = last_name
        self.blocked = False  # when True the bot's messages get 403 "bot was blocked by the user"
        self._cursor = 0

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
            "message_id": self.emulator._chat(self.id).take_message_id(),
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
        current = self.emulator._bot_message(self.id, message_id)
        found = current.button(button)
        if "callback_data" not in found:
            raise ValueError(f"button {button!r} sends no callback query: {found}")
        return await self.press_data(message_id, found["callback_data"])

    async def press_data(self, message_id: int, data: str) -> JsonDict:
        """Send a callback query with any (possibly forged) data for a bot message."""
        current = self.emulator._bot_message(self.id, message_id)
        return self._callback(self.emulator._message_json(current), data)

    async def press_inaccessible(self, data: str, message_id: int = 1) -> JsonDict:
        """Send a callback query whose message is inaccessible (date 0), as for old messages."""
        message = {"chat": self.chat_api(), "message_id": message_id, "date": 0}
        return self._callback(message, data)

    async def wait_reply(self, timeout: float = 5.0) -> SentMessage:  # noqa: ASYNC109
        """The bot message sent or edited first after this user's last action."""
        return await self.emulator._next_event_message(self, timeout)

    def messages(self) -> list[SentMessage]:
        """The bot's current messages in this chat."""
        return self.emulator.messages(self.id)

    def last_message(self) -> SentMessage:
        """The bot's newest current message in this chat."""
        return self.emulator.last_message(self.id)

    def _callback(self, message: JsonDict, data: str) -> JsonDict:
        query = {
            "id": self.emulator._open_query(),
            "from": self.to_api(),
            "message": message,
            "chat_instance": str(-(self.id * 1_000_003 + 7)),
            "data": data,
        }
        return self._act({"callback_query": query})

    def _act(self, body: JsonDict) -> JsonDict:
        self._cursor = self.emulator._event_seq
        return self.emulator._enqueue(body)


# --- the emulator --------------------------------------------------------------------------------


class BotApiEmulator:
    """A fake Telegram Bot API server on 127.0.0.1 with simulated users."""

    def __init__(
        self,
        token: str,
        *,
        port: int = 0,
        first_name: str = "Licencebot",
        username: str = "licencebot_local_bot",
        quiet: float = 0.05,
        grace: float = 1.0,
    ) -> None:
        self.token = token
        prefix = token.split(":", 1)[0]
        self.bot_info: JsonDict = {
            "id": int(prefix) if prefix.isdigit() else 7_000_000_001,
            "is_bot": True,
            "first_name": first_name,
            "username": username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        self.calls: list[ApiCall] = []
        self.callback_answers: dict[str, CallbackAnswer] = {}
        self.webhook_url: str | None = None
        self.webhook_secret: str | None = None
        self._port = port
        self._quiet = quiet
        self._grace = grace
        self._awaiting: list[_Awaiting] = []
        self._retry_until = 0.0  # after a 429 the bot is expected back by then
        self._users: dict[int, EmulatedUser] = {}
        self._chats: dict[int, _Chat] = {}
        self._commands: dict[tuple[str, str], list[JsonDict]] = {}
        self._updates: dict[int, JsonDict] = {}
        self._queue: deque[_Queued] = deque()
        self._next_update_id = 100_000
        self._next_query = 0
        self._open_queries: set[str] = set()
        self._allowed_updates: frozenset[str] | None = None
        self._faults: defaultdict[str, deque[ApiError]] = defaultdict(deque)
        self._webhook_error: tuple[int, str] | None = None
        self._webhook_max_connections = 40
        self._event_seq = 0
        self._poll_generation = 0
        self._inflight = 0
        self._last_activity = time.monotonic()
        self._changed = asyncio.Event()
        self._closing = False
        self._server: tornado.httpserver.HTTPServer | None = None
        self._client: httpx.AsyncClient | None = None
        self._deliverer: asyncio.Task[None] | None = None
        self._address: str | None = None
        self._methods: dict[str, Callable[[JsonDict], Any]] = {
            name.lower(): method
            for name, method in {
                "getMe": lambda _: dict(self.bot_info),
                "deleteWebhook": self._delete_webhook,
                "setWebhook": self._set_webhook,
                "getWebhookInfo": self._get_webhook_info,
                "setMyCommands": self._set_my_commands,
                "getMyCommands": self._get_my_commands,
                "deleteMyCommands": self._delete_my_commands,
                "sendMessage": self._send_message,
                "editMessageText": self._edit_message_text,
                "editMessageReplyMarkup": self._edit_message_reply_markup,
                "deleteMessage": self._delete_message,
                "answerCallbackQuery": self._answer_callback_query,
                "sendChatAction": self._send_chat_action,
                **{name: lambda _: True for name in ACCEPTED_WITHOUT_EFFECT},
            }.items()
        }

    # lifecycle

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    async def start(self) -> None:
        """Listen on 127.0.0.1 (port 0 picks a free one) and start webhook delivery."""
        if self._server is not None:
            return
        self._closing = False
        app = tornado.web.Application(
            [(r"/.*", _ApiHandler, {"emulator": self})], log_function=lambda _: None
        )
        sockets = tornado.netutil.bind_sockets(self._port, "127.0.0.1")
        self._server = tornado.httpserver.HTTPServer(app)
        self._server.add_sockets(sockets)
        self._address = f"http://127.0.0.1:{sockets[0].getsockname()[1]}"
        self._deliverer = asyncio.create_task(self._deliver_webhooks())

    async def stop(self) -> None:
        """Answer waiting long polls, stop delivery and close the server."""
        if self._server is None:
            return
        self._closing = True
        self._notify()
        if self._deliverer is not None:
            self._deliverer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._deliverer
        self._server.stop()
        await asyncio.sleep(0)  # let the woken long polls write their answers
        await self._server.close_all_connections()
        if self._client is not None:
            await self._client.aclose()
        self._server = self._client = self._deliverer = None

    @property
    def base_url(self) -> str:
        """The URL to give PTB's base_url: requests go to {base_url}{token}/{method}."""
        return f"{self._started_address()}/bot"

    @property
    def base_file_url(self) -> str:
        """The URL to give PTB's base_file_url (no files are served)."""
        return f"{self._started_address()}/file/bot"

    # users and what they see

    def user(
        self,
        user_id: int,
        first_name: str = "Anna",
        language_code: str | None = "de",
        username: str | None = None,
        last_name: str | None = None,
    ) -> EmulatedUser:
        """The simulated user with this id, created with a private chat on first use."""
        if user_id in self._users:
            return self._users[user_id]
        if user_id <= 0:
            raise ValueError("user ids are positive")
        user = EmulatedUser(self, user_id, first_name, language_code, username, last_name)
        self._users[user_id] = user
        self._chats[user_id] = _Chat(user)
        return user

    def messages(self, chat_id: int) -> list[SentMessage]:
        """The bot's current (not deleted) messages in a chat, oldest first."""
        return [m for m in self._chat(chat_id).messages.values() if not m.deleted]

    def last_message(self, chat_id: int) -> SentMessage:
        """The bot's newest current message in a chat."""
        messages = self.messages(chat_id)
        if not messages:
            raise LookupError(f"the bot has no message in chat {chat_id}")
        return messages[-1]

    def events(self, chat_id: int) -> list[ChatEvent]:
        """Everything the bot did in a chat, in order."""
        return list(self._chat(chat_id).events)

    def reply_keyboard(self, chat_id: int) -> JsonDict | None:
        """The reply keyboard the chat shows now, if any."""
        return self._chat(chat_id).reply_keyboard

    def chat_actions(self, chat_id: int) -> list[str]:
        """The chat actions (typing, ...) the bot sent to a chat."""
        return list(self._chat(chat_id).actions)

    def commands(self, scope: JsonDict | None = None, language_code: str = "") -> list[JsonDict]:
        """The command list set for a scope (default: default) and language code."""
        return list(self._commands.get(_commands_key(scope, language_code), []))

    # control

    def fail_next(
        self,
        method: str,
        count: int = 1,
        status: int = 429,
        retry_after: int = 1,
        description: str | None = None,
    ) -> None:
        """Make the next `count` calls of `method` fail; a 429 carries retry_after."""
        for _ in range(count):
            if status == 429:
                text = description or f"Too Many Requests: retry after {retry_after}"
                error = ApiError(status, text, {"retry_after": retry_after})
            else:
                error = ApiError(status, description or _phrase(status))
            self._faults[method.lower()].append(error)

    def redeliver(self, update_id: int) -> None:
        """Queue an earlier update once more, with its original update_id."""
        if update_id not in self._updates:
            raise KeyError(f"no update {update_id} was ever queued")
        self._queue.append(_Queued(self._updates[update_id], forced=True))
        self._touch()

    async def settle(self, timeout: float = 5.0, quiet: float | None = None) -> None:  # noqa: ASYNC109
        """Wait until the bot fetched and answered every update and was quiet for `quiet` s."""
        # An update counts as answered after answerCallbackQuery with its id (callback queries)
        # or any successful request to its chat (messages), or once `grace` seconds have passed
        # since its delivery (updates the bot ignores on purpose). After a 429 the bot is given
        # its retry_after to come back.
        quiet = self._quiet if quiet is None else quiet
        deadline = time.monotonic() + timeout
        while True:
            now = time.monotonic()
            self._awaiting = [entry for entry in self._awaiting if entry.deadline > now]
            busy = (
                self._inflight > 0
                or self._undelivered() > 0
                or bool(self._awaiting)
                or now < self._retry_until
            )
            idle = now - self._last_activity
            if not busy and idle >= quiet:
                return
            if now >= deadline:
                raise TimeoutError(
                    f"the bot did not settle in {timeout} s: {self._undelivered()} updates not "
                    f"delivered, {len(self._awaiting)} not answered, {self._inflight} requests "
                    "in progress"
                )
            await self._wait_change(min(deadline - now, quiet if busy else quiet - idle))

    async def post_raw_webhook(
        self, body: JsonDict | str | bytes, secret: str | None = None
    ) -> int:
        """POST a body to the webhook as Telegram would (secret header if given); the status."""
        if self.webhook_url is None:
            raise RuntimeError("no webhook is set")
        content = json.dumps(body).encode() if isinstance(body, dict) else body
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers[SECRET_HEADER] = secret
        response = await self._http().post(self.webhook_url, content=content, headers=headers)
        return response.status_code

    # HTTP

    async def handle(
        self, request: tornado.httputil.HTTPServerRequest, gone: asyncio.Event
    ) -> tuple[int, JsonDict]:
        """Answer one HTTP request: the status and the JSON body."""
        match = re.fullmatch(r"/bot([^/]*)/([A-Za-z0-9_]+)/?", request.path)
        if match is None:
            return 404, ApiError(404, "Not Found").body()
        if match[1] != self.token:
            return 401, ApiError(401, "Unauthorized").body()
        method = match[2]
        polling = method.lower() == "getupdates"
        counted = not polling  # a long poll waiting for updates does not keep the bot busy
        self._inflight += counted
        self._touch()
        try:
            params = request_params(request)
            self.calls.append(ApiCall(method, params))
            faults = self._faults.get(method.lower())
            if faults:
                raise faults.popleft()
            if polling:
                return 200, {"ok": True, "result": await self._get_updates(params, gone)}
            handler = self._methods.get(method.lower())
            if handler is None:
                raise ApiError(404, "Not Found")
            result = handler(params)
            self._note_answer(method, params)
            return 200, {"ok": True, "result": result}
        except ApiError as error:
            retry_after = (error.parameters or {}).get("retry_after")
            if isinstance(retry_after, int):
                expected = time.monotonic() + retry_after + RETRY_MARGIN
                self._retry_until = max(self._retry_until, expected)
            return error.status, error.body()
        finally:
            self._inflight -= counted
            self._touch()

    # updates

    def _enqueue(self, body: JsonDict) -> JsonDict:
        self._next_update_id += 1
        update = {"update_id": self._next_update_id, **body}
        self._updates[self._next_update_id] = update
        self._queue.append(_Queued(update))
        self._touch()
        return update

    def _allowed(self, entry: _Queued) -> bool:
        if self._allowed_updates is None:
            return entry.kind not in NOT_BY_DEFAULT
        return entry.kind in self._allowed_updates

    def _set_allowed(self, value: Any) -> None:
        if value is None:
            return
        if not isinstance(value, list) or not all(isinstance(kind, str) for kind in value):
            raise bad_request("can't parse allowed_updates JSON object")
        self._allowed_updates = frozenset(value) if value else None

    def _confirm(self, offset: int | None) -> None:
        """Forget updates confirmed by getUpdates' offset (a forced one once it was delivered)."""
        if offset is None:
            return
        if offset < 0:
            self._queue = deque(list(self._queue)[offset:])
            return
        self._queue = deque(
            entry
            for entry in self._queue
            if entry.update_id >= offset or (entry.forced and not entry.delivered)
        )

    def _fetchable(self, limit: int) -> list[_Queued]:
        """The next batch: a run of new updates, or one redelivered update on its own."""
        self._queue = deque(entry for entry in self._queue if self._allowed(entry))
        batch: list[_Queued] = []
        for entry in self._queue:
            if entry.forced and entry.delivered:
                continue
            if entry.forced:
                return batch or [entry]
            batch.append(entry)
            if len(batch) >= limit:
                break
        return batch

    def _mark_delivered(self, entry: _Queued) -> None:
        if not entry.delivered:
            entry.delivered = True
            deadline = time.monotonic() + self._grace
            self._awaiting.append(_Awaiting.of(entry.update, deadline))

    def _note_answer(self, method: str, params: JsonDict) -> None:
        """A successful request answers the awaiting updates it concerns."""
        if method.lower() == "answercallbackquery":
            query_id = str(params.get("callback_query_id"))
            self._awaiting = [entry for entry in self._awaiting if entry.query_id != query_id]
        elif isinstance(params.get("chat_id"), int):
            chat_id = params["chat_id"]
            self._awaiting = [entry for entry in self._awaiting if entry.chat_id != chat_id]

    def _undelivered(self) -> int:
        if self.webhook_url is not None:
            return len(self._queue)
        return sum(not entry.delivered for entry in self._queue)

    async def _get_updates(self, params: JsonDict, gone: asyncio.Event) -> list[JsonDict]:
        if self.webhook_url is not None:
            raise ApiError(409, WEBHOOK_ACTIVE)
        offset = _optional_int(params, "offset")
        limit = min(max(_optional_int(params, "limit") or 100, 1), 100)
        timeout = _optional_float(params, "timeout")
        self._set_allowed(params.get("allowed_updates"))
        self._poll_generation += 1
        generation = self._poll_generation
        self._notify()
        self._confirm(offset)
        deadline = time.monotonic() + max(timeout, 0.0)
        while True:
            if generation != self._poll_generation:
                raise ApiError(409, OTHER_POLLER)
            if self.webhook_url is not None:
                raise ApiError(409, WEBHOOK_ACTIVE)
            batch = self._fetchable(limit)
            remaining = deadline - time.monotonic()
            if gone.is_set() or self._closing:
                return []
            if batch or remaining <= 0:
                for entry in batch:
                    self._mark_delivered(entry)
                return [entry.update for entry in batch]
            await self._wait_change(remaining)

    async def _deliver_webhooks(self) -> None:
        """POST queued updates one by one to the webhook; retry with backoff until a 2xx."""
        backoff = 0.0
        while not self._closing:
            entry = next((e for e in self._queue if self._allowed(e)), None)
            url = self.webhook_url
            if url is None or entry is None:
                self._queue = deque(e for e in self._queue if self._allowed(e))
                await self._wait_change(1.0)
                continue
            headers = {"Content-Type": "application/json"}
            if self.webhook_secret is not None:
                headers[SECRET_HEADER] = self.webhook_secret
            self._inflight += 1
            try:
                response = await self._http().post(
                    url, content=json.dumps(entry.update), headers=headers
                )
                error = None if response.is_success else _wrong_response(response.status_code)
            except httpx.HTTPError as exc:
                error = f"Connection failed: {exc!r}"
            finally:
                self._inflight -= 1
                self._touch()
            if error is None:
                self._mark_delivered(entry)
                with contextlib.suppress(ValueError):
                    self._queue.remove(entry)
                backoff = 0.0
                continue
            log.debug("webhook delivery of update %s failed: %s", entry.update_id, error)
            self._webhook_error = (int(time.time()), error)
            backoff = min(max(backoff * 2, 0.05), 1.0)
            await asyncio.sleep(backoff)

    # Bot API methods

    def _set_webhook(self, params: JsonDict) -> bool:
        url = str(params.get("url") or "")
        secret = params.get("secret_token") or None
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(secret)):
            raise bad_request("secret token contains unallowed characters")
        if url and not url.startswith(("http://", "https://")):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        if params.get("drop_pending_updates"):
            self._queue.clear()
        self._set_allowed(params.get("allowed_updates"))
        self.webhook_url = url or None
        self.webhook_secret = str(secret) if url and secret is not None else None
        self._webhook_max_connections = _optional_int(params, "max_connections") or 40
        self._webhook_error = None
        return True

    def _delete_webhook(self, params: JsonDict) -> bool:
        if params.get("drop_pending_updates"):
            self._queue.clear()
        self.webhook_url = self.webhook_secret = None
        return True

    def _get_webhook_info(self, _: JsonDict) -> JsonDict:
        info: JsonDict = {
            "url": self.webhook_url or "",
            "has_custom_certificate": False,
            "pending_update_count": self._undelivered(),
        }
        if self.webhook_url is not None:
            info["max_connections"] = self._webhook_max_connections
        if self._allowed_updates is not None:
            info["allowed_updates"] = sorted(self._allowed_updates)
        if self._webhook_error is not None:
            info["last_error_date"], info["last_error_message"] = self._webhook_error
        return info

    def _set_my_commands(self, params: JsonDict) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise bad_request("can't parse commands JSON object")
        if len(commands) > 100:
            raise bad_request("too many commands")
        for command in commands:
            if not isinstance(command, dict):
                raise bad_request("can't parse BotCommand JSON object")
            if not re.fullmatch(r"[a-z0-9_]{1,32}", str(command.get("command", ""))):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", "")).strip()) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        key = _commands_key(params.get("scope"), str(params.get("language_code") or ""))
        self._commands[key] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        return True

    def _get_my_commands(self, params: JsonDict) -> list[JsonDict]:
        return self.commands(params.get("scope"), str(params.get("language_code") or ""))

    def _delete_my_commands(self, params: JsonDict) -> bool:
        key = _commands_key(params.get("scope"), str(params.get("language_code") or ""))
        self._commands.pop(key, None)
        return True

    def _send_message(self, params: JsonDict) -> JsonDict:
        chat = self._target_chat(params)
        text = params.get("text")
        if not isinstance(text, str):
            raise bad_request("message text is empty")
        parse_mode = params.get("parse_mode") or None
        plain, entities = render_text(text, parse_mode)
        markup = check_reply_markup(params.get("reply_markup"))
        preview = params.get("link_preview_options")
        if preview is None and params.get("disable_web_page_preview"):
            preview = {"is_disabled": True}
        message = SentMessage(
            message_id=chat.take_message_id(),
            chat_id=chat.user.id,
            text=text,
            parse_mode=parse_mode,
            plain_text=plain,
            entities=entities,
            reply_markup=markup,
            link_preview_options=preview,
            date=int(time.time()),
        )
        chat.messages[message.message_id] = message
        if markup is not None and "keyboard" in markup:
            chat.reply_keyboard = markup
        elif markup is not None and markup.get("remove_keyboard"):
            chat.reply_keyboard = None
        self._record(chat, "sent", message.message_id)
        return self._message_json(message)

    def _edit_message_text(self, params: JsonDict) -> JsonDict:
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

    def _edit_message_reply_markup(self, params: JsonDict) -> JsonDict:
        chat, message = self._edit_target(params)
        markup = check_reply_markup(params.get("reply_markup"), inline_only=True)
        if inline_part(markup) == message.inline_keyboard:
            raise bad_request(NOT_MODIFIED)
        message.history.append(message.version())
        message.reply_markup = markup
        return self._edited(chat, message)

    def _delete_message(self, params: JsonDict) -> bool:
        chat = self._target_chat(params)
        message = chat.messages.get(_optional_int(params, "message_id") or 0)
        if message is None or message.deleted:
            raise bad_request("message to delete not found")
        message.deleted = True
        self._record(chat, "deleted", message.message_id)
        return True

    def _answer_callback_query(self, params: JsonDict) -> bool:
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
            cache_time=_optional_int(params, "cache_time"),
        )
        return True

    def _send_chat_action(self, params: JsonDict) -> bool:
        chat = self._target_chat(params)
        action = params.get("action")
        if action not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        chat.actions.append(str(action))
        return True

    # helpers

    def _chat(self, chat_id: int) -> _Chat:
        if chat_id not in self._chats:
            raise LookupError(f"no user {chat_id}; create one with emu.user({chat_id})")
        return self._chats[chat_id]

    def _target_chat(self, params: JsonDict) -> _Chat:
        chat_id = params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise bad_request("chat_id is empty")
        chat = self._chats.get(chat_id) if isinstance(chat_id, int) else None
        if chat is None:
            raise bad_request("chat not found")
        if chat.user.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        return chat

    def _edit_target(self, params: JsonDict) -> tuple[_Chat, SentMessage]:
        if params.get("inline_message_id"):
            raise bad_request("inline messages are not supported by the emulator")
        chat = self._target_chat(params)
        message = chat.messages.get(_optional_int(params, "message_id") or 0)
        if message is None or message.deleted:
            raise bad_request("message to edit not found")
        return chat, message

    def _edited(self, chat: _Chat, message: SentMessage) -> JsonDict:
        message.edit_date = int(time.time())
        self._record(chat, "edited", message.message_id)
        return self._message_json(message)

    def _bot_message(self, chat_id: int, message_id: int) -> SentMessage:
        message = self._chat(chat_id).messages.get(message_id)
        if message is None or message.deleted:
            raise LookupError(f"the bot has no message {message_id} in chat {chat_id}")
        return message

    def _message_json(self, message: SentMessage) -> JsonDict:
        bot = {key: self.bot_info[key] for key in ("id", "is_bot", "first_name", "username")}
        body: JsonDict = {
            "message_id": message.message_id,
            "from": bot,
            "chat": self._chat(message.chat_id).user.chat_api(),
            "date": message.date,
            "text": message.plain_text,
        }
        if message.entities:
            body["entities"] = [dict(entity) for entity in message.entities]
        if message.edit_date is not None:
            body["edit_date"] = message.edit_date
        if message.inline_keyboard is not None:
            body["reply_markup"] = message.inline_keyboard
        return body

    def _record(self, chat: _Chat, kind: str, message_id: int) -> None:
        self._event_seq += 1
        chat.events.append(ChatEvent(self._event_seq, kind, message_id))
        self._notify()

    def _open_query(self) -> str:
        self._next_query += 1
        query_id = str(4_000_000_000_000_000 + self._next_query)
        self._open_queries.add(query_id)
        return query_id

    async def _next_event_message(self, user: EmulatedUser, timeout: float) -> SentMessage:  # noqa: ASYNC109
        deadline = time.monotonic() + timeout
        chat = self._chat(user.id)
        while True:
            event = next(
                (e for e in chat.events if e.seq > user._cursor and e.kind != "deleted"), None
            )
            if event is not None:
                user._cursor = event.seq
                return chat.messages[event.message_id]
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"the bot did not reply to user {user.id} in {timeout} s")
            await self._wait_change(remaining)

    def _http(self) -> httpx.AsyncClient:
        """The client for webhook POSTs, made on first use (it costs ~0.1 s to build)."""
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=10.0)
        return self._client

    def _started_address(self) -> str:
        if self._address is None:
            raise RuntimeError("the emulator is not started")
        return self._address

    def _touch(self) -> None:
        self._last_activity = time.monotonic()
        self._notify()

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def _wait_change(self, timeout: float | None) -> None:  # noqa: ASYNC109
        changed = self._changed
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                await changed.wait()


class _ApiHandler(tornado.web.RequestHandler):
    """Hands every request to the emulator and notices clients that hang up."""

    def initialize(self, emulator: BotApiEmulator) -> None:
        self._emulator = emulator
        self._gone = asyncio.Event()

    def on_connection_close(self) -> None:
        self._gone.set()
        self._emulator._notify()

    async def get(self) -> None:
        await self._answer()

    async def post(self) -> None:
        await self._answer()

    async def _answer(self) -> None:
        status, body = await self._emulator.handle(self.request, self._gone)
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(body, ensure_ascii=False))


def _commands_key(scope: Any, language_code: str) -> tuple[str, str]:
    scope = scope if isinstance(scope, dict) else {"type": "default"}
    if isinstance(scope.get("chat_id"), str) and _INT_RE.fullmatch(scope["chat_id"]):
        scope = {**scope, "chat_id": int(scope["chat_id"])}
    return json.dumps(scope, sort_keys=True), language_code


def _optional_int(params: JsonDict, name: str) -> int | None:
    value = params.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise bad_request(f"invalid {name}")
    if isinstance(value, str) and not _INT_RE.fullmatch(value):
        raise bad_request(f"invalid {name}")
    return int(value)


def _optional_float(params: JsonDict, name: str) -> float:
    try:
        return float(params.get(name) or 0)
    except (TypeError, ValueError):
        raise bad_request(f"invalid {name}") from None


def _wrong_response(status: int) -> str:
    return f"Wrong response from the webhook: {status} {_phrase(status)}"


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"
