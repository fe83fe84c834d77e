"""Licence requests on the fakes (domain/services/licence_requests.py): members ask, the
service desk prepares, admins decide with their own consents; the first decision wins (R23)."""

from __future__ import annotations

import pytest

from domain import errors
from domain.licence_requests import Origin, RequestKind, RequestStatus
from domain.model import Role, Status
from domain.services import licence_requests
from domain.services.accounts import OPERATOR
from domain.services.context import Context
from domain.services.licence_requests import Approval, AskRequest
from tests.conftest import Seed
from tests.fakes import FakeStore
from tests.unit.services.support import ARCHIVE, E3, STANDARD, actions, kinds, order

BOTH = Approval(terms_accepted=True, account_consent=True, idempotency_key="approve-1")


def asked(kind: RequestKind = RequestKind.ORDER, **fields: object) -> AskRequest:
    values: dict[str, object] = {"product_sku": E3, "quantity": 12} | fields
    return AskRequest("acme", kind, **values)  # type: ignore[arg-type]


async def test_an_approved_order_request_places_the_order_with_the_admins_consents(
    ctx: Context, seed: Seed, store: FakeStore
) -> None:  # R23, R5
    view = await licence_requests.ask(ctx, seed.acme_member, asked(), "Mia")
    assert (view.status, view.origin, view.product_name) == (
        RequestStatus.PENDING,
        Origin.MEMBER,
        "Microsoft 365 E3",
    )
    assert store.state.subscriptions == {}
    with pytest.raises(errors.ConsentMissing):  # R5: nothing without both consents
        await licence_requests.approve(ctx, seed.acme_admin, view.id, Approval(True, False), "Anna")
    assert store.state.requests[view.id].status is RequestStatus.PENDING
    done = await licence_requests.approve(ctx, seed.acme_admin, view.id, BOTH, "Anna")
    [sub] = store.state.subscriptions.values()
    assert (done.status, done.result_id, sub.product_sku, sub.quantity) == (
        RequestStatus.APPROVED,
        sub.id,
        E3,
        12,
    )
    assert [c.actor.user_id for c in store.state.consents] == [seed.acme_admin.user_id] * 2
    assert actions(store, "acme")[-3:] == ["request.ask", "order.place", "request.approve"]
    assert kinds(store)[-1] == "request.approved"  # the member hears of it


async def test_the_first_decision_wins(ctx: Context, seed: Seed) -> None:  # R23
    view = await licence_requests.ask(ctx, seed.acme_member, asked(), "Mia")
    await licence_requests.decline(ctx, seed.acme_admin, view.id, "Budget erst im Januar", "Anna")
    with pytest.raises(errors.RequestDecided) as decided:
        await licence_requests.approve(ctx, seed.acme_admin, view.id, BOTH, "Ben")
    assert (decided.value.status, decided.value.decided_by) == ("declined", "Anna")
    [mine] = await licence_requests.list_requests(ctx, seed.acme_member)
    assert (mine.status, mine.reason) == (RequestStatus.DECLINED, "Budget erst im Januar")


async def test_a_decision_over_a_stale_version_reads_as_decided(
    ctx: Context, seed: Seed, store: FakeStore
) -> None:  # R13, R23: two admins at once, the second is told who decided
    view = await licence_requests.ask(ctx, seed.acme_member, asked(), "Mia")
    async with store.unit_of_work() as slow:
        stale = await slow.requests.get(view.id)
        assert stale is not None
        await licence_requests.decline(ctx, seed.acme_admin, view.id, "Nein", "Anna")
        stale.decline(seed.acme_admin, "Ben", "Auch nein", ctx.now())
        with pytest.raises(errors.StaleWrite):
            await slow.requests.save(stale)
    assert store.state.requests[view.id].decided_by_name == "Anna"


async def test_a_decline_needs_a_reason(ctx: Context, seed: Seed, store: FakeStore) -> None:
    view = await licence_requests.ask(ctx, seed.acme_member, asked(), "Mia")
    with pytest.raises(errors.ReasonMissing):
        await licence_requests.decline(ctx, seed.acme_admin, view.id, "   ", "Anna")
    with pytest.raises(errors.ReasonTooLong):
        await licence_requests.decline(ctx, seed.acme_admin, view.id, "x" * 501, "Anna")
    assert store.state.requests[view.id].status is RequestStatus.PENDING


async def test_the_same_request_twice_while_it_waits_is_refused(
    ctx: Context, seed: Seed, store: FakeStore
) -> None:  # R23: a second press or device asks once
    first = await licence_requests.ask(ctx, seed.acme_member, asked(), "Mia")
    with pytest.raises(errors.RequestPending) as pending:
        await licence_requests.ask(ctx, seed.acme_member, asked(), "Mia")
    assert pending.value.request_id == first.id
    other = await licence_requests.ask(ctx, seed.acme_member, asked(quantity=13), "Mia")
    assert len(store.state.requests) == 2 and other.id != first.id


async def test_a_request_is_refused_when_the_write_could_not_be_done(
    ctx: Context, seed: Seed, store: FakeStore
) -> None:  # R23 with R4: the admins are never asked for the impossible
    too_many = asked(product_sku=STANDARD, quantity=301)
    with pytest.raises(errors.InvalidQuantity):
        await licence_requests.ask(ctx, seed.acme_member, too_many, "M")
    with pytest.raises(errors.ProductNotFound):
        await licence_requests.preview(ctx, seed.acme_member, asked(product_sku="NOPE"))
    assert store.state.requests == {}


async def test_only_members_ask_and_only_the_desk_prepares(ctx: Context, seed: Seed) -> None:
    with pytest.raises(errors.PermissionDenied):  # R23: an admin orders instead
        await licence_requests.ask(ctx, seed.acme_admin, asked(), "Anna")
    with pytest.raises(errors.CustomerNotFound):  # R24: nor for another customer
        await licence_requests.ask(ctx, seed.globex_admin, asked(), "Gus")
    prepared = await licence_requests.ask(ctx, seed.agent, asked(), "Desk")
    assert prepared.origin is Origin.AGENT


async def test_another_customers_request_reads_as_missing(ctx: Context, seed: Seed) -> None:
    view = await licence_requests.ask(ctx, seed.acme_member, asked(), "Mia")  # R24
    for refused in (
        licence_requests.approve(ctx, seed.globex_admin, view.id, BOTH, "Gus"),
        licence_requests.decline(ctx, seed.globex_admin, view.id, "no", "Gus"),
        licence_requests.figures(ctx, seed.globex_admin, view.id),
        licence_requests.pending_for(ctx, seed.globex_admin, view.id),
        licence_requests.withdraw(ctx, seed.globex_admin, view.id),
    ):
        with pytest.raises(errors.RequestNotFound):
            await refused
    assert await licence_requests.list_requests(ctx, seed.globex_admin) == []


async def test_a_member_may_not_decide(ctx: Context, seed: Seed) -> None:  # R23
    view = await licence_requests.ask(ctx, seed.acme_member, asked(), "Mia")
    with pytest.raises(errors.PermissionDenied):
        await licence_requests.approve(ctx, seed.acme_member, view.id, BOTH, "Mia")


async def test_only_the_one_who_asked_withdraws_and_the_admins_are_told(
    ctx: Context, seed: Seed, store: FakeStore
) -> None:  # R23, R24
    view = await licence_requests.ask(ctx, seed.acme_member, asked(), "Mia")
    with pytest.raises(errors.RequestNotFound):  # the admin did not ask this one
        await licence_requests.withdraw(ctx, seed.acme_admin, view.id)
    done = await licence_requests.withdraw(ctx, seed.acme_member, view.id)
    assert (done.status, done.decided_by_name) == (RequestStatus.WITHDRAWN, "Mia")
    told = store.state.deliveries[-1]
    assert (kinds(store)[-1], told["user_id"]) == ("request.withdrawn", seed.acme_admin.user_id)
    with pytest.raises(errors.RequestDecided):
        await licence_requests.withdraw(ctx, seed.acme_member, view.id)


async def test_a_change_request_is_carried_out_on_approval(
    ctx: Context, seed: Seed, store: FakeStore
) -> None:  # R11, R23
    sub_id = await order(ctx, seed.acme_admin, quantity=10)
    ask = asked(RequestKind.CHANGE, product_sku=None, quantity=15, subscription_id=sub_id)
    figures = await licence_requests.preview(ctx, seed.acme_member, ask)
    assert (figures.old_quantity, figures.quantity, str(figures.monthly_total)) == (
        10,
        15,
        "208.80",
    )
    view = await licence_requests.ask(ctx, seed.acme_member, ask, "Mia", tell_admins=True)
    assert kinds(store)[-1] == "request.asked"  # R23: a channel without cards tells the admins
    await licence_requests.approve(ctx, seed.acme_admin, view.id, Approval(False, False), "Anna")
    assert store.state.subscriptions[sub_id].quantity == 15
    assert [(c.from_quantity, c.to_quantity) for c in store.state.changes] == [(10, 15)]


async def test_a_cancel_request_names_the_end_date_and_cancels_on_approval(
    ctx: Context, seed: Seed, store: FakeStore
) -> None:  # R18, R19, R23
    sub_id = await order(ctx, seed.acme_admin, provision=True)
    ask = asked(RequestKind.CANCEL, product_sku=None, quantity=None, subscription_id=sub_id)
    figures = await licence_requests.preview(ctx, seed.acme_member, ask)
    assert str(figures.end_date) == "2026-11-30"
    view = await licence_requests.ask(ctx, seed.acme_member, ask, "Mia")
    await licence_requests.approve(ctx, seed.acme_admin, view.id, Approval(False, False), "Anna")
    assert store.state.subscriptions[sub_id].status is Status.CANCELLED


async def test_an_addon_request_waits_for_provisioning_and_books_with_the_terms(
    ctx: Context, seed: Seed, store: FakeStore
) -> None:  # R14, R17, R23
    sub_id = await order(ctx, seed.acme_admin)
    ask = AskRequest("acme", RequestKind.ADDON, subscription_id=sub_id, addon_sku=ARCHIVE)
    with pytest.raises(errors.AddonRequiresProvisioned):
        await licence_requests.ask(ctx, seed.acme_member, ask, "Mia")
    await order(ctx, seed.acme_admin, provision=True)  # the same order again: provisions it
    view = await licence_requests.ask(ctx, seed.acme_member, ask, "Mia")
    figures = await licence_requests.figures(ctx, seed.acme_admin, view.id)
    assert (view.addon_name, figures.quantity) == ("Exchange Online Archiving", 10)
    await licence_requests.approve(ctx, seed.acme_admin, view.id, Approval(True, False), "Anna")
    [booking] = store.state.subscriptions[sub_id].addons
    assert (booking.addon_sku, booking.quantity) == (ARCHIVE, 10)


async def test_who_sees_which_requests(ctx: Context, seed: Seed) -> None:  # R23, R24
    mine = await licence_requests.ask(ctx, seed.acme_member, asked(), "Mia")
    desk = await licence_requests.ask(ctx, seed.agent, asked(quantity=3), "Desk")
    assert [r.id for r in await licence_requests.list_requests(ctx, seed.acme_member)] == [mine.id]
    admins = await licence_requests.list_requests(ctx, seed.acme_admin)
    assert [r.id for r in admins] == [desk.id, mine.id]
    assert len(await licence_requests.list_requests(ctx, OPERATOR, customer_id="acme")) == 2
    assert [p.external_id for p in await licence_requests.deciders(ctx, "acme")] == ["100"]
    pending = await licence_requests.pending_for(ctx, seed.acme_admin, mine.id)
    assert pending.requested_by_name == "Mia"


async def test_a_declined_reason_is_read_when_the_notice_is_delivered(
    ctx: Context, seed: Seed, store: FakeStore
) -> None:  # docs/privacy.md: the outbox keeps no free text
    view = await licence_requests.ask(ctx, seed.acme_member, asked(), "Mia")
    await licence_requests.decline(ctx, seed.acme_admin, view.id, "Zu teuer", "Anna")
    assert "Zu teuer" not in str(store.state.notifications[-1].payload)
    assert await licence_requests.reason_of(ctx, view.id) == "Zu teuer"
    assert await licence_requests.reason_of(ctx, 999) == ""


async def test_a_request_needs_a_linked_person(ctx: Context, seed: Seed) -> None:  # R22
    unlinked = seed.acme_member.__class__(Role.MEMBER, seed.acme_member.channel, "acme")
    with pytest.raises(errors.NotLinked):
        await licence_requests.ask(ctx, unlinked, asked(), "?")
