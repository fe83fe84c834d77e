"""Tickets and their messages (R26): rows to `domain.tickets.Ticket` and back."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import Select, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.storage import tables as t
from domain.storage.driver_errors import translated
from domain.storage.mapping import save_versioned
from domain.tickets import Author, Ticket, TicketMessage, TicketPost, TicketStatus

_TICKET = t.tickets.c
_POST = t.ticket_posts.c


def _read() -> Select[Ticket]:
    """Tickets as stored now: read again, also those this unit has loaded already."""
    return select(Ticket).execution_options(populate_existing=True)


class TicketRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, ticket: Ticket) -> None:
        ticket.context = ticket.context[:500]  # what the column holds
        self.session.add(ticket)
        async with translated():
            await self.session.flush()  # its id
        await self._insert_messages(ticket, ticket.messages)

    async def get(self, ticket_id: int) -> Ticket | None:
        ticket = await self.session.get(Ticket, ticket_id, populate_existing=True)
        return None if ticket is None else (await self._with_messages([ticket]))[0]

    async def save(self, ticket: Ticket) -> None:
        """Write status and new messages; another writer since it was read → StaleWrite (the
        mapper's version check, domain/storage/mapping.py)."""
        await save_versioned(self.session, ticket)
        stored = await self.session.scalar(
            select(func.count()).where(t.ticket_messages.c.ticket_id == ticket.id)
        )
        await self._insert_messages(ticket, ticket.messages[int(stored or 0) :])

    async def rewrite(self, message: TicketMessage) -> None:
        """A stored message's new text (an edit): the same row, never a second one."""
        await self.session.execute(
            update(t.ticket_messages)
            .where(t.ticket_messages.c.id == message.id)
            .values(text=message.text)
        )

    async def record_post(self, post: TicketPost) -> None:
        """A Telegram message of the ticket; the same message recorded again changes nothing."""
        known = await self.session.scalar(
            select(_POST.id).where(
                _POST.chat_id == post.chat_id, _POST.message_id == post.message_id
            )
        )
        if known is None:
            await self.session.execute(insert(t.ticket_posts).values(**_post_columns(post)))

    async def post(self, chat_id: int, message_id: int) -> TicketPost | None:
        """What this Telegram message is of, if it belongs to a ticket."""
        row = (
            await self.session.execute(
                select(t.ticket_posts).where(
                    _POST.chat_id == chat_id, _POST.message_id == message_id
                )
            )
        ).first()
        return None if row is None else _post(row)

    async def posts(
        self,
        ticket_id: int,
        *,
        ticket_message_id: int | None = None,
        notification_id: int | None = None,
    ) -> list[TicketPost]:
        """The ticket's recorded messages (of one ticket message, or posted by one notice)."""
        query = select(t.ticket_posts).where(_POST.ticket_id == ticket_id).order_by(_POST.id)
        if ticket_message_id is not None:
            query = query.where(_POST.ticket_message_id == ticket_message_id)
        if notification_id is not None:
            query = query.where(_POST.notification_id == notification_id)
        return [_post(row) for row in await self.session.execute(query)]

    async def at_desk(self, message_id: int | None, topic_id: int | None) -> Ticket | None:
        """The ticket whose desk message (or forum topic) this is."""
        if topic_id is not None:
            where = _TICKET.desk_topic_id == topic_id
        elif message_id is not None:
            where = _TICKET.desk_message_id == message_id
        else:
            return None
        ticket = (await self.session.scalars(_read().where(where))).first()
        return None if ticket is None else (await self._with_messages([ticket]))[0]

    async def open_of_user(self, user_id: int) -> Ticket | None:
        """The user's newest ticket that is not resolved."""
        ticket = (
            await self.session.scalars(
                _read()
                .where(_TICKET.user_id == user_id, _TICKET.status != TicketStatus.RESOLVED.value)
                .order_by(_TICKET.id.desc())
                .limit(1)
            )
        ).first()
        return None if ticket is None else (await self._with_messages([ticket]))[0]

    async def find(
        self,
        *,
        user_id: int | None = None,
        customer_id: str | None = None,
        status: TicketStatus | None = None,
        handled_by: int | None = None,
        limit: int = 1000,
    ) -> Sequence[Ticket]:
        """Newest first; `handled_by`: taken over or answered by this agent (user id)."""
        query = _read().order_by(_TICKET.id.desc()).limit(limit)
        if handled_by is not None:
            answered = select(t.ticket_messages.c.ticket_id).where(
                t.ticket_messages.c.user_id == handled_by,
                t.ticket_messages.c.author == Author.AGENT.value,
            )
            query = query.where(
                or_(_TICKET.taken_by_user_id == handled_by, _TICKET.id.in_(answered))
            )
        if user_id is not None:
            query = query.where(_TICKET.user_id == user_id)
        if customer_id is not None:
            query = query.where(_TICKET.customer_id == customer_id)
        if status is not None:
            query = query.where(_TICKET.status == status.value)
        return await self._with_messages((await self.session.scalars(query)).all())

    async def _with_messages(self, tickets: Sequence[Ticket]) -> list[Ticket]:
        """The tickets with their messages, read from their own table."""
        ids = [ticket.id or 0 for ticket in tickets]  # stored tickets: ids are set
        messages: dict[int, list[TicketMessage]] = {i: [] for i in ids}
        if ids:
            found = await self.session.execute(
                select(t.ticket_messages)
                .where(t.ticket_messages.c.ticket_id.in_(ids))
                .order_by(t.ticket_messages.c.id)
            )
            for m in found:
                messages[m.ticket_id].append(
                    TicketMessage(Author(m.author), m.text, m.at, m.name, m.user_id, m.id)
                )
        for ticket in tickets:
            ticket.messages = messages[ticket.id or 0]
        return list(tickets)

    async def _insert_messages(self, ticket: Ticket, messages: Sequence[TicketMessage]) -> None:
        """Each new message, given its id (payloads and posts name it)."""
        first = len(ticket.messages) - len(messages)
        for index, m in enumerate(messages, first):
            message_id = (
                await self.session.execute(
                    insert(t.ticket_messages)
                    .values(
                        ticket_id=ticket.id,
                        author=m.author.value,
                        name=m.name,
                        text=m.text,
                        at=m.at,
                        user_id=m.user_id,
                    )
                    .returning(t.ticket_messages.c.id)
                )
            ).scalar_one()
            ticket.messages[index] = replace(m, id=int(message_id))


def _post_columns(post: TicketPost) -> dict[str, Any]:
    return {
        "ticket_id": post.ticket_id,
        "chat_id": post.chat_id,
        "message_id": post.message_id,
        "ticket_message_id": post.ticket_message_id,
        "notification_id": post.notification_id,
        "part": post.part,
        "origin": post.origin,
    }


def _post(row: Any) -> TicketPost:
    return TicketPost(
        ticket_id=row.ticket_id,
        chat_id=row.chat_id,
        message_id=row.message_id,
        ticket_message_id=row.ticket_message_id,
        notification_id=row.notification_id,
        part=row.part,
        origin=row.origin,
    )
