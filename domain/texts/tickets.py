"""Tickets in words (R26): what the customer reads, and what the service desk group reads."""

from __future__ import annotations

from domain.services.tickets import TicketView
from domain.texts.i18n import N_, Translator
from domain.texts.markup import escape
from domain.tickets import TicketMessage, TicketStatus

_STATUS = {
    TicketStatus.OPEN: N_("ticket_status.open"),
    TicketStatus.TAKEN: N_("ticket_status.taken"),
    TicketStatus.RESOLVED: N_("ticket_status.resolved"),
}


def status(tr: Translator, value: TicketStatus) -> str:
    return tr(_STATUS[value])


# -- the customer's side
def opened(tr: Translator, ticket: TicketView, contact: str | None = None) -> str:
    """The ticket number; without a service desk group, how to reach the desk with it."""
    if contact is not None:
        return tr("ticket.opened_contact", number=ticket.id, contact=escape(contact))
    return tr("ticket.opened", number=ticket.id)


def agent_reply(tr: Translator, ticket: TicketView, message: TicketMessage | None = None) -> str:
    """An agent's message (the newest unless named), marked as coming from the service desk."""
    last = message or ticket.last
    return tr("ticket.reply", name=escape(last.name), number=ticket.id, text=escape(last.text))


def taken(tr: Translator, ticket: TicketView) -> str:
    return tr("ticket.taken", name=escape(ticket.taken_by), number=ticket.id)


def resolved(tr: Translator, ticket: TicketView) -> str:
    return tr("ticket.resolved", number=ticket.id)


def listing(tr: Translator, tickets: list[TicketView]) -> str:
    """`/tickets`: number, status and subject of each, newest first."""
    if not tickets:
        return tr("tickets.none")
    lines = [tr("tickets.title")]
    lines += [
        tr("tickets.line", number=t.id, status=status(tr, t.status), subject=escape(t.subject))
        for t in tickets
    ]
    return "\n".join(lines)


# -- the service desk's side (in the desk's language)
def desk_card(tr: Translator, ticket: TicketView) -> str:
    """The ticket as posted to the service desk group: who, for whom, doing what, and why."""
    return tr(
        "desk.card",
        number=ticket.id,
        status=status(tr, ticket.status),
        customer=escape(ticket.customer_name or "–"),
        user=escape(ticket.user_name or ticket.external_id),
        role=tr.role(ticket.user_role) if ticket.user_role is not None else "–",
        context=escape(ticket.context or tr("context.none")),
        text=escape(ticket.messages[0].text),
    )


def desk_topic(tr: Translator, ticket: TicketView) -> str:
    """The forum topic's name (at most 128 characters)."""
    return tr("desk.topic", number=ticket.id, customer=ticket.customer_name or "–")[:128]


def desk_customer_message(
    tr: Translator, ticket: TicketView, message: TicketMessage | None = None
) -> str:
    """A later message of the customer (the newest unless named), forwarded to the ticket's
    place in the group."""
    return tr(
        "desk.customer",
        number=ticket.id,
        user=escape(ticket.user_name or ticket.external_id),
        text=escape((message or ticket.last).text),
    )


def desk_agent_answer(tr: Translator, ticket: TicketView, message: TicketMessage) -> str:
    """An agent's answer written outside the group (the customer card), copied to its place."""
    return tr(
        "desk.agent_answer", number=ticket.id, name=escape(message.name), text=escape(message.text)
    )
