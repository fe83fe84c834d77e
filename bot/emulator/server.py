"""BotApiEmulator: the fake Bot API server, its method table, its users and groups and the test
controls.

Chats and their methods live in chats.py (forum topics in forum.py), updates and their delivery in
updates.py; this class starts and stops the HTTP server, dispatches requests, injects faults and
says when the bot is done.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Self

import tornado.httpserver
import tornado.httputil

from bot.emulator.activity import Activity
from bot.emulator.chats import Chats
from bot.emulator.errors import ApiError, JsonDict, bad_request, status_phrase
from bot.emulator.forum import Forum
from bot.emulator.groups import EmulatedGroup
from bot.emulator.model import ApiCall, CallbackAnswer, ChatEvent, SentMessage
from bot.emulator.transport import INT_RE, listen, request_params
from bot.emulator.updates import Updates
from bot.emulator.users import EmulatedUser

RETRY_MARGIN = 0.3  # seconds a client may take beyond retry_after (PTB's limiter adds 0.1)
HANG_LIMIT = 120.0  # seconds a timed-out request is held at most when the client never hangs up
# Methods that are accepted and logged but change nothing the emulator shows.
ACCEPTED_WITHOUT_EFFECT = (
    "close",
    "logOut",
    "setMyName",
    "setMyDescription",
    "setMyShortDescription",
    "setChatMenuButton",
)


@dataclass(frozen=True)
class Hang:
    """A request that times out: held, unanswered, until the client gives up; `delivered`: the
    method ran first (Telegram did it, its answer was what got lost)."""

    delivered: bool = False


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
        self.call_times: list[float] = []  # time.monotonic() of each of `calls`
        self.webhook_replies: list[ApiCall] = []
        self._port = port
        self._quiet = quiet
        self._activity = Activity()
        self._updates = Updates(self._activity, grace)
        self._updates.reply_handler = self._webhook_reply
        self._chats = Chats(self._activity, self.bot_info)
        self._groups: dict[int, EmulatedGroup] = {}
        forum = Forum(self._chats)
        self._retry_until = 0.0  # after a 429 the bot is expected back by then
        self._commands: dict[tuple[str, str], list[JsonDict]] = {}
        self._faults: defaultdict[str, deque[ApiError | Hang]] = defaultdict(deque)
        self._outage: ApiError | None = None
        self._outage_polling = False
        self._server: tornado.httpserver.HTTPServer | None = None
        self._address: str | None = None
        self._methods: dict[str, Callable[[JsonDict], Any]] = {
            name.lower(): method
            for name, method in {
                "getMe": lambda _: dict(self.bot_info),
                "deleteWebhook": self._updates.delete_webhook,
                "setWebhook": self._updates.set_webhook,
                "getWebhookInfo": self._updates.webhook_info,
                "setMyCommands": self._set_my_commands,
                "getMyCommands": self._get_my_commands,
                "deleteMyCommands": self._delete_my_commands,
                "sendMessage": self._chats.send_message,
                "sendDocument": self._chats.send_document,
                "editMessageText": self._chats.edit_message_text,
                "editMessageReplyMarkup": self._chats.edit_message_reply_markup,
                "deleteMessage": self._chats.delete_message,
                "answerCallbackQuery": self._chats.answer_callback_query,
                "sendChatAction": self._chats.send_chat_action,
                "getChat": self._chats.get_chat,
                "createForumTopic": forum.create_topic,
                "editForumTopic": forum.edit_topic,
                "closeForumTopic": forum.close_topic,
                "reopenForumTopic": forum.reopen_topic,
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
        self._server, self._address = listen(self.handle, self._activity.notify, self._port)
        self._updates.start()

    async def stop(self) -> None:
        """Answer waiting long polls, stop delivery and close the server."""
        if self._server is None:
            return
        await self._updates.stop()
        self._server.stop()
        await asyncio.sleep(0)  # let the woken long polls write their answers
        await self._server.close_all_connections()
        self._server = None

    @property
    def base_url(self) -> str:
        """The URL to give PTB's base_url: requests go to {base_url}{token}/{method}."""
        return f"{self._started_address()}/bot"

    @property
    def base_file_url(self) -> str:
        """The URL to give PTB's base_file_url (no files are served)."""
        return f"{self._started_address()}/file/bot"

    @property
    def webhook_url(self) -> str | None:
        """The webhook set by the bot, None while it polls."""
        return self._updates.webhook_url

    @property
    def webhook_secret(self) -> str | None:
        """The secret token of the webhook, sent in every delivery's header."""
        return self._updates.webhook_secret

    @property
    def callback_answers(self) -> dict[str, CallbackAnswer]:
        """The bot's answerCallbackQuery calls by callback query id."""
        return self._chats.callback_answers

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
        known = self._chats.user(user_id)
        if known is not None:
            return known
        if user_id <= 0:
            raise ValueError("user ids are positive")
        user = EmulatedUser(
            self._chats, self._updates, user_id, first_name, language_code, username, last_name
        )
        self._chats.add(user)
        return user

    def group(self, chat_id: int, title: str, *, forum: bool = False) -> EmulatedGroup:
        """The simulated supergroup with this (negative) id, created with the bot in it on first
        use; a forum (is_forum, topics) if `forum`. Every emulated user may write in it."""
        known = self._groups.get(chat_id)
        if known is not None:
            if (known.title, known.is_forum) != (title, forum):
                raise ValueError(
                    f"group {chat_id} exists as {known.title!r}, forum={known.is_forum}"
                )
            return known
        if chat_id >= 0:
            raise ValueError("group chat ids are negative (supergroups: -100…)")
        if not title.strip():
            raise ValueError("a group needs a title")
        chat = self._chats.add_group(chat_id, title, forum=forum)
        group = EmulatedGroup(self._chats, self._updates, chat)
        self._groups[chat_id] = group
        return group

    def most_in_one_second(self, methods: frozenset[str] | None = None, since: int = 0) -> int:
        """The most requests (of `methods`; every one but getUpdates by default) the bot made
        within any one second, from call number `since` on: Telegram's limit per token is 30."""
        stamps = [
            at
            for call, at in zip(self.calls[since:], self.call_times[since:], strict=True)
            if (call.method in methods if methods else call.method.lower() != "getupdates")
        ]
        best, start = 0, 0
        for end, stamp in enumerate(stamps):  # in arrival order, so already sorted
            while stamp - stamps[start] >= 1.0:
                start += 1
            best = max(best, end - start + 1)
        return best

    def messages(self, chat_id: int) -> list[SentMessage]:
        """The bot's current (not deleted) messages in a chat, oldest first."""
        return self._chats.messages(chat_id)

    def last_message(self, chat_id: int) -> SentMessage:
        """The bot's newest current message in a chat."""
        return self._chats.last_message(chat_id)

    def events(self, chat_id: int) -> list[ChatEvent]:
        """Everything the bot did in a chat, in order."""
        return list(self._chats.chat(chat_id).events)

    def reply_keyboard(self, chat_id: int) -> JsonDict | None:
        """The reply keyboard the chat shows now, if any."""
        return self._chats.chat(chat_id).reply_keyboard

    def chat_actions(self, chat_id: int) -> list[str]:
        """The chat actions (typing, ...) the bot sent to a chat."""
        return list(self._chats.chat(chat_id).actions)

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
                error = ApiError(status, description or status_phrase(status))
            self._faults[method.lower()].append(error)

    def outage(self, status: int = 502, retry_after: int = 1, *, polling: bool = False) -> None:
        """Telegram is down: every request (with `polling` also getUpdates) fails with
        `status` until `recover()`; a 429 carries retry_after."""
        if status == 429:
            text = f"Too Many Requests: retry after {retry_after}"
            self._outage = ApiError(status, text, {"retry_after": retry_after})
        else:
            self._outage = ApiError(status, status_phrase(status))
        self._outage_polling = polling

    def recover(self) -> None:
        """The outage is over."""
        self._outage = None

    def time_out_next(self, method: str, count: int = 1, *, delivered: bool = False) -> None:
        """Make the next `count` calls of `method` time out: each is held without an answer
        until the client hangs up (its read timeout). `delivered`: the method runs first, so
        the call took effect and only its answer is lost (a sent message stays sent)."""
        for _ in range(count):
            self._faults[method.lower()].append(Hang(delivered))

    def redeliver(self, update_id: int) -> None:
        """Queue an earlier update once more, with its original update_id."""
        self._updates.redeliver(update_id)

    async def settle(self, timeout: float = 30.0, quiet: float | None = None) -> None:  # noqa: ASYNC109
        """Wait until the bot fetched and answered every update and was quiet for `quiet` s."""
        # An update counts as answered after answerCallbackQuery with its id (callback queries)
        # or any successful request to its chat (messages), or once `grace` seconds have passed
        # since its delivery (updates the bot ignores on purpose). After a 429 the bot is given
        # its retry_after to come back.
        quiet = self._quiet if quiet is None else quiet
        deadline = time.monotonic() + timeout
        while True:
            now = time.monotonic()
            unanswered = self._updates.unanswered(now)
            busy = (
                self._activity.inflight > 0
                or self._updates.undelivered() > 0
                or unanswered > 0
                or now < self._retry_until
            )
            idle = now - self._activity.last
            if not busy and idle >= quiet:
                return
            if now >= deadline:
                raise TimeoutError(
                    f"the bot did not settle in {timeout} s: {self._updates.undelivered()} "
                    f"updates not delivered, {unanswered} not answered, "
                    f"{self._activity.inflight} requests in progress"
                )
            await self._activity.wait_change(min(deadline - now, quiet if busy else quiet - idle))

    async def post_raw_webhook(
        self, body: JsonDict | str | bytes, secret: str | None = None
    ) -> int:
        """POST a body to the webhook as Telegram would (secret header if given); the status."""
        return await self._updates.post_raw_webhook(body, secret)

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
        self._activity.inflight += counted
        self._activity.touch()
        try:
            params = request_params(request)
            self.calls.append(ApiCall(method, params))
            self.call_times.append(time.monotonic())
            faults = self._faults.get(method.lower())
            fault = faults.popleft() if faults else None
            if isinstance(fault, ApiError):
                raise fault
            if fault is not None and (polling or not fault.delivered):
                return await self._hang(gone)  # lost on the way (updates stay queued)
            if self._outage is not None and (self._outage_polling or not polling):
                raise self._outage
            if polling:
                return 200, {"ok": True, "result": await self._updates.get_updates(params, gone)}
            handler = self._methods.get(method.lower())
            if handler is None:
                raise ApiError(404, "Not Found")
            result = handler(params)
            self._updates.note_answer(method, params)
            if fault is not None:
                return await self._hang(gone)
            return 200, {"ok": True, "result": result}
        except ApiError as error:
            retry_after = (error.parameters or {}).get("retry_after")
            if isinstance(retry_after, int):
                expected = time.monotonic() + retry_after + RETRY_MARGIN
                self._retry_until = max(self._retry_until, expected)
            return error.status, error.body()
        finally:
            self._activity.inflight -= counted
            self._activity.touch()

    async def _hang(self, gone: asyncio.Event) -> tuple[int, JsonDict]:
        """Hold a request until its client hangs up; what is answered then reaches nobody."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(gone.wait(), HANG_LIMIT)
        return 504, ApiError(504, "Gateway Timeout").body()

    def _webhook_reply(self, method: str, params: JsonDict) -> object:
        """A Bot API call made in a webhook response: executed like a request, recorded in
        `webhook_replies` (not in `calls`: it cost the bot no request)."""
        self.webhook_replies.append(ApiCall(method, params))
        handler = self._methods.get(method.lower())
        if handler is None:
            raise ApiError(404, "Not Found")
        result = handler(params)
        self._updates.note_answer(method, params)
        self._activity.touch()
        return result

    # bot commands

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

    def _started_address(self) -> str:
        if self._address is None:
            raise RuntimeError("the emulator is not started")
        return self._address


def _commands_key(scope: Any, language_code: str) -> tuple[str, str]:
    scope = scope if isinstance(scope, dict) else {"type": "default"}
    if isinstance(scope.get("chat_id"), str) and INT_RE.fullmatch(scope["chat_id"]):
        scope = {**scope, "chat_id": int(scope["chat_id"])}
    return json.dumps(scope, sort_keys=True), language_code
