"""Webhook mode: a small Tornado server per worker; several workers share one port.

Telegram POSTs each update with the secret in `X-Telegram-Bot-Api-Secret-Token`; anything
without the right secret gets 403. Workers bind with SO_REUSEPORT, so the kernel spreads the
requests over them; they share nothing but the database (design decision 4).
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

import tornado.web
from telegram import Update
from telegram.ext import Application
from tornado.httpserver import HTTPServer
from tornado.netutil import bind_sockets
from tornado.routing import Rule, URLSpec

from bot.webhook_reply import KEY, WebhookReplies, replies_of

log = logging.getLogger(__name__)
REPLY_WAIT = 10.0  # seconds a callback query's response waits for its answer (bot/webhook_reply.py)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name
MAX_BODY = 1024 * 1024


class _UpdateHandler(tornado.web.RequestHandler):
    def initialize(self, bot_app: Application, secret: str) -> None:  # type: ignore[type-arg]
        self.bot_app = bot_app
        self.secret = secret

    async def post(self) -> None:
        given = self.request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.secret.encode()):
            log.warning("webhook request without the right secret from %s", self.request.remote_ip)
            self.set_status(403)
            return
        try:
            data: Any = json.loads(self.request.body)
            update = Update.de_json(data, self.bot_app.bot)
        except (ValueError, TypeError, KeyError):
            self.set_status(400)
            return
        replies = replies_of(self.bot_app.bot_data)
        if update.callback_query is None or replies is None:
            await self.bot_app.update_queue.put(update)
            self.set_status(200)
            return
        waiting = replies.expect(update.update_id)
        await self.bot_app.update_queue.put(update)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(waiting), REPLY_WAIT)
        replies.forget(update.update_id)  # an answer offered from now on goes as a request
        call = waiting.result() if waiting.done() else None
        self.set_status(200)
        if call is not None:
            self.set_header("Content-Type", "application/json")
            self.write(json.dumps(call))

    def get(self) -> None:
        self.set_status(405)


def webhook_path(url: str) -> str:
    """The path part of WEBHOOK_URL, where the server listens."""
    return urlsplit(url).path or "/"


class TornadoServer:
    """A tornado HTTP server on bound sockets: its port, and a stop that closes connections."""

    def __init__(self, app: tornado.web.Application, port: int, listen: str, **bind: Any) -> None:
        self._server = HTTPServer(app, max_body_size=MAX_BODY)
        self._sockets = bind_sockets(port, listen, **bind)
        self._server.add_sockets(self._sockets)

    @property
    def port(self) -> int:
        return int(self._sockets[0].getsockname()[1])

    async def stop(self) -> None:
        self._server.stop()
        await self._server.close_all_connections()


class WebhookServer(TornadoServer):
    def __init__(
        self,
        application: Application,  # type: ignore[type-arg]
        *,
        listen: str,
        port: int,
        path: str,
        secret: str,
        extra: Sequence[Rule] = (),
    ) -> None:
        """`extra`: more routes on the same port (`/healthz`, `/readyz`, `/metrics`)."""
        application.bot_data[KEY] = WebhookReplies()
        app = tornado.web.Application(
            [*extra, URLSpec(path, _UpdateHandler, {"bot_app": application, "secret": secret})]
        )
        super().__init__(app, port, listen, reuse_port=True)
