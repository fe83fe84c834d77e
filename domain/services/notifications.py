"""What the customer's people must be told, queued with the change it reports and delivered
once per person (design: docs/decisions.md, "Notifications: the outbox delivers").

Use cases call `tell` inside their unit of work: the notice is stored only if the change is.
Front ends that can push (the Telegram bot) claim due deliveries, send them and settle each:
`delivered` after the message was accepted, `retry` with back-off after a passing failure,
`give_up` only when the person can no longer be reached (blocked the bot, chat gone).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from domain.model import Channel, ChatUser, Role
from domain.ports import Delivery, UnitOfWork
from domain.services.context import Context

# Kinds of notice (stored; keep the values)
PROVISIONED = "provisioned"  # a new subscription is provisioned (with waiting add-ons)
ADDONS_PROVISIONED = "addons.provisioned"  # add-ons of a running subscription are provisioned
CHANGED = "changed"  # a new total (R11)
ADDON_CHANGED = "addon.changed"  # an add-on's new number of users (R17)
ADDON_CANCELLED = "addon.cancelled"  # an add-on cancelled on its own (R17, R19)
CANCELLED = "cancelled"  # cancelled to the end of the month (R18, R19)
WITHDRAWN = "cancellation.withdrawn"  # a cancellation taken back (R20)
ENDED = "ended"  # a cancelled subscription has ended (R21)
REQUEST_ASKED = "request.asked"  # R23, asked where no card reaches the admins (Rasa)
REQUEST_APPROVED = "request.approved"  # R23
REQUEST_DECLINED = "request.declined"  # R23, with the reason
REQUEST_WITHDRAWN = "request.withdrawn"  # R23, the one who asked took it back
TICKET_OPENED = "ticket.opened"  # a new ticket, for the service desk group (its card)
TICKET_WRITTEN = "ticket.written"  # the customer's next message, for the service desk group
TICKET_ANSWERED = "ticket.answered"  # an agent's answer, for the customer
TICKET_TAKEN = "ticket.taken"  # an agent took the ticket over, for the customer
TICKET_RESOLVED = "ticket.resolved"  # the desk resolved it, for the customer
TICKET_EDITED = "ticket.edited"  # a ticket message was edited: its copies on the other side
TICKET_FORGOTTEN = "ticket.forgotten"  # /forget_me: the desk group's copies lose the person
TICKET_KINDS = frozenset(
    {
        TICKET_OPENED,
        TICKET_WRITTEN,
        TICKET_ANSWERED,
        TICKET_TAKEN,
        TICKET_RESOLVED,
        TICKET_EDITED,
        TICKET_FORGOTTEN,
    }
)

PUSH_CHANNELS = frozenset({Channel.TELEGRAM})  # where a notice can reach a person unasked
LEASE = timedelta(minutes=2)  # how long a claim holds; a dead worker's claims expire after it
BACKOFF_FIRST = timedelta(seconds=10)
BACKOFF_MAX = timedelta(minutes=15)


async def tell(
    uow: UnitOfWork,
    at: datetime,
    customer_id: str,
    kind: str,
    payload: dict[str, Any],
    *,
    users: Iterable[int | None] = (),
    skip: int | None = None,
) -> None:
    """Queue a notice for `users` (who ordered, who asked) and the customer's admins, once
    each; not for `skip`, the person who acted and sees the result on their screen."""
    people: list[ChatUser] = []
    for user_id in users:
        user = await uow.users.by_id(user_id) if user_id is not None else None
        if user is not None:
            people.append(user)
    people += await uow.users.of_customer(customer_id, Role.ADMIN)
    ids = [u.id for u in people if u.id is not None and u.id != skip and u.channel in PUSH_CHANNELS]
    if ids:
        await uow.outbox.add(customer_id, kind, payload, at, list(dict.fromkeys(ids)))


async def tell_person(
    uow: UnitOfWork,
    at: datetime,
    customer_id: str,
    kind: str,
    payload: dict[str, Any],
    user_id: int,
) -> None:
    """Queue a notice for one person only (e.g. the customer of a ticket), where a notice can
    reach them unasked; others read it when they ask (Rasa)."""
    user = await uow.users.by_id(user_id)
    if user is not None and user.id is not None and user.channel in PUSH_CHANNELS:
        await uow.outbox.add(customer_id, kind, payload, at, [user.id])


async def tell_desk(
    uow: UnitOfWork, at: datetime, customer_id: str, kind: str, payload: dict[str, Any]
) -> None:
    """Queue something for the service desk group (posted by the bot)."""
    await uow.outbox.add(customer_id, kind, payload, at, [], desk=True)


async def orderers(
    uow: UnitOfWork, subscription_id: int, bookings: Sequence[int] = ()
) -> list[int | None]:
    """Who ordered the subscription (its consents, R5), or who booked these add-ons (R17)."""
    consents = await uow.records.consents_for(subscription_id)
    if bookings:
        return [c.get("user_id") for c in consents if c.get("addon_booking_id") in bookings]
    return [c.get("user_id") for c in consents if c.get("addon_booking_id") is None]


# --- delivering -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Claim:
    """What one worker holds until `until` (its token settles them)."""

    deliveries: list[Delivery]
    until: datetime


async def claim_deliveries(
    ctx: Context,
    channel: Channel,
    limit: int = 20,
    lease: timedelta = LEASE,
    notification_ids: Sequence[int] | None = None,
) -> Claim:
    """Claim due deliveries on `channel` for `lease`; no other worker gets them meanwhile;
    only those of `notification_ids` when given (sent right after the change that queued
    them; whatever fails waits for the workers' rounds)."""
    token = uuid.uuid4().hex
    until = ctx.now() + lease
    async with ctx.uow() as uow:
        claimed = await uow.outbox.claim(channel, limit, ctx.now(), until, token, notification_ids)
        await uow.commit()
    return Claim(claimed, until)


def backoff(attempts: int) -> timedelta:
    """10 s after the first failed attempt, doubling, at most 15 minutes."""
    doubled: timedelta = BACKOFF_FIRST * (1 << min(max(attempts - 1, 0), 16))
    return min(doubled, BACKOFF_MAX)


async def delivered(ctx: Context, delivery: Delivery) -> bool:
    """Telegram accepted it: done. False when the claim had expired and another worker
    holds it now (it was sent twice then; the lease is meant to make that impossible)."""
    async with ctx.uow() as uow:
        done = await uow.outbox.delivered(delivery.id, delivery.token, ctx.now())
        await uow.commit()
    return done


async def retry(
    ctx: Context, delivery: Delivery, error: str, after: timedelta | None = None
) -> datetime:
    """A passing failure: due again after `after` (Telegram's retry_after) or the back-off."""
    next_at = ctx.now() + (after if after is not None else backoff(delivery.attempts))
    async with ctx.uow() as uow:
        await uow.outbox.retry(delivery.id, delivery.token, next_at, error)
        await uow.commit()
    return next_at


async def give_up(ctx: Context, delivery: Delivery, error: str) -> None:
    """The person cannot be reached any more (blocked the bot, chat or account gone)."""
    async with ctx.uow() as uow:
        await uow.outbox.give_up(delivery.id, delivery.token, ctx.now(), error)
        await uow.commit()


async def release(ctx: Context, deliveries: Sequence[Delivery]) -> None:
    """Claimed but not tried (the round stopped): due again at once."""
    by_token: dict[str, list[int]] = {}
    for delivery in deliveries:
        by_token.setdefault(delivery.token, []).append(delivery.id)
    if not by_token:
        return
    async with ctx.uow() as uow:
        for token, ids in by_token.items():
            await uow.outbox.release(ids, token)
        await uow.commit()


async def kinds_of(ctx: Context, customer_id: str, ids: Sequence[int]) -> dict[int, str]:
    """The kind of each of these notices still stored (settled ones go with retention)."""
    wanted = set(ids)
    async with ctx.uow(write=False) as uow:
        return {n.id: n.kind for n in await uow.outbox.notices(customer_id) if n.id in wanted}


def reachable(delivery: Delivery) -> bool:
    """The person still belongs where the notice is from (R24): a user linked to another
    customer since is not told; the service desk (agents) may hear of any customer."""
    user = delivery.user
    if user is None or user.channel is not Channel.TELEGRAM:  # e.g. forgotten (/forget_me)
        return False
    return user.role is Role.AGENT or user.customer_id == delivery.notification.customer_id
