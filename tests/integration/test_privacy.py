"""Forget-me removes what it promises and keeps orders and consents provable; export; retention
(docs/privacy.md). On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain import errors
from domain.clock import FixedClock
from domain.commands import CreateInvite, LinkUser, PlaceOrder
from domain.model import Channel, Role
from domain.services import accounts, notifications, orders, privacy, tickets
from domain.services.accounts import OPERATOR
from domain.services.context import Context
from domain.services.retention import RetentionPolicy, purge
from domain.tickets import TicketStatus
from tests.conftest import Seed, link

SKU = "M365-BUSINESS-STANDARD"


async def _order(ctx: Context, seed: Seed) -> int:
    placed = await orders.place_order(
        ctx, seed.acme_admin, PlaceOrder("acme", SKU, 18, True, True, "privacy-1")
    )
    return placed.subscription.id


async def _chat_traces(ctx: Context, chat_id: int) -> None:
    """What the bot keeps for a chat: state with language, a draft, two processed updates."""
    async with ctx.uow() as uow:
        state = await uow.chats.get(chat_id)
        state.language = "en"
        await uow.chats.save(state, ctx.now())
        await uow.chats.new_draft(chat_id, "order", {"sku": SKU}, ctx.now())
        await uow.chats.claim_update(7, 1000 + chat_id, ctx.now(), chat_id)
        await uow.chats.claim_update(7, 2000 + chat_id, ctx.now(), chat_id)
        await uow.commit()


async def test_forget_keeps_orders_and_consents_provable_under_a_pseudonym(
    ctx: Context, seed: Seed
) -> None:  # R5, R25
    subscription_id = await _order(ctx, seed)
    await _chat_traces(ctx, 100)
    await _chat_traces(ctx, 101)  # another person's chat stays

    done = await privacy.forget_user(ctx, OPERATOR, Channel.TELEGRAM, "100")

    assert done.pseudonym is not None and done.pseudonym.startswith("Nutzer #")
    assert len(done.pseudonym) == len("Nutzer #a1b2c3")
    assert (done.erased.chats, done.erased.drafts, done.erased.updates) == (1, 1, 2)
    async with ctx.uow(write=False) as uow:
        assert await uow.users.by_external(Channel.TELEGRAM, "100") is None  # the link is gone
        assert (await uow.chats.get(100)).language is None
        mine = await uow.privacy.personal_data(None, 100)
        assert mine["chat"] is None and mine["drafts"] == [] and mine["processed_updates"] == []
        other = await uow.privacy.personal_data(None, 101)
        assert other["chat"] is not None and len(other["processed_updates"]) == 2
        consents = await uow.records.consents_for(subscription_id)
        audit = await uow.records.audit_for("acme")
        anchor = await uow.users.by_id(seed.acme_admin.user_id or 0)
    # The order stays the customer's, and who consented stays provable (R5): same pseudonym.
    overview = await orders.list_orders(ctx, OPERATOR, "acme")
    assert [s.id for s in overview.subscriptions] == [subscription_id]
    assert len(consents) == 2
    assert {c["actor_label"] for c in consents} == {done.pseudonym}
    assert {c["user_id"] for c in consents} == {seed.acme_admin.user_id}
    ordered = [e for e in audit if e["action"] == "order.place"]
    assert ordered and {e["actor_label"] for e in ordered} == {done.pseudonym}  # R25
    forgot = [e for e in audit if e["action"] == "user.forget"]
    assert [e["actor_label"] for e in forgot] == ["operator"]
    # No trace of the name or the Telegram id in the customer's records any more.
    assert all(e["actor_label"] not in ("100", "telegram:100") for e in audit)
    assert anchor is not None and anchor.display_name == done.pseudonym
    assert anchor.customer_id is None and anchor.language is None
    assert anchor.external_id == f"forgotten:{anchor.id}"


async def test_a_forgotten_user_is_unknown_and_can_be_invited_again(
    ctx: Context, seed: Seed
) -> None:  # R22
    await privacy.forget_user(ctx, OPERATOR, Channel.TELEGRAM, "101")
    with pytest.raises(errors.NotLinked):
        await accounts.resolve_actor(ctx, Channel.TELEGRAM, "101")
    with pytest.raises(errors.PersonUnknown):  # a second erasure finds nothing
        await privacy.forget_user(ctx, OPERATOR, Channel.TELEGRAM, "101")

    again = await link(ctx, Role.MEMBER, "acme", "101")

    assert again.customer_id == "acme" and again.user_id != seed.acme_member.user_id


async def test_a_forgotten_rasa_sender_is_no_longer_linked(ctx: Context, seed: Seed) -> None:
    invite = await accounts.create_invite(ctx, OPERATOR, CreateInvite(Role.ADMIN, "acme"))
    await accounts.link_user(ctx, Channel.RASA, LinkUser("conv-42", invite.code, "Rasa Anna"))

    await privacy.forget_user(ctx, OPERATOR, Channel.RASA, "conv-42")

    with pytest.raises(errors.NotLinked):  # R22: the sender gets no customer data any more
        await accounts.resolve_actor(ctx, Channel.RASA, "conv-42")


async def test_unknown_person_and_foreign_rights_are_refused(ctx: Context, seed: Seed) -> None:
    with pytest.raises(errors.PersonUnknown):
        await privacy.forget_user(ctx, OPERATOR, Channel.TELEGRAM, "555")
    with pytest.raises(errors.PersonUnknown):
        await privacy.export_user(ctx, OPERATOR, Channel.TELEGRAM, "555")
    for actor in (seed.acme_admin, seed.agent):  # R23: only the provider's operators
        with pytest.raises(errors.PermissionDenied):
            await privacy.forget_user(ctx, actor, Channel.TELEGRAM, "101")
        with pytest.raises(errors.PermissionDenied):
            await privacy.export_user(ctx, actor, Channel.TELEGRAM, "101")


async def test_forget_me_closes_tickets_and_keeps_their_text_under_the_pseudonym(
    ctx: Context, seed: Seed
) -> None:  # R26
    opened = await tickets.open_ticket(
        ctx, seed.acme_member, tickets.OpenTicket("Bitte rufen Sie mich an", "Menü", "de")
    )
    await tickets.take(ctx, seed.agent, opened.id, "Agent Bob")
    await _chat_traces(ctx, 101)

    done = await privacy.forget_me(ctx, Channel.TELEGRAM, "101", current_update=(7, 1101))

    assert done.found and done.erased.updates == 1  # the current update stays claimed
    async with ctx.uow(write=False) as uow:
        ticket = await uow.tickets.get(opened.id)
        assert not await uow.chats.claim_update(7, 1101, ctx.now())  # no second run
        assert (await uow.privacy.personal_data(None, 101))["processed_updates"] == []
    assert ticket is not None
    assert ticket.status is TicketStatus.RESOLVED  # nobody could be told an answer
    assert ticket.external_id == "" and ticket.taken_by == "Agent Bob"
    assert [(m.text, m.name) for m in ticket.messages] == [
        ("Bitte rufen Sie mich an", done.pseudonym)
    ]


async def test_forgetting_an_agent_renames_them_in_the_tickets_they_handled(
    ctx: Context, seed: Seed
) -> None:
    opened = await tickets.open_ticket(
        ctx, seed.acme_member, tickets.OpenTicket("Frage", "Menü", "de")
    )
    await tickets.take(ctx, seed.agent, opened.id, "900")  # the agent's name as linked
    await tickets.reply(ctx, seed.agent, opened.id, "Gern", "900")

    done = await privacy.forget_user(ctx, OPERATOR, Channel.TELEGRAM, "900")

    async with ctx.uow(write=False) as uow:
        ticket = await uow.tickets.get(opened.id)
    assert ticket is not None and ticket.taken_by == done.pseudonym
    assert [m.name for m in ticket.messages] == ["", done.pseudonym]
    assert ticket.status is TicketStatus.TAKEN  # the customer's ticket goes on


async def test_export_lists_what_is_stored_about_the_person(ctx: Context, seed: Seed) -> None:
    subscription_id = await _order(ctx, seed)
    await _chat_traces(ctx, 100)

    data = await privacy.export_user(ctx, OPERATOR, Channel.TELEGRAM, "100")

    assert set(data) == {
        "channel",
        "external_id",
        "exported_at",
        "user",
        "chat",
        "drafts",
        "processed_updates",
        "invites",
        "consents",
        "quantity_changes",
        "audit",
        "tickets",
        "requests",
    }
    assert data["user"]["display_name"] == "100" and data["user"]["customer_id"] == "acme"
    assert data["chat"]["language"] == "en"
    assert [c["subscription_id"] for c in data["consents"]] == [subscription_id] * 2
    assert {c["kind"] for c in data["consents"]} == {"terms", "microsoft_account"}
    assert [i["role"] for i in data["invites"]] == ["admin"]
    assert "order.place" in [e["action"] for e in data["audit"]]


async def test_retention_deletes_only_what_outlived_its_days(
    ctx: Context, seed: Seed, clock: FixedClock
) -> None:
    start = clock.now()
    await _chat_traces(ctx, 100)
    opened = await tickets.open_ticket(
        ctx, seed.acme_member, tickets.OpenTicket("Alt", "Menü", "de")
    )
    await tickets.resolve(ctx, seed.acme_member, opened.id)
    async with ctx.uow() as uow:  # two old notices for acme's admin: one delivered, one owed
        await notifications.tell(uow, ctx.now(), "acme", "ended", {"subscription_id": 1})
        await notifications.tell(uow, ctx.now(), "acme", "ended", {"subscription_id": 2})
        first_ended = uow.outbox.queued[0]
        await uow.commit()
    claim = await notifications.claim_deliveries(
        ctx, Channel.TELEGRAM, limit=1, notification_ids=[first_ended]
    )
    assert await notifications.delivered(ctx, claim.deliveries[0])
    clock.set(start + timedelta(days=5))
    await _chat_traces(ctx, 101)
    fresh = await tickets.open_ticket(
        ctx, seed.acme_member, tickets.OpenTicket("Neu", "Menü", "de")
    )
    await tickets.resolve(ctx, seed.acme_member, fresh.id)
    policy = RetentionPolicy(chat_days=3, updates_days=2, tickets_days=4, notices_days=4)

    clock.set(start + timedelta(days=6))
    erased = await purge(ctx, policy)

    assert (erased.chats, erased.drafts, erased.updates) == (1, 1, 2)
    assert (erased.tickets, erased.ticket_messages) == (1, 1)
    assert erased.notices == 1  # the delivered one; the one still owed stays, however old
    owed = await notifications.claim_deliveries(ctx, Channel.TELEGRAM)
    ended = [d for d in owed.deliveries if d.notification.kind == "ended"]  # beside the cards
    assert [d.notification.payload["subscription_id"] for d in ended] == [2]
    async with ctx.uow(write=False) as uow:
        assert (await uow.privacy.personal_data(None, 100))["chat"] is None
        kept = await uow.privacy.personal_data(None, 101)
        assert kept["chat"] is not None and len(kept["drafts"]) == 1
        assert await uow.tickets.get(opened.id) is None
        assert await uow.tickets.get(fresh.id) is not None
        audit = await uow.records.audit_for()
    assert [e["details"]["tickets"] for e in audit if e["action"] == "retention.purge"] == [1]

    assert await purge(ctx, policy) == type(erased)()  # nothing left to do: no audit entry


async def test_a_forgotten_person_is_owed_no_notice_any_more(ctx: Context, seed: Seed) -> None:
    """A notice queued for someone who then erased their data is dropped, not retried; the
    others still get theirs."""
    async with ctx.uow() as uow:
        await notifications.tell(uow, ctx.now(), "acme", "ended", {"subscription_id": 1})
        await uow.commit()  # for acme's admin (100)
    await privacy.forget_user(ctx, OPERATOR, Channel.TELEGRAM, "100")
    claim = await notifications.claim_deliveries(ctx, Channel.TELEGRAM)
    assert [d.user.external_id for d in claim.deliveries if d.user] == []
