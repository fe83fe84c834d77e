"""An in-memory store behind the ports (domain/ports.py): use-case tests without a database.

Hand-written, not mocks (cosmicpython): each unit of work works on a copy of the stored state
and writes it back on commit, so "rolled back unless committed" holds; a subscription changed
by another unit of work since it was read makes the commit fail with `errors.StaleWrite`, and
so does a request or ticket saved over a version another unit of work committed (at `save`, or
at the commit when the other one committed in between). tests/integration/test_store_contract.py
runs the same scenarios against this store and the SQL one, so the two keep one meaning.
"""

from __future__ import annotations

import copy
import dataclasses
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from types import TracebackType
from typing import Any, Self

from domain import errors
from domain.catalogue import CatalogueSpec
from domain.conversation import ChatState, Draft
from domain.licence_requests import LicenceRequest, RequestStatus
from domain.model import (
    AuditEntry,
    Catalogue,
    Channel,
    ChatUser,
    Consent,
    Customer,
    Invite,
    QuantityChange,
    Role,
    Status,
    Subscription,
)
from domain.ports import CatalogueChanges, Delivery, Erased, Notification, TrailEntry
from domain.seats import SeatReport
from domain.storage.chat_state import DRAFTS_PER_CHAT
from domain.tickets import Author, Ticket, TicketMessage, TicketPost, TicketStatus


@dataclass
class State:
    """Everything stored, as plain objects."""

    catalogue: Catalogue = field(default_factory=lambda: Catalogue({}, {}))
    customers: dict[str, Customer] = field(default_factory=dict)
    subscriptions: dict[int, Subscription] = field(default_factory=dict)
    users: list[ChatUser] = field(default_factory=list)
    invites: dict[str, Invite] = field(default_factory=dict)
    audit: list[AuditEntry] = field(default_factory=list)
    consents: list[Consent] = field(default_factory=list)
    changes: list[QuantityChange] = field(default_factory=list)
    chats: dict[int, ChatState] = field(default_factory=dict)
    drafts: dict[int, Draft] = field(default_factory=dict)
    updates: set[tuple[int, int]] = field(default_factory=set)
    update_chats: dict[tuple[int, int], int] = field(default_factory=dict)
    notifications: list[Notification] = field(default_factory=list)
    deliveries: list[dict[str, Any]] = field(default_factory=list)
    tickets: dict[int, Ticket] = field(default_factory=dict)
    ticket_posts: list[TicketPost] = field(default_factory=list)
    requests: dict[int, LicenceRequest] = field(default_factory=dict)
    seat_reports: dict[tuple[str, str], SeatReport] = field(default_factory=dict)
    seat_buffers: dict[tuple[str, str], int] = field(default_factory=dict)
    hint_optouts: set[int] = field(default_factory=set)
    seat_hints: dict[tuple[str, str], Decimal] = field(default_factory=dict)
    # When rows were written (retention reads them) and who used an invite (the export).
    chat_updated: dict[int, datetime] = field(default_factory=dict)
    draft_updated: dict[int, datetime] = field(default_factory=dict)
    update_at: dict[tuple[int, int], datetime] = field(default_factory=dict)
    notice_at: dict[int, datetime] = field(default_factory=dict)
    invite_used_by: dict[int, int] = field(default_factory=dict)
    invite_created: dict[int, datetime] = field(default_factory=dict)
    draft_created: dict[int, datetime] = field(default_factory=dict)
    hint_optout_at: dict[int, datetime] = field(default_factory=dict)
    next_id: int = 1

    def new_id(self) -> int:
        self.next_id += 1
        return self.next_id - 1


class _Repos:
    """The repositories over one working copy of the state."""

    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow

    @property
    def s(self) -> State:
        return self._uow.working


class _Catalogue(_Repos):
    async def load(self, *, fresh: bool = False) -> Catalogue:
        return self.s.catalogue

    async def replace(self, spec: CatalogueSpec) -> CatalogueChanges:
        """As the SQL adapter: what is gone but in use is retired (without its add-on links;
        its seat cap only while the file still has it), the rest of what is gone removed."""
        old, new = self.s.catalogue, spec.to_catalogue()
        used_products = {s.product_sku for s in self.s.subscriptions.values()}
        used_addons = {a.addon_sku for s in self.s.subscriptions.values() for a in s.addons}
        gone_products = set(old.products) - set(new.products)
        gone_addons = set(old.addons) - set(new.addons)
        caps = {p.seat_cap.id: p.seat_cap for p in new.products.values() if p.seat_cap}
        products = dict(new.products)
        for sku in gone_products & used_products:
            kept = old.products[sku]
            cap = caps.get(kept.seat_cap.id) if kept.seat_cap else None
            products[sku] = dataclasses.replace(kept, retired=True, addon_skus=(), seat_cap=cap)
        addons = dict(new.addons)
        for sku in gone_addons & used_addons:
            addons[sku] = dataclasses.replace(old.addons[sku], retired=True)
        self.s.catalogue = Catalogue(products=products, addons=addons)
        return CatalogueChanges(
            added=tuple(sorted(set(new.products) - set(old.products))),
            updated=tuple(sorted(set(new.products) & set(old.products))),
            retired=tuple(sorted((gone_products & used_products) | (gone_addons & used_addons))),
            removed=tuple(sorted((gone_products - used_products) | (gone_addons - used_addons))),
        )

    async def is_empty(self) -> bool:
        return not self.s.catalogue.products


class _Customers(_Repos):
    async def get(self, customer_id: str, *, lock: bool = False) -> Customer:
        try:
            return copy.deepcopy(self.s.customers[customer_id])  # read, as the SQL row is
        except KeyError:
            raise errors.CustomerNotFound(customer_id) from None

    async def exists(self, customer_id: str) -> bool:
        return customer_id in self.s.customers

    async def add(self, customer: Customer, at: datetime) -> None:
        if customer.id in self.s.customers:
            raise errors.Duplicate("customers.id")
        self.s.customers[customer.id] = copy.deepcopy(customer)

    async def set_price(self, customer_id: str, sku: str, price: Decimal | None) -> None:
        explicit = self.s.customers[customer_id].price_list.explicit
        if price is None:
            explicit.pop(sku, None)
        else:
            explicit[sku] = price

    async def directory(self) -> Sequence[tuple[str, str]]:
        return sorted(((c.id, c.name) for c in self.s.customers.values()), key=lambda c: c[1])


class _Subscriptions(_Repos):
    def add(self, subscription: Subscription) -> None:
        subscription.id = self.s.new_id()
        self.s.subscriptions[subscription.id] = subscription
        self._uow.seen[subscription.id] = subscription.version

    def _seen(self, sub: Subscription) -> Subscription:
        self._uow.seen.setdefault(sub.id or 0, sub.version)
        return sub

    async def get(self, subscription_id: int) -> Subscription | None:
        sub = self.s.subscriptions.get(subscription_id)
        return None if sub is None else self._seen(sub)

    async def customer_of(self, subscription_id: int) -> str | None:
        sub = self.s.subscriptions.get(subscription_id)
        return None if sub is None else sub.customer_id

    async def by_key(self, customer_id: str, key: str) -> Subscription | None:
        for sub in self.s.subscriptions.values():
            if sub.customer_id == customer_id and sub.idempotency_key == key:
                return self._seen(sub)
        return None

    async def for_customer(self, customer_id: str) -> Sequence[Subscription]:
        subs = [s for s in self.s.subscriptions.values() if s.customer_id == customer_id]
        return [self._seen(s) for s in sorted(subs, key=lambda s: s.id or 0)]

    async def awaiting_provisioning(self, limit: int = 100) -> Sequence[Subscription]:
        return [
            self._seen(s)
            for s in sorted(self.s.subscriptions.values(), key=lambda s: s.id or 0)
            if s.status is Status.ORDERED
            or (
                s.status is Status.PROVISIONED and any(a.status is Status.ORDERED for a in s.addons)
            )
        ][:limit]

    async def reductions_due(self, today: date) -> Sequence[int]:
        return sorted(
            i
            for i, s in self.s.subscriptions.items()
            if s.scheduled_for is not None and s.scheduled_for < today
        )

    async def past_end_date(self, today: date) -> Sequence[Subscription]:
        return [
            self._seen(s)
            for s in self.s.subscriptions.values()
            if s.status is Status.CANCELLED and s.end_date is not None and s.end_date < today
        ]


class _Users(_Repos):
    async def by_external(self, channel: Channel, external_id: str) -> ChatUser | None:
        return next(
            (u for u in self.s.users if (u.channel, u.external_id) == (channel, external_id)),
            None,
        )

    async def with_customer_name(
        self, channel: Channel, external_id: str
    ) -> tuple[ChatUser, str | None] | None:
        user = await self.by_external(channel, external_id)
        if user is None:
            return None
        customer = self.s.customers.get(user.customer_id) if user.customer_id else None
        return user, customer.name if customer else None

    async def by_id(self, user_id: int) -> ChatUser | None:
        return next((u for u in self.s.users if u.id == user_id), None)

    async def of_customer(self, customer_id: str, role: Role) -> Sequence[ChatUser]:
        return [u for u in self.s.users if (u.customer_id, u.role) == (customer_id, role)]

    def add(self, user: ChatUser) -> None:
        user.id = self.s.new_id()
        self.s.users.append(user)


class _Invites(_Repos):
    async def add(
        self,
        code_hash: str,
        customer_id: str | None,
        role: Role,
        at: datetime,
        expires_at: datetime,
    ) -> None:
        invite = Invite(self.s.new_id(), customer_id, role, expires_at, None)
        self.s.invites[code_hash] = invite
        self.s.invite_created[invite.id] = at

    async def by_hash(self, code_hash: str) -> Invite | None:
        return self.s.invites.get(code_hash)

    async def claim(self, invite_id: int, user_id: int, at: datetime) -> bool:
        for code_hash, invite in self.s.invites.items():
            if invite.id == invite_id and invite.used_at is None:
                self.s.invites[code_hash] = dataclasses.replace(invite, used_at=at)
                self.s.invite_used_by[invite_id] = user_id
                return True
        return False

    async def revoke(self, invite_id: int, at: datetime) -> bool:
        for code_hash, invite in self.s.invites.items():
            if invite.id == invite_id and invite.used_at is None:
                self.s.invites[code_hash] = dataclasses.replace(invite, revoked_at=at)
                return True
        return False


class _Records(_Repos):
    async def quantity_change(self, change: QuantityChange) -> None:
        self.s.changes.append(change)

    async def consent(self, consent: Consent) -> None:
        self.s.consents.append(consent)

    async def audit(self, entry: AuditEntry) -> None:
        self.s.audit.append(entry)

    async def audit_for(self, customer_id: str | None = None) -> list[dict[str, Any]]:
        """Rows with the SQL table's columns (audit_entries)."""
        return [
            {
                "id": index + 1,
                "at": e.at,
                "channel": e.actor.channel,
                "actor_role": e.actor.role,
                "actor_user_id": e.actor.user_id,
                "actor_label": e.actor.label or e.actor.role.value,
                "customer_id": e.customer_id,
                "action": e.action,
                "target": e.target,
                "details": dict(e.details),
            }
            for index, e in enumerate(self.s.audit)
            if customer_id is None or e.customer_id == customer_id
        ]

    async def history(self, subscription_id: int) -> list[dict[str, Any]]:
        """Rows with the SQL table's columns (quantity_changes)."""
        return [
            {
                "id": index + 1,
                "subscription_id": c.subscription_id,
                "addon_booking_id": c.addon_booking_id,
                "from_quantity": c.from_quantity,
                "to_quantity": c.to_quantity,
                "user_id": c.actor.user_id,
                "actor_label": c.actor.label or c.actor.role.value,
                "channel": c.actor.channel,
                "changed_at": c.changed_at,
            }
            for index, c in enumerate(self.s.changes)
            if c.subscription_id == subscription_id
        ]

    async def trail(self, customer_id: str) -> list[TrailEntry]:
        found = [
            TrailEntry(
                e.at,
                e.actor.label or e.actor.role.value,
                e.actor.channel,
                e.actor.role,
                e.action,
                e.target,
                dict(e.details),
            )
            for e in self.s.audit
            if e.customer_id == customer_id
        ]
        found += [
            TrailEntry(
                c.given_at,
                c.actor.label or c.actor.role.value,
                c.actor.channel,
                None,
                f"consent.{c.kind.value}",
                f"addon_booking:{c.addon_booking_id}"
                if c.addon_booking_id is not None
                else f"subscription:{c.subscription_id}",
                {"terms_version": c.terms_version, "subscription_id": c.subscription_id},
            )
            for c in self.s.consents
            if c.customer_id == customer_id
        ]
        return sorted(found, key=lambda entry: entry.at)

    async def consents_for(self, subscription_id: int) -> list[dict[str, Any]]:
        """Rows with the SQL table's columns (consents)."""
        return [
            {
                "id": index + 1,
                "customer_id": c.customer_id,
                "subscription_id": c.subscription_id,
                "addon_booking_id": c.addon_booking_id,
                "kind": c.kind,
                "terms_version": c.terms_version,
                "given_at": c.given_at,
                "user_id": c.actor.user_id,
                "actor_label": c.actor.label or c.actor.role.value,
                "channel": c.actor.channel,
            }
            for index, c in enumerate(self.s.consents)
            if c.subscription_id == subscription_id
        ]


class _Chats(_Repos):
    async def claim_update(
        self, bot_id: int, update_id: int, at: datetime, chat_id: int | None = None
    ) -> bool:
        if (bot_id, update_id) in self.s.updates:
            return False
        self.s.updates.add((bot_id, update_id))
        self.s.update_at[(bot_id, update_id)] = at
        if chat_id is not None:
            self.s.update_chats[(bot_id, update_id)] = chat_id
        return True

    async def with_user(
        self, chat_id: int, channel: Channel, external_id: str
    ) -> tuple[ChatState, tuple[ChatUser, str | None] | None]:
        return await self.get(chat_id), await _Users(self._uow).with_customer_name(
            channel, external_id
        )

    async def get(self, chat_id: int) -> ChatState:
        return copy.copy(self.s.chats.get(chat_id) or ChatState(chat_id))

    async def save(self, state: ChatState, at: datetime) -> None:
        self.s.chats[state.chat_id] = copy.copy(state)
        self.s.chat_updated[state.chat_id] = at

    async def new_draft(self, chat_id: int, kind: str, data: dict[str, Any], at: datetime) -> Draft:
        draft = Draft(self.s.new_id(), chat_id, kind, uuid.uuid4().hex, dict(data))
        self.s.drafts[draft.id] = copy.deepcopy(draft)
        self.s.draft_updated[draft.id] = self.s.draft_created[draft.id] = at
        mine = sorted((i for i, d in self.s.drafts.items() if d.chat_id == chat_id), reverse=True)
        for old in mine[DRAFTS_PER_CHAT:]:  # the chat's newest drafts only, as in SQL
            del self.s.drafts[old]
        return draft

    async def draft(self, draft_id: int) -> Draft | None:
        found = self.s.drafts.get(draft_id)
        return copy.deepcopy(found) if found else None

    async def save_draft(self, draft: Draft, at: datetime) -> None:
        if draft.id in self.s.drafts:  # an UPDATE: a deleted draft stays deleted
            stored = self.s.drafts[draft.id]
            self.s.drafts[draft.id] = dataclasses.replace(
                stored, data=copy.deepcopy(draft.data), state=draft.state, result_id=draft.result_id
            )
            self.s.draft_updated[draft.id] = at


class _Outbox(_Repos):
    """Deliveries as dicts with the SQL table's columns; claims hold until they expire, and a
    person's deliveries go out in order unless an earlier one failed (domain/storage/outbox.py)."""

    def __init__(self, uow: FakeUnitOfWork) -> None:
        super().__init__(uow)
        self._queued: list[int] = []

    @property
    def queued(self) -> list[int]:
        return list(self._queued)

    async def add(
        self,
        customer_id: str,
        kind: str,
        payload: dict[str, Any],
        at: datetime,
        user_ids: Sequence[int],
        *,
        desk: bool = False,
    ) -> int:
        notice = Notification(self.s.new_id(), customer_id, kind, copy.deepcopy(payload))
        self.s.notifications.append(notice)
        self.s.notice_at[notice.id] = at
        channels = {u.id: u.channel for u in self.s.users}
        people = [(uid, channels[uid]) for uid in dict.fromkeys(user_ids) if uid in channels]
        for user_id, channel in [*people, *([(None, Channel.TELEGRAM)] if desk else [])]:
            self.s.deliveries.append(
                {
                    "id": self.s.new_id(),
                    "notification_id": notice.id,
                    "user_id": user_id,
                    "to_desk": user_id is None,
                    "channel": channel,
                    "state": "pending",
                    "attempts": 0,
                    "next_attempt_at": at,
                    "claimed_until": None,
                    "claim_token": None,
                    "done_at": None,
                    "last_error": None,
                }
            )
        self._queued.append(notice.id)
        return notice.id

    async def claim(
        self,
        channel: Channel,
        limit: int,
        at: datetime,
        until: datetime,
        token: str,
        notification_ids: Sequence[int] | None = None,
    ) -> list[Delivery]:
        notices = {n.id: n for n in self.s.notifications}

        def waits(d: dict[str, Any]) -> bool:
            """An earlier pending notice of the same person goes first, unless it failed."""
            return any(
                e["user_id"] == d["user_id"]
                and e["state"] == "pending"
                and e["id"] < d["id"]
                and (
                    e["attempts"] == 0
                    or (e["claimed_until"] is not None and e["claimed_until"] > at)
                )
                for e in self.s.deliveries
            )

        due = [
            d
            for d in sorted(self.s.deliveries, key=lambda d: d["id"])
            if d["state"] == "pending"
            and d["channel"] is channel
            and d["next_attempt_at"] <= at
            and (d["claimed_until"] is None or d["claimed_until"] <= at)
            and (notification_ids is None or d["notification_id"] in notification_ids)
            and not waits(d)
        ][:limit]
        for d in due:
            d["claimed_until"], d["claim_token"] = until, token
            d["attempts"] += 1
        return [
            Delivery(
                d["id"],
                notices[d["notification_id"]],
                copy.deepcopy(next((u for u in self.s.users if u.id == d["user_id"]), None)),
                d["to_desk"],
                d["attempts"],
                token,
            )
            for d in due
        ]

    async def delivered(self, delivery_id: int, token: str, at: datetime) -> bool:
        return self._settle(delivery_id, token, state="sent", done_at=at, last_error=None)

    async def retry(self, delivery_id: int, token: str, next_at: datetime, error: str) -> bool:
        return self._settle(
            delivery_id, token, state="pending", next_attempt_at=next_at, last_error=error[:200]
        )

    async def give_up(self, delivery_id: int, token: str, at: datetime, error: str) -> bool:
        return self._settle(delivery_id, token, state="gone", done_at=at, last_error=error[:200])

    def _settle(self, delivery_id: int, token: str, **values: Any) -> bool:
        """False when the claim was lost (it expired and another worker holds it now)."""
        held = next(
            (
                d
                for d in self.s.deliveries
                if d["id"] == delivery_id and d["claim_token"] == token and d["state"] == "pending"
            ),
            None,
        )
        if held is not None:
            held.update(values, claimed_until=None, claim_token=None)
        return held is not None

    async def release(self, delivery_ids: Sequence[int], token: str) -> None:
        """Claimed but not tried: due again at once, the attempt not counted."""
        for d in self.s.deliveries:
            if d["id"] in delivery_ids and d["claim_token"] == token:
                d.update(claimed_until=None, claim_token=None, attempts=d["attempts"] - 1)

    async def notices(self, customer_id: str | None = None) -> list[Notification]:
        return [n for n in self.s.notifications if customer_id in (None, n.customer_id)]

    async def states(self, notification_id: int) -> list[dict[str, Any]]:
        return [dict(d) for d in self.s.deliveries if d["notification_id"] == notification_id]


class _Tickets(_Repos):
    """Tickets are read as copies and saved against the version read, as rows are."""

    async def add(self, ticket: Ticket) -> None:
        ticket.id = self.s.new_id()
        for index, message in enumerate(ticket.messages):
            ticket.messages[index] = dataclasses.replace(message, id=self.s.new_id())
        self.s.tickets[ticket.id] = copy.deepcopy(ticket)

    async def get(self, ticket_id: int) -> Ticket | None:
        return copy.deepcopy(self.s.tickets.get(ticket_id))

    async def save(self, ticket: Ticket) -> None:
        self._uow.check_version("tickets", ticket.id or 0, ticket.version)
        ticket.version += 1
        for index, message in enumerate(ticket.messages):
            if message.id is None:
                ticket.messages[index] = dataclasses.replace(message, id=self.s.new_id())
        self.s.tickets[ticket.id or 0] = copy.deepcopy(ticket)

    async def rewrite(self, message: TicketMessage) -> None:
        for ticket in self.s.tickets.values():
            for index, stored in enumerate(ticket.messages):
                if stored.id == message.id:
                    ticket.messages[index] = dataclasses.replace(stored, text=message.text)

    async def record_post(self, post: TicketPost) -> None:
        if await self.post(post.chat_id, post.message_id) is None:
            self.s.ticket_posts.append(post)

    async def post(self, chat_id: int, message_id: int) -> TicketPost | None:
        return next(
            (p for p in self.s.ticket_posts if (p.chat_id, p.message_id) == (chat_id, message_id)),
            None,
        )

    async def posts(
        self,
        ticket_id: int,
        *,
        ticket_message_id: int | None = None,
        notification_id: int | None = None,
    ) -> list[TicketPost]:
        return [
            p
            for p in self.s.ticket_posts
            if p.ticket_id == ticket_id
            and ticket_message_id in (None, p.ticket_message_id)
            and notification_id in (None, p.notification_id)
        ]

    async def at_desk(self, message_id: int | None, topic_id: int | None) -> Ticket | None:
        for ticket in self.s.tickets.values():
            if topic_id is not None and ticket.desk_topic_id == topic_id:
                return copy.deepcopy(ticket)
            if topic_id is None and message_id is not None and ticket.desk_message_id == message_id:
                return copy.deepcopy(ticket)
        return None

    async def open_of_user(self, user_id: int) -> Ticket | None:
        mine = [t for t in self.s.tickets.values() if t.user_id == user_id and t.is_open]
        return copy.deepcopy(max(mine, key=lambda t: t.id or 0)) if mine else None

    async def find(
        self,
        *,
        user_id: int | None = None,
        customer_id: str | None = None,
        status: TicketStatus | None = None,
        handled_by: int | None = None,
        limit: int = 1000,
    ) -> Sequence[Ticket]:
        found = [
            t
            for t in self.s.tickets.values()
            if (user_id is None or t.user_id == user_id)
            and (
                handled_by is None
                or t.taken_by_user_id == handled_by
                or any(m.author is Author.AGENT and m.user_id == handled_by for m in t.messages)
            )
            and (customer_id is None or t.customer_id == customer_id)
            and (status is None or t.status is status)
        ]
        return copy.deepcopy(sorted(found, key=lambda t: -(t.id or 0))[:limit])


class _Requests(_Repos):
    """Requests are read as copies and saved against the version read: the first decision
    wins (R23), as `UPDATE … WHERE version = :read` makes it in SQL."""

    async def add(self, request: LicenceRequest) -> None:
        request.id = self.s.new_id()
        self.s.requests[request.id] = copy.deepcopy(request)

    async def get(self, request_id: int) -> LicenceRequest | None:
        return copy.deepcopy(self.s.requests.get(request_id))

    async def save(self, request: LicenceRequest) -> None:
        self._uow.check_version("requests", request.id or 0, request.version)
        request.version += 1
        self.s.requests[request.id or 0] = copy.deepcopy(request)

    async def find(
        self,
        *,
        customer_id: str | None = None,
        requested_by: int | None = None,
        status: RequestStatus | None = None,
        limit: int = 1000,
    ) -> Sequence[LicenceRequest]:
        found = [
            r
            for r in self.s.requests.values()
            if (customer_id is None or r.customer_id == customer_id)
            and (requested_by is None or r.requested_by == requested_by)
            and (status is None or r.status is status)
        ]
        return copy.deepcopy(sorted(found, key=lambda r: -(r.id or 0))[:limit])


def _relabel(actor: Any, label: str) -> Any:
    return dataclasses.replace(actor, label=label)


class _Privacy(_Repos):
    """Erasure and export over the in-memory state. The state keeps no times, so `purge`
    (retention by age) exists only in the SQL adapter and is tested against the databases."""

    async def forget_chat(self, chat_id: int, keep_update: tuple[int, int] | None) -> Erased:
        self.s.ticket_posts = [p for p in self.s.ticket_posts if p.chat_id != chat_id]
        drafts = [i for i, d in self.s.drafts.items() if d.chat_id == chat_id]
        for draft_id in drafts:
            del self.s.drafts[draft_id]
        chats = 1 if self.s.chats.pop(chat_id, None) is not None else 0
        updates = [k for k, c in self.s.update_chats.items() if c == chat_id]
        for key in updates:
            del self.s.update_chats[key]
            if key != keep_update:
                self.s.updates.discard(key)
        dropped = len([k for k in updates if k != keep_update])
        return Erased(chats=chats, drafts=len(drafts), updates=dropped)

    async def pseudonymise(self, user_id: int, pseudonym: str, names: Sequence[str]) -> Erased:
        s, records = self.s, 0
        for index, change in enumerate(s.changes):
            if change.actor.user_id == user_id:
                s.changes[index] = dataclasses.replace(
                    change, actor=_relabel(change.actor, pseudonym)
                )
                records += 1
        for index, consent in enumerate(s.consents):
            if consent.actor.user_id == user_id:
                s.consents[index] = dataclasses.replace(
                    consent, actor=_relabel(consent.actor, pseudonym)
                )
                records += 1
        for index, entry in enumerate(s.audit):
            if entry.actor.user_id == user_id:
                s.audit[index] = dataclasses.replace(entry, actor=_relabel(entry.actor, pseudonym))
                records += 1
        requests = 0
        for request in s.requests.values():
            if request.requested_by == user_id:
                request.requested_by_name, requests = pseudonym, requests + 1
            if request.decided_by == user_id:
                request.decided_by_name, requests = pseudonym, requests + 1
        tickets = messages = 0
        for ticket in s.tickets.values():
            if ticket.user_id == user_id:
                ticket.external_id, tickets = "", tickets + 1
            by_id = ticket.taken_by_user_id == user_id
            if by_id or (ticket.taken_by_user_id is None and names and ticket.taken_by in names):
                ticket.taken_by, tickets = pseudonym, tickets + 1
            for index, message in enumerate(ticket.messages):
                own = ticket.user_id == user_id and message.author is Author.CUSTOMER
                agent = message.author is Author.AGENT and (
                    message.user_id == user_id
                    or (message.user_id is None and bool(names) and message.name in names)
                )
                if own or agent:
                    ticket.messages[index] = dataclasses.replace(message, name=pseudonym)
                    messages += 1
        # Nothing is owed to a person who no longer exists for us (the outbox gives up too).
        s.deliveries = [
            d for d in s.deliveries if not (d["user_id"] == user_id and d["state"] == "pending")
        ]
        return Erased(records=records, tickets=tickets, ticket_messages=messages, requests=requests)

    async def personal_data(self, user_id: int | None, chat_id: int | None) -> dict[str, Any]:
        """The SQL adapter's shape (docs/privacy.md), from the in-memory rows."""
        s = self.s
        data: dict[str, Any] = {"user": None, "chat": None, "drafts": [], "processed_updates": []}
        chat = s.chats.get(chat_id) if chat_id is not None else None
        if chat is not None:
            data["chat"] = {
                "chat_id": chat.chat_id,
                "language": chat.language,
                "step": chat.step,
                "ticket_id": chat.ticket_id,
                "updated_at": _json(s.chat_updated.get(chat.chat_id)),
            }
        if chat_id is not None:
            data["drafts"] = [
                {
                    "id": d.id,
                    "kind": d.kind,
                    "state": d.state,
                    "data": d.data,
                    "result_id": d.result_id,
                    "created_at": _json(s.draft_created.get(d.id)),
                    "updated_at": _json(s.draft_updated.get(d.id)),
                }
                for d in sorted(s.drafts.values(), key=lambda d: d.id)
                if d.chat_id == chat_id
            ]
            data["processed_updates"] = [
                {"update_id": key[1], "processed_at": _json(s.update_at.get(key))}
                for key, c in sorted(s.update_chats.items(), key=lambda i: i[0][1])
                if c == chat_id
            ]
        if user_id is None:
            return (
                data
                | {k: [] for k in ("invites", "consents", "quantity_changes", "audit", "tickets")}
                | {"requests": []}
            )
        user = next((u for u in s.users if u.id == user_id), None)
        if user is not None:
            off = s.hint_optout_at.get(user_id) if user_id in s.hint_optouts else None
            data["user"] = {
                "id": user.id,
                "channel": user.channel.value,
                "external_id": user.external_id,
                "role": user.role.value,
                "customer_id": user.customer_id,
                "display_name": user.display_name,
                "language": user.language,
                "seat_hints_off_since": off.isoformat() if off else None,
            }
        mine = await self._records_of(user_id)
        data["invites"] = [
            {
                "customer_id": i.customer_id,
                "role": i.role.value,
                "created_at": _json(s.invite_created.get(i.id)),
                "used_at": _json(i.used_at),
            }
            for i in sorted(s.invites.values(), key=lambda i: i.id)
            if s.invite_used_by.get(i.id) == user_id
        ]
        data.update(mine)
        data["tickets"] = [
            {
                "id": t.id,
                "customer_id": t.customer_id,
                "status": t.status.value,
                "context": t.context,
                "created_at": _json(t.created_at),
                "resolved_at": _json(t.resolved_at),
                "messages": [
                    {"from": m.author.value, "name": m.name, "text": m.text, "at": _json(m.at)}
                    for m in t.messages
                ],
            }
            for t in sorted(s.tickets.values(), key=lambda t: t.id or 0)
            if t.user_id == user_id
        ]
        data["requests"] = [
            {
                "id": r.id,
                "customer_id": r.customer_id,
                "kind": r.kind.value,
                "status": r.status.value,
                "product_sku": r.product_sku,
                "quantity": r.quantity,
                "requested_by_name": r.requested_by_name,
                "decided_by_name": r.decided_by_name,
                "reason": r.reason,
                "created_at": _json(r.created_at),
                "decided_at": _json(r.decided_at),
            }
            for r in sorted(s.requests.values(), key=lambda r: r.id or 0)
            if user_id in (r.requested_by, r.decided_by)
        ]
        return data

    async def _records_of(self, user_id: int) -> dict[str, list[dict[str, object]]]:
        s = self.s

        def label(actor: Any) -> str:
            return str(actor.label or actor.role.value)

        return {
            "consents": [
                {
                    "id": index + 1,
                    "subscription_id": c.subscription_id,
                    "addon_booking_id": c.addon_booking_id,
                    "kind": c.kind.value,
                    "terms_version": c.terms_version,
                    "given_at": _json(c.given_at),
                    "customer_id": c.customer_id,
                    "actor_label": label(c.actor),
                    "channel": c.actor.channel.value,
                }
                for index, c in enumerate(s.consents)
                if c.actor.user_id == user_id
            ],
            "quantity_changes": [
                {
                    "subscription_id": c.subscription_id,
                    "addon_booking_id": c.addon_booking_id,
                    "from_quantity": c.from_quantity,
                    "to_quantity": c.to_quantity,
                    "changed_at": _json(c.changed_at),
                    "actor_label": label(c.actor),
                    "channel": c.actor.channel.value,
                }
                for c in s.changes
                if c.actor.user_id == user_id
            ],
            "audit": [
                {
                    "at": _json(e.at),
                    "customer_id": e.customer_id,
                    "action": e.action,
                    "target": e.target,
                    "details": dict(e.details),
                    "actor_label": label(e.actor),
                    "channel": e.actor.channel.value,
                }
                for e in s.audit
                if e.actor.user_id == user_id
            ],
        }

    async def purge(
        self,
        *,
        chats_before: datetime,
        updates_before: datetime,
        tickets_before: datetime,
        notices_before: datetime,
    ) -> Erased:
        """Retention by age, as the SQL adapter's statements (domain/storage/privacy.py)."""
        s = self.s
        idle = {c for c in s.chats if s.chat_updated.get(c, chats_before) < chats_before}
        drafts = [
            i
            for i, d in s.drafts.items()
            if s.draft_updated.get(i, chats_before) < chats_before or d.chat_id in idle
        ]
        for draft_id in drafts:
            del s.drafts[draft_id]
        for chat_id in idle:
            del s.chats[chat_id]
        updates = [k for k in s.updates if s.update_at.get(k, updates_before) < updates_before]
        for key in updates:
            s.updates.discard(key)
            s.update_chats.pop(key, None)
        old = [
            i
            for i, t in s.tickets.items()
            if t.status is TicketStatus.RESOLVED
            and t.resolved_at is not None
            and t.resolved_at < tickets_before
        ]
        messages = 0
        for ticket_id in old:
            for chat_id, chat in s.chats.items():
                if chat.ticket_id == ticket_id:
                    s.chats[chat_id] = dataclasses.replace(chat, ticket_id=None)
            s.ticket_posts = [p for p in s.ticket_posts if p.ticket_id != ticket_id]
            messages += len(s.tickets.pop(ticket_id).messages)
        owed = {d["notification_id"] for d in s.deliveries if d["state"] == "pending"}
        settled = {
            n.id
            for n in s.notifications
            if s.notice_at.get(n.id, notices_before) < notices_before and n.id not in owed
        }
        s.deliveries = [d for d in s.deliveries if d["notification_id"] not in settled]
        s.notifications = [n for n in s.notifications if n.id not in settled]
        return Erased(
            chats=len(idle),
            drafts=len(drafts),
            updates=len(updates),
            notices=len(settled),
            tickets=len(old),
            ticket_messages=messages,
        )


def _json(value: object) -> object:
    """Dates and instants as ISO text, as the SQL adapter's export gives them."""
    return value.isoformat() if isinstance(value, datetime | date) else value


class _Seats(_Repos):
    async def reports(self, customer_id: str) -> Sequence[SeatReport]:
        return [r for (c, _), r in self.s.seat_reports.items() if c == customer_id]

    async def report(self, customer_id: str, report: SeatReport) -> None:
        self.s.seat_reports[customer_id, report.sku] = report

    async def buffers(self, customer_id: str) -> dict[str, int]:
        return {sku: n for (c, sku), n in self.s.seat_buffers.items() if c == customer_id}

    async def set_buffer(self, customer_id: str, sku: str, spare: int) -> None:
        self.s.seat_buffers.pop((customer_id, sku), None)
        if spare:
            self.s.seat_buffers[customer_id, sku] = spare

    async def hints_wanted(self, user_id: int) -> bool:
        return user_id not in self.s.hint_optouts

    async def set_hints(self, user_id: int, wanted: bool, at: datetime) -> None:
        self.s.hint_optouts.discard(user_id)
        self.s.hint_optout_at.pop(user_id, None)
        if not wanted:
            self.s.hint_optouts.add(user_id)
            self.s.hint_optout_at[user_id] = at

    async def claim_hint(self, customer_id: str, month: str, at: datetime, saving: Decimal) -> bool:
        if (customer_id, month) in self.s.seat_hints:
            return False
        self.s.seat_hints[customer_id, month] = saving
        return True

    async def hinted(self, customer_id: str, month: str) -> bool:
        return (customer_id, month) in self.s.seat_hints


def _check_unique(state: State) -> None:
    """The SQL schema's unique keys (domain/storage/tables.py)."""
    people = [(u.channel, u.external_id) for u in state.users]
    subs = state.subscriptions.values()
    keys = [(s.customer_id, s.idempotency_key) for s in subs if s.idempotency_key]
    running = [(s.customer_id, s.product_sku) for s in subs if s.status is not Status.ENDED]
    bookings = [
        (s.id, a.addon_sku)
        for s in subs
        for a in s.addons
        if a.status in (Status.ORDERED, Status.PROVISIONED)
    ]
    for name, values in (
        ("uq_users_channel_external_id", people),
        ("uq_subscriptions_customer_idempotency_key", keys),
        ("uq_subscriptions_active_product", running),
        ("uq_addon_bookings_running", bookings),
    ):
        if len(set(values)) != len(values):
            raise errors.Duplicate(name)


class FakeUnitOfWork:
    def __init__(self, store: FakeStore) -> None:
        self._store = store
        self.working = copy.deepcopy(store.state)
        self.seen: dict[int, int] = {}  # subscription id -> version when first read
        self.saved: dict[tuple[str, int], int] = {}  # (table, id) -> version it was saved over
        self.catalogue = _Catalogue(self)
        self.customers = _Customers(self)
        self.subscriptions = _Subscriptions(self)
        self.users = _Users(self)
        self.invites = _Invites(self)
        self.records = _Records(self)
        self.chats = _Chats(self)
        self.outbox = _Outbox(self)
        self.tickets = _Tickets(self)
        self.requests = _Requests(self)
        self.privacy = _Privacy(self)
        self.seats = _Seats(self)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None  # what was not committed stays in `working` and is forgotten

    async def flush(self) -> None:
        """New add-on bookings get their ids, as the database gives them on a flush; a unique
        key taken twice is `errors.Duplicate`, as the database's constraints make it."""
        for sub in self.working.subscriptions.values():
            for booking in sub.addons:
                if booking.id is None:
                    booking.id = self.working.new_id()
        _check_unique(self.working)

    def check_version(self, table: str, key: int, version: int) -> None:
        """`UPDATE … WHERE version = :read`: the row as this transaction sees it now (its own
        write, else the newest committed one) must still have the version read."""
        committed = getattr(self._store.state, table).get(key)
        if (table, key) in self.saved or committed is None:
            row = getattr(self.working, table).get(key)
            current = None if row is None else row.version
        else:
            current = committed.version
        if current != version:
            raise errors.StaleWrite()
        self.saved.setdefault((table, key), version)

    async def commit(self) -> None:
        await self.flush()
        for (table, key), version in self.saved.items():  # another writer committed meanwhile
            committed = getattr(self._store.state, table).get(key)
            if committed is not None and committed.version != version:
                raise errors.StaleWrite()
        stored = self._store.state.subscriptions
        for sub_id, version in self.seen.items():
            current = stored.get(sub_id)
            mine = self.working.subscriptions.get(sub_id)
            changed = mine is not None and mine.version != version
            if changed and current is not None and current.version != version:
                raise errors.StaleWrite()
        self._store.state = copy.deepcopy(self.working)
        self.seen = {i: s.version for i, s in self.working.subscriptions.items()}
        self.saved.clear()
        self._store.commits += 1

    async def rollback(self) -> None:
        self.working = copy.deepcopy(self._store.state)
        self.seen.clear()
        self.saved.clear()

    def part(self, *, write: bool) -> FakePart:
        return FakePart(self)


class FakePart:
    """A use case's share of an open fake unit of work; undone unless committed."""

    def __init__(self, owner: FakeUnitOfWork) -> None:
        self._owner = owner
        self._before: State | None = None
        self.catalogue, self.customers = owner.catalogue, owner.customers
        self.subscriptions, self.users = owner.subscriptions, owner.users
        self.invites, self.records = owner.invites, owner.records
        self.chats, self.outbox = owner.chats, owner.outbox
        self.tickets = owner.tickets
        self.requests = owner.requests
        self.privacy = owner.privacy
        self.seats = owner.seats

    async def __aenter__(self) -> Self:
        self._before = copy.deepcopy(self._owner.working)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.rollback()

    async def flush(self) -> None:
        return None

    async def commit(self) -> None:
        self._before = None

    async def rollback(self) -> None:
        if self._before is not None:
            self._owner.working, self._before = self._before, None

    def part(self, *, write: bool) -> FakePart:
        return FakePart(self._owner)


@dataclass
class FakeStore:
    state: State = field(default_factory=State)
    commits: int = 0
    url: str = "memory://"
    schema: str | None = None

    def unit_of_work(self, *, write: bool = True) -> FakeUnitOfWork:
        return FakeUnitOfWork(self)

    async def dispose(self) -> None:
        return None
