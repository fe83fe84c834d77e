"""Repositories: the only code that knows tables. One session, owned by the unit of work."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import CursorResult, Result, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain import errors
from domain.catalogue import CatalogueSpec
from domain.model import (
    Addon,
    AuditEntry,
    Catalogue,
    Channel,
    ChatUser,
    Consent,
    Customer,
    Invite,
    Product,
    QuantityChange,
    Role,
    SeatCap,
    Status,
    Subscription,
)
from domain.ports import CatalogueChanges, TrailEntry
from domain.pricing import PriceList
from domain.storage import tables as t
from domain.storage.catalogue_cache import CHANGED, CatalogueCache


def _rowcount(result: Result[Any]) -> int:
    """Rows matched by an UPDATE/DELETE (a CursorResult at run time)."""
    assert isinstance(result, CursorResult)
    return int(result.rowcount)


class CatalogueRepository:
    def __init__(self, session: AsyncSession, cache: CatalogueCache | None = None) -> None:
        self.session = session
        self.cache = cache

    async def load(self, *, fresh: bool = False) -> Catalogue:
        """The catalogue: the process's copy (catalogue_cache.py) unless this unit of work
        changed it or a write wants it `fresh` (a price stored, what is orderable)."""
        cache = None if fresh or self.session.info.get(CHANGED) else self.cache
        if cache is None:
            return await self._read()
        catalogue = cache.get()
        if catalogue is None:
            generation, read_at = cache.generation, cache.now()
            catalogue = await self._read()
            cache.put(catalogue, generation, read_at)
        return catalogue

    async def _read(self) -> Catalogue:
        caps = {
            row.id: SeatCap(row.id, row.name, row.max_quantity)
            for row in await self.session.execute(select(t.seat_caps))
        }
        addons = {
            row.sku: Addon(row.sku, row.name, row.description, row.list_price, row.retired)
            for row in await self.session.execute(select(t.addons))
        }
        links: dict[str, list[str]] = {}
        for row in await self.session.execute(
            select(t.product_addons).order_by(t.product_addons.c.position)
        ):
            links.setdefault(row.product_sku, []).append(row.addon_sku)
        products = {
            row.sku: Product(
                sku=row.sku,
                name=row.name,
                description=row.description,
                list_price=row.list_price,
                addon_skus=tuple(links.get(row.sku, ())),
                max_quantity=row.max_quantity,
                seat_cap=caps.get(row.seat_cap_id) if row.seat_cap_id else None,
                retired=row.retired,
                position=row.position,
            )
            for row in await self.session.execute(select(t.products))
        }
        return Catalogue(products=products, addons=addons)

    async def replace(self, spec: CatalogueSpec) -> CatalogueChanges:
        """Make the stored catalogue equal the file; retire instead of delete what is in use."""
        s = self.session
        s.info[CHANGED] = True  # loads in this unit read its own version; commit invalidates
        if self.cache is not None:
            self.cache.invalidate()
        existing_products: set[str] = set((await s.execute(select(t.products.c.sku))).scalars())
        existing_addons: set[str] = set((await s.execute(select(t.addons.c.sku))).scalars())
        used_products: set[str] = set(
            (await s.execute(select(t.subscriptions.c.product_sku).distinct())).scalars()
        )
        used_addons: set[str] = set(
            (await s.execute(select(t.addon_bookings.c.addon_sku).distinct())).scalars()
        )

        for cap in spec.seat_caps:
            await self._upsert(
                t.seat_caps, "id", cap.id, name=cap.name, max_quantity=cap.max_quantity
            )
        for addon in spec.addons:
            await self._upsert(
                t.addons,
                "sku",
                addon.sku,
                name=addon.name,
                description=addon.description.model_dump(),
                list_price=addon.price,
                retired=False,
            )
        await s.execute(delete(t.product_addons))
        for position, product in enumerate(spec.products):
            await self._upsert(
                t.products,
                "sku",
                product.sku,
                name=product.name,
                description=product.description.model_dump(),
                list_price=product.price,
                max_quantity=product.max_quantity,
                seat_cap_id=product.seat_cap,
                retired=False,
                position=position,
            )
            if product.addons:
                await s.execute(
                    insert(t.product_addons),
                    [
                        {"product_sku": product.sku, "addon_sku": sku, "position": i}
                        for i, sku in enumerate(product.addons)
                    ],
                )

        new_products = {p.sku for p in spec.products}
        gone_products = existing_products - new_products
        gone_addons = existing_addons - {a.sku for a in spec.addons}
        retired = sorted((gone_products & used_products) | (gone_addons & used_addons))
        removed = sorted((gone_products - used_products) | (gone_addons - used_addons))
        for table, key, gone, used in (
            (t.products, t.products.c.sku, gone_products, used_products),
            (t.addons, t.addons.c.sku, gone_addons, used_addons),
        ):
            if gone & used:
                await s.execute(update(table).where(key.in_(gone & used)).values(retired=True))
            if gone - used:
                await s.execute(delete(table).where(key.in_(gone - used)))
        used_caps = {p.seat_cap for p in spec.products if p.seat_cap}
        await s.execute(
            update(t.products)
            .where(t.products.c.retired.is_(True), t.products.c.seat_cap_id.not_in(used_caps))
            .values(seat_cap_id=None)
        )
        await s.execute(delete(t.seat_caps).where(t.seat_caps.c.id.not_in(used_caps)))
        return CatalogueChanges(
            added=tuple(sorted(new_products - existing_products)),
            updated=tuple(sorted(new_products & existing_products)),
            retired=tuple(retired),
            removed=tuple(removed),
        )

    async def _upsert(self, table: Any, key: str, value: str, **values: Any) -> None:
        column = table.c[key]
        result = await self.session.execute(update(table).where(column == value).values(**values))
        if _rowcount(result) == 0:
            await self.session.execute(insert(table).values({key: value, **values}))

    async def is_empty(self) -> bool:
        count = await self.session.scalar(select(func.count()).select_from(t.products))
        return not count


class CustomerRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, customer_id: str, *, lock: bool = False) -> Customer:
        """The customer with its prices (one statement); with `lock`, the customer's row
        stays locked until commit (PostgreSQL)."""
        c, p = t.customers, t.customer_prices
        query = (
            select(c.c.id, c.c.name, c.c.discount_percent, p.c.sku, p.c.unit_price)
            .outerjoin(p, p.c.customer_id == c.c.id)
            .where(c.c.id == customer_id)
        )
        if lock:
            query = query.with_for_update(of=c)
        rows = (await self.session.execute(query)).all()
        if not rows:
            raise errors.CustomerNotFound(customer_id)
        first = rows[0]
        explicit = {row.sku: row.unit_price for row in rows if row.sku is not None}
        return Customer(
            id=first.id,
            name=first.name,
            price_list=PriceList(explicit, first.discount_percent),
        )

    async def exists(self, customer_id: str) -> bool:
        found = await self.session.scalar(
            select(t.customers.c.id).where(t.customers.c.id == customer_id)
        )
        return found is not None

    async def add(self, customer: Customer, at: datetime) -> None:
        await self.session.execute(
            insert(t.customers).values(
                id=customer.id,
                name=customer.name,
                discount_percent=customer.price_list.discount_percent,
                created_at=at,
            )
        )

    async def set_price(self, customer_id: str, sku: str, price: Decimal | None) -> None:
        await self.session.execute(
            delete(t.customer_prices).where(
                t.customer_prices.c.customer_id == customer_id, t.customer_prices.c.sku == sku
            )
        )
        if price is not None:
            await self.session.execute(
                insert(t.customer_prices).values(customer_id=customer_id, sku=sku, unit_price=price)
            )

    async def directory(self) -> Sequence[tuple[str, str]]:
        rows = await self.session.execute(
            select(t.customers.c.id, t.customers.c.name).order_by(t.customers.c.name)
        )
        return [(row.id, row.name) for row in rows]


class SubscriptionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, subscription: Subscription) -> None:
        self.session.add(subscription)

    async def get(self, subscription_id: int) -> Subscription | None:
        return await self.session.get(Subscription, subscription_id)

    async def customer_of(self, subscription_id: int) -> str | None:
        return await self.session.scalar(
            select(t.subscriptions.c.customer_id).where(t.subscriptions.c.id == subscription_id)
        )

    async def by_key(self, customer_id: str, key: str) -> Subscription | None:
        result = await self.session.execute(
            select(Subscription).where(
                t.subscriptions.c.customer_id == customer_id,
                t.subscriptions.c.idempotency_key == key,
            )
        )
        return result.scalars().one_or_none()

    async def for_customer(self, customer_id: str) -> Sequence[Subscription]:
        result = await self.session.execute(
            select(Subscription)
            .where(t.subscriptions.c.customer_id == customer_id)
            .order_by(t.subscriptions.c.id)
        )
        return result.scalars().all()

    async def awaiting_provisioning(self, limit: int = 100) -> Sequence[Subscription]:
        """Ordered subscriptions, and running ones with ordered add-ons, oldest first."""
        with_addons = select(t.addon_bookings.c.subscription_id).where(
            t.addon_bookings.c.status == Status.ORDERED
        )
        result = await self.session.execute(
            select(Subscription)
            .where(
                (t.subscriptions.c.status == Status.ORDERED)
                | (
                    (t.subscriptions.c.status == Status.PROVISIONED)
                    & t.subscriptions.c.id.in_(with_addons)
                )
            )
            .order_by(t.subscriptions.c.id)
            .limit(limit)
        )
        return result.scalars().all()

    async def reductions_due(self, today: date) -> Sequence[int]:
        s = t.subscriptions
        rows = await self.session.execute(
            select(s.c.id).where(s.c.scheduled_for < today).order_by(s.c.id)
        )
        return [int(row.id) for row in rows]

    async def past_end_date(self, today: date) -> Sequence[Subscription]:
        """Cancelled subscriptions, or ones with cancelled add-ons, whose end date passed."""
        with_addons = select(t.addon_bookings.c.subscription_id).where(
            t.addon_bookings.c.status == Status.CANCELLED, t.addon_bookings.c.end_date < today
        )
        result = await self.session.execute(
            select(Subscription).where(
                (
                    (t.subscriptions.c.status == Status.CANCELLED)
                    & (t.subscriptions.c.end_date < today)
                )
                | t.subscriptions.c.id.in_(with_addons)
            )
        )
        return result.scalars().all()


class UserRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def by_external(self, channel: Channel, external_id: str) -> ChatUser | None:
        result = await self.session.execute(
            select(ChatUser).where(
                t.users.c.channel == channel, t.users.c.external_id == external_id
            )
        )
        return result.scalars().one_or_none()

    async def with_customer_name(
        self, channel: Channel, external_id: str
    ) -> tuple[ChatUser, str | None] | None:
        """The user and its customer's name in one statement (every update asks: who is it).
        The user is read, not loaded into the session: change it through `by_external`."""
        u, c = t.users, t.customers
        row = (
            await self.session.execute(
                select(u, c.c.name.label("customer_name"))
                .outerjoin(c, c.c.id == u.c.customer_id)
                .where(u.c.channel == channel, u.c.external_id == external_id)
            )
        ).one_or_none()
        if row is None:
            return None
        user = ChatUser(
            id=row.id,
            channel=row.channel,
            external_id=row.external_id,
            role=row.role,
            customer_id=row.customer_id,
            display_name=row.display_name,
            language=row.language,
        )
        return user, row.customer_name

    async def by_id(self, user_id: int) -> ChatUser | None:
        return await self.session.get(ChatUser, user_id)

    async def of_customer(self, customer_id: str, role: Role) -> Sequence[ChatUser]:
        """The customer's linked people with this role, e.g. the admins who decide (R23)."""
        result = await self.session.execute(
            select(ChatUser)
            .where(t.users.c.customer_id == customer_id, t.users.c.role == role)
            .order_by(t.users.c.id)
        )
        return result.scalars().all()

    def add(self, user: ChatUser) -> None:
        self.session.add(user)


class InviteRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(
        self,
        code_hash: str,
        customer_id: str | None,
        role: Role,
        at: datetime,
        expires_at: datetime,
    ) -> None:
        await self.session.execute(
            insert(t.invites).values(
                code_hash=code_hash,
                customer_id=customer_id,
                role=role,
                created_at=at,
                expires_at=expires_at,
            )
        )

    async def by_hash(self, code_hash: str) -> Invite | None:
        row = (
            await self.session.execute(select(t.invites).where(t.invites.c.code_hash == code_hash))
        ).one_or_none()
        if row is None:
            return None
        return Invite(
            row.id, row.customer_id, row.role, row.expires_at, row.used_at, row.revoked_at
        )

    async def claim(self, invite_id: int, user_id: int, at: datetime) -> bool:
        """Mark used unless someone else was first (single use under concurrency, R22)."""
        result = await self.session.execute(
            update(t.invites)
            .where(t.invites.c.id == invite_id, t.invites.c.used_at.is_(None))
            .values(used_at=at, used_by=user_id)
        )
        return _rowcount(result) > 0

    async def revoke(self, invite_id: int, at: datetime) -> bool:
        """An unused invite no longer works from `at` on; False when used."""
        result = await self.session.execute(
            update(t.invites)
            .where(t.invites.c.id == invite_id, t.invites.c.used_at.is_(None))
            .values(revoked_at=at)
        )
        return _rowcount(result) > 0


def _actor_columns(entry_actor: Any) -> dict[str, Any]:
    return {
        "user_id": entry_actor.user_id,
        "actor_label": entry_actor.label or entry_actor.role.value,
        "channel": entry_actor.channel,
    }


AUDITED = "licencebot.audited"  # session.info: (action, channel) audited in this transaction


class RecordRepository:
    """Append-only records: quantity history (R11), consents (R5), audit trail (R25)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def quantity_change(self, change: QuantityChange) -> None:
        await self.session.execute(
            insert(t.quantity_changes).values(
                subscription_id=change.subscription_id,
                addon_booking_id=change.addon_booking_id,
                from_quantity=change.from_quantity,
                to_quantity=change.to_quantity,
                changed_at=change.changed_at,
                **_actor_columns(change.actor),
            )
        )

    async def consent(self, consent: Consent) -> None:
        await self.session.execute(
            insert(t.consents).values(
                customer_id=consent.customer_id,
                subscription_id=consent.subscription_id,
                addon_booking_id=consent.addon_booking_id,
                kind=consent.kind,
                terms_version=consent.terms_version,
                given_at=consent.given_at,
                **_actor_columns(consent.actor),
            )
        )

    async def audit(self, entry: AuditEntry) -> None:
        await self.session.execute(
            insert(t.audit_entries).values(
                at=entry.at,
                channel=entry.actor.channel,
                actor_role=entry.actor.role,
                actor_user_id=entry.actor.user_id,
                actor_label=entry.actor.label or entry.actor.role.value,
                customer_id=entry.customer_id,
                action=entry.action,
                target=entry.target,
                details=dict(entry.details),
            )
        )
        # Counted as a metric once the transaction commits (domain/storage/uow.py).
        self.session.info.setdefault(AUDITED, []).append((entry.action, str(entry.actor.channel)))

    async def audit_for(self, customer_id: str | None = None) -> list[dict[str, Any]]:
        query = select(t.audit_entries).order_by(t.audit_entries.c.id)
        if customer_id is not None:
            query = query.where(t.audit_entries.c.customer_id == customer_id)
        return [dict(row._mapping) for row in await self.session.execute(query)]

    async def trail(self, customer_id: str) -> list[TrailEntry]:
        a, c = t.audit_entries.c, t.consents.c
        audits = await self.session.execute(
            select(a.at, a.actor_label, a.channel, a.actor_role, a.action, a.target, a.details)
            .where(a.customer_id == customer_id)
            .order_by(a.id)
        )
        found = [
            TrailEntry(
                row.at,
                row.actor_label,
                row.channel,
                row.actor_role,
                row.action,
                row.target,
                dict(row.details or {}),
            )
            for row in audits
        ]
        consents = await self.session.execute(
            select(
                c.given_at,
                c.actor_label,
                c.channel,
                c.kind,
                c.terms_version,
                c.subscription_id,
                c.addon_booking_id,
            )
            .where(c.customer_id == customer_id)
            .order_by(c.id)
        )
        for row in consents:
            target = (
                f"addon_booking:{row.addon_booking_id}"
                if row.addon_booking_id is not None
                else f"subscription:{row.subscription_id}"
            )
            details = {"terms_version": row.terms_version, "subscription_id": row.subscription_id}
            found.append(
                TrailEntry(
                    row.given_at,
                    row.actor_label,
                    row.channel,
                    None,
                    f"consent.{row.kind.value}",
                    target,
                    details,
                )
            )
        return sorted(found, key=lambda entry: entry.at)

    async def history(self, subscription_id: int) -> list[dict[str, Any]]:
        query = (
            select(t.quantity_changes)
            .where(t.quantity_changes.c.subscription_id == subscription_id)
            .order_by(t.quantity_changes.c.id)
        )
        return [dict(row._mapping) for row in await self.session.execute(query)]

    async def consents_for(self, subscription_id: int) -> list[dict[str, Any]]:
        query = (
            select(t.consents)
            .where(t.consents.c.subscription_id == subscription_id)
            .order_by(t.consents.c.id)
        )
        return [dict(row._mapping) for row in await self.session.execute(query)]
