"""The emulator's HTTP side: a tornado server on 127.0.0.1 and the parameters of Bot API requests.

Every path goes to one answering function (the emulator's dispatch); parameters come from the
query string and a JSON, form or multipart body and are typed by name as the Bot API types them.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Awaitable, Callable
from typing import Any

import tornado.httpserver
import tornado.httputil
import tornado.netutil
import tornado.web

from bot.emulator.errors import JsonDict, bad_request

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 (a header name)

# Answers one request (the client hangs up when `gone` is set): the status and the JSON body.
Answer = Callable[
    [tornado.httputil.HTTPServerRequest, asyncio.Event], Awaitable[tuple[int, JsonDict]]
]

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
    {
        "chat_id",
        "message_id",
        "offset",
        "limit",
        "timeout",
        "cache_time",
        "max_connections",
        "message_thread_id",
        "reply_to_message_id",
        "icon_color",
    }
)
_BOOL_PARAMS = frozenset(
    {
        "show_alert",
        "disable_web_page_preview",
        "disable_notification",
        "protect_content",
        "drop_pending_updates",
        "allow_sending_without_reply",
    }
)
INT_RE = re.compile(r"-?\d+")

FILES = "__files__"  # uploaded files of a request: {field: (file name, bytes)}


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
            elif name in _INT_PARAMS and INT_RE.fullmatch(value):
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
    params = decode_params(raw)
    if request.files:  # uploads keep their name and bytes (sendDocument)
        params[FILES] = {k: (v[-1].filename, bytes(v[-1].body)) for k, v in request.files.items()}
    return params


def optional_int(params: JsonDict, name: str) -> int | None:
    """An integer parameter, None when absent or empty; a 400 when it is not an integer."""
    value = params.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise bad_request(f"invalid {name}")
    if isinstance(value, str) and not INT_RE.fullmatch(value):
        raise bad_request(f"invalid {name}")
    return int(value)


def optional_float(params: JsonDict, name: str) -> float:
    """A number parameter, 0 when absent or empty; a 400 when it is not a number."""
    try:
        return float(params.get(name) or 0)
    except (TypeError, ValueError):
        raise bad_request(f"invalid {name}") from None


def listen(
    answer: Answer, hung_up: Callable[[], None], port: int
) -> tuple[tornado.httpserver.HTTPServer, str]:
    """A server on 127.0.0.1 (port 0 picks a free one) that answers every path; and its URL.

    `hung_up` is called whenever a client closes its connection before the answer.
    """
    app = tornado.web.Application(
        [(r"/.*", _ApiHandler, {"answer": answer, "hung_up": hung_up})],
        log_function=lambda _: None,
    )
    sockets = tornado.netutil.bind_sockets(port, "127.0.0.1")
    server = tornado.httpserver.HTTPServer(app)
    server.add_sockets(sockets)
    return server, f"http://127.0.0.1:{sockets[0].getsockname()[1]}"


class _ApiHandler(tornado.web.RequestHandler):
    """Hands every request to the emulator and notices clients that hang up."""

    def initialize(self, answer: Answer, hung_up: Callable[[], None]) -> None:
        self._respond = answer
        self._hung_up = hung_up
        self._gone = asyncio.Event()

    def on_connection_close(self) -> None:
        self._gone.set()
        self._hung_up()

    async def get(self) -> None:
        await self._answer()

    async def post(self) -> None:
        await self._answer()

    async def _answer(self) -> None:
        status, body = await self._respond(self.request, self._gone)
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(body, ensure_ascii=False))
