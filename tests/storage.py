"""Tests that look at tables directly reach the SQL adapter behind a context."""

from __future__ import annotations

from domain.ports import Store
from domain.storage.database import Database
from domain.storage.uow import SqlUnitOfWork


def sql(store: Store) -> Database:
    assert isinstance(store, Database)
    return store


def read(store: Store) -> SqlUnitOfWork:
    """A read-only SQL unit of work, for assertions about stored rows."""
    return sql(store).unit_of_work(write=False)
