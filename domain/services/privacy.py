"""Personal data (DSGVO, docs/privacy.md): a person's copy of it, and erasing it.

A person erases their own data in the chat (`/forget_me`): the chat's identity is theirs, so no
right is checked. The provider's operators export and erase anyone's (`licencebot user …`).
Erasing deletes the link, language, chat state, drafts and processed update ids; what belongs to
the customer and must stay provable (orders, consents, quantity history, audit trail, requests,
tickets until their retention ends) keeps a pseudonym instead of the name, e.g. "Nutzer #a1b2c3".
The person's row stays as that pseudonym's anchor, unreachable: a forgotten user who writes
again is unknown and can be invited again.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from typing import Any

from domain import errors
from domain.access import Action, authorize
from domain.licence_requests import Origin, RequestStatus
from domain.model import Actor, Channel, Role
from domain.ports import Erased, UnitOfWork
from domain.services import notifications
from domain.services.context import Context

PSEUDONYM = "Nutzer #{}"  # a name like any other in the records; not translated
FORGOTTEN = "forgotten:{}"  # the erased person's row: no channel can reach or link it again


def new_pseudonym() -> str:
    """Random, so that it cannot be traced back to the chat id (which a hash would allow)."""
    return PSEUDONYM.format(secrets.token_hex(3))


def chat_of(channel: Channel, external_id: str) -> int | None:
    """The private chat of a Telegram user has the user's id; other channels keep no chat."""
    if channel is Channel.TELEGRAM and external_id.isascii() and external_id.isdigit():
        return int(external_id)
    return None


@dataclass(frozen=True)
class Forgotten:
    """What erasing found and did."""

    found: bool  # anything was stored about the person
    user_id: int | None
    pseudonym: str | None
    customer_id: str | None
    erased: Erased


async def forget_me(
    ctx: Context,
    channel: Channel,
    external_id: str,
    current_update: tuple[int, int] | None = None,
) -> Forgotten:
    """The person's own request (the chat proves who it is); `current_update` (bot id,
    update id) stays claimed so that a re-delivery of the request does not run twice."""
    return await _forget(ctx, None, channel, external_id, current_update)


async def forget_user(ctx: Context, actor: Actor, channel: Channel, external_id: str) -> Forgotten:
    """An operator erases a person's data; PersonUnknown when nothing is stored."""
    authorize(actor, Action.PERSONAL_DATA, None)
    return await _forget(ctx, actor, channel, external_id, None)


async def _forget(
    ctx: Context,
    by: Actor | None,
    channel: Channel,
    external_id: str,
    current_update: tuple[int, int] | None,
) -> Forgotten:
    async with ctx.uow() as uow:
        user = await uow.users.by_external(channel, external_id)
        chat_id = chat_of(channel, external_id)
        erased = Erased()
        if chat_id is not None:
            erased = await uow.privacy.forget_chat(chat_id, current_update)
        if user is None or user.id is None:
            # Update ids alone (an unknown person wrote) are deleted too, but are no "data
            # about you" worth reporting: the request itself just stored one.
            found = bool(erased.chats or erased.drafts)
            if by is not None and not found:
                raise errors.PersonUnknown(channel.value, external_id)
            await uow.commit()
            return Forgotten(found, None, None, None, erased)
        before, customer_id = user.as_actor(), user.customer_id
        pseudonym = new_pseudonym()
        closed, withdrawn = await _close_open_matters(ctx, uow, before)
        agent_names = [user.display_name] if user.role is Role.AGENT else []
        user.channel, user.external_id = Channel.SYSTEM, FORGOTTEN.format(user.id)
        user.display_name, user.language, user.customer_id = pseudonym, None, None
        await uow.seats.set_hints(user.id, True, ctx.now())  # no preference of theirs stays
        await uow.flush()
        renamed = await uow.privacy.pseudonymise(user.id, pseudonym, agent_names)
        await _desk_forgets(ctx, uow, user.id, agent=user.role is Role.AGENT)
        who = by or replace(before, label=pseudonym)
        await uow.records.audit(
            ctx.audit(
                who,
                customer_id,
                "user.forget",
                f"user:{user.id}",
                channel=channel.value,
                tickets_closed=closed,
                requests_withdrawn=withdrawn,
            )
        )
        await uow.commit()
    erased = replace(
        erased,
        records=renamed.records,
        tickets=renamed.tickets,
        ticket_messages=renamed.ticket_messages,
        requests=renamed.requests,
    )
    return Forgotten(True, user.id, pseudonym, customer_id, erased)


async def _desk_forgets(ctx: Context, uow: UnitOfWork, user_id: int, *, agent: bool) -> None:
    """What Telegram lets the bot change follows (through the outbox): its messages in the
    service desk group lose the person's name and, for a customer, their texts; a forgotten
    agent's answers in customers' chats show the pseudonym (docs/privacy.md)."""
    for ticket in await uow.tickets.find(user_id=user_id):
        await notifications.tell_desk(
            uow,
            ctx.now(),
            ticket.customer_id or "",
            notifications.TICKET_FORGOTTEN,
            {"ticket_id": ticket.id, "person": "customer"},
        )
    if not agent:
        return
    for ticket in await uow.tickets.find(handled_by=user_id):
        await notifications.tell_desk(
            uow,
            ctx.now(),
            ticket.customer_id or "",
            notifications.TICKET_FORGOTTEN,
            {"ticket_id": ticket.id, "person": "agent"},
        )
        await notifications.tell_person(  # the customer's copies of answers and take-overs
            uow,
            ctx.now(),
            ticket.customer_id or "",
            notifications.TICKET_FORGOTTEN,
            {"ticket_id": ticket.id, "person": "agent"},
            ticket.user_id,
        )


async def _close_open_matters(ctx: Context, uow: UnitOfWork, person: Actor) -> tuple[int, int]:
    """Open tickets are resolved (nobody could be told the answer) and the person's own pending
    requests withdrawn (nobody could be told the decision); requests the service desk prepared
    for the customer stay for the customer's admins."""
    assert person.user_id is not None
    closed = withdrawn = 0
    for ticket in await uow.tickets.find(user_id=person.user_id):
        if ticket.is_open:
            ticket.resolve(ctx.now())
            await uow.tickets.save(ticket)
            closed += 1
    pending = await uow.requests.find(requested_by=person.user_id, status=RequestStatus.PENDING)
    for request in pending:
        if request.origin is Origin.MEMBER:
            request.withdraw(person, ctx.now())
            await uow.requests.save(request)
            withdrawn += 1
    return closed, withdrawn


async def export_user(
    ctx: Context, actor: Actor, channel: Channel, external_id: str
) -> dict[str, Any]:
    """Everything stored about a person (Art. 15 DSGVO), JSON-ready (shape: docs/privacy.md)."""
    authorize(actor, Action.PERSONAL_DATA, None)
    async with ctx.uow(write=False) as uow:
        user = await uow.users.by_external(channel, external_id)
        chat_id = chat_of(channel, external_id)
        data = await uow.privacy.personal_data(user.id if user else None, chat_id)
    if user is None and not (data["chat"] or data["drafts"] or data["processed_updates"]):
        raise errors.PersonUnknown(channel.value, external_id)
    return {
        "channel": channel.value,
        "external_id": external_id,
        "exported_at": ctx.now().isoformat(),
        **data,
    }
