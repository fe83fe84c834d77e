"""Service desk tickets on the fakes (domain/services/tickets.py, R26): open, write, answer,
take over, edit, resolve, and where each message went."""

from __future__ import annotations

import pytest

from domain import errors
from domain.model import Role
from domain.services import tickets
from domain.services.accounts import OPERATOR
from domain.services.context import Context
from domain.services.tickets import OpenTicket, Source
from domain.tickets import Author, TicketPost, TicketStatus
from tests.conftest import Seed, link
from tests.fakes import FakeStore
from tests.unit.services.support import actions, kinds

CONTEXT = "Bestellung Microsoft 365 Business Premium, Menge 12"


async def opened(ctx: Context, seed: Seed, source: Source | None = None) -> int:
    cmd = OpenTicket("Wir brauchen Hilfe\nbeim Umzug", CONTEXT, "de", source)
    return (await tickets.open_ticket(ctx, seed.acme_member, cmd)).id


async def test_a_ticket_carries_who_what_and_goes_to_the_desk(
    ctx: Context, seed: Seed, store: FakeStore
) -> None:  # R26, R25
    view = await tickets.open_ticket(ctx, seed.acme_member, OpenTicket("Hilfe", CONTEXT, "de"))
    assert (view.customer_name, view.user_name, view.user_role, view.context) == (
        "ACME GmbH",
        "101",
        Role.MEMBER,
        CONTEXT,
    )
    assert (view.status, view.subject, view.last.author) == (
        TicketStatus.OPEN,
        "Hilfe",
        Author.CUSTOMER,
    )
    assert kinds(store)[-1] == "ticket.opened"
    assert store.state.deliveries[-1]["to_desk"]
    assert actions(store)[-1] == "ticket.open"
    assert view.as_json()["messages"] == [
        {"from": "customer", "text": "Hilfe", "at": ctx.now().isoformat()}
    ]


async def test_a_conversation_to_resolution_tells_the_customer_each_step(
    ctx: Context, seed: Seed, store: FakeStore
) -> None:  # R26
    ticket_id = await opened(ctx, seed)
    taken = await tickets.take(ctx, seed.agent, ticket_id, "Bernd")
    await tickets.reply(ctx, seed.agent, ticket_id, "Welche Domain?", "Bernd", copy_to_desk=True)
    await tickets.write(ctx, seed.acme_member, ticket_id, "acme.example")
    done = await tickets.resolve(ctx, seed.agent, ticket_id)
    assert (taken.status, taken.taken_by, done.status) == (
        TicketStatus.TAKEN,
        "Bernd",
        TicketStatus.RESOLVED,
    )
    assert [(m.author, m.text) for m in done.messages][1:] == [
        (Author.AGENT, "Welche Domain?"),
        (Author.CUSTOMER, "acme.example"),
    ]
    assert kinds(store) == [
        "ticket.opened",
        "ticket.taken",
        "ticket.answered",  # to the member
        "ticket.answered",  # a copy for the desk group
        "ticket.written",
        "ticket.resolved",
    ]
    with pytest.raises(errors.TicketClosed):
        await tickets.write(ctx, seed.acme_member, ticket_id, "noch etwas")
    assert await tickets.open_ticket_of(ctx, seed.acme_member) is None


async def test_another_agents_ticket_is_refused(ctx: Context, seed: Seed) -> None:  # R26
    ticket_id = await opened(ctx, seed)
    await tickets.take(ctx, seed.agent, ticket_id, "Bernd")
    other = await link(ctx, Role.AGENT, None, "901")
    with pytest.raises(errors.TicketTaken):
        await tickets.take(ctx, other, ticket_id, "Clara")


async def test_another_persons_ticket_reads_as_missing(ctx: Context, seed: Seed) -> None:
    ticket_id = await opened(ctx, seed)  # R24
    for stranger in (seed.acme_admin, seed.globex_admin):
        with pytest.raises(errors.TicketNotFound):
            await tickets.write(ctx, stranger, ticket_id, "hallo")
        with pytest.raises(errors.PermissionDenied):
            await tickets.resolve(ctx, stranger, ticket_id)
    for desk_only in (
        tickets.reply(ctx, seed.acme_admin, ticket_id, "x", "Anna"),
        tickets.ticket_for_desk(ctx, seed.acme_admin, ticket_id),
        tickets.list_tickets(ctx, seed.acme_member),
    ):
        with pytest.raises(errors.PermissionDenied):  # R23: customers do not act as the desk
            await desk_only
    with pytest.raises(errors.TicketNotFound):
        await tickets.ticket_for_desk(ctx, seed.agent, 999)


async def test_the_user_resolves_their_own_ticket_without_a_notice(
    ctx: Context, seed: Seed, store: FakeStore
) -> None:
    ticket_id = await opened(ctx, seed)
    done = await tickets.resolve(ctx, seed.acme_member, ticket_id)
    assert done.status is TicketStatus.RESOLVED
    assert kinds(store) == ["ticket.opened"]  # they see it on their screen


async def test_an_edited_message_is_rewritten_not_added(
    ctx: Context, seed: Seed, store: FakeStore
) -> None:  # issue 19: found by the message's ids only
    ticket_id = await opened(ctx, seed, Source(101, 5))
    edited = await tickets.edit(ctx, seed.acme_member, Source(101, 5), "Hilfe beim Umzug, bitte")
    assert edited is not None
    assert [m.text for m in edited.ticket.messages] == ["Hilfe beim Umzug, bitte"]
    assert [m.text for m in store.state.tickets[ticket_id].messages] == ["Hilfe beim Umzug, bitte"]
    assert kinds(store)[-1] == "ticket.edited"
    assert await tickets.edit(ctx, seed.acme_admin, Source(101, 5), "fremd") is None
    assert await tickets.edit(ctx, seed.acme_member, Source(101, 6), "unbekannt") is None


async def test_an_agent_edits_only_their_own_answer(ctx: Context, seed: Seed) -> None:
    ticket_id = await opened(ctx, seed)
    await tickets.reply(ctx, seed.agent, ticket_id, "Moment", "Bernd", Source(-100, 7))
    other = await link(ctx, Role.AGENT, None, "901")
    assert await tickets.edit(ctx, other, Source(-100, 7), "fremd") is None
    edited = await tickets.edit(ctx, seed.agent, Source(-100, 7), "Einen Moment bitte")
    assert edited is not None and edited.message.text == "Einen Moment bitte"


async def test_the_desk_finds_a_ticket_by_its_posts_topic_or_message(
    ctx: Context, seed: Seed
) -> None:
    ticket_id = await opened(ctx, seed)
    await tickets.at_desk(ctx, ticket_id, 40, None)
    found = await tickets.replied_to(ctx, seed.agent, -100, 40)
    assert found is not None and found.id == ticket_id
    await tickets.posted(ctx, TicketPost(ticket_id, -100, 41, None, part=1))
    await tickets.posted(ctx, TicketPost(ticket_id, -100, 41, None, part=1))  # once
    assert len(await tickets.posts(ctx, ticket_id)) == 1
    assert (await tickets.replied_to(ctx, seed.agent, -100, 41)).id == ticket_id  # type: ignore[union-attr]
    await tickets.topic_opened(ctx, ticket_id, 9)
    assert (await tickets.find_at_desk(ctx, seed.agent, None, 9)).id == ticket_id  # type: ignore[union-attr]
    assert await tickets.find_at_desk(ctx, seed.agent, None, 10) is None
    with pytest.raises(errors.TicketNotFound):
        await tickets.at_desk(ctx, 999, 1, None)
    with pytest.raises(errors.TicketNotFound):
        await tickets.topic_opened(ctx, 999, 1)


async def test_lists_for_the_person_and_for_the_desk(ctx: Context, seed: Seed) -> None:
    first = await opened(ctx, seed)
    await tickets.resolve(ctx, seed.agent, first)
    second = await opened(ctx, seed)
    assert [t.id for t in await tickets.my_tickets(ctx, seed.acme_member)] == [second, first]
    assert (await tickets.open_ticket_of(ctx, seed.acme_member)).id == second  # type: ignore[union-attr]
    assert [t.id for t in await tickets.list_tickets(ctx, OPERATOR, "acme")] == [second, first]
    resolved = await tickets.list_tickets(ctx, seed.agent, status=TicketStatus.RESOLVED)
    assert [t.id for t in resolved] == [first]
    assert await tickets.list_tickets(ctx, seed.agent, customer_id="globex") == []


async def test_a_stale_ticket_write_is_refused(ctx: Context, seed: Seed, store: FakeStore) -> None:
    ticket_id = await opened(ctx, seed)  # R13's rule for tickets: one writer at a time
    async with store.unit_of_work() as slow:
        stale = await slow.tickets.get(ticket_id)
        assert stale is not None
        await tickets.take(ctx, seed.agent, ticket_id, "Bernd")
        stale.resolve(ctx.now())
        with pytest.raises(errors.StaleWrite):
            await slow.tickets.save(stale)
    assert store.state.tickets[ticket_id].status is TicketStatus.TAKEN


async def test_an_unlinked_person_opens_no_ticket(ctx: Context, seed: Seed) -> None:  # R22
    nobody = seed.acme_member.__class__(Role.MEMBER, seed.acme_member.channel, "acme")
    with pytest.raises(errors.NotLinked):
        await tickets.open_ticket(ctx, nobody, OpenTicket("Hilfe", CONTEXT, "de"))
    with pytest.raises(errors.NotLinked):
        await tickets.my_tickets(ctx, nobody)
    assert await tickets.open_ticket_of(ctx, nobody) is None
