"""Personal data on the fakes (domain/services/privacy.py, docs/privacy.md): erasure keeps
what must stay provable under a pseudonym; the export lists everything stored."""

from __future__ import annotations

import pytest

from domain import errors
from domain.conversation import ChatState
from domain.licence_requests import RequestKind, RequestStatus
from domain.model import Channel
from domain.services import licence_requests, privacy, tickets
from domain.services.accounts import OPERATOR
from domain.services.context import Context
from domain.services.licence_requests import AskRequest
from domain.services.privacy import chat_of
from domain.services.tickets import OpenTicket
from domain.tickets import TicketStatus
from tests.conftest import Seed
from tests.fakes import FakeStore
from tests.unit.services.support import E3, order


async def chatted(ctx: Context, chat_id: int, update_id: int) -> None:
    async with ctx.uow() as uow:
        await uow.chats.claim_update(1, update_id, ctx.now(), chat_id)
        await uow.chats.save(ChatState(chat_id, "en"), ctx.now())
        await uow.chats.new_draft(chat_id, "order", {}, ctx.now())
        await uow.commit()


async def test_forget_me_erases_the_chat_and_pseudonymises_the_records(
    ctx: Context, seed: Seed, store: FakeStore
) -> None:  # docs/privacy.md; R25 keeps who did what, under a pseudonym
    await chatted(ctx, 101, 7)
    ask = AskRequest("acme", RequestKind.ORDER, E3, 3)
    request = await licence_requests.ask(ctx, seed.acme_member, ask, "Mia")
    ticket = await tickets.open_ticket(ctx, seed.acme_member, OpenTicket("Hilfe", "", "de"))
    forgotten = await privacy.forget_me(ctx, Channel.TELEGRAM, "101", current_update=(1, 8))
    assert forgotten.found and forgotten.customer_id == "acme"
    assert (forgotten.erased.chats, forgotten.erased.drafts, forgotten.erased.updates) == (1, 1, 1)
    pseudonym = forgotten.pseudonym or ""
    assert pseudonym.startswith("Nutzer #")
    assert store.state.chats == {} and store.state.drafts == {}
    stored = store.state.requests[request.id]
    assert (stored.status, stored.requested_by_name) == (RequestStatus.WITHDRAWN, pseudonym)
    assert store.state.tickets[ticket.id].status is TicketStatus.RESOLVED
    member = next(u for u in store.state.users if u.id == seed.acme_member.user_id)
    assert (member.channel, member.customer_id, member.display_name) == (
        Channel.SYSTEM,
        None,
        pseudonym,
    )
    assert {e.actor.label for e in store.state.audit if e.actor.user_id == member.id} == {pseudonym}
    assert store.state.audit[-1].action == "user.forget"
    assert store.state.audit[-1].details["requests_withdrawn"] == 1
    assert "ticket.forgotten" in [n.kind for n in store.state.notifications]
    again = await privacy.forget_me(ctx, Channel.TELEGRAM, "101")
    assert not again.found  # unknown now: a new invite links them afresh (R22)


async def test_a_forgotten_agents_answers_carry_the_pseudonym(
    ctx: Context, seed: Seed, store: FakeStore
) -> None:
    ticket = await tickets.open_ticket(ctx, seed.acme_member, OpenTicket("Hilfe", "", "de"))
    await tickets.reply(ctx, seed.agent, ticket.id, "Gern", "Bernd")
    forgotten = await privacy.forget_user(ctx, OPERATOR, Channel.TELEGRAM, "900")
    assert store.state.tickets[ticket.id].messages[-1].name == forgotten.pseudonym
    assert forgotten.erased.ticket_messages == 1
    assert store.state.audit[-1].actor == OPERATOR


async def test_only_operators_erase_or_export_others_and_unknown_people_are_refused(
    ctx: Context, seed: Seed
) -> None:  # docs/privacy.md, R24
    with pytest.raises(errors.PermissionDenied):
        await privacy.forget_user(ctx, seed.acme_admin, Channel.TELEGRAM, "101")
    with pytest.raises(errors.PermissionDenied):
        await privacy.export_user(ctx, seed.agent, Channel.TELEGRAM, "101")
    with pytest.raises(errors.PersonUnknown):
        await privacy.forget_user(ctx, OPERATOR, Channel.TELEGRAM, "555")
    with pytest.raises(errors.PersonUnknown):
        await privacy.export_user(ctx, OPERATOR, Channel.TELEGRAM, "555")


async def test_the_export_lists_what_is_stored_about_the_person(
    ctx: Context, seed: Seed
) -> None:  # Art. 15 DSGVO
    await chatted(ctx, 100, 3)
    await order(ctx, seed.acme_admin)
    data = await privacy.export_user(ctx, OPERATOR, Channel.TELEGRAM, "100")
    assert (data["external_id"], data["user"]["role"], data["chat"]["language"]) == (
        "100",
        "admin",
        "en",
    )
    assert [c["kind"] for c in data["consents"]] == ["terms", "microsoft_account"]
    assert [a["action"] for a in data["audit"]] == ["user.link", "order.place"]
    assert [u["update_id"] for u in data["processed_updates"]] == [3]
    assert len(data["invites"]) == 1 and data["tickets"] == [] and data["requests"] == []


async def test_a_chat_without_a_linked_person_is_still_erased(
    ctx: Context, store: FakeStore
) -> None:
    await chatted(ctx, 555, 1)
    forgotten = await privacy.forget_me(ctx, Channel.TELEGRAM, "555")
    assert (forgotten.found, forgotten.user_id, forgotten.erased.chats) == (True, None, 1)
    assert store.state.chats == {}
    assert chat_of(Channel.RASA, "555") is None and chat_of(Channel.TELEGRAM, "x1") is None
