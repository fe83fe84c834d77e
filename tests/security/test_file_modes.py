"""Personal data on disk is the service user's only (issue 19, item 3): the SQLite database
(with its WAL), its backups and the parser cache are created 0600 (files) and 0700 (folders),
also under a umask that would give everybody read access."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import cast

import pytest

from domain.nlu.parser import Parser
from domain.services import understanding
from domain.storage import backup
from domain.storage.database import Database
from domain.storage.migrate import upgrade


@pytest.fixture(autouse=True)
def open_umask() -> Iterator[None]:
    previous = os.umask(0o022)  # what most systems use: 0644 files, 0755 folders
    try:
        yield
    finally:
        os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_the_database_its_wal_and_a_backup_are_the_services_own(tmp_path: Path) -> None:
    path = tmp_path / "licencebot.db"
    db = Database(f"sqlite+aiosqlite:///{path}")
    await upgrade(db)
    wal = path.with_name(path.name + "-wal")
    assert mode(path) == 0o600
    assert not wal.exists() or mode(wal) == 0o600
    await db.dispose()

    made = backup.backup(f"sqlite+aiosqlite:///{path}", tmp_path / "nightly.db")
    assert mode(made.path) == 0o600
    restored = tmp_path / "restored.db"
    backup.restore(f"sqlite+aiosqlite:///{restored}", made.path)
    assert mode(restored) == 0o600


def test_the_parser_cache_is_the_services_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "cache" / "licencebot"
    monkeypatch.setenv(understanding.CACHE_DIR_ENV, str(folder))
    stored = folder / "parser-test.pickle"
    understanding._store(cast(Parser, {"stands in for": "a parser"}), stored)
    assert mode(folder) == 0o700
    assert mode(stored) == 0o600
