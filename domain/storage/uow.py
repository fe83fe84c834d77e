"""The unit of work: one session, one transaction, rolled back unless committed.

It translates what the driver raises into the domain's words (`errors.Duplicate`,
`errors.StaleWrite`), so the use cases import no SQLAlchemy.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import TracebackType
from typing import Self

from sqlalchemy.exc import IntegrityError, InvalidRequestError
from sqlalchemy.ext.asyncio import AsyncSession, AsyncSessionTransaction
from sqlalchemy.orm.exc import StaleDataError

from domain import errors, metrics
from domain.storage.catalogue_cache import CHANGED, CatalogueCache
from domain.storage.chat_state import ChatStateRepository
from domain.storage.licence_requests import RequestRepository
from domain.storage.outbox import OutboxRepository
from domain.storage.privacy import PrivacyRepository
from domain.storage.repositories import (
    AUDITED,
    CatalogueRepository,
    CustomerRepository,
    InviteRepository,
    RecordRepository,
    SubscriptionRepository,
    UserRepository,
)
from domain.storage.seats import SeatRepository
from domain.storage.tickets import TicketRepository


def _raise_translated(exc: BaseException | None) -> None:
    """The one translation of driver errors into the domain's words; anything else is left
    to its caller. Used where the unit flushes or commits (`_translated`) and for what
    escapes a unit (e.g. from a repository's statement)."""
    if isinstance(exc, StaleDataError):
        raise errors.StaleWrite() from None
    if isinstance(exc, IntegrityError):
        raise errors.Duplicate(type(exc.orig).__name__) from None


@asynccontextmanager
async def _translated() -> AsyncIterator[None]:
    try:
        yield
    except Exception as exc:
        _raise_translated(exc)
        raise


class SqlUnitOfWork:
    def __init__(
        self, session: AsyncSession, catalogue_cache: CatalogueCache | None = None
    ) -> None:
        self.session = session
        self._catalogue_cache = catalogue_cache
        self.catalogue = CatalogueRepository(session, catalogue_cache)
        self.customers = CustomerRepository(session)
        self.subscriptions = SubscriptionRepository(session)
        self.users = UserRepository(session)
        self.invites = InviteRepository(session)
        self.records = RecordRepository(session)
        self.chats = ChatStateRepository(session)
        self.outbox = OutboxRepository(session)
        self.tickets = TicketRepository(session)
        self.requests = RequestRepository(session)
        self.privacy = PrivacyRepository(session)
        self.seats = SeatRepository(session)
        self.transactions = 0  # commits, for tests that count them

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # close() rolls back whatever was not committed; unlike rollback() it leaves the
        # loaded objects readable for the caller.
        self.session.info.pop(AUDITED, None)
        self.session.info.pop(CHANGED, None)
        await self.session.close()
        _raise_translated(exc)

    async def flush(self) -> None:
        async with _translated():
            await self.session.flush()

    async def commit(self) -> None:
        async with _translated():
            await self.session.commit()
        self.transactions += 1
        if self.session.info.pop(CHANGED, False) and self._catalogue_cache is not None:
            self._catalogue_cache.invalidate()  # a read that began before the commit is dropped
        metrics.written(self.session.info.pop(AUDITED, ()))  # only what was committed

    async def rollback(self) -> None:
        self.session.info.pop(AUDITED, None)
        await self.session.rollback()

    def part(self, *, write: bool) -> PartOfWork:
        return PartOfWork(self, write=write)


class PartOfWork:
    """A use case's share of an open unit of work: a savepoint when it writes."""

    def __init__(self, owner: SqlUnitOfWork, *, write: bool) -> None:
        self._owner = owner
        self._write = write
        self._savepoint: AsyncSessionTransaction | None = None
        self._audited = 0
        self.session = owner.session
        self.catalogue = owner.catalogue
        self.customers = owner.customers
        self.subscriptions = owner.subscriptions
        self.users = owner.users
        self.invites = owner.invites
        self.records = owner.records
        self.chats = owner.chats
        self.outbox = owner.outbox
        self.tickets = owner.tickets
        self.requests = owner.requests
        self.privacy = owner.privacy
        self.seats = owner.seats

    async def __aenter__(self) -> Self:
        self._audited = len(self.session.info.get(AUDITED, ()))  # what a rollback keeps
        if self._write:
            async with _translated():
                self._savepoint = await self.session.begin_nested()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.rollback()  # whatever the use case did not commit
        _raise_translated(exc)

    async def flush(self) -> None:
        await self._owner.flush()

    async def commit(self) -> None:
        """Final within the transaction; the owner commits it (once, for the whole update).

        A failed flush leaves the savepoint open (and inactive): `rollback` then undoes it.
        """
        async with _translated():
            if self._savepoint is not None:
                await self._savepoint.commit()
            else:
                await self.session.flush()
        self._savepoint = None

    async def rollback(self) -> None:
        """Undo this part: also a savepoint that a failed flush deactivated."""
        savepoint, self._savepoint = self._savepoint, None
        if savepoint is not None:
            del self.session.info.get(AUDITED, [])[self._audited :]  # undone: not counted
            with contextlib.suppress(InvalidRequestError):  # closed already with its owner
                await savepoint.rollback()

    def part(self, *, write: bool) -> PartOfWork:
        return PartOfWork(self._owner, write=write)
