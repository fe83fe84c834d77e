"""Licence requests (R23): members ask and the service desk prepares; admins decide.

A request passes the checks the write itself would pass (R4, R6, R12, R14, R17) when it is
made, so an admin is never asked to approve what cannot be done; approving runs that write
with the admin's own consents (R5, R17), in the same transaction as the decision, so the
first decision wins and a request is never carried out twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from domain import errors
from domain.access import Action, authorize, authorize_record
from domain.commands import BookAddon, CancelSubscription, ChangeQuantity, PlaceOrder
from domain.licence_requests import LicenceRequest, Origin, RequestKind, RequestStatus
from domain.model import Actor, Channel, Role
from domain.ports import UnitOfWork
from domain.pricing import monthly_total
from domain.services import addons, catalogue, notifications, orders, subscriptions
from domain.services.context import Context
from domain.services.orders import place_order


@dataclass(frozen=True)
class AskRequest:
    customer_id: str
    kind: RequestKind
    product_sku: str | None = None  # ORDER
    quantity: int | None = None  # the quantity, the new total, the add-on's users (None: all)
    subscription_id: int | None = None  # CHANGE, ADDON, CANCEL
    addon_sku: str | None = None  # ADDON


@dataclass(frozen=True)
class Person:
    """Whom to tell: a linked person's address and language."""

    channel: Channel
    external_id: str
    language: str | None


@dataclass(frozen=True)
class RequestView:
    id: int
    customer_id: str
    customer_name: str
    kind: RequestKind
    origin: Origin
    status: RequestStatus
    product_sku: str
    product_name: str
    quantity: int | None
    subscription_id: int | None
    addon_sku: str | None
    addon_name: str | None
    requested_by_name: str
    decided_by_name: str
    reason: str
    created_at: datetime
    result_id: int | None

    def as_json(self) -> dict[str, object]:
        """The shape of `licencebot requests --json` (interfaces.md)."""
        return {
            "id": self.id,
            "customer_id": self.customer_id,
            "kind": self.kind.value,
            "status": self.status.value,
            "product_sku": self.product_sku,
            "quantity": self.quantity,
            "requested_by": self.requested_by_name,
            "decided_by": self.decided_by_name or None,
            "reason": self.reason or None,
        }


async def _view(uow: UnitOfWork, request: LicenceRequest) -> RequestView:
    customer = await uow.customers.get(request.customer_id)
    catalogue_now = await uow.catalogue.load()
    product = catalogue_now.products.get(request.product_sku)
    addon = catalogue_now.addons.get(request.addon_sku) if request.addon_sku else None
    return RequestView(
        id=request.id or 0,
        customer_id=request.customer_id,
        customer_name=customer.name,
        kind=request.kind,
        origin=request.origin,
        status=request.status,
        product_sku=request.product_sku,
        product_name=product.name if product else request.product_sku,
        quantity=request.quantity,
        subscription_id=request.subscription_id,
        addon_sku=request.addon_sku,
        addon_name=addon.name if addon else request.addon_sku,
        requested_by_name=request.requested_by_name,
        decided_by_name=request.decided_by_name,
        reason=request.reason,
        created_at=request.created_at,
        result_id=request.result_id,
    )


def _as_admin(actor: Actor, customer_id: str) -> Actor:
    """Checks run as the customer's admin would run them; nothing is saved by them."""
    return Actor(Role.ADMIN, actor.channel, customer_id, actor.user_id, label="request check")


@dataclass(frozen=True)
class RequestFigures:
    """What a request would do, with this customer's prices: the member's summary before
    sending, the admins' card and the approval screen (R3, R11, R17)."""

    kind: RequestKind
    product_sku: str
    product_name: str
    quantity: int  # the users ordered, the new total, or the add-on's users
    unit_price: Decimal
    monthly_total: Decimal
    start_date: date | None = None  # ORDER, ADDON
    subscription_id: int | None = None  # CHANGE, ADDON
    old_quantity: int | None = None  # CHANGE
    old_total: Decimal | None = None  # CHANGE
    addon_sku: str | None = None  # ADDON
    addon_name: str | None = None  # ADDON
    end_date: date | None = None  # CANCEL: the last day of this month (R19)
    addon_names: tuple[str, ...] = ()  # CANCEL: the add-ons cancelled along (R18)


async def _figures(checks: Context, admin: Actor, cmd: AskRequest) -> RequestFigures:
    """Every check the write itself would pass (R4, R6, R12, R14, R17), run as the customer's
    admin would run them, without saving anything."""
    if cmd.kind is RequestKind.ORDER:
        quote = await catalogue.quote_order(
            checks, admin, cmd.customer_id, cmd.product_sku or "", cmd.quantity or 0
        )
        return RequestFigures(
            cmd.kind,
            quote.product_sku,
            quote.product_name,
            quote.quantity,
            quote.unit_price,
            quote.monthly_total,
            start_date=quote.start_date,
        )
    if cmd.kind is RequestKind.CHANGE:
        changed = await subscriptions.change_quantity(
            checks, admin, ChangeQuantity(cmd.subscription_id or 0, cmd.quantity or 0), dry_run=True
        )
        sub = changed.subscription
        return RequestFigures(
            cmd.kind,
            sub.product_sku,
            sub.product_name,
            changed.new_quantity,
            sub.unit_price,
            sub.monthly_total,
            subscription_id=sub.id,
            old_quantity=changed.old_quantity,
            old_total=monthly_total(sub.unit_price, changed.old_quantity),
        )
    if cmd.kind is RequestKind.CANCEL:
        running = (await orders.order_status(checks, admin, cmd.subscription_id or 0)).addons
        along = tuple(a.name for a in running if a.running)  # cancelled with it (R18)
        cancelled = await subscriptions.cancel_subscription(
            checks, admin, CancelSubscription(cmd.subscription_id or 0), dry_run=True
        )
        return RequestFigures(
            cmd.kind,
            cancelled.product_sku,
            cancelled.product_name,
            cancelled.quantity,
            cancelled.unit_price,
            cancelled.monthly_total,
            subscription_id=cancelled.id,
            end_date=cancelled.end_date,
            addon_names=along,
        )
    preview = await addons.book_addon(
        checks,
        admin,
        BookAddon(cmd.subscription_id or 0, cmd.addon_sku or "", False, cmd.quantity),
        dry_run=True,
    )
    sub, addon = preview.subscription, preview.addon
    return RequestFigures(
        cmd.kind,
        sub.product_sku,
        sub.product_name,
        addon.quantity,
        addon.unit_price,
        addon.monthly_total,
        start_date=addon.start_date,
        subscription_id=sub.id,
        addon_sku=addon.sku,
        addon_name=addon.name,
    )


def _origin(actor: Actor, customer_id: str) -> Origin:
    """Who may ask: a member of the customer, or the service desk preparing (R23)."""
    origin = Origin.AGENT if actor.role is Role.AGENT else Origin.MEMBER
    authorize(actor, Action.PREPARE if origin is Origin.AGENT else Action.REQUEST, customer_id)
    return origin


async def preview(ctx: Context, actor: Actor, cmd: AskRequest) -> RequestFigures:
    """The summary before a request is sent: refused now if the write could not be done."""
    _origin(actor, cmd.customer_id)
    async with ctx.uow(write=False) as uow:
        return await _figures(ctx.bound(uow), _as_admin(actor, cmd.customer_id), cmd)


async def _visible(
    uow: UnitOfWork, actor: Actor, request_id: int, action: Action, *, own: bool = False
) -> LicenceRequest:
    """The request, if `actor` may do `action` for its customer (with `own`: only the one who
    asked); anything else reads like a missing request (R24)."""
    request = await uow.requests.get(request_id)
    if request is None or (own and request.requested_by != actor.user_id):
        raise errors.RequestNotFound(request_id)
    authorize_record(actor, action, request.customer_id, errors.RequestNotFound(request_id))
    return request


async def figures(ctx: Context, actor: Actor, request_id: int) -> RequestFigures:
    """A request's figures as they would be now, for anyone who may see the customer's data;
    another customer's request is reported like a missing one (R24)."""
    async with ctx.uow(write=False) as uow:
        request = await _visible(uow, actor, request_id, Action.VIEW)
        return await _figures(
            ctx.bound(uow), _as_admin(actor, request.customer_id), _asked(request)
        )


def _asked(request: LicenceRequest) -> AskRequest:
    return AskRequest(
        request.customer_id,
        request.kind,
        request.product_sku,
        request.quantity,
        request.subscription_id,
        request.addon_sku,
    )


async def ask(
    ctx: Context, actor: Actor, cmd: AskRequest, name: str, *, tell_admins: bool = False
) -> RequestView:
    """A member's request to the admins, or one the service desk prepares (R23).

    The same request asked again while it waits is refused (`RequestPending`): a second press,
    a second device, the flow done twice. The customer's row is locked, so two asks of one
    customer queue up and the second sees the first. With `tell_admins` (a channel that cannot
    send the admins its card, Rasa) the admins get a notice through the outbox instead.
    """
    origin = _origin(actor, cmd.customer_id)
    if actor.user_id is None:
        raise errors.NotLinked()
    async with ctx.uow() as uow:
        await uow.customers.get(cmd.customer_id, lock=True)
        checked = await _figures(ctx.bound(uow), _as_admin(actor, cmd.customer_id), cmd)
        request = LicenceRequest(
            None,
            cmd.customer_id,
            cmd.kind,
            origin,
            checked.product_sku,
            cmd.quantity,
            actor.user_id,
            name,
            ctx.now(),
            cmd.subscription_id,
            checked.addon_sku,
        )
        waiting = await uow.requests.find(
            customer_id=cmd.customer_id, requested_by=actor.user_id, status=RequestStatus.PENDING
        )
        for twin in waiting:
            if _same(twin, request):
                raise errors.RequestPending(twin.id or 0)
        await uow.requests.add(request)
        await uow.records.audit(
            ctx.audit(actor, cmd.customer_id, "request.ask", f"request:{request.id}")
        )
        view = await _view(uow, request)
        if tell_admins:
            await notifications.tell(
                uow,
                ctx.now(),
                view.customer_id,
                notifications.REQUEST_ASKED,
                _payload(view),
                skip=actor.user_id,
            )
        await uow.commit()
    return view


def _same(a: LicenceRequest, b: LicenceRequest) -> bool:
    def key(r: LicenceRequest) -> tuple[object, ...]:
        return (r.kind, r.product_sku, r.quantity, r.subscription_id, r.addon_sku)

    return key(a) == key(b)


async def _decidable(
    uow: UnitOfWork, admin: Actor, request_id: int, *, lock: bool = False
) -> LicenceRequest:
    """The pending request, if `admin` may decide it; another customer's is missing (R24).

    With `lock` (deciding), the customer's row is locked first and the request read again, so
    two admins deciding at once queue up and the second sees the first decision (R23) rather
    than the write's own refusal (already subscribed, quantity unchanged).
    """
    request = await _visible(uow, admin, request_id, Action.DECIDE)
    if lock:
        await uow.customers.get(request.customer_id, lock=True)
        request = await uow.requests.get(request_id) or request
    if request.status is not RequestStatus.PENDING:
        raise errors.RequestDecided(request_id, request.status.value, request.decided_by_name)
    return request


@dataclass(frozen=True)
class Approval:
    terms_accepted: bool
    account_consent: bool  # only asked for a new product (R5 b)
    idempotency_key: str | None = None


async def approve(
    ctx: Context, admin: Actor, request_id: int, approval: Approval, name: str
) -> RequestView:
    """Carry the request out as the admin, with the admin's consents; the first decision wins."""
    async with ctx.uow() as uow:
        request = await _decidable(uow, admin, request_id, lock=True)
        write = ctx.bound(uow)
        if request.kind is RequestKind.ORDER:
            placed = await place_order(
                write,
                admin,
                PlaceOrder(
                    request.customer_id,
                    request.product_sku,
                    request.quantity or 0,
                    approval.terms_accepted,
                    approval.account_consent,
                    approval.idempotency_key,
                ),
            )
            result = placed.subscription.id
        elif request.kind is RequestKind.CHANGE:
            changed = await subscriptions.change_quantity(
                write,
                admin,
                ChangeQuantity(request.subscription_id or 0, request.quantity or 0),
                notify=False,  # the approval below says it
            )
            result = changed.subscription.id
        elif request.kind is RequestKind.CANCEL:  # R18, R19: with its add-ons, to the month end
            cancelled = await subscriptions.cancel_subscription(
                write,
                admin,
                CancelSubscription(request.subscription_id or 0),
                notify=False,  # the approval below says it
            )
            result = cancelled.id
        else:
            booked = await addons.book_addon(
                write,
                admin,
                BookAddon(
                    request.subscription_id or 0,
                    request.addon_sku or "",
                    approval.terms_accepted,
                    request.quantity,
                ),
            )
            result = booked.subscription.id
        request.approve(admin, name, ctx.now(), result)
        await _decide(ctx, uow, admin, request, "request.approve")
        view = await _view(uow, request)
        await _tell(ctx, uow, admin, request, view, notifications.REQUEST_APPROVED)
        await uow.commit()
    return view


async def decline(
    ctx: Context, admin: Actor, request_id: int, reason: str, name: str
) -> RequestView:
    """Declined with a reason, which the one who asked is told."""
    async with ctx.uow() as uow:
        request = await _decidable(uow, admin, request_id, lock=True)
        request.decline(admin, name, reason, ctx.now())
        await _decide(ctx, uow, admin, request, "request.decline")
        view = await _view(uow, request)
        await _tell(ctx, uow, admin, request, view, notifications.REQUEST_DECLINED)
        await uow.commit()
    return view


async def withdraw(ctx: Context, actor: Actor, request_id: int) -> RequestView:
    """The one who asked takes a pending request back; the customer's admins are told (R23).

    Only the member who asked may: another person's request, or another customer's, reads like
    a missing one (R24). The customer's row is locked first, as deciding does, so a withdrawal
    and a decision at once queue up and the second is refused (`RequestDecided`).
    """
    async with ctx.uow() as uow:
        # linked to another customer since: not theirs now
        request = await _visible(uow, actor, request_id, Action.REQUEST, own=True)
        await uow.customers.get(request.customer_id, lock=True)
        request = await uow.requests.get(request_id) or request
        request.withdraw(actor, ctx.now())
        await _decide(ctx, uow, actor, request, "request.withdraw")
        view = await _view(uow, request)
        await notifications.tell(
            uow,
            ctx.now(),
            view.customer_id,
            notifications.REQUEST_WITHDRAWN,
            _payload(view),  # no name: the outbox keeps no person's data (docs/decisions.md)
            skip=actor.user_id,
        )
        await uow.commit()
    return view


async def _decide(
    ctx: Context, uow: UnitOfWork, actor: Actor, request: LicenceRequest, action: str
) -> None:
    try:
        await uow.requests.save(request)
    except errors.StaleWrite:  # another admin decided meanwhile
        await uow.rollback()
        current = await uow.requests.get(request.id or 0)
        status = current.status.value if current else request.status.value
        by = current.decided_by_name if current else ""
        raise errors.RequestDecided(request.id or 0, status, by) from None
    await uow.records.audit(ctx.audit(actor, request.customer_id, action, f"request:{request.id}"))


async def _tell(
    ctx: Context,
    uow: UnitOfWork,
    admin: Actor,
    request: LicenceRequest,
    view: RequestView,
    kind: str,
) -> None:
    """The one who asked (a member, or the service desk agent) and the other admins. A decline's
    reason is free text about people: the payload names the request, and the reason is read
    when the notice is delivered (docs/privacy.md)."""
    await notifications.tell(
        uow,
        ctx.now(),
        view.customer_id,
        kind,
        _payload(view),
        users=[request.requested_by],
        skip=admin.user_id,
    )


def _payload(view: RequestView) -> dict[str, Any]:
    """What a notice about a request names (rendered in domain/texts/notices.py)."""
    return {
        "request_id": view.id,
        "kind": view.kind.value,
        "customer_name": view.customer_name,
        "product_name": view.product_name,
        "quantity": view.quantity,
        "subscription_id": view.subscription_id,
        "addon_name": view.addon_name,
    }


async def reason_of(ctx: Context, request_id: int) -> str:
    """A decided request's reason as stored now, for a notice being delivered (the outbox's
    payload keeps no free text); empty for a request that is gone."""
    async with ctx.uow(write=False) as uow:
        request = await uow.requests.get(request_id)
        return request.reason if request is not None else ""


async def pending_for(ctx: Context, actor: Actor, request_id: int) -> RequestView:
    """One request as its deciders see it; decided ones are refused (`RequestDecided`)."""
    async with ctx.uow(write=False) as uow:
        return await _view(uow, await _decidable(uow, actor, request_id))


async def list_requests(
    ctx: Context,
    actor: Actor,
    customer_id: str | None = None,
    status: RequestStatus | None = None,
    limit: int = 1000,
) -> list[RequestView]:
    """Operators and the service desk see all; admins their customer's; members their own
    for the customer they belong to now (one asked for another customer reads as missing,
    R24); the newest first, at most `limit`."""
    async with ctx.uow(write=False) as uow:
        if actor.role in (Role.OPERATOR, Role.AGENT):
            found = await uow.requests.find(customer_id=customer_id, status=status, limit=limit)
        elif actor.role is Role.ADMIN:
            authorize(actor, Action.DECIDE, actor.customer_id)
            found = await uow.requests.find(
                customer_id=actor.customer_id, status=status, limit=limit
            )
        else:
            authorize(actor, Action.REQUEST, actor.customer_id)
            found = await uow.requests.find(
                customer_id=actor.customer_id,
                requested_by=actor.user_id or -1,
                status=status,
                limit=limit,
            )
        return [await _view(uow, r) for r in found]


async def deciders(ctx: Context, customer_id: str) -> list[Person]:
    """The customer's admins, who are asked to decide (R23)."""
    async with ctx.uow(write=False) as uow:
        admins = await uow.users.of_customer(customer_id, Role.ADMIN)
    return [Person(a.channel, a.external_id, a.language) for a in admins]
