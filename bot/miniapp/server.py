"""The Mini App over HTTP (docs/miniapp.md): the page under `/app/`, its JSON under `/app/api/`.

Every API request carries Telegram's init data as `Authorization: tma <initData>`; it is
checked as Telegram specifies (HMAC-SHA256 with the key HMAC("WebAppData", bot token), through
init-data-py) and is at most `MAX_AGE` old, else 401. The person behind it then gets exactly
what `domain/services/dashboard.py` allows: not linked, or another customer → 403. Nothing
here decides a right or a figure, and nothing is written.
"""

from __future__ import annotations

import json
import logging
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import init_data_py
import tornado.web
from init_data_py.errors import InvalidInitDataError
from pydantic import SecretStr
from tornado.routing import Rule, URLSpec

from bot.webhook import TornadoServer
from domain import errors, metrics
from domain.services import customers, dashboard
from domain.services.context import Context
from domain.settings import Settings
from domain.texts import miniapp as texts
from domain.texts.i18n import Translator, pick_language

log = logging.getLogger(__name__)
STATIC = Path(__file__).with_name("static")
MAX_AGE = timedelta(hours=1)  # init data older than this is refused (replay window)
PREFIX = "/app"
# The page loads nothing from elsewhere; Telegram's clients show it in a web view or (Telegram
# Web) in a frame of web.telegram.org.
_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'self' https://web.telegram.org https://*.telegram.org"
)


class _Page(tornado.web.StaticFileHandler):
    def set_default_headers(self) -> None:
        self.set_header("Content-Security-Policy", _CSP)
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Referrer-Policy", "no-referrer")

    def set_extra_headers(self, path: str) -> None:
        self.set_header("Cache-Control", "no-cache")  # a new release is seen at once


class _Api(tornado.web.RequestHandler):
    """JSON, never cached; 401 for bad or expired init data, 403 without rights."""

    def initialize(self, core: Context, settings: Settings) -> None:
        self.core = core
        self.settings_ = settings

    def set_default_headers(self) -> None:
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.set_header("X-Content-Type-Options", "nosniff")

    def on_finish(self) -> None:
        endpoint = self.request.path.rsplit("/", 1)[-1]  # one of the four routes
        metrics.MINIAPP_REQUESTS.labels(endpoint, str(self.get_status())).inc()

    def reply(self, status: int, body: dict[str, Any]) -> None:
        self.set_status(status)
        self.finish(json.dumps(body, ensure_ascii=False))

    def refuse(self, status: int, reason: str) -> None:
        self.reply(status, {"error": reason})

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        self.finish(json.dumps({"error": "internal" if status_code >= 500 else "bad_request"}))

    async def viewer(self) -> tuple[dashboard.Viewer, Translator] | None:
        """The person the init data names, or None after answering 401/403."""
        try:
            user = authenticate(
                self.request.headers.get("Authorization", ""),
                self.settings_.telegram_bot_token,
                self.core.now(),
            )
        except InvalidInitDataError as refused:
            log.info("mini app: init data refused (%s)", type(refused).__name__)
            self.refuse(401, "unauthorized")
            return None
        try:
            found = await dashboard.viewer(self.core, user.id)
        except errors.NotLinked:
            self.refuse(403, "forbidden")
            return None
        language = pick_language(
            found.language, user.language_code, self.settings_.default_language
        )
        return found, Translator(language)

    def customer(self) -> str | None:
        return self.get_query_argument("customer", None) or None


class _Overview(_Api):
    async def get(self) -> None:
        seen = await self.viewer()
        if seen is None:
            return
        who, tr = seen
        if self.customer() is None and dashboard.chooses_customer(who.actor):
            self.reply(
                200, {"customer": None, "choose_customer": True, "texts": texts.page_texts(tr)}
            )
            return
        try:
            board = await dashboard.dashboard(self.core, who.actor, self.customer())
        except (errors.CustomerNotFound, errors.PermissionDenied):
            self.refuse(403, "forbidden")
            return
        body = texts.overview(board, tr, self.core.tz)
        body["can_choose"] = dashboard.chooses_customer(who.actor)  # "another customer"
        self.reply(200, body)


class _Audit(_Api):
    async def get(self) -> None:
        seen = await self.viewer()
        if seen is None:
            return
        who, tr = seen
        try:
            wanted = dashboard.AuditFilter(
                who=self.get_query_argument("who", None) or None,
                kind=self.get_query_argument("kind", None) or None,
                since=_day(self.get_query_argument("since", None)),
                until=_day(self.get_query_argument("until", None)),
            )
        except ValueError:
            self.refuse(400, "bad_request")
            return
        try:
            trail = await dashboard.audit_trail(self.core, who.actor, self.customer(), wanted)
        except (errors.CustomerNotFound, errors.PermissionDenied):
            self.refuse(403, "forbidden")
            return
        self.reply(200, texts.audit(trail, tr, self.core.tz))


class _Customers(_Api):
    """The service desk chooses a customer (R23); nobody else may search."""

    async def get(self) -> None:
        seen = await self.viewer()
        if seen is None:
            return
        who, _ = seen
        try:
            found = await customers.find_customers(
                self.core, who.actor, self.get_query_argument("q", "")
            )
        except errors.PermissionDenied:
            self.refuse(403, "forbidden")
            return
        self.reply(200, {"customers": [{"id": m.id, "name": m.name} for m in found.matches]})


class _Texts(_Api):
    """The page's labels before it is allowed anything (its error state needs words too)."""

    def get(self) -> None:
        tr = Translator(pick_language(self.get_query_argument("lang", None)))
        self.reply(200, texts.page_texts(tr))


def authenticate(header: str, token: SecretStr | None, now: datetime) -> init_data_py.User:
    """The Telegram user of `Authorization: tma <initData>`, checked as Telegram specifies:
    the hash is HMAC-SHA256 of the sorted fields under the key HMAC-SHA256("WebAppData", bot
    token), and `auth_date` is at most MAX_AGE before `now`; else InvalidInitDataError."""
    credential = init_data_py.strip_auth_header(header)
    if token is None:
        raise InvalidInitDataError("no bot token to check against")
    init = init_data_py.validate_by_hash(
        credential, token.get_secret_value(), expires_in=MAX_AGE, now=now
    )
    if init.user is None:
        raise InvalidInitDataError("the init data names no user")
    return init.user


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def routes(core: Context, settings: Settings) -> list[Rule]:
    """The Mini App's routes, to mount on a Tornado application (the webhook server's)."""
    args: dict[str, Any] = {"core": core, "settings": settings}
    return [
        URLSpec(f"{PREFIX}/api/overview", _Overview, args),
        URLSpec(f"{PREFIX}/api/audit", _Audit, args),
        URLSpec(f"{PREFIX}/api/customers", _Customers, args),
        URLSpec(f"{PREFIX}/api/texts", _Texts, args),
        URLSpec(PREFIX, tornado.web.RedirectHandler, {"url": f"{PREFIX}/"}),
        URLSpec(f"{PREFIX}/(.*)", _Page, {"path": str(STATIC), "default_filename": "index.html"}),
    ]


class MiniAppServer(TornadoServer):
    """Polling mode: the Mini App alone on WEBAPP_PORT (a reverse proxy adds HTTPS)."""

    def __init__(self, core: Context, settings: Settings, port: int, listen: str) -> None:
        super().__init__(tornado.web.Application(routes(core, settings)), port, listen)

    @property
    def local_url(self) -> str:
        return f"http://127.0.0.1:{self.port}{PREFIX}/"
