"""What is stored about one person: erased, pseudonymised, exported, and bounded in time.

The decisions behind each statement are in docs/privacy.md (one row per table).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from enum import Enum
from typing import Any

from sqlalchemy import Table, and_, delete, not_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from domain.ports import Erased
from domain.storage import tables as t
from domain.tickets import Author, TicketStatus


def _count(result: Any) -> int:
    return max(int(getattr(result, "rowcount", 0) or 0), 0)


def _json(value: object) -> object:
    """Dates and instants as ISO text, enumerations as their value; the rest as stored."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def _rows(rows: Any, columns: Sequence[str]) -> list[dict[str, object]]:
    return [{c: _json(getattr(row, c)) for c in columns} for row in rows]


class PrivacyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _run(self, statement: Any) -> int:
        return _count(await self.session.execute(statement))

    # -- erasure ----------------------------------------------------------------------------
    async def forget_chat(self, chat_id: int, keep_update: tuple[int, int] | None) -> Erased:
        updates = t.processed_updates.c
        mine = updates.chat_id == chat_id
        current: ColumnElement[bool] | None = None
        if keep_update is not None:
            current = and_(updates.bot_id == keep_update[0], updates.update_id == keep_update[1])
            # The update being handled stays claimed (a re-delivery must not run it twice),
            # but no longer says whose it was.
            await self.session.execute(
                update(t.processed_updates).where(current).values(chat_id=None)
            )
        # Which of the person's own messages became ticket messages: ids in their chat.
        await self.session.execute(
            delete(t.ticket_posts).where(t.ticket_posts.c.chat_id == chat_id)
        )
        return Erased(
            drafts=await self._run(delete(t.drafts).where(t.drafts.c.chat_id == chat_id)),
            chats=await self._run(delete(t.chats).where(t.chats.c.chat_id == chat_id)),
            updates=await self._run(
                delete(t.processed_updates).where(
                    mine if current is None else and_(mine, not_(current))
                )
            ),
        )

    async def pseudonymise(self, user_id: int, pseudonym: str, names: Sequence[str]) -> Erased:
        records = 0
        for table, column in (
            (t.consents, t.consents.c.user_id),
            (t.quantity_changes, t.quantity_changes.c.user_id),
            (t.audit_entries, t.audit_entries.c.actor_user_id),
        ):
            records += await self._run(
                update(table).where(column == user_id).values(actor_label=pseudonym)
            )
        requests = t.licence_requests.c
        changed_requests = await self._run(
            update(t.licence_requests)
            .where(requests.requested_by == user_id)
            .values(requested_by_name=pseudonym)
        )
        changed_requests += await self._run(
            update(t.licence_requests)
            .where(requests.decided_by == user_id)
            .values(decided_by_name=pseudonym)
        )
        tickets, messages = t.tickets.c, t.ticket_messages.c
        own = select(tickets.id).where(tickets.user_id == user_id).scalar_subquery()
        changed_tickets = await self._run(
            update(t.tickets).where(tickets.user_id == user_id).values(external_id="")
        )
        changed_messages = await self._run(
            update(t.ticket_messages)
            .where(messages.ticket_id.in_(own), messages.author == Author.CUSTOMER.value)
            .values(name=pseudonym)
        )
        # What an agent was called at the desk: Telegram's live name at each action, found by
        # the agent's user id; rows from before that id was stored by the names they had.
        changed_tickets += await self._run(
            update(t.tickets).where(tickets.taken_by_user_id == user_id).values(taken_by=pseudonym)
        )
        changed_messages += await self._run(
            update(t.ticket_messages)
            .where(messages.author == Author.AGENT.value, messages.user_id == user_id)
            .values(name=pseudonym)
        )
        agent_names = [n for n in names if n]
        if agent_names:
            changed_tickets += await self._run(
                update(t.tickets)
                .where(tickets.taken_by_user_id.is_(None), tickets.taken_by.in_(agent_names))
                .values(taken_by=pseudonym)
            )
            changed_messages += await self._run(
                update(t.ticket_messages)
                .where(
                    messages.author == Author.AGENT.value,
                    messages.user_id.is_(None),
                    messages.name.in_(agent_names),
                )
                .values(name=pseudonym)
            )
        # Nothing is owed to a person who no longer exists for us (the outbox gives up too).
        await self.session.execute(
            delete(t.notification_deliveries).where(
                t.notification_deliveries.c.user_id == user_id,
                t.notification_deliveries.c.state == "pending",
            )
        )
        return Erased(
            records=records,
            tickets=changed_tickets,
            ticket_messages=changed_messages,
            requests=changed_requests,
        )

    # -- access (export) ----------------------------------------------------------------------
    async def personal_data(self, user_id: int | None, chat_id: int | None) -> dict[str, Any]:
        data: dict[str, Any] = {"user": None, "chat": None}
        if chat_id is not None:
            data.update(await self._chat_data(chat_id))
        else:
            data.update({"drafts": [], "processed_updates": []})
        if user_id is not None:
            data.update(await self._user_data(user_id))
        else:
            data.update(
                {k: [] for k in ("invites", "consents", "quantity_changes", "audit")}
                | {"tickets": [], "requests": []}
            )
        return data

    async def _all(self, table: Table, where: ColumnElement[bool], order: Any) -> Any:
        return (await self.session.execute(select(table).where(where).order_by(order))).all()

    async def _chat_data(self, chat_id: int) -> dict[str, Any]:
        chats, drafts, updates = t.chats.c, t.drafts.c, t.processed_updates.c
        chat = (await self.session.execute(select(t.chats).where(chats.chat_id == chat_id))).first()
        return {
            "chat": None
            if chat is None
            else _rows([chat], ["chat_id", "language", "step", "ticket_id", "updated_at"])[0],
            "drafts": _rows(
                await self._all(t.drafts, drafts.chat_id == chat_id, drafts.id),
                ["id", "kind", "state", "data", "result_id", "created_at", "updated_at"],
            ),
            "processed_updates": _rows(
                await self._all(t.processed_updates, updates.chat_id == chat_id, updates.update_id),
                ["update_id", "processed_at"],
            ),
        }

    async def _user_data(self, user_id: int) -> dict[str, Any]:
        users = t.users.c
        user = (await self.session.execute(select(t.users).where(users.id == user_id))).first()
        actor = ["given_at", "customer_id", "actor_label", "channel"]
        consents, changes, audit = t.consents.c, t.quantity_changes.c, t.audit_entries.c
        requests, invites = t.licence_requests.c, t.invites.c
        optout = t.seat_hint_optouts.c
        hints_off = await self.session.scalar(select(optout.at).where(optout.user_id == user_id))
        return {
            "user": None
            if user is None
            else _rows(
                [user],
                ["id", "channel", "external_id", "role", "customer_id", "display_name", "language"],
            )[0]
            # the month-end seat hints (issue 21): off since when, or on (None)
            | {"seat_hints_off_since": hints_off.isoformat() if hints_off else None},
            "invites": _rows(
                await self._all(t.invites, invites.used_by == user_id, invites.id),
                ["customer_id", "role", "created_at", "used_at"],
            ),
            "consents": _rows(
                await self._all(t.consents, consents.user_id == user_id, consents.id),
                ["id", "subscription_id", "addon_booking_id", "kind", "terms_version", *actor],
            ),
            "quantity_changes": _rows(
                await self._all(t.quantity_changes, changes.user_id == user_id, changes.id),
                [
                    *("subscription_id", "addon_booking_id", "from_quantity", "to_quantity"),
                    *("changed_at", "actor_label", "channel"),
                ],
            ),
            "audit": _rows(
                await self._all(t.audit_entries, audit.actor_user_id == user_id, audit.id),
                ["at", "customer_id", "action", "target", "details", "actor_label", "channel"],
            ),
            "tickets": await self._tickets(user_id),
            "requests": _rows(
                await self._all(
                    t.licence_requests,
                    or_(requests.requested_by == user_id, requests.decided_by == user_id),
                    requests.id,
                ),
                [
                    *("id", "customer_id", "kind", "status", "product_sku", "quantity"),
                    *("requested_by_name", "decided_by_name", "reason", "created_at", "decided_at"),
                ],
            ),
        }

    async def _tickets(self, user_id: int) -> list[dict[str, object]]:
        tickets, messages = t.tickets.c, t.ticket_messages.c
        found = _rows(
            await self._all(t.tickets, tickets.user_id == user_id, tickets.id),
            ["id", "customer_id", "status", "context", "created_at", "resolved_at"],
        )
        by_ticket: Mapping[object, list[dict[str, object]]] = {f["id"]: [] for f in found}
        if found:
            rows = await self._all(
                t.ticket_messages, messages.ticket_id.in_(list(by_ticket)), messages.id
            )
            for row in rows:
                by_ticket[row.ticket_id].append(
                    {"from": row.author, "name": row.name, "text": row.text, "at": _json(row.at)}
                )
        return [{**f, "messages": by_ticket[f["id"]]} for f in found]

    # -- retention ----------------------------------------------------------------------------
    async def purge(
        self,
        *,
        chats_before: datetime,
        updates_before: datetime,
        tickets_before: datetime,
        notices_before: datetime,
    ) -> Erased:
        chats, drafts = t.chats.c, t.drafts.c
        idle = select(chats.chat_id).where(chats.updated_at < chats_before).scalar_subquery()
        dropped_drafts = await self._run(
            delete(t.drafts).where(or_(drafts.updated_at < chats_before, drafts.chat_id.in_(idle)))
        )
        dropped_chats = await self._run(delete(t.chats).where(chats.updated_at < chats_before))
        dropped_updates = await self._run(
            delete(t.processed_updates).where(t.processed_updates.c.processed_at < updates_before)
        )
        tickets = t.tickets.c
        old: Sequence[int] = (
            (
                await self.session.execute(
                    select(tickets.id).where(
                        tickets.status == TicketStatus.RESOLVED.value,
                        tickets.resolved_at < tickets_before,
                    )
                )
            )
            .scalars()
            .all()
        )
        dropped_messages = dropped_tickets = 0
        for start in range(0, len(old), 500):  # bounded IN lists
            ids = list(old[start : start + 500])
            await self.session.execute(
                update(t.chats).where(chats.ticket_id.in_(ids)).values(ticket_id=None)
            )
            await self.session.execute(
                delete(t.ticket_posts).where(t.ticket_posts.c.ticket_id.in_(ids))
            )
            dropped_messages += await self._run(
                delete(t.ticket_messages).where(t.ticket_messages.c.ticket_id.in_(ids))
            )
            dropped_tickets += await self._run(delete(t.tickets).where(tickets.id.in_(ids)))
        notices, deliveries = t.notifications.c, t.notification_deliveries.c
        owed = select(deliveries.notification_id).where(deliveries.state == "pending")
        settled = (
            select(notices.id)
            .where(notices.created_at < notices_before, notices.id.not_in(owed))
            .scalar_subquery()
        )
        await self.session.execute(
            delete(t.notification_deliveries).where(deliveries.notification_id.in_(settled))
        )
        dropped_notices = await self._run(
            delete(t.notifications).where(
                notices.created_at < notices_before, notices.id.not_in(owed)
            )
        )
        return Erased(
            chats=dropped_chats,
            drafts=dropped_drafts,
            updates=dropped_updates,
            notices=dropped_notices,
            tickets=dropped_tickets,
            ticket_messages=dropped_messages,
        )
