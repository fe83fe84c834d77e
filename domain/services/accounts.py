"""Customers, price lists, invites and linking chat users to customers (R2, R22, R23)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from domain import errors
from domain.access import Action, authorize
from domain.commands import AddCustomer, CreateInvite, LinkUser
from domain.invites import hash_code, new_code, normalise
from domain.model import Actor, Channel, ChatUser, Customer, Role
from domain.pricing import PriceList, to_money
from domain.services.context import Context

MAX_INVITE_DAYS = 90


async def add_customer(ctx: Context, actor: Actor, cmd: AddCustomer) -> Customer:
    authorize(actor, Action.ADMINISTER, None)
    customer = Customer(cmd.customer_id, cmd.name, PriceList(discount_percent=cmd.discount_percent))
    try:
        async with ctx.uow() as uow:
            if await uow.customers.exists(cmd.customer_id):
                raise errors.CustomerExists(cmd.customer_id)
            await uow.customers.add(customer, ctx.now())
            await uow.records.audit(
                ctx.audit(
                    actor,
                    customer.id,
                    "customer.add",
                    f"customer:{customer.id}",
                    name=customer.name,
                    discount_percent=str(cmd.discount_percent),
                )
            )
            await uow.commit()
    except errors.Duplicate:  # another operator added it at the same moment
        raise errors.CustomerExists(cmd.customer_id) from None
    return customer


async def set_price(
    ctx: Context, actor: Actor, customer_id: str, sku: str, price: Decimal | None
) -> None:
    """Give a customer its own price for a product or add-on (R2); None: back to the default."""
    authorize(actor, Action.ADMINISTER, None)
    async with ctx.uow() as uow:
        await uow.customers.get(customer_id)
        catalogue = await uow.catalogue.load()
        if sku not in catalogue.products and sku not in catalogue.addons:
            raise errors.ProductNotFound(sku)
        amount = None if price is None else to_money(price)
        await uow.customers.set_price(customer_id, sku, amount)
        await uow.records.audit(
            ctx.audit(actor, customer_id, "customer.set_price", f"price:{sku}", price=str(amount))
        )
        await uow.commit()


@dataclass(frozen=True)
class IssuedInvite:
    code: str  # shown once; only its hash is stored
    customer_id: str | None
    role: Role
    expires_at: datetime


async def create_invite(ctx: Context, actor: Actor, cmd: CreateInvite) -> IssuedInvite:
    """A single-use code that links one chat user to a customer with a role (R22)."""
    authorize(actor, Action.ADMINISTER, None)
    if cmd.role is Role.OPERATOR:
        raise errors.PermissionDenied("invite", cmd.role.value)
    if (cmd.role is Role.AGENT) != (cmd.customer_id is None):
        raise errors.PermissionDenied("invite", cmd.role.value)
    if not 1 <= cmd.valid_days <= MAX_INVITE_DAYS:
        raise errors.InvalidQuantity(cmd.valid_days, 1, MAX_INVITE_DAYS)
    code = new_code()
    expires_at = ctx.now() + timedelta(days=cmd.valid_days)
    async with ctx.uow() as uow:
        if cmd.customer_id is not None:
            await uow.customers.get(cmd.customer_id)
        await uow.invites.add(hash_code(code), cmd.customer_id, cmd.role, ctx.now(), expires_at)
        await uow.records.audit(
            ctx.audit(
                actor,
                cmd.customer_id,
                "invite.create",
                f"invite:{cmd.role}",
                expires_at=expires_at.isoformat(),
            )
        )
        await uow.commit()
    return IssuedInvite(code, cmd.customer_id, cmd.role, expires_at)


@dataclass(frozen=True)
class Linked:
    user: ChatUser
    customer_name: str | None


async def link_user(ctx: Context, channel: Channel, cmd: LinkUser) -> Linked:
    """Redeem an invite: the chat user now acts for its customer with its role (R22).

    A person linked to another customer or with another role is moved to the invite's only
    with `cmd.move` (they confirmed); otherwise MoveNeedsConfirmation and nothing changes (the
    invite stays unused). The audit trail keeps both.
    """
    ref = cmd.invite_ref
    if ref is None:
        code = normalise(cmd.code)
        if code is None:
            raise errors.InviteInvalid()
        ref = hash_code(code)
    now = ctx.now()
    async with ctx.uow() as uow:
        invite = await uow.invites.by_hash(ref)
        if invite is None:
            raise errors.InviteInvalid()
        invite.check_redeemable(now, ctx.tz)
        customer_name = None
        if invite.customer_id is not None:
            customer_name = (await uow.customers.get(invite.customer_id)).name
        user = await uow.users.by_external(channel, cmd.channel_user)
        previous = (user.customer_id, user.role.value) if user else None
        if (
            user is not None
            and not cmd.move
            and previous != (invite.customer_id, invite.role.value)
        ):
            current = ""
            if user.customer_id is not None:
                current = (await uow.customers.get(user.customer_id)).name
            raise errors.MoveNeedsConfirmation(current, customer_name or "", invite.role.value, ref)
        if user is None:
            user = ChatUser(None, channel, cmd.channel_user, invite.role, invite.customer_id)
            uow.users.add(user)
        user.role, user.customer_id = invite.role, invite.customer_id
        user.display_name = cmd.display_name[:200] or user.display_name
        user.language = cmd.language or user.language
        await uow.flush()
        if not await uow.invites.claim(invite.id, user.id or 0, now):
            raise errors.InviteUsed()
        await uow.records.audit(
            ctx.audit(
                user.as_actor(),
                invite.customer_id,
                "user.link",
                f"user:{user.id}",
                role=invite.role.value,
                previous=list(previous) if previous else None,
            )
        )
        await uow.commit()
    return Linked(user, customer_name)


@dataclass(frozen=True)
class Identity:
    """Who is writing: the actor, and the name of the customer it acts for (screen titles)."""

    actor: Actor
    customer_name: str | None


async def identify(ctx: Context, channel: Channel, channel_user: str) -> Identity | None:
    """The linked person behind a chat identity with its customer's name; None if unknown."""
    async with ctx.uow(write=False) as uow:
        found = await uow.users.with_customer_name(channel, channel_user)
    if found is None:
        return None
    user, name = found
    return Identity(user.as_actor(), name)


async def resolve_actor(ctx: Context, channel: Channel, channel_user: str) -> Actor:
    """The actor behind a chat identity, or NotLinked (R22)."""
    async with ctx.uow(write=False) as uow:
        user = await uow.users.by_external(channel, channel_user)
    if user is None:
        raise errors.NotLinked()
    return user.as_actor()


OPERATOR = Actor(Role.OPERATOR, Channel.CLI, None, label="operator")


async def revoke_invite(ctx: Context, actor: Actor, code: str) -> None:
    """An unused invite no longer works (issue 19); a used one cannot be revoked (InviteUsed),
    an unknown code is InviteInvalid; whoever opens it later is told it was revoked."""
    authorize(actor, Action.ADMINISTER, None)
    normalised = normalise(code)
    if normalised is None:
        raise errors.InviteInvalid()
    async with ctx.uow() as uow:
        invite = await uow.invites.by_hash(hash_code(normalised))
        if invite is None:
            raise errors.InviteInvalid()
        if not await uow.invites.revoke(invite.id, ctx.now()):
            raise errors.InviteUsed()
        await uow.records.audit(
            ctx.audit(actor, invite.customer_id, "invite.revoke", f"invite:{invite.role}")
        )
        await uow.commit()


UNLINKED = "unlinked:{}"  # the external id of a person no longer linked (no channel reaches it)


@dataclass(frozen=True)
class Unlinked:
    user_id: int
    customer_id: str | None
    role: Role


async def unlink_user(ctx: Context, actor: Actor, channel: Channel, external_id: str) -> Unlinked:
    """The person no longer acts for their customer (issue 19): their chat identity is freed
    (the next message is answered as from anybody not linked; a new invite links them afresh),
    and everything they did stays under their name, as it was. Unknown: PersonUnknown."""
    authorize(actor, Action.ADMINISTER, None)
    async with ctx.uow() as uow:
        user = await uow.users.by_external(channel, external_id)
        if user is None or user.id is None:
            raise errors.PersonUnknown(channel.value, external_id)
        done = Unlinked(user.id, user.customer_id, user.role)
        user.channel, user.external_id = Channel.SYSTEM, UNLINKED.format(user.id)
        user.customer_id = None
        await uow.records.audit(
            ctx.audit(
                actor, done.customer_id, "user.unlink", f"user:{user.id}", role=user.role.value
            )
        )
        await uow.commit()
    return done
