"""Licence requests (R23): the mapped `domain.licence_requests.LicenceRequest` (mapping.py)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.licence_requests import LicenceRequest, RequestStatus
from domain.storage import tables as t
from domain.storage.driver_errors import translated
from domain.storage.mapping import save_versioned

_R = t.licence_requests.c


class RequestRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, request: LicenceRequest) -> None:
        self.session.add(request)
        async with translated():
            await self.session.flush()  # its id

    async def get(self, request_id: int) -> LicenceRequest | None:
        """As stored now: read again, also when this unit has it already (a decision is
        checked against what another admin may have stored meanwhile)."""
        return await self.session.get(LicenceRequest, request_id, populate_existing=True)

    async def save(self, request: LicenceRequest) -> None:
        """Write the decision; if somebody decided meanwhile → StaleWrite (first one wins):
        the mapper's version check (domain/storage/mapping.py)."""
        await save_versioned(self.session, request)

    async def find(
        self,
        *,
        customer_id: str | None = None,
        requested_by: int | None = None,
        status: RequestStatus | None = None,
        limit: int = 1000,
    ) -> Sequence[LicenceRequest]:
        query = (
            select(LicenceRequest)
            .order_by(_R.id.desc())
            .limit(limit)
            .execution_options(populate_existing=True)
        )
        if customer_id is not None:
            query = query.where(_R.customer_id == customer_id)
        if requested_by is not None:
            query = query.where(_R.requested_by == requested_by)
        if status is not None:
            query = query.where(_R.status == status.value)
        return list((await self.session.scalars(query)).all())
