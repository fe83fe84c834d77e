"""The action server's Prometheus metrics (prometheus-client's default registry).

A module of its own, so the counters are registered once even when `actions.server` runs as
`__main__` and is imported again by rasa-sdk's package scan. Label values are registered
action names or fixed words: no sender id, slot value or text ever becomes a label.
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram

OTHER_ACTION = "other"
OUTCOMES = {
    200: "ok",
    400: "rejected",
    401: "unauthorized",
    404: "unknown_action",
    449: "missing_domain",
}
ERROR = "error"

CALLS = Counter(
    "licencebot_action_calls",
    "Action server calls (/webhook), by action and outcome "
    "(ok, rejected, unauthorized, unknown_action, missing_domain, error)",
    ["action", "outcome"],
)
DURATION = Histogram(
    "licencebot_action_duration_seconds",
    "Time to answer an action call (/webhook), by action",
    ["action"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)


def observe(action: str, status: int, seconds: float) -> None:
    CALLS.labels(action, OUTCOMES.get(status, ERROR)).inc()
    DURATION.labels(action).observe(seconds)
