"""Retention (docs/privacy.md): chat state, processed update ids and resolved tickets are kept
only as long as configured (RETENTION_*_DAYS). Every bot worker runs `purge` once a day; two
workers purging at once delete the same rows once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from domain.model import Actor, Channel, Role
from domain.ports import Erased
from domain.services.context import Context

RETENTION_ACTOR = Actor(Role.OPERATOR, Channel.SYSTEM, None, label="retention job")


@dataclass(frozen=True)
class RetentionPolicy:
    chat_days: int = 90  # chat state and drafts after the chat's last update
    updates_days: int = 7  # processed update ids (Telegram re-delivers for 24 hours at most)
    tickets_days: int = 365  # resolved tickets with their messages, after resolution
    notices_days: int = 30  # outbox notices every recipient got (or was given up for)


async def purge(ctx: Context, policy: RetentionPolicy) -> Erased:
    """Delete what has outlived its retention; an audit entry says how much (R25)."""
    now = ctx.now()
    async with ctx.uow() as uow:
        erased = await uow.privacy.purge(
            chats_before=now - timedelta(days=policy.chat_days),
            updates_before=now - timedelta(days=policy.updates_days),
            tickets_before=now - timedelta(days=policy.tickets_days),
            notices_before=now - timedelta(days=policy.notices_days),
        )
        if erased != Erased():
            await uow.records.audit(
                ctx.audit(
                    RETENTION_ACTOR,
                    None,
                    "retention.purge",
                    "retention",
                    chats=erased.chats,
                    drafts=erased.drafts,
                    updates=erased.updates,
                    tickets=erased.tickets,
                    ticket_messages=erased.ticket_messages,
                    notices=erased.notices,
                )
            )
        await uow.commit()
    return erased
