"""The composition root: every process builds its core from the settings the same way."""

from __future__ import annotations

from datetime import timedelta

from domain.bootstrap import context_from
from domain.provisioning import ManualProvisioner, SimulatedProvisioner
from domain.settings import Settings
from domain.storage.database import Database


async def test_the_context_is_built_from_the_settings() -> None:
    settings = Settings.model_validate(
        {
            "database_url": "sqlite+aiosqlite:///:memory:",
            "timezone": "Europe/Vienna",
            "terms_version": "7",
            "provisioner": "simulated",
            "provisioning_delay_seconds": 3,
            "seat_hint_days": 9,
        }
    )
    ctx = context_from(settings)
    try:
        assert isinstance(ctx.db, Database)
        assert ctx.db.url == "sqlite+aiosqlite:///:memory:"
        assert ctx.tz.key == "Europe/Vienna"
        assert ctx.terms_version == "7"
        assert isinstance(ctx.provisioner, SimulatedProvisioner)
        assert ctx.provisioner.delay == timedelta(seconds=3)
        assert ctx.seats.hint_days == 9 and ctx.seats == settings.seat_policy
        assert ctx.within is None  # not bound to any unit of work
    finally:
        await ctx.db.dispose()


async def test_the_default_provisioner_is_the_service_desk() -> None:
    ctx = context_from(Settings.model_validate({"database_url": "sqlite+aiosqlite:///:memory:"}))
    try:
        assert isinstance(ctx.provisioner, ManualProvisioner)
    finally:
        await ctx.db.dispose()
