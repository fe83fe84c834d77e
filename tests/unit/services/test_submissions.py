"""Ask or write, decided once in the core (domain/services/submissions.py), over the fakes.

An admin's confirmation writes; a member's becomes a request to the customer's admins (R23);
a person of another customer finds nothing (R24) and the service desk never writes for a
customer (R23). The front ends only show what comes back.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain import errors
from domain.clock import FixedClock
from domain.commands import BookAddon, ChangeQuantity, PlaceOrder
from domain.licence_requests import RequestKind, RequestStatus
from domain.model import Actor, Channel, ChatUser, Customer, Role, require_linked
from domain.services import licence_requests, orders, submissions, subscriptions
from domain.services.accounts import OPERATOR
from domain.services.addons import AddonBooked
from domain.services.context import Context
from domain.services.licence_requests import Approval, RequestFigures
from domain.services.notifications import REQUEST_ASKED
from domain.services.orders import OrderPlaced
from domain.services.submissions import Requested
from domain.services.subscriptions import QuantityChanged
from domain.views import Quote
from tests.conftest import NOW
from tests.fakes import FakeStore, State
from tests.unit.test_model import ARCHIVE, CATALOGUE, STANDARD

ADMIN = Actor(Role.ADMIN, Channel.TELEGRAM, "acme", user_id=1)
MEMBER = Actor(Role.MEMBER, Channel.TELEGRAM, "acme", user_id=2)
OUTSIDER = Actor(Role.MEMBER, Channel.TELEGRAM, "globex", user_id=3)  # a member elsewhere
AGENT = Actor(Role.AGENT, Channel.TELEGRAM, None, user_id=4)


@pytest.fixture
def store() -> FakeStore:
    state = State(catalogue=CATALOGUE)
    state.customers = {"acme": Customer("acme", "ACME GmbH"), "globex": Customer("globex", "G")}
    state.users = [ChatUser(ADMIN.user_id, Channel.TELEGRAM, "900", Role.ADMIN, "acme")]
    return FakeStore(state)


@pytest.fixture
def ctx(store: FakeStore) -> Context:
    return Context(store, clock=FixedClock(NOW))


def order(terms: bool = True, account: bool = True, key: str | None = "k1") -> PlaceOrder:
    return PlaceOrder("acme", STANDARD.sku, 18, terms, account, key)


async def provisioned(ctx: Context) -> int:
    placed = await orders.place_order(ctx, ADMIN, order())
    await subscriptions.mark_provisioned(ctx, OPERATOR, placed.subscription.id)
    return placed.subscription.id


# -- orders ------------------------------------------------------------------------------------
async def test_an_admins_order_is_placed(ctx: Context, store: FakeStore) -> None:  # R5, R23
    preview = await submissions.preview_order(ctx, ADMIN, "acme", STANDARD.sku, 18)
    assert isinstance(preview, Quote)
    assert (preview.quantity, preview.monthly_total) == (18, STANDARD.list_price * 18)
    placed = await submissions.submit_order(ctx, ADMIN, order(), "Anna")
    assert isinstance(placed, OrderPlaced) and placed.created
    assert [s.quantity for s in store.state.subscriptions.values()] == [18]
    assert store.state.requests == {}
    with pytest.raises(errors.ConsentMissing):  # the admin gives both consents (R5)
        await submissions.submit_order(ctx, ADMIN, order(account=False, key="k2"), "Anna")


async def test_a_members_order_becomes_a_request(ctx: Context, store: FakeStore) -> None:  # R23
    figures = await submissions.preview_order(ctx, MEMBER, "acme", STANDARD.sku, 18)
    assert isinstance(figures, RequestFigures)
    assert (figures.kind, figures.quantity, figures.monthly_total) == (
        RequestKind.ORDER,
        18,
        STANDARD.list_price * 18,
    )
    # no consents: the approving admin gives them (R5)
    asked = await submissions.submit_order(ctx, MEMBER, order(False, False), "Mia")
    assert isinstance(asked, Requested)
    view = asked.request
    assert (view.kind, view.status, view.quantity) == (RequestKind.ORDER, RequestStatus.PENDING, 18)
    assert view.requested_by_name == "Mia"
    assert store.state.subscriptions == {}  # nothing ordered yet
    assert store.state.notifications == []  # Telegram sends the admins the card itself
    with pytest.raises(errors.RequestPending):  # the same request twice
        await submissions.submit_order(ctx, MEMBER, order(False, False), "Mia")

    await licence_requests.approve(ctx, ADMIN, view.id, Approval(True, True), "Anna")
    assert [s.quantity for s in store.state.subscriptions.values()] == [18]


async def test_a_request_from_rasa_tells_the_admins_through_the_outbox(
    ctx: Context, store: FakeStore
) -> None:  # R23: Rasa cannot send the card
    asked = await submissions.submit_order(ctx, MEMBER, order(), "Mia", tell_admins=True)
    assert isinstance(asked, Requested)
    assert [n.kind for n in store.state.notifications] == [REQUEST_ASKED]


async def test_an_order_a_member_could_not_have_placed_is_not_asked_for(
    ctx: Context, store: FakeStore
) -> None:  # R23: a request passes the write's own checks (R4)
    with pytest.raises(errors.InvalidQuantity):
        await submissions.preview_order(ctx, MEMBER, "acme", STANDARD.sku, 0)
    with pytest.raises(errors.InvalidQuantity):
        await submissions.submit_order(
            ctx, MEMBER, PlaceOrder("acme", STANDARD.sku, 0, False, False), "Mia"
        )
    assert store.state.requests == {}


async def test_another_customers_member_and_the_service_desk_may_not_order(
    ctx: Context, store: FakeStore
) -> None:
    with pytest.raises(errors.CustomerNotFound):  # R24: acme is not confirmed to exist
        await submissions.submit_order(ctx, OUTSIDER, order(), "Gus")
    with pytest.raises(errors.CustomerNotFound):
        await submissions.preview_order(ctx, OUTSIDER, "acme", STANDARD.sku, 18)
    with pytest.raises(errors.PermissionDenied) as refused:  # R23: the desk prepares requests
        await submissions.submit_order(ctx, AGENT, order(), "Bernd")
    assert not refused.value.can_request
    assert (store.state.subscriptions, store.state.requests) == ({}, {})


# -- changes of quantity -----------------------------------------------------------------------
async def test_an_admin_changes_and_a_member_asks(ctx: Context, store: FakeStore) -> None:
    sub = await provisioned(ctx)  # R11, R23
    preview = await submissions.preview_change(ctx, ADMIN, ChangeQuantity(sub, 20))
    assert isinstance(preview, QuantityChanged) and preview.old_quantity == 18
    figures = await submissions.preview_change(ctx, MEMBER, ChangeQuantity(sub, 20))
    assert isinstance(figures, RequestFigures)
    assert (figures.old_quantity, figures.quantity) == (18, 20)
    assert store.state.subscriptions[sub].quantity == 18  # previews save nothing

    asked = await submissions.submit_change(ctx, MEMBER, ChangeQuantity(sub, 20), "Mia")
    assert isinstance(asked, Requested)
    assert (asked.request.kind, asked.request.quantity) == (RequestKind.CHANGE, 20)
    assert asked.request.subscription_id == sub
    assert store.state.subscriptions[sub].quantity == 18

    changed = await submissions.submit_change(ctx, ADMIN, ChangeQuantity(sub, 25), "Anna")
    assert isinstance(changed, QuantityChanged)
    assert store.state.subscriptions[sub].quantity == 25


async def test_a_change_nobody_could_make_is_refused_before_it_is_asked(
    ctx: Context, store: FakeStore
) -> None:  # R12: the same total again; R23: a request passes the write's checks
    sub = await provisioned(ctx)
    with pytest.raises(errors.QuantityUnchanged):
        await submissions.preview_change(ctx, MEMBER, ChangeQuantity(sub, 18))
    with pytest.raises(errors.QuantityUnchanged):
        await submissions.submit_change(ctx, MEMBER, ChangeQuantity(sub, 18), "Mia")
    assert store.state.requests == {}


async def test_an_admins_change_after_another_one_conflicts(ctx: Context) -> None:  # R13
    sub = await provisioned(ctx)
    seen = (await orders.order_status(ctx, ADMIN, sub)).version
    await submissions.submit_change(ctx, ADMIN, ChangeQuantity(sub, 20, seen), "Anna")
    with pytest.raises(errors.VersionConflict):
        await submissions.submit_change(ctx, ADMIN, ChangeQuantity(sub, 22, seen), "Anna")


async def test_another_customers_subscription_cannot_be_changed_or_asked_for(
    ctx: Context, store: FakeStore
) -> None:
    sub = await provisioned(ctx)
    with pytest.raises(errors.SubscriptionNotFound):  # R24: like a missing one
        await submissions.submit_change(ctx, OUTSIDER, ChangeQuantity(sub, 20), "Gus")
    with pytest.raises(errors.SubscriptionNotFound):
        await submissions.preview_change(ctx, OUTSIDER, ChangeQuantity(sub, 20))
    with pytest.raises(errors.PermissionDenied):  # R23: the desk never writes for a customer
        await submissions.submit_change(ctx, AGENT, ChangeQuantity(sub, 20), "Bernd")
    assert store.state.requests == {}
    assert store.state.subscriptions[sub].quantity == 18


# -- add-ons -----------------------------------------------------------------------------------
async def test_an_admin_books_an_add_on_and_a_member_asks(ctx: Context, store: FakeStore) -> None:
    sub = await provisioned(ctx)  # R14, R17, R23
    preview = await submissions.preview_addon(ctx, ADMIN, BookAddon(sub, ARCHIVE.sku, False, 5))
    assert isinstance(preview, AddonBooked) and preview.addon.quantity == 5
    figures = await submissions.preview_addon(ctx, MEMBER, BookAddon(sub, ARCHIVE.sku, False, 5))
    assert isinstance(figures, RequestFigures)
    assert (figures.addon_sku, figures.quantity) == (ARCHIVE.sku, 5)
    assert figures.monthly_total == ARCHIVE.list_price * 5 == Decimal("16.80")

    asked = await submissions.submit_addon(
        ctx, MEMBER, BookAddon(sub, ARCHIVE.sku, False, 5), "Mia"
    )
    assert isinstance(asked, Requested)
    assert (asked.request.kind, asked.request.addon_sku) == (RequestKind.ADDON, ARCHIVE.sku)
    assert store.state.subscriptions[sub].addons == []

    with pytest.raises(errors.ConsentMissing):  # the admin accepts the terms (R17)
        await submissions.submit_addon(ctx, ADMIN, BookAddon(sub, ARCHIVE.sku, False, 5), "Anna")
    booked = await submissions.submit_addon(ctx, ADMIN, BookAddon(sub, ARCHIVE.sku, True), "Anna")
    assert isinstance(booked, AddonBooked)
    assert booked.addon.quantity == 18  # None: the base quantity (R17)


async def test_no_add_on_is_asked_for_before_provisioning(ctx: Context, store: FakeStore) -> None:
    placed = await orders.place_order(ctx, ADMIN, order())  # R14
    cmd = BookAddon(placed.subscription.id, ARCHIVE.sku, False)
    with pytest.raises(errors.AddonRequiresProvisioned):
        await submissions.submit_addon(ctx, MEMBER, cmd, "Mia")
    assert store.state.requests == {}


async def test_another_customers_add_on_cannot_be_booked_or_asked_for(
    ctx: Context, store: FakeStore
) -> None:
    sub = await provisioned(ctx)
    cmd = BookAddon(sub, ARCHIVE.sku, True, 5)
    with pytest.raises(errors.SubscriptionNotFound):  # R24
        await submissions.submit_addon(ctx, OUTSIDER, cmd, "Gus")
    with pytest.raises(errors.PermissionDenied):  # R23
        await submissions.submit_addon(ctx, AGENT, cmd, "Bernd")
    assert store.state.requests == {}
    assert store.state.subscriptions[sub].addons == []


# -- the decision itself -----------------------------------------------------------------------
def test_who_asks_and_who_writes() -> None:  # R23, R24
    for kind in RequestKind:
        assert submissions.asks(MEMBER, kind, "acme") is True
        assert submissions.asks(ADMIN, kind, "acme") is False
        with pytest.raises(errors.CustomerNotFound):
            submissions.asks(MEMBER, kind, "globex")
        with pytest.raises(errors.PermissionDenied):
            submissions.asks(AGENT, kind, "acme")


def test_no_actor_or_no_customer_is_not_linked() -> None:  # R22
    with pytest.raises(errors.NotLinked):
        require_linked(None)
    assert require_linked(MEMBER).require_customer() == "acme"
    with pytest.raises(errors.NotLinked):  # the service desk acts for no customer of its own
        AGENT.require_customer()
