"""Prometheus metrics of the bot and the action server (`/metrics`, docs/decisions.md).

Every label value comes from a small set fixed in the code (an update type, a handler's
name, a refusal code, a Bot API method, an intent, a channel, an audited action): no chat id,
name, text, code or amount ever becomes a label, so the metrics carry no personal data.

Counters live in this process; with several webhook workers (`licencebot run --workers N`)
prometheus-client's multiprocess mode adds them up across the workers
(`PROMETHEUS_MULTIPROC_DIR`, set by `bot/serve.py`). Figures that the database knows better
than any process (outbox backlog, tickets and requests by status) are read at scrape time
(`domain/storage/figures.py`) and exposed by a collector here.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"

# -- updates and handlers (bot/turn.py, bot/app.py) -------------------------------------------
UPDATES = Counter(
    "licencebot_updates",
    "Telegram updates received, by type (message, command, callback, …)",
    ["type"],
)
HANDLER_SECONDS = Histogram(
    "licencebot_handler_duration_seconds",
    "Time from an update's start to its answers sent, per handler",
    ["handler"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
HANDLED = Counter(
    "licencebot_handled_updates",
    "Updates handled, by handler and outcome (ok, refused, stale, duplicate, error)",
    ["handler", "outcome"],
)
ERRORS = Counter(
    "licencebot_errors",
    "Unexpected errors, by where they happened (update, undelivered, outbox, action)",
    ["where"],
)
REFUSALS = Counter(
    "licencebot_refusals",
    "Refusals explained to a user, by reason (the refusal's code) and channel",
    ["reason", "channel"],
)

# -- writes that were committed, from the audit trail's action names (R25) ---------------------
WRITES = Counter(
    "licencebot_writes", "Committed writes, by audited action and channel", ["action", "channel"]
)
ORDERS = Counter("licencebot_orders", "Orders placed (committed)", ["channel"])
CHANGES = Counter("licencebot_quantity_changes", "Quantity changes (committed)", ["channel"])
CANCELLATIONS = Counter("licencebot_cancellations", "Cancellations (committed)", ["channel"])
ADDONS = Counter(
    "licencebot_addon_bookings",
    "Add-on bookings, changes and cancellations (committed)",
    ["operation", "channel"],
)
HINTS = Counter(
    "licencebot_seat_hints", "Month-end seat hints sent (one per customer)", ["channel"]
)
REDUCTIONS = Counter(
    "licencebot_seat_reductions",
    "Reductions at the month end: scheduled, withdrawn, applied (also partly), skipped",
    ["outcome", "channel"],
)
SAVED = Counter(
    "licencebot_seat_savings_euros",
    "Net EUR per month that applied reductions save (sum of monthly savings)",
)
_BUSINESS: Mapping[str, tuple[Counter, tuple[str, ...]]] = {
    "order.place": (ORDERS, ()),
    "subscription.change_quantity": (CHANGES, ()),
    "subscription.cancel": (CANCELLATIONS, ()),
    "addon.book": (ADDONS, ("book",)),
    "addon.change_quantity": (ADDONS, ("change",)),
    "addon.cancel": (ADDONS, ("cancel",)),
    "seats.hint": (HINTS, ()),
    "subscription.schedule_reduction": (REDUCTIONS, ("scheduled",)),
    "subscription.withdraw_reduction": (REDUCTIONS, ("withdrawn",)),
    "subscription.apply_reduction": (REDUCTIONS, ("applied",)),
    "subscription.skip_reduction": (REDUCTIONS, ("skipped",)),
}

# -- outbox (bot/notifier.py) ------------------------------------------------------------------
OUTBOX_SENT = Counter("licencebot_outbox_delivered", "Notifications sent to a chat")
OUTBOX_FAILURES = Counter(
    "licencebot_outbox_delivery_failures", "Notifications that could not be sent to a chat"
)

# -- Bot API (bot/limiter.py) ------------------------------------------------------------------
BOT_API_REQUESTS = Counter(
    "licencebot_bot_api_requests", "Bot API requests (every attempt), by method", ["method"]
)
BOT_API_ERRORS = Counter(
    "licencebot_bot_api_errors",
    "Bot API requests that failed, by method and kind (flood, network, bad_request, forbidden, "
    "other)",
    ["method", "kind"],
)
BOT_API_RETRIES = Counter(
    "licencebot_bot_api_retries",
    "Bot API requests retried, by method and reason (flood: 429, network: 5xx, timeout)",
    ["method", "reason"],
)
RATE_LIMIT_LOCAL = Counter(
    "licencebot_rate_limit_local",
    "Bot API requests limited by this process's own share because the Redis that shares the "
    "token's limits (RATE_LIMIT_REDIS_URL) could not be reached",
)
RATE_LIMIT_OUTAGES = Counter(
    "licencebot_rate_limit_redis_outages",
    "Times the Redis of RATE_LIMIT_REDIS_URL stopped answering (each falls back to a local share)",
)

# -- the Mini App (bot/miniapp/server.py)
MINIAPP_REQUESTS = Counter(
    "licencebot_miniapp_requests",
    "Mini App API requests by endpoint and answer (401: bad or expired init data, 403: no rights)",
    ["endpoint", "status"],
)

# -- free-text understanding (bot/handlers/free_text.py) ---------------------------------------
INTENTS = Counter(
    "licencebot_parser_intents",
    "Typed messages by the intent the parser read, and whether it was sure",
    ["intent", "certain"],
)
CLARIFICATIONS = Counter(
    "licencebot_parser_clarifications",
    "Questions back instead of a guess (did_you_mean, which_product, which_addon, unsure)",
    ["kind"],
)

ALL = (
    UPDATES,
    HANDLER_SECONDS,
    HANDLED,
    ERRORS,
    REFUSALS,
    WRITES,
    ORDERS,
    CHANGES,
    CANCELLATIONS,
    ADDONS,
    HINTS,
    REDUCTIONS,
    SAVED,
    OUTBOX_SENT,
    OUTBOX_FAILURES,
    BOT_API_REQUESTS,
    BOT_API_ERRORS,
    BOT_API_RETRIES,
    RATE_LIMIT_LOCAL,
    RATE_LIMIT_OUTAGES,
    INTENTS,
    CLARIFICATIONS,
    MINIAPP_REQUESTS,
)


def written(audited: Iterable[tuple[str, str]]) -> None:
    """Count writes that were committed: (audited action, channel) pairs (domain/storage/uow)."""
    for action, channel in audited:
        WRITES.labels(action, channel).inc()
        business = _BUSINESS.get(action)
        if business is not None:
            counter, labels = business
            counter.labels(*labels, channel).inc()


def refused(code: str, channel: str) -> None:
    REFUSALS.labels(code, channel).inc()


def failed(where: str) -> None:
    ERRORS.labels(where).inc()


# -- figures read from the database at scrape time ---------------------------------------------
@dataclass(frozen=True)
class Figures:
    """What the database says now; `up` False when it could not be asked."""

    up: bool
    outbox_backlog: int = 0
    outbox_oldest_seconds: float = 0.0
    tickets: Mapping[str, int] = field(default_factory=dict)
    requests: Mapping[str, int] = field(default_factory=dict)


class _DatabaseFigures(Collector):
    def __init__(self) -> None:
        self.latest = Figures(up=False)

    def collect(self) -> Iterator[Metric]:
        figures = self.latest
        yield GaugeMetricFamily(
            "licencebot_database_up",
            "1 when the database answered the last scrape's query",
            value=1 if figures.up else 0,
        )
        if not figures.up:
            return  # no stale numbers when the database did not answer
        yield GaugeMetricFamily(
            "licencebot_outbox_backlog",
            "Notifications waiting to be sent",
            value=figures.outbox_backlog,
        )
        yield GaugeMetricFamily(
            "licencebot_outbox_oldest_seconds",
            "Age of the oldest notification waiting",
            value=figures.outbox_oldest_seconds,
        )
        for name, doc, counts in (
            ("licencebot_tickets", "Service desk tickets by status", figures.tickets),
            ("licencebot_licence_requests", "Licence requests by status", figures.requests),
        ):
            family = GaugeMetricFamily(name, doc, labels=["status"])
            for status, count in sorted(counts.items()):
                family.add_metric([status], count)
            yield family


_FIGURES = _DatabaseFigures()
REGISTRY.register(_FIGURES)


def exposition(figures: Figures) -> tuple[bytes, str]:
    """The text format for `/metrics`, with the database's figures of this scrape."""
    _FIGURES.latest = figures
    if os.environ.get(MULTIPROC_ENV):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        registry.register(_FIGURES)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
