"""The unit of work: one session, one transaction, rolled back unless committed."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from domain.storage.chat_state import ChatStateRepository
from domain.storage.database import Database
from domain.storage.outbox import OutboxRepository
from domain.storage.repositories import (
    CatalogRepository,
    CustomerRepository,
    InviteRepository,
    RecordRepository,
    SubscriptionRepository,
    UserRepository,
)


class SqlUnitOfWork:
    def __init__(self, db: Database, *, write: bool = True) -> None:
        self._db = db
        self._write = write

    async def __aenter__(self) -> Self:
        self.session = self._db.session(write=self._write)
        self.catalog = CatalogRepository(self.session)
        self.customers = CustomerRepository(self.session)
        self.subscriptions = SubscriptionRepository(self.session)
        self.users = UserRepository(self.session)
        self.invites = InviteRepository(self.session)
        self.records = RecordRepository(self.session)
        self.chats = ChatStateRepository(self.session)
        self.outbox = OutboxRepository(self.session)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # close() rolls back whatever was not committed; unlike rollback() it leaves the
        # loaded objects readable for the caller.
        await self.session.close()

    async def flush(self) -> None:
        await self.session.flush()

    async def commit(self) -> None:
        await self.session.commit()

    async def rollback(self) -> None:
        await self.session.rollback()
