"""The service desk's tickets (R26): open, write, take over, resolve, list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain import errors
from domain.access import Action, authorize
from domain.model import Actor, Channel, Role
from domain.ports import UnitOfWork
from domain.services import notifications
from domain.services.context import Context
from domain.tickets import Author, Ticket, TicketMessage, TicketStatus

TICKET_OPENED = notifications.TICKET_OPENED  # outbox: a ticket for the desk group


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
    created_at: datetime
    desk_message_id: int | None
    desk_topic_id: int | None
    messages: tuple[TicketMessage, ...]

    @property
    def last(self) -> TicketMessage:
        return self.messages[-1]

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
        ticket.write(Author.CUSTOMER, cmd.text, ctx.now())
        await uow.tickets.add(ticket)
        if user.channel is not Channel.TELEGRAM:  # the bot posts it to the service desk group
            await notifications.tell_desk(
                uow, ctx.now(), actor.customer_id or "", TICKET_OPENED, {"ticket_id": ticket.id}
            )
        await uow.records.audit(
            ctx.audit(actor, actor.customer_id, "ticket.open", f"ticket:{ticket.id}")
        )
        view = await _view(uow, ticket)
        await uow.commit()
    return view


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


async def write(ctx: Context, actor: Actor, ticket_id: int, text: str) -> TicketView:
    """The customer adds to their open ticket."""
    async with ctx.uow() as uow:
        ticket = await _own(uow, actor, ticket_id)
        ticket.write(Author.CUSTOMER, text, ctx.now())
        await uow.tickets.save(ticket)
        view = await _view(uow, ticket)
        await uow.commit()
    return view


async def reply(ctx: Context, agent: Actor, ticket_id: int, text: str, name: str) -> TicketView:
    """An agent's answer; it reaches the customer in their chat."""
    async with ctx.uow() as uow:
        ticket = await _handled(uow, agent, ticket_id)
        ticket.write(Author.AGENT, text, ctx.now(), name)
        await uow.tickets.save(ticket)
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
        view = await _view(uow, ticket)
        await uow.commit()
    return view


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
