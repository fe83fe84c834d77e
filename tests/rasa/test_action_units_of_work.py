"""One unit of work per action call (docs/design.md, decision 2): the sender is resolved and every
use case of the call runs in it, and it is committed once, also when a refusal was explained."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable
from dataclasses import dataclass, field

import pytest

from actions.conversation import Texts
from domain.commands import ChangeQuantity, PlaceOrder
from domain.model import Role
from domain.services import orders, subscriptions
from domain.services.accounts import OPERATOR
from domain.services.context import Context
from domain.storage.uow import SqlUnitOfWork
from tests.conftest import Seed, link
from tests.rasa.action_server import (
    QUIET,
    ActionServer,
    Dialogue,
    Reply,
    linked,
    serve,
    stop_serving,
)
from tests.storage import sql

pytestmark = QUIET
DE = Texts("de")


@dataclass
class Units:
    """Every unit of work opened on the database, in order, with its mode."""

    opened: list[tuple[bool, SqlUnitOfWork]] = field(default_factory=list)

    async def of(self, call: Awaitable[Reply]) -> tuple[Reply, list[tuple[bool, SqlUnitOfWork]]]:
        """The reply of one action call and the units of work it opened."""
        self.opened.clear()
        reply = await call
        assert reply.status == 200, reply.body
        return reply, list(self.opened)

    async def one(self, call: Awaitable[Reply], *, write: bool) -> tuple[Reply, int]:
        """The call opened exactly one unit of work, in mode `write`: its reply and commits."""
        reply, opened = await self.of(call)
        assert [mode for mode, _ in opened] == [write], reply.texts
        return reply, opened[0][1].transactions


@pytest.fixture
async def units(ctx: Context, seed: Seed, monkeypatch: pytest.MonkeyPatch) -> Units:
    recorded = Units()
    database = sql(ctx.db)
    opener = database.unit_of_work

    def recording(*, write: bool = True) -> SqlUnitOfWork:
        uow = opener(write=write)
        recorded.opened.append((write, uow))
        return uow

    monkeypatch.setattr(database, "unit_of_work", recording)
    return recorded


@pytest.fixture
async def server(ctx: Context, seed: Seed) -> AsyncIterator[ActionServer]:
    yield serve(ctx)
    stop_serving()


@pytest.fixture
async def anna(server: ActionServer, ctx: Context) -> Dialogue:
    return await linked(server, ctx, Role.ADMIN, "acme", "rasa-anna")


async def test_an_order_takes_one_transaction_per_call(
    anna: Dialogue, units: Units, ctx: Context, seed: Seed
) -> None:
    anna.user("5 E3 bestellen", "order_product", sets={"product": "M365-E3", "quantity": "5"})
    _, commits = await units.one(anna.activate("order_form"), write=False)  # quotes twice
    assert commits == 1
    _, commits = await units.one(anna.run("action_ask_terms_accepted"), write=False)
    assert commits == 1
    await anna.answer("ja", "affirm", {"terms_accepted": True})
    _, commits = await units.one(
        anna.answer("ja", "affirm", {"account_consent": True}), write=False
    )
    assert commits == 1
    placed, commits = await units.one(anna.run("action_place_order"), write=True)
    assert "ist eingegangen" in placed.text
    assert commits == 1
    (sub,) = (await orders.list_orders(ctx, seed.acme_admin, "acme")).subscriptions
    assert sub.quantity == 5


async def test_reading_actions_take_at_most_one_transaction(
    anna: Dialogue, units: Units, ctx: Context, seed: Seed
) -> None:
    await orders.place_order(ctx, seed.acme_admin, PlaceOrder("acme", "M365-E3", 5, True, True))
    anna.user("Meine Bestellungen", "show_orders")
    for action in ("action_show_orders", "action_order_status", "action_list_products"):
        reply, commits = await units.one(anna.run(action), write=False)
        assert "Microsoft 365 E3" in reply.text, action
        assert commits <= 1, action


async def test_change_add_on_and_cancel_each_commit_once(
    anna: Dialogue, units: Units, ctx: Context, seed: Seed
) -> None:
    placed = await orders.place_order(
        ctx, seed.acme_admin, PlaceOrder("acme", "M365-E3", 5, True, True)
    )
    e3 = placed.subscription.id
    await subscriptions.mark_provisioned(ctx, OPERATOR, e3)

    anna.user("E3 auf 8", "change_quantity", sets={"subscription": "M365-E3", "quantity": "8"})
    _, commits = await units.one(anna.activate("change_quantity_form"), write=False)
    assert commits == 1
    _, commits = await units.one(anna.run("action_ask_confirm_change"), write=False)  # dry run
    assert commits == 1
    await anna.answer("ja", "affirm")
    changed, commits = await units.one(anna.run("action_change_quantity"), write=True)
    assert changed.text.startswith("✅ Die Menge von Microsoft 365 E3 ist jetzt 8")
    assert commits == 1

    anna.user("Copilot für E3", "book_addon", sets={"subscription": "E3", "addon": "COPILOT"})
    await anna.activate("addon_form")
    await anna.answer("3", "inform", {"quantity": "3"})
    await anna.answer("ja", "affirm")
    booked, commits = await units.one(anna.run("action_book_addon"), write=True)
    assert booked.text.startswith("✅ Add-On Microsoft 365 Copilot ist gebucht: 3 Nutzer")
    assert commits == 1

    anna.user("E3 kündigen", "cancel_product", sets={"subscription": "M365-E3"})
    await anna.activate("cancel_form")
    _, commits = await units.one(anna.run("action_ask_confirm_cancel"), write=False)  # dry run
    assert commits == 1
    await anna.answer("ja", "affirm", {"confirm_cancel": True})
    cancelled, commits = await units.one(anna.run("action_cancel_subscription"), write=True)
    assert cancelled.text.startswith("Die Kündigung von Microsoft 365 E3 ist eingegangen.")
    assert commits == 1
    view = await orders.order_status(ctx, seed.acme_admin, e3)
    assert (view.quantity, view.status.value, len(view.addons)) == (8, "cancelled", 1)


async def test_a_refused_write_commits_once_and_changes_nothing(
    anna: Dialogue, units: Units, ctx: Context, seed: Seed
) -> None:  # R13
    placed = await orders.place_order(
        ctx, seed.acme_admin, PlaceOrder("acme", "M365-E3", 5, True, True)
    )
    e3 = placed.subscription.id
    anna.user("E3 auf 8", "change_quantity", sets={"subscription": "M365-E3", "quantity": "8"})
    await anna.activate("change_quantity_form")
    await anna.answer("ja", "affirm")
    other_admin = await link(ctx, Role.ADMIN, "acme", "telegram-ben")
    await subscriptions.change_quantity(ctx, other_admin, ChangeQuantity(e3, 6))

    refused, commits = await units.one(anna.run("action_change_quantity"), write=True)
    assert refused.texts == [DE("errors.version_conflict", current_quantity=6)]
    assert commits == 1
    assert (await orders.order_status(ctx, seed.acme_admin, e3)).quantity == 6


async def test_an_unlinked_sender_is_answered_in_one_unit_of_work(
    server: ActionServer, units: Units
) -> None:
    stranger = Dialogue(server, "rasa-nobody")
    stranger.user("Meine Bestellungen", "show_orders")
    reply, commits = await units.one(stranger.run("action_show_orders"), write=False)
    assert reply.texts == [DE("errors.not_linked")]
    assert commits == 1
