"""The composition root: the one place that turns settings into the core a process runs on.

The Telegram bot (`bot/serve.py`, `bot/chat_cli.py`), the Rasa action server
(`actions/runtime.py`) and the operators' command line (`bot/cli.py`) each call
`context_from` once per process: one database (engine and connection pool), one provisioner,
shared by every update, action call or command of that process.

This module may import the storage adapter (import-linter: only the use cases, the ports, the
pure model and the texts may not); the front ends build no store themselves.
"""

from __future__ import annotations

from domain.provisioning import provisioner
from domain.services.context import Context
from domain.settings import Settings
from domain.storage.database import Database


def context_from(settings: Settings) -> Context:
    """The process's context: the database of DATABASE_URL, the provider's time zone, the
    terms version, the provisioner and the seat policy. Nothing connects yet."""
    return Context(
        Database(settings.database_url),
        tz=settings.tz,
        terms_version=settings.terms_version,
        provisioner=provisioner(settings.provisioner, settings.provisioning_delay_seconds),
        seats=settings.seat_policy,
    )
