"""Front-end conversation state in the database: any worker can serve any update (design 1)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, insert, literal, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from domain.conversation import ChatState, Draft
from domain.model import Channel, ChatUser
from domain.storage import tables as t

DRAFTS_PER_CHAT = 32  # a chat's newest drafts; older ones are deleted when a new one starts


def _draft(row: Any) -> Draft:
    return Draft(
        id=row.id,
        chat_id=row.chat_id,
        kind=row.kind,
        idempotency_key=row.idempotency_key,
        data=dict(row.data),
        state=row.state,
        result_id=row.result_id,
    )


class ChatStateRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def claim_update(
        self, bot_id: int, update_id: int, at: datetime, chat_id: int | None = None
    ) -> bool:
        """True the first time an update is seen, False for a re-delivery (at most once)."""
        values = {"bot_id": bot_id, "update_id": update_id, "processed_at": at, "chat_id": chat_id}
        dialect = self.session.bind.dialect.name if self.session.bind else "sqlite"
        builder = pg_insert if dialect == "postgresql" else sqlite_insert
        statement = builder(t.processed_updates).values(values).on_conflict_do_nothing()
        result = await self.session.execute(statement)
        return bool(getattr(result, "rowcount", 0))

    async def get(self, chat_id: int) -> ChatState:
        row = (
            await self.session.execute(select(t.chats).where(t.chats.c.chat_id == chat_id))
        ).one_or_none()
        if row is None:
            return ChatState(chat_id)
        return ChatState(row.chat_id, row.language, row.step, row.draft_id, ticket_id=row.ticket_id)

    async def with_user(
        self, chat_id: int, channel: Channel, external_id: str
    ) -> tuple[ChatState, tuple[ChatUser, str | None] | None]:
        """The chat's state and the user writing in it with its customer's name: ONE
        statement at the start of every update (LEFT JOINs from a single row, so a chat or a
        user that does not exist yet still gives the other). The user is read, not loaded
        into the session."""
        one = select(literal(1).label("one")).subquery("one")
        c, u, k = t.chats, t.users, t.customers
        row = (
            await self.session.execute(
                select(
                    c.c.chat_id,
                    c.c.language,
                    c.c.step,
                    c.c.draft_id,
                    c.c.ticket_id,
                    u.c.id.label("user_id"),
                    u.c.role,
                    u.c.customer_id,
                    u.c.display_name,
                    u.c.language.label("user_language"),
                    k.c.name.label("customer_name"),
                )
                .select_from(one)
                .outerjoin(c, c.c.chat_id == chat_id)
                .outerjoin(u, and_(u.c.channel == channel, u.c.external_id == external_id))
                .outerjoin(k, k.c.id == u.c.customer_id)
            )
        ).one()
        state = ChatState(chat_id)
        if row.chat_id is not None:
            state = ChatState(
                row.chat_id, row.language, row.step, row.draft_id, ticket_id=row.ticket_id
            )
        if row.user_id is None:
            return state, None
        user = ChatUser(
            id=row.user_id,
            channel=channel,
            external_id=external_id,
            role=row.role,
            customer_id=row.customer_id,
            display_name=row.display_name,
            language=row.user_language,
        )
        return state, (user, row.customer_name)

    async def save(self, state: ChatState, at: datetime) -> None:
        values = {
            "language": state.language,
            "step": state.step,
            "draft_id": state.draft_id,
            "ticket_id": state.ticket_id,
            "updated_at": at,
        }
        result = await self.session.execute(
            update(t.chats).where(t.chats.c.chat_id == state.chat_id).values(values)
        )
        if not getattr(result, "rowcount", 0):
            await self.session.execute(insert(t.chats).values(chat_id=state.chat_id, **values))

    async def new_draft(self, chat_id: int, kind: str, data: dict[str, Any], at: datetime) -> Draft:
        key = uuid.uuid4().hex
        result = await self.session.execute(
            insert(t.drafts)
            .values(
                chat_id=chat_id,
                kind=kind,
                data=data,
                idempotency_key=key,
                state="open",
                created_at=at,
                updated_at=at,
            )
            .returning(t.drafts.c.id)
        )
        draft_id = result.scalar_one()
        # Every "Bestellen" press starts a draft: keep only the chat's newest ones (an older
        # draft's buttons then read as no longer current), so pressing cannot fill the disk.
        newest = (
            select(t.drafts.c.id)
            .where(t.drafts.c.chat_id == chat_id)
            .order_by(t.drafts.c.id.desc())
            .limit(DRAFTS_PER_CHAT)
            .scalar_subquery()
        )
        await self.session.execute(
            delete(t.drafts).where(t.drafts.c.chat_id == chat_id, t.drafts.c.id.not_in(newest))
        )
        return Draft(draft_id, chat_id, kind, key, dict(data))

    async def draft(self, draft_id: int) -> Draft | None:
        row = (
            await self.session.execute(select(t.drafts).where(t.drafts.c.id == draft_id))
        ).one_or_none()
        return None if row is None else _draft(row)

    async def save_draft(self, draft: Draft, at: datetime) -> None:
        await self.session.execute(
            update(t.drafts)
            .where(t.drafts.c.id == draft.id)
            .values(data=draft.data, state=draft.state, result_id=draft.result_id, updated_at=at)
        )
