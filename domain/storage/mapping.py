"""Imperative ORM mapping of the pure model's aggregates (the model imports no SQLAlchemy).

`Subscription.version` is the optimistic lock (R13): the application bumps it on every change,
and SQLAlchemy adds `WHERE version = <old>` to the UPDATE, so a racing writer fails.
"""

from __future__ import annotations

from sqlalchemy.orm import registry, relationship

from domain.model import AddonBooking, ChatUser, Subscription
from domain.storage import tables

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
    mapper_registry.map_imperatively(ChatUser, tables.users)
    _started = True
