"""The health endpoints while the database goes away and comes back (PostgreSQL behind a
switch): `/healthz` stays 200, `/readyz` turns 503 with a reason and recovers by itself,
`/metrics` still answers and says the database is down."""

from __future__ import annotations

import httpx

from bot.health import HealthServer
from domain.clock import FixedClock
from domain.services.context import Context
from domain.storage.database import Database
from domain.storage.migrate import upgrade
from tests.conftest import PgSchema
from tests.outage import switched


async def test_ready_fails_while_the_database_is_down_and_recovers_after(
    pg_schema: PgSchema, clock: FixedClock
) -> None:
    async with switched(pg_schema.url) as (switch, url):
        core = Context(Database(url, schema=pg_schema.schema), clock=clock)
        await upgrade(core.db)
        server = HealthServer(core, 0)
        base = f"http://127.0.0.1:{server.port}"
        try:
            async with httpx.AsyncClient(base_url=base, timeout=15) as http:
                assert (await http.get("/readyz")).status_code == 200
                assert "licencebot_database_up 1.0" in (await http.get("/metrics")).text

                await switch.cut()
                down = await http.get("/readyz")
                assert down.status_code == 503
                assert down.json()["ready"] is False
                assert down.json()["reason"].startswith("database")
                assert url not in down.text  # never the URL (it may hold a password)
                assert (await http.get("/healthz")).status_code == 200  # the process serves
                page = await http.get("/metrics")
                assert page.status_code == 200
                assert "licencebot_database_up 0.0" in page.text
                assert "licencebot_outbox_backlog" not in page.text  # no stale figures

                await switch.restore()
                back = await http.get("/readyz")
                assert (back.status_code, back.json()) == (200, {"ready": True, "reason": "ready"})
                assert "licencebot_database_up 1.0" in (await http.get("/metrics")).text
        finally:
            await server.stop()
            await core.db.dispose()
