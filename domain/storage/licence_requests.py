"""Licence requests (R23): rows to `domain.licence_requests.LicenceRequest` and back."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain import errors
from domain.licence_requests import LicenceRequest, Origin, RequestKind, RequestStatus
from domain.storage import tables as t

_R = t.licence_requests.c
_FIELDS = (
    "customer_id",
    "product_sku",
    "quantity",
    "subscription_id",
    "addon_sku",
    "requested_by",
    "requested_by_name",
    "decided_by",
    "decided_by_name",
    "reason",
    "created_at",
    "decided_at",
    "result_id",
)


class RequestRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, request: LicenceRequest) -> None:
        result = await self.session.execute(
            insert(t.licence_requests).values(_columns(request)).returning(_R.id)
        )
        request.id = int(result.scalar_one())

    async def get(self, request_id: int) -> LicenceRequest | None:
        row = (
            await self.session.execute(select(t.licence_requests).where(_R.id == request_id))
        ).first()
        return None if row is None else _request(row)

    async def save(self, request: LicenceRequest) -> None:
        """Write the decision; if somebody decided meanwhile → StaleWrite (first one wins)."""
        result = await self.session.execute(
            update(t.licence_requests)
            .where(_R.id == request.id, _R.version == request.version)
            .values({**_columns(request), "version": request.version + 1})
        )
        if getattr(result, "rowcount", 0) != 1:
            raise errors.StaleWrite()
        request.version += 1

    async def find(
        self,
        *,
        customer_id: str | None = None,
        requested_by: int | None = None,
        status: RequestStatus | None = None,
        limit: int = 1000,
    ) -> Sequence[LicenceRequest]:
        query = select(t.licence_requests).order_by(_R.id.desc()).limit(limit)
        if customer_id is not None:
            query = query.where(_R.customer_id == customer_id)
        if requested_by is not None:
            query = query.where(_R.requested_by == requested_by)
        if status is not None:
            query = query.where(_R.status == status.value)
        return [_request(row) for row in await self.session.execute(query)]


def _columns(request: LicenceRequest) -> dict[str, Any]:
    values = {name: getattr(request, name) for name in _FIELDS}
    values.update(
        kind=request.kind.value,
        origin=request.origin.value,
        status=request.status.value,
        version=request.version,
    )
    return values


def _request(row: Any) -> LicenceRequest:
    return LicenceRequest(
        id=row.id,
        kind=RequestKind(row.kind),
        origin=Origin(row.origin),
        status=RequestStatus(row.status),
        version=row.version,
        **{name: getattr(row, name) for name in _FIELDS},
    )
