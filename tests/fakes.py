"""An in-memory store behind the ports (domain/ports.py): use-case tests without a database.

Hand-written, not mocks (cosmicpython): each unit of work works on a copy of the stored state
and writes it back on commit, so "rolled back unless committed" holds; a subscription changed
by another unit of work since it was read makes the commit fail with `errors.StaleWrite`.
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
        raise NotImplementedError("catalogue files are tested against the SQL adapter")

    async def is_empty(self) -> bool:
        return not self.s.catalogue.products


class _Customers(_Repos):
    async def get(self, customer_id: str, *, lock: bool = False) -> Customer:
        try:
            return self.s.customers[customer_id]
        except KeyError:
            raise errors.CustomerNotFound(customer_id) from None

    async def exists(self, customer_id: str) -> bool:
        return customer_id in self.s.customers

    async def add(self, customer: Customer, at: datetime) -> None:
        self.s.customers[customer.id] = customer

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

    async def by_hash(self, code_hash: str) -> Invite | None:
        return self.s.invites.get(code_hash)

    async def claim(self, invite_id: int, user_id: int, at: datetime) -> bool:
        for code_hash, invite in self.s.invites.items():
            if invite.id == invite_id and invite.used_at is None:
                self.s.invites[code_hash] = dataclasses.replace(invite, used_at=at)
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
        return [
            {"action": e.action, "customer_id": e.customer_id, "target": e.target}
            for e in self.s.audit
            if customer_id is None or e.customer_id == customer_id
        ]

    async def history(self, subscription_id: int) -> list[dict[str, Any]]:
        return [
            {"from_quantity": c.from_quantity, "to_quantity": c.to_quantity}
            for c in self.s.changes
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
        return [
            {
                "kind": c.kind.value,
                "terms_version": c.terms_version,
                "user_id": c.actor.user_id,
                "addon_booking_id": c.addon_booking_id,
            }
            for c in self.s.consents
            if c.subscription_id == subscription_id
        ]


class _Chats(_Repos):
    async def claim_update(
        self, bot_id: int, update_id: int, at: datetime, chat_id: int | None = None
    ) -> bool:
        if (bot_id, update_id) in self.s.updates:
            return False
        self.s.updates.add((bot_id, update_id))
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

    async def new_draft(self, chat_id: int, kind: str, data: dict[str, Any], at: datetime) -> Draft:
        draft = Draft(self.s.new_id(), chat_id, kind, uuid.uuid4().hex, dict(data))
        self.s.drafts[draft.id] = copy.deepcopy(draft)
        return draft

    async def draft(self, draft_id: int) -> Draft | None:
        found = self.s.drafts.get(draft_id)
        return copy.deepcopy(found) if found else None

    async def save_draft(self, draft: Draft, at: datetime) -> None:
        self.s.drafts[draft.id] = copy.deepcopy(draft)


class _Outbox(_Repos):
    """Deliveries as dicts; no claims expire here (one process, no workers)."""

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
        notice = Notification(self.s.new_id(), customer_id, kind, payload)
        self.s.notifications.append(notice)
        for user_id in [*dict.fromkeys(user_ids), *([None] if desk else [])]:
            self.s.deliveries.append(
                {
                    "id": self.s.new_id(),
                    "notification_id": notice.id,
                    "user_id": user_id,
                    "to_desk": user_id is None,
                    "state": "pending",
                    "attempts": 0,
                    "next_attempt_at": at,
                    "claim_token": None,
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
        due = [
            d
            for d in self.s.deliveries
            if d["state"] == "pending"
            and d["claim_token"] is None
            and d["next_attempt_at"] <= at
            and (notification_ids is None or d["notification_id"] in notification_ids)
        ][:limit]
        for d in due:
            d["claim_token"], d["attempts"] = token, d["attempts"] + 1
        return [
            Delivery(
                d["id"],
                notices[d["notification_id"]],
                next((u for u in self.s.users if u.id == d["user_id"]), None),
                d["to_desk"],
                d["attempts"],
                token,
            )
            for d in due
        ]

    def _held(self, delivery_id: int, token: str) -> dict[str, Any] | None:
        return next(
            (d for d in self.s.deliveries if d["id"] == delivery_id and d["claim_token"] == token),
            None,
        )

    async def delivered(self, delivery_id: int, token: str, at: datetime) -> bool:
        return self._settle(delivery_id, token, state="sent")

    async def retry(self, delivery_id: int, token: str, next_at: datetime, error: str) -> bool:
        return self._settle(delivery_id, token, next_attempt_at=next_at)

    async def give_up(self, delivery_id: int, token: str, at: datetime, error: str) -> bool:
        return self._settle(delivery_id, token, state="gone")

    def _settle(self, delivery_id: int, token: str, **values: Any) -> bool:
        held = self._held(delivery_id, token)
        if held is not None:
            held.update(values, claim_token=None)
        return held is not None

    async def release(self, delivery_ids: Sequence[int], token: str) -> None:
        for delivery_id in delivery_ids:
            self._settle(delivery_id, token)

    async def notices(self, customer_id: str | None = None) -> list[Notification]:
        return [n for n in self.s.notifications if customer_id in (None, n.customer_id)]

    async def states(self, notification_id: int) -> list[dict[str, Any]]:
        return [dict(d) for d in self.s.deliveries if d["notification_id"] == notification_id]


class _Tickets(_Repos):
    async def add(self, ticket: Ticket) -> None:
        ticket.id = self.s.new_id()
        for index, message in enumerate(ticket.messages):
            ticket.messages[index] = dataclasses.replace(message, id=self.s.new_id())
        self.s.tickets[ticket.id] = ticket

    async def get(self, ticket_id: int) -> Ticket | None:
        return self.s.tickets.get(ticket_id)

    async def save(self, ticket: Ticket) -> None:
        ticket.version += 1
        for index, message in enumerate(ticket.messages):
            if message.id is None:
                ticket.messages[index] = dataclasses.replace(message, id=self.s.new_id())
        self.s.tickets[ticket.id or 0] = ticket

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
                return ticket
            if topic_id is None and message_id is not None and ticket.desk_message_id == message_id:
                return ticket
        return None

    async def open_of_user(self, user_id: int) -> Ticket | None:
        mine = [t for t in self.s.tickets.values() if t.user_id == user_id and t.is_open]
        return max(mine, key=lambda t: t.id or 0) if mine else None

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
        return sorted(found, key=lambda t: -(t.id or 0))[:limit]


class _Requests(_Repos):
    async def add(self, request: LicenceRequest) -> None:
        request.id = self.s.new_id()
        self.s.requests[request.id] = request

    async def get(self, request_id: int) -> LicenceRequest | None:
        return self.s.requests.get(request_id)

    async def save(self, request: LicenceRequest) -> None:
        request.version += 1
        self.s.requests[request.id or 0] = request

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
        return sorted(found, key=lambda r: -(r.id or 0))[:limit]


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
        return Erased(records=records, tickets=tickets, ticket_messages=messages, requests=requests)

    async def personal_data(self, user_id: int | None, chat_id: int | None) -> dict[str, Any]:
        s = self.s
        user = next((u for u in s.users if u.id == user_id), None)
        chat = s.chats.get(chat_id) if chat_id is not None else None
        return {
            "user": None
            if user is None
            else {"id": user.id, "external_id": user.external_id, "name": user.display_name},
            "chat": None if chat is None else {"chat_id": chat.chat_id, "language": chat.language},
            "drafts": [{"id": d.id} for d in s.drafts.values() if d.chat_id == chat_id],
            "processed_updates": [
                {"update_id": k[1]} for k, c in s.update_chats.items() if c == chat_id
            ],
            "consents": [{"kind": c.kind.value} for c in s.consents if c.actor.user_id == user_id],
            "audit": [{"action": e.action} for e in s.audit if e.actor.user_id == user_id],
        }

    async def purge(
        self,
        *,
        chats_before: datetime,
        updates_before: datetime,
        tickets_before: datetime,
        notices_before: datetime,
    ) -> Erased:
        raise NotImplementedError("retention by age is tested against SQLite and PostgreSQL")


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
        if wanted:
            self.s.hint_optouts.discard(user_id)
        else:
            self.s.hint_optouts.add(user_id)

    async def claim_hint(self, customer_id: str, month: str, at: datetime, saving: Decimal) -> bool:
        if (customer_id, month) in self.s.seat_hints:
            return False
        self.s.seat_hints[customer_id, month] = saving
        return True

    async def hinted(self, customer_id: str, month: str) -> bool:
        return (customer_id, month) in self.s.seat_hints


class FakeUnitOfWork:
    def __init__(self, store: FakeStore) -> None:
        self._store = store
        self.working = copy.deepcopy(store.state)
        self.seen: dict[int, int] = {}  # subscription id -> version when first read
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
        """New add-on bookings get their ids, as the database gives them on a flush."""
        for sub in self.working.subscriptions.values():
            for booking in sub.addons:
                if booking.id is None:
                    booking.id = self.working.new_id()

    async def commit(self) -> None:
        stored = self._store.state.subscriptions
        for sub_id, version in self.seen.items():
            current = stored.get(sub_id)
            mine = self.working.subscriptions.get(sub_id)
            changed = mine is not None and mine.version != version
            if changed and current is not None and current.version != version:
                raise errors.StaleWrite()
        self._store.state = copy.deepcopy(self.working)
        self.seen = {i: s.version for i, s in self.working.subscriptions.items()}
        self._store.commits += 1

    async def rollback(self) -> None:
        self.working = copy.deepcopy(self._store.state)
        self.seen.clear()

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
