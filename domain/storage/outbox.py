"""The notifications outbox: written in the same transaction as the change it reports, one
delivery row per person told.

A worker claims due deliveries for a while (`claimed_until`, `claim_token`); on PostgreSQL
`FOR UPDATE SKIP LOCKED` keeps two workers from claiming the same row, on SQLite the write
lock does. Only the claim's holder can settle a delivery: sent, retried later, or given up.
A person's deliveries go out in order: one waits while an earlier one is still pending, unless
that one has failed and waits for its retry (one bad notice does not hold up the others).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, exists, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from domain.model import Channel, ChatUser
from domain.ports import Delivery, Notification
from domain.storage import tables as t

PENDING, SENT, GONE = "pending", "sent", "gone"
_d = t.notification_deliveries


class OutboxRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._queued: list[int] = []

    @property
    def queued(self) -> list[int]:
        return list(self._queued)

    async def add(
        self,
        customer_id: str,
        kind: str,
        payload: dict[str, Any],
        at: datetime,
        user_ids: Sequence[int],
        *,
        desk: bool = False,
    ) -> int:
        """The notification and a pending delivery for each person (and the desk), due now."""
        notification_id = (
            await self.session.execute(
                insert(t.notifications)
                .values(customer_id=customer_id, kind=kind, payload=payload, created_at=at)
                .returning(t.notifications.c.id)
            )
        ).scalar_one()
        rows: list[dict[str, Any]] = []
        if user_ids:
            found = await self.session.execute(
                select(t.users.c.id, t.users.c.channel).where(t.users.c.id.in_(user_ids))
            )
            channels: dict[int, Channel] = {row.id: row.channel for row in found}
            rows += [
                _pending(notification_id, at, user_id=uid, channel=channels[uid])
                for uid in dict.fromkeys(user_ids)
                if uid in channels
            ]
        if desk:
            rows.append(_pending(notification_id, at, user_id=None, channel=Channel.TELEGRAM))
        if rows:
            await self.session.execute(insert(_d), rows)
        self._queued.append(int(notification_id))
        return int(notification_id)

    async def claim(
        self,
        channel: Channel,
        limit: int,
        at: datetime,
        until: datetime,
        token: str,
        notification_ids: Sequence[int] | None = None,
    ) -> list[Delivery]:
        """Up to `limit` due deliveries on `channel`, now held with `token` until `until`."""
        earlier = aliased(_d)
        only = [] if notification_ids is None else [_d.c.notification_id.in_(notification_ids)]
        ids: list[int] = list(
            (
                await self.session.execute(
                    select(_d.c.id)
                    .where(
                        *only,
                        _d.c.state == PENDING,
                        _d.c.channel == channel,
                        _d.c.next_attempt_at <= at,
                        or_(_d.c.claimed_until.is_(None), _d.c.claimed_until <= at),
                        ~exists().where(  # the person's earlier notices first ...
                            and_(
                                earlier.c.user_id == _d.c.user_id,
                                earlier.c.state == PENDING,
                                earlier.c.id < _d.c.id,
                                # ... unless one failed: it must not hold up the rest
                                or_(earlier.c.attempts == 0, earlier.c.claimed_until > at),
                            )
                        ),
                    )
                    .order_by(_d.c.id)
                    .limit(limit)
                    .with_for_update(skip_locked=True, of=_d)
                )
            ).scalars()
        )
        if not ids:
            return []
        await self.session.execute(
            update(_d)
            .where(_d.c.id.in_(ids))
            .values(claimed_until=until, claim_token=token, attempts=_d.c.attempts + 1)
        )
        rows = (
            await self.session.execute(
                select(_d, t.notifications)
                .join(t.notifications, t.notifications.c.id == _d.c.notification_id)
                .where(_d.c.id.in_(ids))
                .order_by(_d.c.id)
            )
        ).all()
        users = {
            u.id: u
            for u in (
                await self.session.execute(
                    select(ChatUser).where(
                        t.users.c.id.in_([r.user_id for r in rows if r.user_id is not None])
                    )
                )
            ).scalars()
        }
        return [
            Delivery(
                id=r.id,
                notification=Notification(
                    r.notification_id, r.customer_id, r.kind, dict(r.payload)
                ),
                user=users.get(r.user_id) if r.user_id is not None else None,
                to_desk=r.to_desk,
                attempts=r.attempts,
                token=token,
            )
            for r in rows
        ]

    async def delivered(self, delivery_id: int, token: str, at: datetime) -> bool:
        return await self._settle(delivery_id, token, state=SENT, done_at=at, last_error=None)

    async def retry(self, delivery_id: int, token: str, next_at: datetime, error: str) -> bool:
        return await self._settle(
            delivery_id, token, state=PENDING, next_attempt_at=next_at, last_error=error[:200]
        )

    async def give_up(self, delivery_id: int, token: str, at: datetime, error: str) -> bool:
        return await self._settle(
            delivery_id, token, state=GONE, done_at=at, last_error=error[:200]
        )

    async def release(self, delivery_ids: Sequence[int], token: str) -> None:
        """Claimed but not tried: due again at once, the attempt not counted."""
        if delivery_ids:
            await self.session.execute(
                update(_d)
                .where(_d.c.id.in_(delivery_ids), _d.c.claim_token == token)
                .values(claimed_until=None, claim_token=None, attempts=_d.c.attempts - 1)
            )

    async def _settle(self, delivery_id: int, token: str, **values: Any) -> bool:
        """False when the claim was lost (it expired and another worker holds it now)."""
        result = await self.session.execute(
            update(_d)
            .where(_d.c.id == delivery_id, _d.c.claim_token == token, _d.c.state == PENDING)
            .values(claimed_until=None, claim_token=None, **values)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def notices(self, customer_id: str | None = None) -> list[Notification]:
        query = select(t.notifications).order_by(t.notifications.c.id)
        if customer_id is not None:
            query = query.where(t.notifications.c.customer_id == customer_id)
        return [
            Notification(r.id, r.customer_id, r.kind, dict(r.payload))
            for r in await self.session.execute(query)
        ]

    async def states(self, notification_id: int) -> list[dict[str, Any]]:
        """Each delivery of a notification as stored (operators and tests)."""
        query = select(_d).where(_d.c.notification_id == notification_id).order_by(_d.c.id)
        return [dict(r._mapping) for r in await self.session.execute(query)]


def _pending(
    notification_id: int, at: datetime, *, user_id: int | None, channel: Channel
) -> dict[str, Any]:
    return {
        "notification_id": notification_id,
        "user_id": user_id,
        "to_desk": user_id is None,
        "channel": channel,
        "state": PENDING,
        "attempts": 0,
        "next_attempt_at": at,
    }
