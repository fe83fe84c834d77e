"""What the use cases need from the outside world, as Protocols (docs/design.md, decision 2).

The SQL adapter in `domain/storage` implements them; `tests/fakes.py` implements them in
memory for use-case tests without a database. Nothing here imports a framework.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from types import TracebackType
from typing import Any, Protocol, Self

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
    Subscription,
)
from domain.seats import SeatReport
from domain.tickets import Ticket, TicketMessage, TicketPost, TicketStatus


@dataclass(frozen=True)
class CatalogueChanges:
    """What loading a catalogue file changed; products in use are retired, not removed."""

    added: tuple[str, ...]
    updated: tuple[str, ...]
    retired: tuple[str, ...]
    removed: tuple[str, ...]


@dataclass(frozen=True)
class Notification:
    """Something a customer's people must be told once (e.g. "provisioned")."""

    id: int
    customer_id: str
    kind: str
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Delivery:
    """One notification to one person (or to the service desk group), claimed by one worker
    with `token` until the claim expires; `attempts` counts this one."""

    id: int
    notification: Notification
    user: ChatUser | None  # as of now; None: the service desk group, or the person is gone
    to_desk: bool
    attempts: int
    token: str


@dataclass(frozen=True)
class TrailEntry:
    """One line of a customer's audit trail (R25), or a consent given (R5) as
    `consent.<kind>` with its terms version in `details`; `role` None for a consent."""

    at: datetime
    who: str
    channel: Channel
    role: Role | None
    action: str
    target: str
    details: dict[str, Any] = field(default_factory=dict)


class CatalogueRepository(Protocol):
    async def load(self, *, fresh: bool = False) -> Catalogue:
        """The catalogue; `fresh`: read now, never a process's cached copy (writes that store
        a price or check what is orderable)."""
        ...

    async def replace(self, spec: CatalogueSpec) -> CatalogueChanges: ...
    async def is_empty(self) -> bool: ...


class CustomerRepository(Protocol):
    async def get(self, customer_id: str, *, lock: bool = False) -> Customer: ...
    async def exists(self, customer_id: str) -> bool: ...
    async def add(self, customer: Customer, at: datetime) -> None: ...
    async def set_price(self, customer_id: str, sku: str, price: Decimal | None) -> None: ...
    async def directory(self) -> Sequence[tuple[str, str]]:
        """Every customer's (id, name), for the service desk's search."""
        ...


class SubscriptionRepository(Protocol):
    def add(self, subscription: Subscription) -> None: ...
    async def get(self, subscription_id: int) -> Subscription | None: ...
    async def customer_of(self, subscription_id: int) -> str | None: ...
    async def by_key(self, customer_id: str, key: str) -> Subscription | None: ...
    async def for_customer(self, customer_id: str) -> Sequence[Subscription]: ...
    async def past_end_date(self, today: date) -> Sequence[Subscription]: ...
    async def awaiting_provisioning(self, limit: int = 100) -> Sequence[Subscription]: ...
    async def reductions_due(self, today: date) -> Sequence[int]:
        """Ids of subscriptions with a reduction scheduled for a day before `today`."""
        ...


class UserRepository(Protocol):
    async def by_external(self, channel: Channel, external_id: str) -> ChatUser | None: ...
    async def with_customer_name(
        self, channel: Channel, external_id: str
    ) -> tuple[ChatUser, str | None] | None: ...
    async def by_id(self, user_id: int) -> ChatUser | None: ...
    async def of_customer(self, customer_id: str, role: Role) -> Sequence[ChatUser]: ...
    def add(self, user: ChatUser) -> None: ...


class InviteRepository(Protocol):
    async def add(
        self,
        code_hash: str,
        customer_id: str | None,
        role: Role,
        at: datetime,
        expires_at: datetime,
    ) -> None: ...
    async def by_hash(self, code_hash: str) -> Invite | None: ...
    async def claim(self, invite_id: int, user_id: int, at: datetime) -> bool: ...
    async def revoke(self, invite_id: int, at: datetime) -> bool: ...


class RecordRepository(Protocol):
    """Append-only records: quantity history (R11), consents (R5), audit trail (R25)."""

    async def quantity_change(self, change: QuantityChange) -> None: ...
    async def consent(self, consent: Consent) -> None: ...
    async def audit(self, entry: AuditEntry) -> None: ...
    async def audit_for(self, customer_id: str | None = None) -> list[dict[str, Any]]: ...
    async def history(self, subscription_id: int) -> list[dict[str, Any]]: ...
    async def consents_for(self, subscription_id: int) -> list[dict[str, Any]]: ...
    async def trail(self, customer_id: str) -> list[TrailEntry]:
        """The customer's audit entries and consents, oldest first (R25, R5)."""
        ...


class ChatRepository(Protocol):
    """A front end's conversation state: chats, drafts, processed update ids."""

    async def claim_update(
        self, bot_id: int, update_id: int, at: datetime, chat_id: int | None = None
    ) -> bool: ...
    async def get(self, chat_id: int) -> ChatState: ...
    async def with_user(
        self, chat_id: int, channel: Channel, external_id: str
    ) -> tuple[ChatState, tuple[ChatUser, str | None] | None]: ...
    async def save(self, state: ChatState, at: datetime) -> None: ...
    async def new_draft(
        self, chat_id: int, kind: str, data: dict[str, Any], at: datetime
    ) -> Draft: ...
    async def draft(self, draft_id: int) -> Draft | None: ...
    async def save_draft(self, draft: Draft, at: datetime) -> None: ...


class OutboxRepository(Protocol):
    """Notifications and their deliveries, one per person (design: docs/decisions.md)."""

    async def add(
        self,
        customer_id: str,
        kind: str,
        payload: dict[str, Any],
        at: datetime,
        user_ids: Sequence[int],
        *,
        desk: bool = False,
    ) -> int: ...
    async def claim(
        self,
        channel: Channel,
        limit: int,
        at: datetime,
        until: datetime,
        token: str,
        notification_ids: Sequence[int] | None = None,
    ) -> list[Delivery]:
        """Due deliveries, held with `token`; only of `notification_ids` when given."""
        ...

    @property
    def queued(self) -> list[int]:
        """The notifications this unit of work added (a front end may send them at once)."""
        ...

    async def delivered(self, delivery_id: int, token: str, at: datetime) -> bool: ...
    async def retry(self, delivery_id: int, token: str, next_at: datetime, error: str) -> bool: ...
    async def give_up(self, delivery_id: int, token: str, at: datetime, error: str) -> bool: ...
    async def release(self, delivery_ids: Sequence[int], token: str) -> None: ...
    async def notices(self, customer_id: str | None = None) -> list[Notification]: ...
    async def states(self, notification_id: int) -> list[dict[str, Any]]: ...


class TicketRepository(Protocol):
    """Service desk tickets (R26)."""

    async def add(self, ticket: Ticket) -> None: ...
    async def get(self, ticket_id: int) -> Ticket | None: ...
    async def save(self, ticket: Ticket) -> None: ...
    async def rewrite(self, message: TicketMessage) -> None: ...
    async def record_post(self, post: TicketPost) -> None: ...
    async def post(self, chat_id: int, message_id: int) -> TicketPost | None: ...
    async def posts(
        self,
        ticket_id: int,
        *,
        ticket_message_id: int | None = None,
        notification_id: int | None = None,
    ) -> list[TicketPost]: ...
    async def at_desk(self, message_id: int | None, topic_id: int | None) -> Ticket | None: ...
    async def open_of_user(self, user_id: int) -> Ticket | None: ...
    async def find(
        self,
        *,
        user_id: int | None = None,
        customer_id: str | None = None,
        status: TicketStatus | None = None,
        handled_by: int | None = None,
        limit: int = 1000,
    ) -> Sequence[Ticket]: ...


class RequestRepository(Protocol):
    """Licence requests of members and the service desk (R23)."""

    async def add(self, request: LicenceRequest) -> None: ...
    async def get(self, request_id: int) -> LicenceRequest | None: ...
    async def save(self, request: LicenceRequest) -> None: ...
    async def find(
        self,
        *,
        customer_id: str | None = None,
        requested_by: int | None = None,
        status: RequestStatus | None = None,
        limit: int = 1000,
    ) -> Sequence[LicenceRequest]: ...


class SeatRepository(Protocol):
    """Seat usage the tenant reported, spare-seat buffers, hints (issue 21)."""

    async def reports(self, customer_id: str) -> Sequence[SeatReport]: ...
    async def report(self, customer_id: str, report: SeatReport) -> None: ...
    async def buffers(self, customer_id: str) -> dict[str, int]: ...
    async def set_buffer(self, customer_id: str, sku: str, spare: int) -> None: ...
    async def hints_wanted(self, user_id: int) -> bool: ...
    async def set_hints(self, user_id: int, wanted: bool, at: datetime) -> None: ...
    async def claim_hint(self, customer_id: str, month: str, at: datetime, saving: Decimal) -> bool:
        """Record the month's hint; False when it was recorded already (another worker)."""
        ...

    async def hinted(self, customer_id: str, month: str) -> bool: ...


@dataclass(frozen=True)
class Erased:
    """How many rows a privacy operation deleted or pseudonymised, per kind."""

    chats: int = 0
    drafts: int = 0
    updates: int = 0
    records: int = 0  # consents, quantity history, audit entries given a pseudonym
    tickets: int = 0
    ticket_messages: int = 0
    requests: int = 0
    notices: int = 0  # settled outbox notices (retention)


class PrivacyRepository(Protocol):
    """What is stored about one person, erased or pseudonymised (docs/privacy.md)."""

    async def forget_chat(self, chat_id: int, keep_update: tuple[int, int] | None) -> Erased:
        """Delete the chat's state, drafts and processed update ids; `keep_update` (bot id,
        update id: the update being handled) stays claimed, without the chat."""
        ...

    async def pseudonymise(self, user_id: int, pseudonym: str, names: Sequence[str]) -> Erased:
        """Put `pseudonym` where the person's name or chat id stood: records, requests,
        tickets (`names`: what the person was called as an agent, in agents' messages)."""
        ...

    async def personal_data(self, user_id: int | None, chat_id: int | None) -> dict[str, Any]:
        """Everything stored about the person, as JSON-ready data (docs/privacy.md)."""
        ...

    async def purge(
        self,
        *,
        chats_before: datetime,
        updates_before: datetime,
        tickets_before: datetime,
        notices_before: datetime,
    ) -> Erased:
        """Retention: idle chats with their drafts, old update ids, long-resolved tickets,
        old notices that every recipient has received (or was given up for)."""
        ...


class UnitOfWork(Protocol):
    """One transaction: rolled back unless committed.

    `commit` raises `errors.Duplicate` for a unique key taken meanwhile and
    `errors.StaleWrite` for an aggregate another writer changed first (R13).
    """

    @property
    def catalogue(self) -> CatalogueRepository: ...
    @property
    def customers(self) -> CustomerRepository: ...
    @property
    def subscriptions(self) -> SubscriptionRepository: ...
    @property
    def users(self) -> UserRepository: ...
    @property
    def invites(self) -> InviteRepository: ...
    @property
    def records(self) -> RecordRepository: ...
    @property
    def chats(self) -> ChatRepository: ...
    @property
    def outbox(self) -> OutboxRepository: ...
    @property
    def tickets(self) -> TicketRepository: ...
    @property
    def requests(self) -> RequestRepository: ...
    @property
    def privacy(self) -> PrivacyRepository: ...
    @property
    def seats(self) -> SeatRepository: ...

    async def __aenter__(self) -> Self: ...
    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
    async def flush(self) -> None: ...
    async def commit(self) -> None: ...
    async def rollback(self) -> None: ...

    def part(self, *, write: bool) -> UnitOfWork:
        """A use case's share of this open unit of work (see `Context.bound`).

        Entering it opens nothing; its `commit` makes the use case's writes final within the
        transaction (a savepoint), which the owner of the unit of work commits once; leaving
        it without a commit undoes the use case's writes and nothing else.
        """
        ...


class Store(Protocol):
    """Where units of work come from (the database)."""

    @property
    def url(self) -> str: ...
    @property
    def schema(self) -> str | None: ...

    def unit_of_work(self, *, write: bool = True) -> UnitOfWork: ...
    async def dispose(self) -> None: ...
