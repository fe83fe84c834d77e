"""Imperative ORM mapping of the pure model's aggregates (the model imports no SQLAlchemy).

The optimistic lock (R13), one style for every versioned aggregate (docs/decisions.md): the
`version` column is the mapper's `version_id_col`. The application bumps the version of what
it changes (`services.common.bump` for a subscription, the repository's `save` for a ticket or
a licence request), and SQLAlchemy adds `WHERE version = <old>` to the UPDATE and raises
`StaleDataError` when no row matched, which the unit of work names `errors.StaleWrite`.
"""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import registry, relationship

from domain.licence_requests import LicenceRequest
from domain.model import AddonBooking, ChatUser, Subscription
from domain.storage import tables
from domain.storage.driver_errors import translated
from domain.tickets import Ticket

_Versioned = TypeVar("_Versioned", Ticket, LicenceRequest)

mapper_registry = registry(metadata=tables.metadata)
_started = False


def start_mappers() -> None:
    """Map the aggregates once per process (idempotent)."""
    global _started
    if _started:
        return
    mapper_registry.map_imperatively(AddonBooking, tables.addon_bookings)
    mapper_registry.map_imperatively(
        Subscription,
        tables.subscriptions,
        properties={
            "addons": relationship(
                AddonBooking,
                lazy="selectin",
                order_by=tables.addon_bookings.c.id,
                cascade="all, delete-orphan",
            )
        },
        version_id_col=tables.subscriptions.c.version,
        version_id_generator=False,
    )
    # A ticket's messages are values it replaces when one is edited: the repository keeps
    # them in their own table (domain/storage/tickets.py), the mapper only the ticket's row.
    mapper_registry.map_imperatively(
        Ticket,
        tables.tickets,
        version_id_col=tables.tickets.c.version,
        version_id_generator=False,
    )
    mapper_registry.map_imperatively(
        LicenceRequest,
        tables.licence_requests,
        version_id_col=tables.licence_requests.c.version,
        version_id_generator=False,
    )
    mapper_registry.map_imperatively(ChatUser, tables.users)
    _started = True


async def save_versioned(session: AsyncSession, aggregate: _Versioned) -> None:
    """Write a ticket or a licence request under the optimistic lock: its version is bumped
    and the UPDATE compares the old one; another writer first → `errors.StaleWrite`. One read
    in an earlier unit (a screen, then a button) is merged in, which compares its version too."""
    async with translated():
        if aggregate in session:
            aggregate.version += 1
        else:
            current = await session.merge(aggregate)  # StaleDataError: a newer version stored
            current.version += 1
            aggregate.version = current.version
        await session.flush()
