"""The notifications outbox: written in the same transaction as the change it reports,
claimed once by whichever worker gets there first (`FOR UPDATE SKIP LOCKED` on PostgreSQL)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.model import Role
from domain.ports import Notification, Recipient
from domain.storage import tables as t


class OutboxRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, customer_id: str, kind: str, payload: dict[str, Any], at: datetime) -> None:
        await self.session.execute(
            insert(t.notifications).values(
                customer_id=customer_id, kind=kind, payload=payload, created_at=at
            )
        )

    async def claim(self, limit: int, at: datetime) -> list[Notification]:
        """Up to `limit` unsent notifications, marked sent: each is handed out once."""
        rows = (
            await self.session.execute(
                select(t.notifications)
                .where(t.notifications.c.sent_at.is_(None))
                .order_by(t.notifications.c.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        ).all()
        if rows:
            await self.session.execute(
                update(t.notifications)
                .where(t.notifications.c.id.in_([r.id for r in rows]))
                .values(sent_at=at)
            )
        return [Notification(r.id, r.customer_id, r.kind, dict(r.payload)) for r in rows]

    async def recipients(self, customer_id: str) -> list[Recipient]:
        """The customer's linked people (admins and members), on every channel."""
        rows = await self.session.execute(
            select(t.users.c.channel, t.users.c.external_id, t.users.c.language).where(
                t.users.c.customer_id == customer_id,
                t.users.c.role.in_([Role.ADMIN, Role.MEMBER]),
            )
        )
        return [Recipient(r.channel, r.external_id, r.language) for r in rows]
