"""The one domain `Context` of this action server process.

Nothing is created at import time: the first action call builds the context from the
environment (DATABASE_URL, TIMEZONE, TERMS_VERSION, ...) with `domain.bootstrap.context_from`
inside the running event loop and applies the migrations once. Tests and embedding code hand
in their own with `use_context`.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from domain.bootstrap import context_from
from domain.services.context import Context
from domain.settings import Settings
from domain.storage.migrate import upgrade


@dataclass
class _State:
    context: Context | None = None
    settings: Settings | None = None
    lock: asyncio.Lock | None = None
    lock_loop: asyncio.AbstractEventLoop | None = None


_STATE = _State()


def use_context(ctx: Context | None, settings: Settings | None = None) -> None:
    """Serve every action call with `ctx` (and `settings`); None: build them on next use."""
    _STATE.context = ctx
    _STATE.settings = settings


def settings() -> Settings:
    """The settings from the environment and `.env`, read once."""
    if _STATE.settings is None:
        _STATE.settings = Settings()
    return _STATE.settings


def _lock() -> asyncio.Lock:
    """A lock of the running loop (an asyncio lock must not outlive its loop)."""
    loop = asyncio.get_running_loop()
    if _STATE.lock is None or _STATE.lock_loop is not loop:
        _STATE.lock, _STATE.lock_loop = asyncio.Lock(), loop
    return _STATE.lock


async def context() -> Context:
    """The process's context: created and migrated on first use, then shared."""
    if _STATE.context is not None:
        return _STATE.context
    async with _lock():
        ctx = _STATE.context
        if ctx is None:
            ctx = context_from(settings())
            await upgrade(ctx.db)
            _STATE.context = ctx
    return ctx
