"""Customers, prices, invites and linking on the fakes (domain/services/accounts.py, R2, R22)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from domain import errors
from domain.clock import FixedClock
from domain.commands import AddCustomer, CreateInvite, LinkUser
from domain.model import Channel, Role
from domain.services import accounts
from domain.services.accounts import OPERATOR
from domain.services.context import Context
from tests.conftest import Seed
from tests.fakes import FakeStore
from tests.unit.services.support import STANDARD, actions

TELEGRAM = Channel.TELEGRAM


async def invite(ctx: Context, role: Role = Role.MEMBER, customer: str | None = "acme") -> str:
    return (await accounts.create_invite(ctx, OPERATOR, CreateInvite(role, customer))).code


async def test_a_customer_is_added_once_with_its_discount(
    ctx: Context, store: FakeStore
) -> None:  # R2, R25
    added = await accounts.add_customer(
        ctx, OPERATOR, AddCustomer("acme", "ACME GmbH", Decimal(10))
    )
    assert (added.name, store.state.customers["acme"].price_list.discount_percent) == (
        "ACME GmbH",
        Decimal(10),
    )
    with pytest.raises(errors.CustomerExists):
        await accounts.add_customer(ctx, OPERATOR, AddCustomer("acme", "Other"))
    assert actions(store) == ["customer.add"]


async def test_only_operators_administer(ctx: Context, seed: Seed) -> None:  # R23
    for actor in (seed.acme_admin, seed.agent):
        with pytest.raises(errors.PermissionDenied):
            await accounts.add_customer(ctx, actor, AddCustomer("x", "X"))
        with pytest.raises(errors.PermissionDenied):
            await accounts.create_invite(ctx, actor, CreateInvite(Role.ADMIN, "acme"))


async def test_a_customers_own_price_is_set_and_removed(
    ctx: Context, seed: Seed, store: FakeStore
) -> None:  # R2
    await accounts.set_price(ctx, OPERATOR, "acme", STANDARD, Decimal("12.5"))
    assert store.state.customers["acme"].price_list.explicit == {STANDARD: Decimal("12.50")}
    await accounts.set_price(ctx, OPERATOR, "acme", STANDARD, None)
    assert store.state.customers["acme"].price_list.explicit == {}
    with pytest.raises(errors.ProductNotFound):
        await accounts.set_price(ctx, OPERATOR, "acme", "NOPE", Decimal(1))
    with pytest.raises(errors.CustomerNotFound):
        await accounts.set_price(ctx, OPERATOR, "nope", STANDARD, Decimal(1))


async def test_invites_are_checked_when_created(ctx: Context, seed: Seed) -> None:  # R22
    for cmd in (
        CreateInvite(Role.OPERATOR, None),
        CreateInvite(Role.AGENT, "acme"),  # the desk belongs to no customer
        CreateInvite(Role.ADMIN, None),
    ):
        with pytest.raises(errors.PermissionDenied):
            await accounts.create_invite(ctx, OPERATOR, cmd)
    with pytest.raises(errors.InvalidQuantity):
        await accounts.create_invite(ctx, OPERATOR, CreateInvite(Role.ADMIN, "acme", 91))
    with pytest.raises(errors.CustomerNotFound):
        await accounts.create_invite(ctx, OPERATOR, CreateInvite(Role.ADMIN, "nope"))


async def test_an_invite_links_once_and_expires(
    ctx: Context, seed: Seed, store: FakeStore, clock: FixedClock
) -> None:  # R22
    code = await invite(ctx)
    linked = await accounts.link_user(ctx, TELEGRAM, LinkUser("300", code, "Mia", "en"))
    assert (linked.customer_name, linked.user.role, linked.user.language) == (
        "ACME GmbH",
        Role.MEMBER,
        "en",
    )
    with pytest.raises(errors.InviteUsed):
        await accounts.link_user(ctx, TELEGRAM, LinkUser("301", code))
    with pytest.raises(errors.InviteInvalid):
        await accounts.link_user(ctx, TELEGRAM, LinkUser("301", "not a code"))
    late = await invite(ctx)
    clock.set(clock.now() + timedelta(days=8))
    with pytest.raises(errors.InviteExpired):
        await accounts.link_user(ctx, TELEGRAM, LinkUser("301", late))
    assert actions(store)[-1] == "invite.create"  # nothing linked after the first


async def test_moving_to_another_customer_needs_a_confirmation(
    ctx: Context, seed: Seed, store: FakeStore
) -> None:  # R22, issue 19
    code = await invite(ctx, Role.ADMIN, "globex")
    with pytest.raises(errors.MoveNeedsConfirmation) as asked:
        await accounts.link_user(ctx, TELEGRAM, LinkUser("101", code))
    assert (asked.value.current, asked.value.target) == ("ACME GmbH", "Globex AG")
    confirmed = LinkUser("101", "", invite_ref=asked.value.ref, move=True)
    moved = await accounts.link_user(ctx, TELEGRAM, confirmed)
    assert (moved.user.customer_id, moved.user.role) == ("globex", Role.ADMIN)
    assert store.state.audit[-1].details["previous"] == ["acme", "member"]


async def test_who_writes_is_identified_or_not_linked(ctx: Context, seed: Seed) -> None:  # R22
    identity = await accounts.identify(ctx, TELEGRAM, "100")
    assert identity is not None
    assert (identity.actor.role, identity.customer_name) == (Role.ADMIN, "ACME GmbH")
    assert await accounts.identify(ctx, TELEGRAM, "555") is None
    assert (await accounts.resolve_actor(ctx, TELEGRAM, "101")).role is Role.MEMBER
    with pytest.raises(errors.NotLinked):
        await accounts.resolve_actor(ctx, TELEGRAM, "555")


async def test_a_revoked_invite_no_longer_links(ctx: Context, seed: Seed) -> None:  # issue 19
    code = await invite(ctx)
    await accounts.revoke_invite(ctx, OPERATOR, code)
    with pytest.raises(errors.InviteRevoked):
        await accounts.link_user(ctx, TELEGRAM, LinkUser("300", code))
    used = await invite(ctx)
    await accounts.link_user(ctx, TELEGRAM, LinkUser("301", used))
    with pytest.raises(errors.InviteUsed):
        await accounts.revoke_invite(ctx, OPERATOR, used)
    for unknown in ("?", "ABCD-EFGH-JKLM"):
        with pytest.raises(errors.InviteInvalid):
            await accounts.revoke_invite(ctx, OPERATOR, unknown)


async def test_an_unlinked_person_is_unknown_but_their_records_stay(
    ctx: Context, seed: Seed, store: FakeStore
) -> None:  # issue 19, R25
    done = await accounts.unlink_user(ctx, OPERATOR, TELEGRAM, "101")
    assert (done.customer_id, done.role) == ("acme", Role.MEMBER)
    assert await accounts.identify(ctx, TELEGRAM, "101") is None
    assert store.state.audit[-1].action == "user.unlink"
    with pytest.raises(errors.PersonUnknown):
        await accounts.unlink_user(ctx, OPERATOR, TELEGRAM, "101")
