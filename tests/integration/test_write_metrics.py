"""Writes are counted as metrics only when their transaction commits (R25's audit trail names
them): a use case's part that is rolled back, or an update that never commits, counts nothing."""

from __future__ import annotations

from prometheus_client import REGISTRY

from domain.model import AuditEntry
from domain.services.accounts import OPERATOR
from domain.storage.database import Database
from tests.conftest import NOW

ACTION = "test.metric_write"


def counted() -> float:
    labels = {"action": ACTION, "channel": OPERATOR.channel.value}
    return REGISTRY.get_sample_value("licencebot_writes_total", labels) or 0.0


def entry() -> AuditEntry:
    return AuditEntry(NOW, OPERATOR, None, ACTION, "test:1")


async def test_only_committed_writes_are_counted(db: Database) -> None:
    start = counted()
    async with db.unit_of_work() as uow:
        async with uow.part(write=True) as refused:  # a use case that refused: rolled back
            await refused.records.audit(entry())
        async with uow.part(write=True) as done:  # a use case that wrote its part
            await done.records.audit(entry())
            await done.commit()
        assert counted() == start  # not before the update's commit
        await uow.commit()
    assert counted() == start + 1

    async with db.unit_of_work() as uow:  # an update that failed before its commit
        await uow.records.audit(entry())
    assert counted() == start + 1
    async with db.unit_of_work() as uow:  # the session is not reused with old entries
        await uow.commit()
    assert counted() == start + 1
