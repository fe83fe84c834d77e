"""One contract for both stores: the same scenarios through the ports (domain/ports.py) on the
in-memory fakes (tests/fakes.py), SQLite and PostgreSQL, so that a use-case test on the fakes
(tests/unit/services) means what it would mean on a database. A fake that drifts from the SQL
adapter fails here."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from domain import errors
from domain.catalogue import read_catalogue
from domain.conversation import ChatState
from domain.licence_requests import LicenceRequest, Origin, RequestKind, RequestStatus
from domain.model import (
    Actor,
    AuditEntry,
    Channel,
    ChatUser,
    Consent,
    ConsentKind,
    Customer,
    QuantityChange,
    Role,
    new_subscription,
)
from domain.ports import Erased, Store, UnitOfWork
from domain.pricing import PriceList
from domain.seats import SeatReport
from domain.tickets import Author, Ticket, TicketMessage, TicketPost, TicketStatus
from tests.conftest import CATALOGUE, NOW, migrated_database
from tests.fakes import FakeStore

TODAY = date(2026, 11, 24)
E3, E5 = "M365-E3", "M365-E5"
TG = Channel.TELEGRAM


@pytest.fixture(params=["fake", "sqlite", "postgresql"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    """The fake store, or a migrated empty database."""
    if request.param == "fake":
        yield FakeStore()
        return
    async with migrated_database(request.param, tmp_path) as database:
        yield database


async def seeded(store: Store) -> tuple[int, int]:
    """The catalogue, ACME and Globex, ACME's admin and member: (admin id, member id)."""
    async with store.unit_of_work() as uow:
        await uow.catalogue.replace(read_catalogue(CATALOGUE))
        await uow.customers.add(Customer("acme", "ACME GmbH"), NOW)
        await uow.customers.add(Customer("globex", "Globex AG", PriceList({}, Decimal(5))), NOW)
        admin = ChatUser(None, TG, "100", Role.ADMIN, "acme", "Anna", "de")
        member = ChatUser(None, TG, "101", Role.MEMBER, "acme", "Mia")
        uow.users.add(admin)
        uow.users.add(member)
        await uow.flush()
        await uow.commit()
    assert admin.id is not None and member.id is not None
    return admin.id, member.id


async def committed(store: Store, write: Callable[[UnitOfWork], Awaitable[object]]) -> None:
    """`write` in a unit of work of its own, committed."""
    async with store.unit_of_work() as uow:
        await write(uow)
        await uow.commit()


async def subscribe(uow: UnitOfWork, sku: str = E3, quantity: int = 5, key: str = "k") -> int:
    catalogue = await uow.catalogue.load(fresh=True)
    customer = await uow.customers.get("acme")
    sub = new_subscription(customer, catalogue.product(sku), quantity, TODAY, NOW, key)
    uow.subscriptions.add(sub)
    await uow.flush()
    assert sub.id is not None
    return sub.id


async def test_customers_prices_and_the_directory(store: Store) -> None:
    await seeded(store)
    async with store.unit_of_work() as uow:
        await uow.customers.set_price("acme", E3, Decimal("40.00"))
        await uow.commit()
    async with store.unit_of_work(write=False) as uow:
        acme = await uow.customers.get("acme")
        globex = await uow.customers.get("globex")
        assert (acme.name, acme.price_list.explicit) == ("ACME GmbH", {E3: Decimal("40.00")})
        assert globex.price_list.discount_percent == Decimal(5)
        assert await uow.customers.exists("acme")
        assert not await uow.customers.exists("x")
        assert list(await uow.customers.directory()) == [
            ("acme", "ACME GmbH"),
            ("globex", "Globex AG"),
        ]
        with pytest.raises(errors.CustomerNotFound):
            await uow.customers.get("nope")
    with pytest.raises(errors.Duplicate):
        await committed(store, lambda uow: uow.customers.add(Customer("acme", "Again"), NOW))


async def test_nothing_is_stored_unless_committed(store: Store) -> None:
    await seeded(store)
    async with store.unit_of_work() as uow:
        await uow.customers.add(Customer("initech", "Initech"), NOW)
    async with store.unit_of_work() as uow:
        await uow.customers.add(Customer("umbrella", "Umbrella"), NOW)
        await uow.rollback()
        await uow.commit()
    async with store.unit_of_work(write=False) as uow:
        assert [c for c, _ in await uow.customers.directory()] == ["acme", "globex"]


async def test_the_catalogue_retires_what_is_in_use_and_removes_the_rest(store: Store) -> None:
    async with store.unit_of_work(write=False) as uow:
        assert await uow.catalogue.is_empty()
    await seeded(store)
    async with store.unit_of_work() as uow:
        await subscribe(uow, E3)
        await uow.commit()
    spec = read_catalogue(CATALOGUE)
    smaller = spec.model_copy(
        update={"products": [p for p in spec.products if p.sku not in (E3, E5)]}
    )
    async with store.unit_of_work() as uow:
        changes = await uow.catalogue.replace(smaller)
        await uow.commit()
    assert (changes.retired, changes.removed, changes.added) == ((E3,), (E5,), ())
    assert "M365-BUSINESS-BASIC" in changes.updated
    async with store.unit_of_work(write=False) as uow:
        catalogue = await uow.catalogue.load(fresh=True)
        assert not await uow.catalogue.is_empty()
    e3 = catalogue.products[E3]
    assert (e3.retired, e3.addon_skus, E5 in catalogue.products) == (True, (), False)
    basic = catalogue.products["M365-BUSINESS-BASIC"]
    assert (basic.seat_cap and basic.seat_cap.max_quantity, basic.addon_skus[0]) == (
        300,
        "EXO-ARCHIVE",
    )


async def test_subscriptions_are_found_by_key_customer_and_state(store: Store) -> None:
    await seeded(store)
    async with store.unit_of_work() as uow:
        first = await subscribe(uow, E3, key="a")
        second = await subscribe(uow, E5, key="b")
        await uow.commit()
    async with store.unit_of_work() as uow:
        found = await uow.subscriptions.by_key("acme", "a")
        assert found is not None and found.id == first
        assert await uow.subscriptions.by_key("globex", "a") is None
        assert await uow.subscriptions.customer_of(second) == "acme"
        assert await uow.subscriptions.customer_of(999) is None
        assert await uow.subscriptions.get(999) is None
        assert [s.id for s in await uow.subscriptions.for_customer("acme")] == [first, second]
        assert [s.id for s in await uow.subscriptions.awaiting_provisioning(1)] == [first]
        sub = await uow.subscriptions.get(first)
        assert sub is not None
        sub.provision(TODAY)
        sub.cancel(TODAY, NOW)
        sub.version += 1
        await uow.commit()
    async with store.unit_of_work(write=False) as uow:
        assert [s.id for s in await uow.subscriptions.awaiting_provisioning()] == [second]
        assert await uow.subscriptions.past_end_date(date(2026, 11, 30)) == []
        assert [s.id for s in await uow.subscriptions.past_end_date(date(2026, 12, 1))] == [first]


async def test_a_subscription_written_over_a_newer_version_is_stale(store: Store) -> None:
    if store.url.startswith("sqlite"):
        pytest.skip("SQLite runs one write transaction at a time: two cannot overlap")
    await seeded(store)  # R13
    async with store.unit_of_work() as uow:
        sub_id = await subscribe(uow)
        await uow.commit()
    async with store.unit_of_work() as slow:
        mine = await slow.subscriptions.get(sub_id)
        assert mine is not None
        async with store.unit_of_work() as fast:
            theirs = await fast.subscriptions.get(sub_id)
            assert theirs is not None
            theirs.quantity, theirs.version = 7, theirs.version + 1
            await fast.commit()
        mine.quantity, mine.version = 9, mine.version + 1
        with pytest.raises(errors.StaleWrite):
            await slow.commit()
    async with store.unit_of_work(write=False) as uow:
        stored = await uow.subscriptions.get(sub_id)
        assert stored is not None and (stored.quantity, stored.version) == (7, 2)


async def test_one_running_subscription_per_product_and_one_per_key(store: Store) -> None:
    await seeded(store)  # R6, R9: the schema's unique keys
    async with store.unit_of_work() as uow:
        await subscribe(uow, E3, key="a")
        await uow.commit()
    with pytest.raises(errors.Duplicate):
        await committed(store, lambda uow: subscribe(uow, E3, key="b"))
    with pytest.raises(errors.Duplicate):
        await committed(store, lambda uow: subscribe(uow, E5, key="a"))


async def test_reductions_due_are_those_scheduled_before_today(store: Store) -> None:
    await seeded(store)
    async with store.unit_of_work() as uow:
        sub_id = await subscribe(uow)
        sub = await uow.subscriptions.get(sub_id)
        assert sub is not None
        sub.scheduled_quantity, sub.scheduled_for = 3, date(2026, 11, 30)
        sub.version += 1
        await uow.commit()
    async with store.unit_of_work(write=False) as uow:
        assert await uow.subscriptions.reductions_due(date(2026, 11, 30)) == []
        assert list(await uow.subscriptions.reductions_due(date(2026, 12, 1))) == [sub_id]


async def test_people_are_found_by_channel_id_and_customer(store: Store) -> None:
    admin, member = await seeded(store)
    async with store.unit_of_work() as uow:
        found = await uow.users.with_customer_name(TG, "100")
        assert found is not None and (found[0].id, found[1]) == (admin, "ACME GmbH")
        assert await uow.users.with_customer_name(TG, "999") is None
        assert (await uow.users.by_external(TG, "101")).id == member  # type: ignore[union-attr]
        assert await uow.users.by_external(Channel.RASA, "101") is None
        assert (await uow.users.by_id(admin)).display_name == "Anna"  # type: ignore[union-attr]
        assert [u.id for u in await uow.users.of_customer("acme", Role.MEMBER)] == [member]

    async def add_again(uow: UnitOfWork) -> None:
        uow.users.add(ChatUser(None, TG, "100", Role.MEMBER, "acme"))
        await uow.flush()

    with pytest.raises(errors.Duplicate):
        await committed(store, add_again)


async def test_an_invite_is_claimed_once_and_revoked_only_unused(store: Store) -> None:
    admin, _ = await seeded(store)
    later = NOW + timedelta(days=7)
    async with store.unit_of_work() as uow:
        await uow.invites.add("h1", "acme", Role.MEMBER, NOW, later)
        await uow.invites.add("h2", None, Role.AGENT, NOW, later)
        await uow.commit()
    async with store.unit_of_work() as uow:
        one, two = await uow.invites.by_hash("h1"), await uow.invites.by_hash("h2")
        assert one is not None and two is not None
        assert (one.customer_id, one.role, one.expires_at, one.used_at) == (
            "acme",
            Role.MEMBER,
            later,
            None,
        )
        assert await uow.invites.by_hash("nope") is None
        assert await uow.invites.claim(one.id, admin, NOW)
        assert not await uow.invites.claim(one.id, admin, NOW)
        assert not await uow.invites.revoke(one.id, NOW)
        assert await uow.invites.revoke(two.id, NOW)
        await uow.commit()
    async with store.unit_of_work(write=False) as uow:
        assert (await uow.invites.by_hash("h1")).used_at == NOW  # type: ignore[union-attr]
        assert (await uow.invites.by_hash("h2")).revoked_at == NOW  # type: ignore[union-attr]


async def test_records_history_consents_and_the_trail(store: Store) -> None:
    admin, _ = await seeded(store)  # R5, R11, R25
    actor = Actor(Role.ADMIN, TG, "acme", admin, "Anna")
    later = NOW + timedelta(minutes=1)
    async with store.unit_of_work() as uow:
        sub_id = await subscribe(uow)
        await uow.records.consent(Consent("acme", ConsentKind.TERMS, "1", actor, NOW, sub_id))
        await uow.records.quantity_change(QuantityChange(sub_id, None, 5, 8, actor, later))
        entry = AuditEntry(later, actor, "acme", "order.place", f"subscription:{sub_id}", {"q": 5})
        await uow.records.audit(entry)
        await uow.records.audit(AuditEntry(later, actor, "globex", "x", "y"))
        await uow.commit()
    async with store.unit_of_work(write=False) as uow:
        [change] = await uow.records.history(sub_id)
        assert {k: change[k] for k in ("addon_booking_id", "from_quantity", "to_quantity")} == {
            "addon_booking_id": None,
            "from_quantity": 5,
            "to_quantity": 8,
        }
        assert (change["changed_at"], change["user_id"], change["actor_label"]) == (
            later,
            admin,
            "Anna",
        )
        [consent] = await uow.records.consents_for(sub_id)
        assert (consent["kind"], consent["user_id"], consent["addon_booking_id"]) == (
            ConsentKind.TERMS,
            admin,
            None,
        )
        [audited] = await uow.records.audit_for("acme")
        assert (audited["action"], audited["actor_label"], audited["details"]) == (
            "order.place",
            "Anna",
            {"q": 5},
        )
        assert len(await uow.records.audit_for()) == 2
        trail = await uow.records.trail("acme")
        assert [(e.action, e.who, e.role) for e in trail] == [
            ("consent.terms", "Anna", None),
            ("order.place", "Anna", Role.ADMIN),
        ]
        assert trail[0].details == {"terms_version": "1", "subscription_id": sub_id}


async def test_chats_updates_and_drafts(store: Store) -> None:
    await seeded(store)
    async with store.unit_of_work() as uow:
        assert await uow.chats.claim_update(1, 10, NOW, 100)
        assert not await uow.chats.claim_update(1, 10, NOW, 100)
        assert await uow.chats.claim_update(2, 10, NOW)
        await uow.chats.save(ChatState(100, "en", "ordering"), NOW)
        draft = await uow.chats.new_draft(100, "order", {"sku": E3}, NOW)
        await uow.commit()
    async with store.unit_of_work() as uow:
        state, user = await uow.chats.with_user(100, TG, "100")
        assert (state.language, state.step, user and user[1]) == ("en", "ordering", "ACME GmbH")
        empty, nobody = await uow.chats.with_user(555, TG, "555")
        assert (empty, nobody) == (ChatState(555), None)
        stored = await uow.chats.draft(draft.id)
        assert stored is not None and (stored.kind, stored.data, stored.state) == (
            "order",
            {"sku": E3},
            "open",
        )
        stored.data["quantity"], stored.state, stored.result_id = 3, "done", 7
        await uow.chats.save_draft(stored, NOW)
        for _ in range(32):  # a chat keeps its newest drafts only
            await uow.chats.new_draft(100, "order", {}, NOW)
        await uow.commit()
    async with store.unit_of_work(write=False) as uow:
        assert await uow.chats.draft(draft.id) is None
        assert await uow.chats.draft(999_999) is None
        assert (await uow.chats.get(100)).language == "en"


async def test_the_outbox_claims_settles_and_keeps_each_persons_order(store: Store) -> None:
    admin, member = await seeded(store)
    until = NOW + timedelta(minutes=2)
    async with store.unit_of_work() as uow:
        first = await uow.outbox.add("acme", "a", {"n": 1}, NOW, [admin, member, admin, 999])
        second = await uow.outbox.add("acme", "b", {}, NOW, [admin], desk=True)
        assert uow.outbox.queued == [first, second]
        await uow.commit()
    async with store.unit_of_work() as uow:
        assert await uow.outbox.claim(Channel.RASA, 10, NOW, until, "r") == []
        held = await uow.outbox.claim(TG, 10, NOW, until, "t")
        # the admin's second notice waits for the first; the desk's goes at once
        assert [(d.notification.id, d.user and d.user.id, d.to_desk) for d in held] == [
            (first, admin, False),
            (first, member, False),
            (second, None, True),
        ]
        assert held[0].notification.payload == {"n": 1} and held[0].attempts == 1
        assert await uow.outbox.claim(TG, 10, NOW, until, "u") == []  # held by "t"
        assert await uow.outbox.delivered(held[0].id, "t", NOW)
        assert not await uow.outbox.delivered(held[0].id, "t", NOW)
        assert not await uow.outbox.delivered(held[1].id, "wrong", NOW)
        assert await uow.outbox.retry(held[1].id, "t", NOW + timedelta(minutes=5), "timeout")
        assert await uow.outbox.give_up(held[2].id, "t", NOW, "blocked")
        await uow.commit()
    async with store.unit_of_work() as uow:
        [next_one] = await uow.outbox.claim(TG, 10, NOW, until, "v")
        assert (next_one.notification.id, next_one.user and next_one.user.id) == (second, admin)
        await uow.outbox.release([next_one.id], "v")
        [again] = await uow.outbox.claim(TG, 10, NOW, until, "w", [second])
        assert again.attempts == 1  # a release is no attempt
        assert await uow.outbox.claim(TG, 10, NOW, until, "x") == []
        later = await uow.outbox.claim(TG, 10, NOW + timedelta(minutes=6), until, "y")
        # the retry is due, and the claim of "w" ran out
        assert [d.id for d in later] == [held[1].id, again.id]
        await uow.commit()
    async with store.unit_of_work(write=False) as uow:
        states = await uow.outbox.states(first)
        assert [(s["user_id"], s["state"], s["last_error"]) for s in states] == [
            (admin, "sent", None),
            (member, "pending", "timeout"),
        ]
        assert [n.kind for n in await uow.outbox.notices("acme")] == ["a", "b"]
        assert await uow.outbox.notices("globex") == []


def licence_request(member: int) -> LicenceRequest:
    return LicenceRequest(None, "acme", RequestKind.ORDER, Origin.MEMBER, E3, 3, member, "Mia", NOW)


def ticket(user_id: int, customer: str | None = "acme") -> Ticket:
    opened = Ticket(None, customer, user_id, TG, str(user_id), "de", "context", NOW)
    opened.write(Author.CUSTOMER, "Hilfe", NOW, user_id=user_id)
    return opened


async def test_tickets_messages_and_posts(store: Store) -> None:
    admin, member = await seeded(store)  # R26
    async with store.unit_of_work() as uow:
        mine = ticket(member)
        await uow.tickets.add(mine)
        assert mine.id is not None and mine.messages[0].id is not None
        await uow.tickets.record_post(TicketPost(mine.id, 101, 5, mine.messages[0].id, origin=True))
        await uow.tickets.record_post(TicketPost(mine.id, 101, 5, None))  # the same message
        await uow.commit()
    async with store.unit_of_work() as uow:
        loaded = await uow.tickets.get(mine.id)
        assert loaded is not None and loaded.version == 1
        loaded.write(Author.AGENT, "Gern", NOW, "Bernd", admin)
        loaded.desk_message_id, loaded.desk_topic_id = 40, 9
        await uow.tickets.save(loaded)
        assert loaded.version == 2 and loaded.messages[1].id is not None
        first = loaded.messages[0]
        await uow.tickets.rewrite(TicketMessage(Author.CUSTOMER, "Hilfe!", NOW, id=first.id))
        await uow.commit()
    async with store.unit_of_work(write=False) as uow:
        stored = await uow.tickets.get(mine.id)
        assert stored is not None
        assert [(m.author, m.text, m.name) for m in stored.messages] == [
            (Author.CUSTOMER, "Hilfe!", ""),
            (Author.AGENT, "Gern", "Bernd"),
        ]
        post = await uow.tickets.post(101, 5)
        assert post is not None and (post.origin, post.ticket_message_id) == (
            True,
            stored.messages[0].id,
        )
        assert await uow.tickets.post(101, 6) is None
        assert len(await uow.tickets.posts(mine.id)) == 1
        assert await uow.tickets.posts(mine.id, notification_id=1) == []
        assert (await uow.tickets.at_desk(None, 9)).id == mine.id  # type: ignore[union-attr]
        assert (await uow.tickets.at_desk(40, None)).id == mine.id  # type: ignore[union-attr]
        assert await uow.tickets.at_desk(None, None) is None
        assert (await uow.tickets.open_of_user(member)).id == mine.id  # type: ignore[union-attr]
        assert await uow.tickets.open_of_user(admin) is None
        assert [t.id for t in await uow.tickets.find(handled_by=admin)] == [mine.id]
        assert await uow.tickets.find(customer_id="globex") == []
        assert await uow.tickets.find(status=TicketStatus.RESOLVED) == []


async def test_a_ticket_or_request_saved_over_a_newer_version_is_stale(store: Store) -> None:
    admin, member = await seeded(store)  # the first writer wins (R23, R26)
    async with store.unit_of_work() as uow:
        opened = ticket(member)
        await uow.tickets.add(opened)
        asked = licence_request(member)
        await uow.requests.add(asked)
        await uow.commit()
    assert opened.id is not None and asked.id is not None
    async with store.unit_of_work(write=False) as earlier:  # read, e.g. for a screen
        old_ticket = await earlier.tickets.get(opened.id)
        old_request = await earlier.requests.get(asked.id)
    assert old_ticket is not None and old_request is not None
    async with store.unit_of_work() as fast:
        request = await fast.requests.get(asked.id)
        assert request is not None
        request.decline(Actor(Role.ADMIN, TG, "acme", admin), "Anna", "Nein", NOW)
        await fast.requests.save(request)
        await fast.requests.save(request)  # its own write again: fine
        found = await fast.tickets.get(opened.id)
        assert found is not None
        found.resolve(NOW)
        await fast.tickets.save(found)
        await fast.commit()
    async with store.unit_of_work() as slow:
        with pytest.raises(errors.StaleWrite):
            await slow.requests.save(old_request)
        with pytest.raises(errors.StaleWrite):
            await slow.tickets.save(old_ticket)
    async with store.unit_of_work(write=False) as uow:
        stored = await uow.requests.get(asked.id)
        assert stored is not None and (stored.status, stored.version) == (RequestStatus.DECLINED, 3)
        assert [r.id for r in await uow.requests.find(customer_id="acme", requested_by=member)] == [
            asked.id
        ]
        assert await uow.requests.find(status=RequestStatus.PENDING) == []
        assert await uow.requests.get(999) is None


async def test_seat_usage_buffers_and_hints(store: Store) -> None:
    admin, _ = await seeded(store)
    async with store.unit_of_work() as uow:
        await uow.seats.report("acme", SeatReport(E3, 4, NOW, "manual"))
        await uow.seats.report("acme", SeatReport(E3, 6, NOW, "manual"))
        await uow.seats.set_buffer("acme", E3, 2)
        await uow.seats.set_buffer("acme", E5, 0)
        await uow.seats.set_hints(admin, False, NOW)
        assert await uow.seats.claim_hint("acme", "2026-11", NOW, Decimal("9.99"))
        assert not await uow.seats.claim_hint("acme", "2026-11", NOW, Decimal("9.99"))
        await uow.commit()
    async with store.unit_of_work(write=False) as uow:
        assert list(await uow.seats.reports("acme")) == [SeatReport(E3, 6, NOW, "manual")]
        assert await uow.seats.reports("globex") == []
        assert await uow.seats.buffers("acme") == {E3: 2}
        assert not await uow.seats.hints_wanted(admin)
        assert await uow.seats.hinted("acme", "2026-11")
        assert not await uow.seats.hinted("acme", "2026-12")


async def test_privacy_forgets_a_chat_pseudonymises_a_person_and_exports(store: Store) -> None:
    _, member = await seeded(store)
    actor = Actor(Role.MEMBER, TG, "acme", member, "Mia")
    async with store.unit_of_work() as uow:
        await uow.chats.claim_update(1, 1, NOW, 101)
        await uow.chats.claim_update(1, 2, NOW, 101)
        await uow.chats.save(ChatState(101, "de"), NOW)
        await uow.chats.new_draft(101, "order", {}, NOW)
        await uow.records.audit(AuditEntry(NOW, actor, "acme", "request.ask", "request:1"))
        mine = ticket(member)
        await uow.tickets.add(mine)
        await uow.requests.add(licence_request(member))
        await uow.outbox.add("acme", "x", {}, NOW, [member])
        await uow.commit()
    async with store.unit_of_work(write=False) as uow:
        data = await uow.privacy.personal_data(member, 101)
    assert set(data) == {
        *("user", "chat", "drafts", "processed_updates", "invites", "consents"),
        *("quantity_changes", "audit", "tickets", "requests"),
    }
    assert (data["user"]["display_name"], data["user"]["seat_hints_off_since"]) == ("Mia", None)
    assert (data["chat"]["language"], len(data["drafts"]), len(data["processed_updates"])) == (
        "de",
        1,
        2,
    )
    assert [a["action"] for a in data["audit"]] == ["request.ask"]
    assert [m["text"] for m in data["tickets"][0]["messages"]] == ["Hilfe"]
    assert data["requests"][0]["requested_by_name"] == "Mia"
    async with store.unit_of_work() as uow:
        forgot = await uow.privacy.forget_chat(101, (1, 2))
        renamed = await uow.privacy.pseudonymise(member, "Nutzer #abc", [])
        await uow.commit()
    assert forgot == Erased(chats=1, drafts=1, updates=1)
    assert renamed == Erased(records=1, tickets=1, ticket_messages=1, requests=1)
    async with store.unit_of_work() as uow:
        assert not await uow.chats.claim_update(1, 2, NOW)  # the update being handled stays
        assert await uow.chats.claim_update(1, 1, NOW)
        assert await uow.outbox.claim(TG, 10, NOW, NOW + timedelta(minutes=1), "t") == []
        assert (await uow.records.audit_for("acme"))[0]["actor_label"] == "Nutzer #abc"
        nobody = await uow.privacy.personal_data(None, None)
        assert (nobody["user"], nobody["chat"], nobody["audit"]) == (None, None, [])


async def test_retention_purges_by_age(store: Store) -> None:
    _, member = await seeded(store)
    old, recent = NOW - timedelta(days=100), NOW - timedelta(days=1)
    async with store.unit_of_work() as uow:
        await uow.chats.claim_update(1, 1, old, 101)
        await uow.chats.claim_update(1, 2, recent, 101)
        await uow.chats.save(ChatState(101, "de"), old)
        await uow.chats.save(ChatState(102, "de"), recent)
        await uow.chats.new_draft(101, "order", {}, old)
        await uow.chats.new_draft(102, "order", {}, recent)
        done = ticket(member)
        done.resolve(old)
        await uow.tickets.add(done)
        await uow.tickets.add(ticket(member))
        sent = await uow.outbox.add("acme", "sent", {}, old, [member])
        await uow.outbox.add("acme", "owed", {}, old, [member])
        await uow.commit()
    async with store.unit_of_work() as uow:
        [held] = await uow.outbox.claim(TG, 1, NOW, NOW + timedelta(minutes=1), "t")
        assert held.notification.id == sent
        await uow.outbox.delivered(held.id, "t", NOW)
        await uow.commit()
    async with store.unit_of_work() as uow:
        erased = await uow.privacy.purge(
            chats_before=NOW - timedelta(days=90),
            updates_before=NOW - timedelta(days=7),
            tickets_before=NOW - timedelta(days=30),
            notices_before=NOW - timedelta(days=30),
        )
        await uow.commit()
    assert erased == Erased(chats=1, drafts=1, updates=1, tickets=1, ticket_messages=1, notices=1)
    async with store.unit_of_work(write=False) as uow:
        assert (await uow.chats.get(101)).language is None
        assert (await uow.chats.get(102)).language == "de"
        assert [n.kind for n in await uow.outbox.notices()] == ["owed"]
        assert len(await uow.tickets.find()) == 1
