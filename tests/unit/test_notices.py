"""Who is told (the use cases over the fakes), the back-off, and notices in words."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.clock import FixedClock
from domain.commands import (
    BookAddon,
    CancelAddon,
    CancelSubscription,
    ChangeAddon,
    ChangeQuantity,
    PlaceOrder,
)
from domain.model import Channel, ChatUser, Customer, Role
from domain.ports import Notification
from domain.services import addons, notifications, orders, subscriptions
from domain.services.accounts import OPERATOR
from domain.services.context import Context
from domain.texts.i18n import Translator
from domain.texts.notices import UnknownNotice, notice
from tests.conftest import NOW
from tests.fakes import FakeStore, State
from tests.unit.test_model import ARCHIVE, CATALOGUE, STANDARD


@pytest.fixture
def store() -> FakeStore:
    state = State(catalogue=CATALOGUE)
    state.customers = {"acme": Customer("acme", "ACME GmbH"), "globex": Customer("globex", "G")}
    state.users = [
        ChatUser(1, Channel.TELEGRAM, "100", Role.ADMIN, "acme"),
        ChatUser(2, Channel.TELEGRAM, "101", Role.ADMIN, "acme"),
        ChatUser(3, Channel.TELEGRAM, "102", Role.MEMBER, "acme"),
        ChatUser(4, Channel.RASA, "r-1", Role.ADMIN, "acme"),  # Rasa cannot be told unasked
        ChatUser(5, Channel.TELEGRAM, "200", Role.ADMIN, "globex"),
    ]
    state.next_id = 10
    return FakeStore(state)


@pytest.fixture
def ctx(store: FakeStore) -> Context:
    return Context(store, clock=FixedClock(NOW))


def told(store: FakeStore, kind: str) -> list[int | None]:
    ids = [n.id for n in store.state.notifications if n.kind == kind]
    return [d["user_id"] for d in store.state.deliveries if d["notification_id"] in ids]


async def test_who_ordered_and_the_admins_are_told_once_not_who_acted(
    ctx: Context, store: FakeStore
) -> None:  # R10, R11, R18, R23, R24
    first, second = (u.as_actor() for u in store.state.users[:2])
    placed = await orders.place_order(
        ctx, first, PlaceOrder("acme", STANDARD.sku, 5, True, True, "k")
    )
    sub = placed.subscription.id
    await subscriptions.mark_provisioned(ctx, OPERATOR, sub)
    assert told(store, notifications.PROVISIONED) == [1, 2]  # the orderer once, though admin
    await subscriptions.change_quantity(ctx, first, ChangeQuantity(sub, 6))
    assert told(store, notifications.CHANGED) == [2]  # not the one who changed it
    await subscriptions.cancel_subscription(ctx, second, CancelSubscription(sub))
    assert told(store, notifications.CANCELLED) == [1]


async def test_an_add_on_changed_or_cancelled_is_told_like_the_product(
    ctx: Context, store: FakeStore
) -> None:  # R17, R23: the other admins hear of it, not who did it
    first, second = (u.as_actor() for u in store.state.users[:2])
    placed = await orders.place_order(
        ctx, first, PlaceOrder("acme", STANDARD.sku, 5, True, True, "k")
    )
    sub = placed.subscription.id
    await subscriptions.mark_provisioned(ctx, OPERATOR, sub)
    await addons.book_addon(ctx, first, BookAddon(sub, ARCHIVE.sku, True))
    booking = (await orders.order_status(ctx, first, sub)).addons[0].id
    await addons.change_addon(ctx, first, ChangeAddon(sub, booking, 3))
    assert told(store, notifications.ADDON_CHANGED) == [2]
    await addons.cancel_addon(ctx, second, CancelAddon(sub, booking))
    assert told(store, notifications.ADDON_CANCELLED) == [1]
    [changed] = [n for n in store.state.notifications if n.kind == notifications.ADDON_CHANGED]
    assert notice(Translator("de"), changed) == (
        "Das Add-On Exchange Online Archiving von <b>Microsoft 365 Business Standard</b> "
        f"(Bestellung Nr. {sub}) hat jetzt 3 Nutzer (vorher 5)."
    )
    [gone] = [n for n in store.state.notifications if n.kind == notifications.ADDON_CANCELLED]
    assert notice(Translator("en"), gone) == (
        "The add-on Exchange Online Archiving of <b>Microsoft 365 Business Standard</b> "
        f"(order no. {sub}) has been cancelled as of 30 Nov 2026."
    )


def test_the_back_off_doubles_from_ten_seconds_up_to_fifteen_minutes() -> None:
    waits = [notifications.backoff(n) for n in range(1, 10)]
    assert waits[:4] == [timedelta(seconds=s) for s in (10, 20, 40, 80)]
    assert waits[-1] == timedelta(minutes=15)
    assert notifications.backoff(10_000) == timedelta(minutes=15)


def test_customer_text_in_a_notice_is_escaped_for_telegram_html() -> None:
    declined = Notification(
        1,
        "acme",
        notifications.REQUEST_DECLINED,
        {
            "request_id": 4,
            "kind": "order",
            "customer_name": "A & B <GmbH>",
            "product_name": "Exchange Online (Plan 1)",
            "quantity": 1,
            "reason": "<b>nein</b>",
        },
    )
    assert Translator("en")(  # the same words as /requests, escaped
        "notify.request_declined",
        number=4,
        customer="A &amp; B &lt;GmbH&gt;",
        what="Exchange Online (Plan 1), 1 user",
        reason="&lt;b&gt;nein&lt;/b&gt;",
    ) == notice(Translator("en"), declined)


def test_a_kind_this_version_cannot_say_is_refused_not_guessed() -> None:
    with pytest.raises(UnknownNotice):  # the delivery is tried again later, not dropped
        notice(Translator("de"), Notification(1, "acme", "something.new", {}))


def test_a_withdrawn_request_is_named_with_escaped_customer_text() -> None:  # R23
    withdrawn = Notification(
        1,
        "acme",
        notifications.REQUEST_WITHDRAWN,
        {
            "request_id": 7,
            "kind": "order",
            "customer_name": "A & B <GmbH>",
            "product_name": "Exchange Online (Plan 1)",
            "quantity": 2,
        },
    )
    assert notice(Translator("de"), withdrawn) == (
        "↩️ Anfrage Nr. 7 (A &amp; B &lt;GmbH&gt;) ist zurückgezogen: "
        "Exchange Online (Plan 1), 2 Nutzer. Es ist nichts mehr zu entscheiden."
    )
