"""The figures `/metrics` reads from the database at scrape time: they are the same for every
worker and survive restarts, so no process has to keep them (domain/metrics.py)."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from enum import StrEnum
from typing import cast

from sqlalchemy import Table, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.licence_requests import RequestStatus
from domain.metrics import Figures
from domain.ports import Store
from domain.storage import tables as t
from domain.storage.database import Database
from domain.tickets import TicketStatus

log = logging.getLogger(__name__)
TIMEOUT_SECONDS = 3.0


async def _by_status(
    session: AsyncSession, table: Table, statuses: type[StrEnum]
) -> dict[str, int]:
    """Rows per status; every known status is present, with 0 when there is none."""
    counts = dict.fromkeys((s.value for s in statuses), 0)
    rows = await session.execute(select(table.c.status, func.count()).group_by(table.c.status))
    for status, count in rows:
        counts[str(status)] = int(cast(int, count))
    return counts


async def read(store: Store, now: datetime, within: float = TIMEOUT_SECONDS) -> Figures:
    """Outbox backlog and its oldest entry's age, tickets and requests by status; never
    raises (a database that does not answer gives `Figures(up=False)`)."""
    if not isinstance(store, Database):
        return Figures(up=False)
    try:
        async with asyncio.timeout(within), store.unit_of_work(write=False) as uow:
            session = uow.session
            d, n = t.notification_deliveries, t.notifications
            backlog, oldest = (
                await session.execute(
                    select(func.count(), func.min(n.c.created_at))
                    .select_from(d.join(n, d.c.notification_id == n.c.id))
                    .where(d.c.state == "pending")
                )
            ).one()
            tickets = await _by_status(session, t.tickets, TicketStatus)
            requests = await _by_status(session, t.licence_requests, RequestStatus)
    except Exception as exc:  # any failure: the database is not answering this scrape
        log.warning("metrics: database figures unavailable (%s)", type(exc).__name__)
        return Figures(up=False)
    age = max(0.0, (now - oldest).total_seconds()) if oldest is not None else 0.0
    return Figures(
        up=True,
        outbox_backlog=int(backlog),
        outbox_oldest_seconds=age,
        tickets=tickets,
        requests=requests,
    )
