"""`/healthz`, `/readyz` and `/metrics` (docs/interfaces.md): on the webhook server in webhook
mode, on 127.0.0.1:`HEALTH_PORT` in polling mode.

- `/healthz`: 200 while the process serves HTTP (liveness; never touches the database).
- `/readyz`: 200 when the database answers and its migrations are current, else 503, with the
  reason as JSON (`domain/storage/readiness.py`; never a URL or a driver's message), within
  1 s whatever the database does (`readiness.Probe`).
- `/metrics`: Prometheus text format (`domain/metrics.py`), with the database's figures read
  at scrape time (`domain/storage/figures.py`), within 2 s whatever the database does (later:
  `licencebot_database_up 0`). No personal data.
"""

from __future__ import annotations

import json
import logging

import tornado.web
from tornado.routing import Rule, URLSpec

from bot.webhook import TornadoServer
from domain import metrics
from domain.services.context import Context
from domain.storage import figures, readiness

log = logging.getLogger(__name__)


class _Healthz(tornado.web.RequestHandler):
    def get(self) -> None:
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.write("ok\n")


class _Readyz(tornado.web.RequestHandler):
    def initialize(self, probe: readiness.Probe) -> None:
        self.probe = probe

    async def get(self) -> None:
        ready = await self.probe()
        if not ready.ok:
            log.warning("not ready: %s", ready.reason)
        self.set_status(200 if ready.ok else 503)
        self.set_header("Content-Type", "application/json")
        self.write(json.dumps({"ready": ready.ok, "reason": ready.reason}))


class _Metrics(tornado.web.RequestHandler):
    def initialize(self, scrape: readiness.Bounded[metrics.Figures]) -> None:
        self.scrape = scrape

    async def get(self) -> None:
        body, content_type = metrics.exposition(await self.scrape())
        self.set_header("Content-Type", content_type)
        self.write(body)


def routes(core: Context) -> list[Rule]:
    """The three endpoints, to mount on a Tornado application (the webhook server's)."""
    probe = readiness.Probe(lambda: readiness.check(core.db, readiness.CHECK_SECONDS))
    scrape = readiness.Bounded(
        lambda: figures.read(core.db, core.now()),
        lambda: metrics.Figures(up=False),
        readiness.METRICS_SECONDS,
    )
    return [
        URLSpec(r"/healthz", _Healthz),
        URLSpec(r"/readyz", _Readyz, {"probe": probe}),
        URLSpec(r"/metrics", _Metrics, {"scrape": scrape}),
    ]


class HealthServer(TornadoServer):
    """Polling mode: the endpoints alone, on the loopback interface only."""

    def __init__(self, core: Context, port: int, listen: str = "127.0.0.1") -> None:
        super().__init__(tornado.web.Application(routes(core)), port, listen)
