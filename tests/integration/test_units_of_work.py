"""The SQL unit of work and its parts: what a front end's one transaction per update needs."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain import errors
from domain.model import Customer
from domain.storage.database import Database
from domain.storage.uow import SqlUnitOfWork

AT = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


async def _add_twice(uow: SqlUnitOfWork) -> None:
    async with uow.part(write=True) as part:
        await part.customers.add(Customer("acme", "twice"), AT)
        await part.commit()


async def test_a_part_whose_write_fails_is_undone_and_the_unit_goes_on(db: Database) -> None:
    async with db.unit_of_work() as uow:
        await uow.customers.add(Customer("acme", "ACME GmbH"), AT)
        await uow.commit()
    async with db.unit_of_work() as uow:
        await uow.customers.add(Customer("globex", "Globex AG"), AT)  # the owner's own write
        with pytest.raises(errors.Duplicate):  # the driver's error, in the domain's words
            await _add_twice(uow)
        assert (await uow.customers.get("acme")).name == "ACME GmbH"  # still usable
        await uow.commit()
    async with db.unit_of_work(write=False) as uow:
        assert await uow.customers.exists("globex")


async def test_a_part_left_without_commit_undoes_only_its_own_writes(db: Database) -> None:
    async with db.unit_of_work() as uow:
        await uow.customers.add(Customer("acme", "ACME GmbH"), AT)
        async with uow.part(write=True) as part:
            await part.customers.add(Customer("globex", "Globex AG"), AT)
        await uow.commit()
        assert uow.transactions == 1
    async with db.unit_of_work(write=False) as uow:
        assert await uow.customers.exists("acme")
        assert not await uow.customers.exists("globex")
