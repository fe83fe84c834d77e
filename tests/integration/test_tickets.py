"""Service desk tickets on both databases (R26): open, answer, take over, resolve, list."""

from __future__ import annotations

import pytest

from domain import errors
from domain.model import Role
from domain.services import tickets
from domain.services.accounts import OPERATOR
from domain.services.context import Context
from domain.services.tickets import OpenTicket
from domain.tickets import MAX_TEXT, Author, TicketStatus
from tests.conftest import Seed, link

CONTEXT = "Bestellung Microsoft 365 Business Premium, Menge 12"


async def opened(ctx: Context, seed: Seed, text: str = "Wir brauchen Hilfe beim Umzug") -> int:
    view = await tickets.open_ticket(ctx, seed.acme_admin, OpenTicket(text, CONTEXT, "de"))
    return view.id


async def test_a_ticket_carries_customer_user_context_and_message(  # R26
    ctx: Context, seed: Seed
) -> None:
    view = await tickets.open_ticket(
        ctx, seed.acme_member, OpenTicket("  Mein Add-On fehlt\nDetails folgen ", CONTEXT, "de")
    )
    assert view.id >= 1
    assert (view.customer_id, view.customer_name, view.user_name) == ("acme", "ACME GmbH", "101")
    assert (view.channel, view.external_id, view.language) == ("telegram", "101", "de")
    assert view.status is TicketStatus.OPEN
    assert view.subject == "Mein Add-On fehlt"
    assert view.context == CONTEXT
    assert [(m.author, m.text) for m in view.messages] == [
        (Author.CUSTOMER, "Mein Add-On fehlt\nDetails folgen")
    ]


async def test_both_sides_write_and_an_agent_takes_over_and_resolves(
    ctx: Context, seed: Seed
) -> None:
    ticket_id = await opened(ctx, seed)
    taken = await tickets.take(ctx, seed.agent, ticket_id, "Bernd")
    assert (taken.status, taken.taken_by) == (TicketStatus.TAKEN, "Bernd")
    await tickets.reply(ctx, seed.agent, ticket_id, "Gern, welche Domain?", "Bernd")
    await tickets.write(ctx, seed.acme_admin, ticket_id, "acme.example")
    done = await tickets.resolve(ctx, seed.agent, ticket_id)
    assert done.status is TicketStatus.RESOLVED
    assert [(m.author, m.name) for m in done.messages] == [
        (Author.CUSTOMER, ""),
        (Author.AGENT, "Bernd"),
        (Author.CUSTOMER, ""),
    ]
    with pytest.raises(errors.TicketClosed):  # a resolved ticket takes no answer
        await tickets.reply(ctx, seed.agent, ticket_id, "noch etwas", "Bernd")
    with pytest.raises(errors.TicketClosed):
        await tickets.write(ctx, seed.acme_admin, ticket_id, "noch etwas")


async def test_a_ticket_taken_by_one_agent_is_refused_to_another(ctx: Context, seed: Seed) -> None:
    ticket_id = await opened(ctx, seed)
    await tickets.take(ctx, seed.agent, ticket_id, "Bernd")
    again = await tickets.take(ctx, seed.agent, ticket_id, "Bernd")  # the same agent: no change
    assert again.taken_by == "Bernd"
    other = await link(ctx, Role.AGENT, None, "901")
    with pytest.raises(errors.TicketTaken) as refused:
        await tickets.take(ctx, other, ticket_id, "Clara")
    assert refused.value.taken_by == "Bernd"


async def test_another_persons_ticket_looks_missing(ctx: Context, seed: Seed) -> None:  # R24
    ticket_id = await opened(ctx, seed)
    for stranger in (seed.acme_member, seed.globex_admin):
        with pytest.raises(errors.TicketNotFound):
            await tickets.write(ctx, stranger, ticket_id, "hallo")
    with pytest.raises(errors.PermissionDenied):  # customers do not answer as the desk
        await tickets.reply(ctx, seed.globex_admin, ticket_id, "hallo", "Mallory")
    with pytest.raises(errors.PermissionDenied):
        await tickets.list_tickets(ctx, seed.acme_admin)


async def test_messages_up_to_one_telegram_message_long_are_kept_whole(
    ctx: Context, seed: Seed
) -> None:
    ticket_id = await opened(ctx, seed, "x" * MAX_TEXT)
    await tickets.write(ctx, seed.acme_admin, ticket_id, "ä" * MAX_TEXT)
    view = (await tickets.my_tickets(ctx, seed.acme_admin))[0]
    assert [len(m.text) for m in view.messages] == [MAX_TEXT, MAX_TEXT]
    with pytest.raises(errors.TicketTextTooLong):
        await tickets.write(ctx, seed.acme_admin, ticket_id, "x" * (MAX_TEXT + 1))
    with pytest.raises(errors.TicketTextEmpty):
        await tickets.write(ctx, seed.acme_admin, ticket_id, "   ")


async def test_the_desk_message_finds_its_ticket(ctx: Context, seed: Seed) -> None:
    first, second = await opened(ctx, seed), await opened(ctx, seed, "Zweites Anliegen")
    await tickets.at_desk(ctx, first, message_id=501, topic_id=None)
    await tickets.at_desk(ctx, second, message_id=502, topic_id=77)
    assert (await tickets.find_at_desk(ctx, seed.agent, 501, None)).id == first  # type: ignore[union-attr]
    assert (await tickets.find_at_desk(ctx, seed.agent, 999, 77)).id == second  # type: ignore[union-attr]
    assert await tickets.find_at_desk(ctx, seed.agent, 999, None) is None


async def test_lists_by_person_customer_and_status(ctx: Context, seed: Seed) -> None:
    first = await opened(ctx, seed)
    await tickets.open_ticket(ctx, seed.globex_admin, OpenTicket("Frage", "", "en"))
    await tickets.resolve(ctx, seed.acme_admin, first)  # the user may close their own
    assert [t.id for t in await tickets.my_tickets(ctx, seed.acme_admin)] == [first]
    assert await tickets.open_ticket_of(ctx, seed.acme_admin) is None
    everything = await tickets.list_tickets(ctx, OPERATOR)
    assert len(everything) == 2
    acme = await tickets.list_tickets(ctx, seed.agent, customer_id="acme")
    assert [t.status for t in acme] == [TicketStatus.RESOLVED]
    open_ones = await tickets.list_tickets(ctx, OPERATOR, status=TicketStatus.OPEN)
    assert [t.customer_id for t in open_ones] == ["globex"]
    assert open_ones[0].as_json()["messages"] == [
        {"from": "customer", "text": "Frage", "at": open_ones[0].created_at.isoformat()}
    ]
