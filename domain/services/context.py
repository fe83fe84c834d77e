"""What every use case needs besides its command: storage, the clock, the time zone."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from domain.clock import Clock, SystemClock
from domain.dates import DEFAULT_TIMEZONE, local_today
from domain.model import Actor, AuditEntry
from domain.ports import Store, UnitOfWork
from domain.provisioning import ManualProvisioner, Provisioner
from domain.seats import SeatPolicy


@dataclass
class Context:
    db: Store
    clock: Clock = field(default_factory=SystemClock)
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo(DEFAULT_TIMEZONE))
    terms_version: str = "1"
    within: UnitOfWork | None = None  # the front end's open unit of work, see `bound`
    provisioner: Provisioner = field(default_factory=ManualProvisioner)  # seat usage
    seats: SeatPolicy = field(default_factory=SeatPolicy)

    def uow(self, *, write: bool = True) -> UnitOfWork:
        """The unit of work a use case runs in: its own, or its share of the update's."""
        if self.within is not None:
            return self.within.part(write=write)
        return self.db.unit_of_work(write=write)

    def bound(self, uow: UnitOfWork) -> Context:
        """This context inside one open unit of work: every use case called with it shares
        that transaction, and the caller (one update, one action call) commits it once."""
        return dataclasses.replace(self, within=uow)

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
