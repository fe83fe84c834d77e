"""Fixtures for end-to-end tests: a running bot on SQLite (and PostgreSQL where asked)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from domain.clock import FixedClock
from tests.e2e.harness import Bot, running_bot


@pytest.fixture
async def bot(tmp_path: Path, clock: FixedClock) -> AsyncIterator[Bot]:
    async with running_bot(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}", clock) as running:
        yield running
