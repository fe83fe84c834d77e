"""Use cases on the in-memory fakes (tests/fakes.py), cosmicpython style: a Context over a fake
store and a fixed clock, the use case called, its result and the stored data asserted.

`ctx` here replaces the database-backed one of tests/conftest.py, so the shared `seed` (the
repository's catalogue, ACME and Globex with an admin and a member, a service desk agent) is
made by the same use cases as in tests/integration — only without a database.
"""

from __future__ import annotations

import pytest

from domain.clock import FixedClock
from domain.services.context import Context
from tests.fakes import FakeStore


@pytest.fixture
def store() -> FakeStore:
    return FakeStore()


@pytest.fixture
def ctx(store: FakeStore, clock: FixedClock) -> Context:
    return Context(store, clock=clock)
