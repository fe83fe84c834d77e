"""Seat usage the tenant reported, spare-seat buffers, hint preferences and the month's hints."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from sqlalchemy import delete, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from domain.seats import SeatReport
from domain.storage import tables as t
from domain.storage.repositories import _rowcount


class SeatRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def reports(self, customer_id: str) -> Sequence[SeatReport]:
        u = t.seat_usage
        rows = await self.session.execute(select(u).where(u.c.customer_id == customer_id))
        return [SeatReport(r.sku, r.assigned, r.reported_at, r.source) for r in rows]

    async def report(self, customer_id: str, report: SeatReport) -> None:
        u = t.seat_usage
        await self.session.execute(
            delete(u).where(u.c.customer_id == customer_id, u.c.sku == report.sku)
        )
        await self.session.execute(
            insert(u).values(
                customer_id=customer_id,
                sku=report.sku,
                assigned=report.assigned,
                reported_at=report.as_of,
                source=report.source,
            )
        )

    async def buffers(self, customer_id: str) -> dict[str, int]:
        b = t.seat_buffers
        rows = await self.session.execute(select(b).where(b.c.customer_id == customer_id))
        return {r.sku: r.spare for r in rows}

    async def set_buffer(self, customer_id: str, sku: str, spare: int) -> None:
        b = t.seat_buffers
        await self.session.execute(delete(b).where(b.c.customer_id == customer_id, b.c.sku == sku))
        if spare:
            await self.session.execute(
                insert(b).values(customer_id=customer_id, sku=sku, spare=spare)
            )

    async def hints_wanted(self, user_id: int) -> bool:
        o = t.seat_hint_optouts
        return await self.session.scalar(select(o.c.user_id).where(o.c.user_id == user_id)) is None

    async def set_hints(self, user_id: int, wanted: bool, at: datetime) -> None:
        o = t.seat_hint_optouts
        await self.session.execute(delete(o).where(o.c.user_id == user_id))
        if not wanted:
            await self.session.execute(insert(o).values(user_id=user_id, at=at))

    async def claim_hint(self, customer_id: str, month: str, at: datetime, saving: Decimal) -> bool:
        """The month's hint for the customer, unless another worker took it first."""
        values = {
            "customer_id": customer_id,
            "month": month,
            "sent_at": at,
            "monthly_saving": saving,
        }
        dialect = self.session.get_bind().dialect.name
        insert_ = postgresql.insert if dialect == "postgresql" else sqlite.insert
        stmt = insert_(t.seat_hints).values(values).on_conflict_do_nothing()
        return _rowcount(await self.session.execute(stmt)) > 0

    async def hinted(self, customer_id: str, month: str) -> bool:
        h = t.seat_hints
        found = await self.session.scalar(
            select(h.c.month).where(h.c.customer_id == customer_id, h.c.month == month)
        )
        return found is not None
