"""Customers, invites and linking (R2, R22-R25) on both databases."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from domain import errors
from domain.clock import FixedClock
from domain.commands import AddCustomer, CreateInvite, LinkUser
from domain.model import Channel, Role
from domain.services import accounts, catalogue
from domain.services.accounts import OPERATOR
from domain.services.context import Context
from domain.storage import tables
from tests.conftest import Seed
from tests.storage import read


async def invite(ctx: Context, role: Role = Role.ADMIN, customer: str | None = "acme") -> str:
    return (await accounts.create_invite(ctx, OPERATOR, CreateInvite(role, customer))).code


async def test_an_invite_links_a_chat_user_to_its_customer_and_role(
    ctx: Context, seed: Seed
) -> None:  # R22
    code = await invite(ctx, Role.MEMBER)
    linked = await accounts.link_user(ctx, Channel.TELEGRAM, LinkUser("555", code, "Mia", "en"))
    assert linked.customer_name == "ACME GmbH"
    actor = await accounts.resolve_actor(ctx, Channel.TELEGRAM, "555")
    assert (actor.customer_id, actor.role, actor.label) == ("acme", Role.MEMBER, "Mia")


async def test_an_invite_works_only_once(ctx: Context, seed: Seed) -> None:  # R22
    code = await invite(ctx)
    await accounts.link_user(ctx, Channel.TELEGRAM, LinkUser("1", code))
    with pytest.raises(errors.InviteUsed):
        await accounts.link_user(ctx, Channel.TELEGRAM, LinkUser("2", code))
    with pytest.raises(errors.NotLinked):
        await accounts.resolve_actor(ctx, Channel.TELEGRAM, "2")


async def test_an_invite_expires(ctx: Context, seed: Seed) -> None:  # R22
    code = await invite(ctx)
    assert isinstance(ctx.clock, FixedClock)
    ctx.clock.set(ctx.now() + timedelta(days=7, seconds=1))
    with pytest.raises(errors.InviteExpired):
        await accounts.link_user(ctx, Channel.TELEGRAM, LinkUser("1", code))


@pytest.mark.parametrize("code", ["", "   ", "nope", "x" * 65, "<script>", "ab cd"])
async def test_unknown_or_malformed_codes_are_invalid(ctx: Context, seed: Seed, code: str) -> None:
    with pytest.raises(errors.InviteInvalid):
        await accounts.link_user(ctx, Channel.TELEGRAM, LinkUser("1", code))


async def test_invite_codes_are_stored_only_as_hashes(ctx: Context, seed: Seed) -> None:  # R22
    code = await invite(ctx)
    async with read(ctx.db) as uow:
        stored: list[str] = list(
            (await uow.session.execute(select(tables.invites.c.code_hash))).scalars().all()
        )
    assert code not in stored
    assert all(len(h) == 64 for h in stored)


async def test_the_same_chat_id_on_another_channel_is_another_person(
    ctx: Context, seed: Seed
) -> None:
    # seed linked Telegram user "100"; a Rasa sender "100" is not linked
    with pytest.raises(errors.NotLinked):
        await accounts.resolve_actor(ctx, Channel.RASA, "100")


async def test_a_new_invite_moves_the_user_and_the_audit_keeps_both(
    ctx: Context, seed: Seed
) -> None:
    code = await invite(ctx, Role.MEMBER, "globex")
    with pytest.raises(errors.MoveNeedsConfirmation):  # asked first (issue 19), nothing moved
        await accounts.link_user(ctx, Channel.TELEGRAM, LinkUser("100", code))
    stayed = await accounts.resolve_actor(ctx, Channel.TELEGRAM, "100")
    assert (stayed.customer_id, stayed.role) == ("acme", Role.ADMIN)
    await accounts.link_user(ctx, Channel.TELEGRAM, LinkUser("100", code, move=True))
    actor = await accounts.resolve_actor(ctx, Channel.TELEGRAM, "100")
    assert (actor.customer_id, actor.role) == ("globex", Role.MEMBER)
    async with ctx.uow(write=False) as uow:
        entries = await uow.records.audit_for("globex")
    link = [e for e in entries if e["action"] == "user.link"][-1]
    assert link["details"]["previous"] == ["acme", "admin"]


async def test_agent_invites_are_not_bound_to_a_customer(ctx: Context, seed: Seed) -> None:
    with pytest.raises(errors.PermissionDenied):
        await accounts.create_invite(ctx, OPERATOR, CreateInvite(Role.AGENT, "acme"))
    with pytest.raises(errors.PermissionDenied):
        await accounts.create_invite(ctx, OPERATOR, CreateInvite(Role.ADMIN, None))
    with pytest.raises(errors.CustomerNotFound):
        await accounts.create_invite(ctx, OPERATOR, CreateInvite(Role.ADMIN, "nobody"))


async def test_only_the_operator_administers(ctx: Context, seed: Seed) -> None:  # R23
    for actor in (seed.acme_admin, seed.agent):
        with pytest.raises(errors.PermissionDenied):
            await accounts.create_invite(ctx, actor, CreateInvite(Role.ADMIN, "acme"))
        with pytest.raises(errors.PermissionDenied):
            await accounts.add_customer(ctx, actor, AddCustomer("evil", "Evil"))
        with pytest.raises(errors.PermissionDenied):
            await accounts.set_price(ctx, actor, "acme", "M365-E3", Decimal("0.01"))


async def test_customers_are_unique(ctx: Context, seed: Seed) -> None:
    with pytest.raises(errors.CustomerExists):
        await accounts.add_customer(ctx, OPERATOR, AddCustomer("acme", "ACME again"))


async def test_a_price_for_an_unknown_sku_is_refused(ctx: Context, seed: Seed) -> None:
    with pytest.raises(errors.ProductNotFound):
        await accounts.set_price(ctx, OPERATOR, "acme", "NOPE", Decimal("1.00"))


async def test_catalogue_prices_follow_the_customer(ctx: Context, seed: Seed) -> None:  # R1, R2
    await accounts.add_customer(ctx, OPERATOR, AddCustomer("cheap", "Cheap KG", Decimal("20")))
    await accounts.set_price(ctx, OPERATOR, "cheap", "M365-E3", Decimal("35.00"))
    listed = {o.sku: o for o in await catalogue.browse_catalogue(ctx, OPERATOR, "cheap")}
    assert listed["M365-E3"].unit_price == Decimal("35.00")
    assert listed["M365-BUSINESS-BASIC"].unit_price == Decimal("5.33")  # 6.66 × 0.8 = 5.328
    standard = {o.sku: o for o in await catalogue.browse_catalogue(ctx, seed.acme_admin, "acme")}
    assert standard["M365-E3"].unit_price == Decimal("46.77")
    with pytest.raises(errors.CustomerNotFound):
        await catalogue.browse_catalogue(ctx, seed.acme_admin, "cheap")  # R24
