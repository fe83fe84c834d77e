"""Hand out what the customer must be told (e.g. "your licences are provisioned"), once."""

from __future__ import annotations

from dataclasses import dataclass

from domain.model import Channel
from domain.ports import Notification, Recipient
from domain.services.context import Context


@dataclass(frozen=True)
class Delivery:
    notification: Notification
    recipients: tuple[Recipient, ...]


async def claim_deliveries(ctx: Context, channel: Channel, limit: int = 50) -> list[Delivery]:
    """Claim unsent notifications with their recipients on `channel` (at most once)."""
    async with ctx.uow() as uow:
        claimed = await uow.outbox.claim(limit, ctx.now())
        deliveries = [
            Delivery(
                n,
                tuple(
                    r for r in await uow.outbox.recipients(n.customer_id) if r.channel == channel
                ),
            )
            for n in claimed
        ]
        await uow.commit()
    return deliveries
