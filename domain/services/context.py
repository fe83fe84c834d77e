"""What every use case needs besides its command: storage, the clock, the time zone."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from domain.clock import Clock, SystemClock
from domain.dates import DEFAULT_TIMEZONE, local_today
from domain.model import Actor, AuditEntry
from domain.storage.database import Database
from domain.storage.uow import SqlUnitOfWork


@dataclass
class Context:
    db: Database
    clock: Clock = field(default_factory=SystemClock)
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo(DEFAULT_TIMEZONE))
    terms_version: str = "1"

    def uow(self, *, write: bool = True) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.db, write=write)

    def now(self) -> datetime:
        return self.clock.now()

    def today(self) -> date:
        """Today in the provider's time zone (R8)."""
        return local_today(self.clock.now(), self.tz)

    def audit(
        self, actor: Actor, customer_id: str | None, action: str, target: str, **details: object
    ) -> AuditEntry:
        """An audit entry stamped now (R25)."""
        return AuditEntry(self.now(), actor, customer_id, action, target, details)
