"""The Grafana dashboard in deploy/ charts only metrics that `/metrics` exposes."""

from __future__ import annotations

import json
import re
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from domain import metrics

DASHBOARD = Path(__file__).resolve().parents[2] / "deploy" / "grafana-dashboard.json"


def test_every_dashboard_query_names_an_exposed_metric() -> None:
    page, _ = metrics.exposition(
        metrics.Figures(up=True, tickets={"open": 0}, requests={"pending": 0})
    )
    exposed = {
        sample.name
        for family in text_string_to_metric_families(page.decode())
        for sample in family.samples
    } | {family.name for family in text_string_to_metric_families(page.decode())}
    panels = json.loads(DASHBOARD.read_text(encoding="utf-8"))["panels"]
    queries = [t["expr"] for p in panels for t in p.get("targets", [])]
    assert len(queries) >= 20
    named = {name for q in queries for name in re.findall(r"licencebot_[a-z_]+", q)}
    # A counter or histogram without samples yet is listed by its family name only.
    families = {re.sub(r"_(total|bucket|count|sum)$", "", name) for name in named}
    assert families <= exposed | {n.removesuffix("_total") for n in exposed}, families - exposed
