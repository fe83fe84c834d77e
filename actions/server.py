"""`licencebot actions`: rasa-sdk's own action server, guarded by a shared secret.

rasa-sdk has no authentication, and the actions take Rasa's `sender_id` as the person: whoever
reaches the port could act as any linked user. This entry point wraps the SDK's Sanic app
(`rasa_sdk.endpoint.create_app`, so `/webhook`, `/actions` and `/health` behave exactly as
with `python -m rasa_sdk --actions actions`) and adds:

- with `ACTION_SERVER_TOKEN` set, every call but the probes must carry the secret, as Rasa
  sends it from `endpoints.yml` (`token:` becomes the `?token=` query parameter) or as
  `Authorization: Bearer <token>` (`headers:`); anything else gets 401 before an action runs.
  The comparison takes constant time and the secret is never logged (Sanic's access log,
  which would show the query string, is off);
- without it, the server refuses to listen anywhere but on the loopback interface;
- every call is read once before an action runs (actions/calls.py): a deflated body is
  inflated once and never beyond a cap, and a body that is no action call or carries a slot
  value out of range gets 400 (413 when too large) with a short reason; an error inside an
  action is logged and answered with a fixed word, never with the body or a traceback;
- `/healthz`, `/readyz` (database answers, migrations current) and `/metrics` (action calls by
  action and outcome, latency, with domain/metrics.py's counters and database figures; no
  personal data).

`bot/cli.py` starts this module in place of its own process (`licencebot actions`), because
the Telegram bot and the Rasa actions never import each other (docs/decisions.md).
"""

from __future__ import annotations

import argparse
import asyncio
import hmac
import ipaddress
import logging
import sys
import time
from collections.abc import Sequence
from typing import Any, TypeAlias

from pydantic import ValidationError
from rasa_sdk.endpoint import create_app
from rasa_sdk.executor import ActionExecutor
from sanic import Sanic, response
from sanic.exceptions import SanicException
from sanic.request import Request
from sanic.response import BaseHTTPResponse, HTTPResponse

from actions import calls, runtime
from actions.metrics import OTHER_ACTION, observe
from domain import metrics
from domain.command_line import Parser, configuration_error, port
from domain.storage import figures
from domain.storage.readiness import METRICS_SECONDS, Bounded, Probe, Readiness
from domain.storage.readiness import check as check_readiness

log = logging.getLogger("licencebot.actions")
App: TypeAlias = "Sanic[Any, Any]"

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 5055
MIN_TOKEN_LENGTH = 16
READY_TIMEOUT_SECONDS = 3.0
# Probes answer without the secret: they say nothing about anybody.
OPEN_PATHS = frozenset({"/health", "/healthz", "/readyz", "/metrics"})


# --- the secret ----------------------------------------------------------------------------------
def presented_token(request: Request) -> str | None:
    """The secret as Rasa sends it: `?token=` (endpoints.yml `token:`) or a Bearer header."""
    token = request.args.get("token")
    if token is not None:
        return str(token)
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


def token_matches(presented: str | None, expected: str) -> bool:
    """Constant-time comparison (hmac.compare_digest), also for a missing token."""
    return hmac.compare_digest((presented or "").encode(), expected.encode())


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


# --- readiness ----------------------------------------------------------------------------------
async def readiness() -> Readiness:
    """The database answers and its migrations are current (domain/storage/readiness.py);
    never raises. The context is created (and migrated) on first use. `/readyz` waits for it
    at most a second (`Probe`)."""
    try:
        async with asyncio.timeout(READY_TIMEOUT_SECONDS):
            ctx = await runtime.context()
    except TimeoutError:
        return Readiness(False, f"database did not answer within {READY_TIMEOUT_SECONDS:g} s")
    except Exception as exc:  # any driver or network failure means "not ready"
        return Readiness(False, f"database unreachable ({type(exc).__name__})")
    return await check_readiness(ctx.db)


async def _figures() -> metrics.Figures:
    """The database's figures of this scrape (as the bot's); down when it cannot be asked."""
    try:
        async with asyncio.timeout(READY_TIMEOUT_SECONDS):
            ctx = await runtime.context()
    except Exception:  # the figures say the database is down
        return metrics.Figures(up=False)
    return await figures.read(ctx.db, ctx.now())


# --- metrics -------------------------------------------------------------------------------------
def _action_label(request: Request, known: frozenset[str]) -> str:
    """The registered action the call named; `other` for anything else or an unread body
    (the body of an unauthenticated or refused call is not read)."""
    name = getattr(request.ctx, "action", None)
    return name if isinstance(name, str) and name in known else OTHER_ACTION


def _admit(request: Request) -> HTTPResponse | None:
    """Read the call once (actions/calls.py); rasa-sdk then gets the checked JSON, inflated."""
    try:
        call = calls.read(request.body, request.headers.get("content-encoding"))
    except calls.BadCall as bad:
        log.warning("refused an action call: %s", bad.reason)
        return response.json({"error": bad.reason}, status=bad.status)
    request.ctx.action = call.next_action
    request.body = call.body
    request.parsed_json = call.payload  # type: ignore[assignment]  # Sanic types it None
    request.headers.popall("content-encoding", None)
    return None


# --- the app -------------------------------------------------------------------------------------
def build_app(executor: ActionExecutor, token: str | None) -> App:
    """rasa-sdk's app for `executor`, with the token check, probes and metrics."""
    app: App = create_app(executor, cors_origins=None)
    app.config.ACCESS_LOG = False  # it would log `?token=`
    app.config.REQUEST_MAX_SIZE = calls.MAX_BODY_BYTES
    known = frozenset(executor.actions)

    @app.on_request
    async def guard(request: Request) -> HTTPResponse | None:
        request.ctx.started = time.perf_counter()
        guarded = token is not None and request.path not in OPEN_PATHS
        if guarded and not token_matches(presented_token(request), token or ""):
            log.warning("refused a call to %s without the right token", request.path)
            return response.json({"error": "unauthorized"}, status=401)
        if request.path == "/webhook" and request.method == "POST":
            return _admit(request)
        return None

    async def measure(request: Request, resp: BaseHTTPResponse) -> None:
        if request.path != "/webhook" or request.method != "POST":
            return
        started: float = getattr(request.ctx, "started", time.perf_counter())
        action = _action_label(request, known)
        observe(action, resp.status, time.perf_counter() - started)

    app.register_middleware(measure, "response")

    async def failed(request: Request, exc: Exception) -> HTTPResponse:
        """In place of rasa-sdk's handler, which echoes the body and the exception: the log
        gets the traceback (the scrubber hides secrets), the caller a fixed word."""
        if isinstance(exc, SanicException) and exc.status_code < 500:
            return response.json({"error": exc.__class__.__name__}, status=exc.status_code)
        log.error("action call to %s failed", request.path, exc_info=exc)
        return response.json({"error": "internal error"}, status=500)

    # rasa-sdk registered its handler for Exception; Sanic refuses a second registration.
    app.error_handler.cached_handlers[(Exception, None)] = failed

    @app.get("/healthz")
    async def healthz(_: Request) -> HTTPResponse:
        return response.json({"status": "ok"})

    probe = Probe(readiness)
    scrape = Bounded(_figures, lambda: metrics.Figures(up=False), METRICS_SECONDS)

    @app.get("/readyz")
    async def readyz(_: Request) -> HTTPResponse:
        ready = await probe()
        return response.json(
            {"status": "ready" if ready.ok else "not ready", "reason": ready.reason},
            status=200 if ready.ok else 503,
        )

    @app.get("/metrics")
    async def scrape_metrics(_: Request) -> HTTPResponse:
        body, content_type = metrics.exposition(await scrape())
        return response.raw(body, content_type=content_type)

    @app.before_server_start
    async def migrate(_: App) -> None:
        """Create the context (and apply migrations) before the first call, like `run`."""
        try:
            await runtime.context()
        except Exception as exc:  # the first call or /readyz tries again
            log.warning("database not available at start (%s)", type(exc).__name__)

    return app


def executor() -> ActionExecutor:
    found = ActionExecutor()
    found.register_package("actions")
    return found


# --- command line --------------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="licencebot actions",
        description="The Rasa action server (rasa-sdk) with ACTION_SERVER_TOKEN, probes, metrics.",
    )
    parser.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help="address to listen on (default 127.0.0.1; any other needs ACTION_SERVER_TOKEN)",
    )
    parser.add_argument("--port", type=port, default=DEFAULT_PORT, help="default 5055")
    return parser


def check_binding(host: str, token: str | None) -> str | None:
    """Why the server must not start with this host and token, or None."""
    if token is None:
        if is_loopback(host):
            return None
        return (
            f"refusing to listen on {host} without ACTION_SERVER_TOKEN: anyone reaching the port "
            "could act as any linked user; set ACTION_SERVER_TOKEN (and the same token in "
            "Rasa's endpoints.yml) or listen on 127.0.0.1"
        )
    if len(token) < MIN_TOKEN_LENGTH:
        return (
            f"ACTION_SERVER_TOKEN is too short; use at least {MIN_TOKEN_LENGTH} random characters"
        )
    return None


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    try:
        settings = runtime.settings()
    except ValidationError as exc:
        print(f"licencebot actions: {configuration_error(exc)}", file=sys.stderr)
        return 2
    secret = settings.action_server_token
    token = secret.get_secret_value() if secret is not None else None
    problem = check_binding(args.host, token)
    if problem is not None:
        print(f"licencebot actions: {problem}", file=sys.stderr)
        return 1
    app = build_app(executor(), token)
    log.info(
        "action server on http://%s:%d (%s)",
        args.host,
        args.port,
        "token required" if token else "no token: loopback only",
    )
    app.run(host=args.host, port=args.port, single_process=True, access_log=False, motd=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
