"""The service desk's tickets (R26): open, write, take over, resolve, list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain import errors
from domain.access import Action, authorize
from domain.model import Actor, Role
from domain.ports import UnitOfWork
from domain.services import notifications
from domain.services.context import Context
from domain.tickets import Author, Ticket, TicketMessage, TicketPost, TicketStatus

TICKET_OPENED = notifications.TICKET_OPENED  # outbox: a ticket for the desk group


@dataclass(frozen=True)
class Source:
    """The Telegram message a ticket message came from (a chat and its message id): a reply
    to it, or an edit of it, finds the ticket by these ids."""

    chat_id: int
    message_id: int


@dataclass(frozen=True)
class TicketView:
    """A ticket as both sides see it: number, status, who, what about, the conversation."""

    id: int
    customer_id: str | None
    customer_name: str
    user_name: str
    user_role: Role | None
    channel: str
    external_id: str
    language: str
    context: str
    status: TicketStatus
    subject: str
    taken_by: str
    taken_by_user_id: int | None
    created_at: datetime
    desk_message_id: int | None
    desk_topic_id: int | None
    messages: tuple[TicketMessage, ...]

    @property
    def last(self) -> TicketMessage:
        return self.messages[-1]

    def message(self, message_id: int | None) -> TicketMessage:
        """One of its messages by id (the newest when it is not found)."""
        return next((m for m in self.messages if m.id == message_id), self.messages[-1])

    def as_json(self) -> dict[str, object]:
        """The shape of `licencebot tickets --json` (interfaces.md)."""
        return {
            "id": self.id,
            "customer_id": self.customer_id,
            "status": self.status.value,
            "created_at": self.created_at.isoformat(),
            "subject": self.subject,
            "context": self.context,
            "messages": [
                {"from": m.author.value, "text": m.text, "at": m.at.isoformat()}
                for m in self.messages
            ],
        }


@dataclass(frozen=True)
class OpenTicket:
    text: str  # the concern in the user's words
    context: str  # what the user was doing
    language: str
    source: Source | None = None  # the user's Telegram message with the concern


async def _view(uow: UnitOfWork, ticket: Ticket) -> TicketView:
    customer = ""
    if ticket.customer_id is not None:
        customer = (await uow.customers.get(ticket.customer_id)).name
    user = await uow.users.by_id(ticket.user_id)
    return TicketView(
        id=ticket.id or 0,
        customer_id=ticket.customer_id,
        customer_name=customer,
        user_name=user.display_name if user else "",
        user_role=user.role if user else None,
        channel=ticket.channel.value,
        external_id=ticket.external_id,
        language=ticket.language,
        context=ticket.context,
        status=ticket.status,
        subject=ticket.subject,
        taken_by=ticket.taken_by,
        taken_by_user_id=ticket.taken_by_user_id,
        created_at=ticket.created_at,
        desk_message_id=ticket.desk_message_id,
        desk_topic_id=ticket.desk_topic_id,
        messages=tuple(ticket.messages),
    )


async def open_ticket(ctx: Context, actor: Actor, cmd: OpenTicket) -> TicketView:
    """A new ticket with the user's first message (R26); the user's channel is its address."""
    authorize(actor, Action.TICKET, actor.customer_id)
    if actor.user_id is None:
        raise errors.NotLinked()
    async with ctx.uow() as uow:
        user = await uow.users.by_id(actor.user_id)
        if user is None:
            raise errors.NotLinked()
        ticket = Ticket(
            None,
            actor.customer_id,
            actor.user_id,
            user.channel,
            user.external_id,
            cmd.language,
            cmd.context,
            ctx.now(),
        )
        ticket.write(Author.CUSTOMER, cmd.text, ctx.now(), user_id=actor.user_id)
        await uow.tickets.add(ticket)
        assert ticket.id is not None
        await _record_source(uow, ticket, cmd.source)
        # The bot posts it to the service desk group, from any channel, through the outbox.
        await notifications.tell_desk(
            uow, ctx.now(), actor.customer_id or "", TICKET_OPENED, {"ticket_id": ticket.id}
        )
        await uow.records.audit(
            ctx.audit(actor, actor.customer_id, "ticket.open", f"ticket:{ticket.id}")
        )
        view = await _view(uow, ticket)
        await uow.commit()
    return view


async def _record_source(uow: UnitOfWork, ticket: Ticket, source: Source | None) -> None:
    """The person's own message that became the ticket's newest message."""
    if source is not None and ticket.id is not None:
        message = ticket.messages[-1]
        await uow.tickets.record_post(
            TicketPost(ticket.id, source.chat_id, source.message_id, message.id, origin=True)
        )


def _about(ticket: Ticket, message: TicketMessage | None = None) -> dict[str, int]:
    """An outbox payload names the ticket and its message, never their text (docs/privacy.md)."""
    payload = {"ticket_id": ticket.id or 0}
    if message is not None and message.id is not None:
        payload["message_id"] = message.id
    return payload


async def _own(uow: UnitOfWork, actor: Actor, ticket_id: int) -> Ticket:
    """The actor's own ticket; anybody else's looks missing (R24)."""
    ticket = await uow.tickets.get(ticket_id)
    if ticket is None or ticket.user_id != actor.user_id:
        raise errors.TicketNotFound(ticket_id)
    return ticket


async def _handled(uow: UnitOfWork, agent: Actor, ticket_id: int) -> Ticket:
    authorize(agent, Action.HANDLE_TICKETS, None)
    ticket = await uow.tickets.get(ticket_id)
    if ticket is None:
        raise errors.TicketNotFound(ticket_id)
    return ticket


async def write(
    ctx: Context, actor: Actor, ticket_id: int, text: str, source: Source | None = None
) -> TicketView:
    """The customer adds to their open ticket; it goes to the ticket's place in the group."""
    async with ctx.uow() as uow:
        ticket = await _own(uow, actor, ticket_id)
        ticket.write(Author.CUSTOMER, text, ctx.now(), user_id=actor.user_id)
        await uow.tickets.save(ticket)
        await _record_source(uow, ticket, source)
        message = ticket.messages[-1]
        await notifications.tell_desk(
            uow,
            ctx.now(),
            ticket.customer_id or "",
            notifications.TICKET_WRITTEN,
            _about(ticket, message),
        )
        view = await _view(uow, ticket)
        await uow.commit()
    return view


async def reply(
    ctx: Context,
    agent: Actor,
    ticket_id: int,
    text: str,
    name: str,
    source: Source | None = None,
    *,
    copy_to_desk: bool = False,
) -> TicketView:
    """An agent's answer; it reaches the customer in their chat (through the outbox), and with
    `copy_to_desk` (written outside the group, e.g. from the customer card) the group too."""
    async with ctx.uow() as uow:
        ticket = await _handled(uow, agent, ticket_id)
        ticket.write(Author.AGENT, text, ctx.now(), name, agent.user_id)
        await uow.tickets.save(ticket)
        await _record_source(uow, ticket, source)
        await notifications.tell_person(
            uow,
            ctx.now(),
            ticket.customer_id or "",
            notifications.TICKET_ANSWERED,
            _about(ticket, ticket.messages[-1]),
            ticket.user_id,
        )
        if copy_to_desk:
            await notifications.tell_desk(
                uow,
                ctx.now(),
                ticket.customer_id or "",
                notifications.TICKET_ANSWERED,
                _about(ticket, ticket.messages[-1]),
            )
        view = await _view(uow, ticket)
        await uow.commit()
    return view


async def take(ctx: Context, agent: Actor, ticket_id: int, name: str) -> TicketView:
    """An agent takes the ticket over; another agent's ticket is refused (`TicketTaken`)."""
    async with ctx.uow() as uow:
        ticket = await _handled(uow, agent, ticket_id)
        if ticket.take(agent, name):
            await uow.tickets.save(ticket)
            await uow.records.audit(
                ctx.audit(agent, ticket.customer_id, "ticket.take", f"ticket:{ticket.id}")
            )
            await notifications.tell_person(
                uow,
                ctx.now(),
                ticket.customer_id or "",
                notifications.TICKET_TAKEN,
                _about(ticket),
                ticket.user_id,
            )
        view = await _view(uow, ticket)
        await uow.commit()
    return view


@dataclass(frozen=True)
class Edited:
    """A ticket message changed by its author: the ticket, and which message."""

    ticket: TicketView
    message: TicketMessage


async def edit(ctx: Context, actor: Actor, source: Source, text: str) -> Edited | None:
    """The author edited a Telegram message that is a ticket message: the stored text is
    replaced (never a second message) and its copies on the other side are edited through
    the outbox. None when the message is no ticket message of this person (or unchanged)."""
    async with ctx.uow() as uow:
        post = await uow.tickets.post(source.chat_id, source.message_id)
        if post is None or not post.origin or post.ticket_message_id is None:
            return None
        ticket = await uow.tickets.get(post.ticket_id)
        if ticket is None:
            return None
        if actor.role is Role.AGENT:
            author = Author.AGENT
        elif ticket.user_id == actor.user_id:
            author = Author.CUSTOMER
        else:
            return None
        stored = next((m for m in ticket.messages if m.id == post.ticket_message_id), None)
        if stored is None or (author is Author.AGENT and stored.user_id != actor.user_id):
            return None  # an agent edits only their own answers
        changed = ticket.edit(post.ticket_message_id, author, text)
        if changed is None:
            return None
        await uow.tickets.save(ticket)
        await uow.tickets.rewrite(changed)
        payload = _about(ticket, changed)
        if author is Author.AGENT:
            await notifications.tell_person(
                uow,
                ctx.now(),
                ticket.customer_id or "",
                notifications.TICKET_EDITED,
                payload,
                ticket.user_id,
            )
        else:
            await notifications.tell_desk(
                uow, ctx.now(), ticket.customer_id or "", notifications.TICKET_EDITED, payload
            )
        view = await _view(uow, ticket)
        await uow.commit()
    return Edited(view, changed)


async def resolve(ctx: Context, actor: Actor, ticket_id: int) -> TicketView:
    """Resolved by an agent, or by the user who opened it."""
    async with ctx.uow() as uow:
        ticket = await uow.tickets.get(ticket_id)
        mine = ticket is not None and ticket.user_id == actor.user_id
        if not mine:
            ticket = await _handled(uow, actor, ticket_id)
        assert ticket is not None
        ticket.resolve(ctx.now())
        await uow.tickets.save(ticket)
        await uow.records.audit(
            ctx.audit(actor, ticket.customer_id, "ticket.resolve", f"ticket:{ticket.id}")
        )
        if not mine:  # the desk resolved it: the customer is told
            await notifications.tell_person(
                uow,
                ctx.now(),
                ticket.customer_id or "",
                notifications.TICKET_RESOLVED,
                _about(ticket),
                ticket.user_id,
            )
        view = await _view(uow, ticket)
        await uow.commit()
    return view


async def at_desk(ctx: Context, ticket_id: int, message_id: int, topic_id: int | None) -> None:
    """Remember where the ticket stands in the service desk group (its message, its topic)."""
    async with ctx.uow() as uow:
        ticket = await uow.tickets.get(ticket_id)
        if ticket is None:
            raise errors.TicketNotFound(ticket_id)
        ticket.desk_message_id, ticket.desk_topic_id = message_id, topic_id
        await uow.tickets.save(ticket)
        await uow.commit()


async def topic_opened(ctx: Context, ticket_id: int, topic_id: int) -> None:
    """The ticket's forum topic exists (stored at once: a retry must not open a second)."""
    async with ctx.uow() as uow:
        ticket = await uow.tickets.get(ticket_id)
        if ticket is None:
            raise errors.TicketNotFound(ticket_id)
        ticket.desk_topic_id = topic_id
        await uow.tickets.save(ticket)
        await uow.commit()


async def posted(ctx: Context, post: TicketPost) -> None:
    """A Telegram message the bot posted for a ticket (a card's part, a forwarded message, an
    answer in the customer's chat), recorded as soon as Telegram took it."""
    async with ctx.uow() as uow:
        await uow.tickets.record_post(post)
        await uow.commit()


async def posts(
    ctx: Context,
    ticket_id: int,
    *,
    ticket_message_id: int | None = None,
    notification_id: int | None = None,
) -> list[TicketPost]:
    """What was posted for a ticket (for one of its messages, or by one notice)."""
    async with ctx.uow(write=False) as uow:
        return await uow.tickets.posts(
            ticket_id, ticket_message_id=ticket_message_id, notification_id=notification_id
        )


async def replied_to(
    ctx: Context, agent: Actor, chat_id: int, message_id: int
) -> TicketView | None:
    """The ticket of a message in the service desk group, by that message's ids only: one the
    bot posted for it (any part) or an agent's answer to it (issue 19: never by its text)."""
    authorize(agent, Action.HANDLE_TICKETS, None)
    async with ctx.uow(write=False) as uow:
        post = await uow.tickets.post(chat_id, message_id)
        if post is not None:
            ticket = await uow.tickets.get(post.ticket_id)
        else:  # posted before every message was recorded: its first message
            ticket = await uow.tickets.at_desk(message_id, None)
        return None if ticket is None else await _view(uow, ticket)


async def ticket_for_desk(ctx: Context, agent: Actor, ticket_id: int) -> TicketView:
    """Any ticket, for the service desk."""
    async with ctx.uow(write=False) as uow:
        return await _view(uow, await _handled(uow, agent, ticket_id))


async def find_at_desk(
    ctx: Context, agent: Actor, message_id: int | None, topic_id: int | None
) -> TicketView | None:
    """The ticket an agent's message in the group answers (its topic, or the replied message)."""
    authorize(agent, Action.HANDLE_TICKETS, None)
    async with ctx.uow(write=False) as uow:
        ticket = await uow.tickets.at_desk(message_id, topic_id)
        return None if ticket is None else await _view(uow, ticket)


async def open_ticket_of(ctx: Context, actor: Actor) -> TicketView | None:
    """The user's ticket that is still open, if any."""
    if actor.user_id is None:
        return None
    async with ctx.uow(write=False) as uow:
        ticket = await uow.tickets.open_of_user(actor.user_id)
        return None if ticket is None else await _view(uow, ticket)


async def my_tickets(ctx: Context, actor: Actor, limit: int = 10) -> list[TicketView]:
    """The user's newest tickets with their status (`/tickets`)."""
    if actor.user_id is None:
        raise errors.NotLinked()
    async with ctx.uow(write=False) as uow:
        found = await uow.tickets.find(user_id=actor.user_id, limit=limit)
        return [await _view(uow, t) for t in found]


async def list_tickets(
    ctx: Context,
    actor: Actor,
    customer_id: str | None = None,
    status: TicketStatus | None = None,
) -> list[TicketView]:
    """Every ticket (service desk, operators), newest first, optionally filtered."""
    authorize(actor, Action.HANDLE_TICKETS, None)
    async with ctx.uow(write=False) as uow:
        found = await uow.tickets.find(customer_id=customer_id, status=status)
        return [await _view(uow, t) for t in found]
