"""`licencebot backup PATH` / `restore PATH` for the SQLite database (the embedded default).

Both go through SQLite's online backup API (`sqlite3.Connection.backup`), so they are safe
while the bot runs: a backup reads one consistent snapshot while workers keep writing (WAL),
and a restore writes the whole database under SQLite's write lock, which the bot's writers wait
for (busy timeout) and then see the restored data. A backup is written next to its target and
renamed into place, so a crash never leaves half a backup under the expected name; it is a
single self-contained file (rollback journal, not WAL) and passes `PRAGMA quick_check`.

A restore refuses, with one line, a file that is not a licencebot database (not SQLite, or
without our tables and migration revision) and one from a newer schema than this code knows.
Before it replaces anything it backs up the current database next to it, so a restore of the
wrong file loses nothing. PostgreSQL is backed up with `pg_dump` (docs/operations.md).
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from domain.private_files import private_file
from domain.storage.migrate import alembic_config

BUSY_TIMEOUT_SECONDS = 30.0
# Tables every licencebot schema since the first migration has (besides Alembic's own).
REQUIRED_TABLES = frozenset(
    {"alembic_version", "customers", "products", "subscriptions", "users", "audit_entries"}
)


class BackupError(Exception):
    """A refusal or failure, said in one line (no database URL, no password)."""


@dataclass(frozen=True)
class Backup:
    path: Path
    revision: str


@dataclass(frozen=True)
class Restored:
    revision: str
    previous: Path | None  # the database as it was before the restore
    current: bool  # the backup's schema is this code's newest


def sqlite_path(database_url: str) -> Path:
    """The database file of a SQLite URL; anything else is refused."""
    try:
        url = make_url(database_url)
    except ArgumentError:
        raise BackupError("DATABASE_URL is not a database URL") from None
    if url.get_backend_name() != "sqlite":
        raise BackupError(
            "backup and restore work on SQLite; for PostgreSQL use pg_dump and pg_restore "
            "(see docs/operations.md)"
        )
    if not url.database or url.database == ":memory:" or url.database.startswith("file:"):
        raise BackupError("DATABASE_URL names no database file (an in-memory database?)")
    return Path(url.database)


def _known_revisions() -> tuple[frozenset[str], str | None]:
    scripts = ScriptDirectory.from_config(alembic_config())
    return frozenset(s.revision for s in scripts.walk_revisions()), scripts.get_current_head()


def _read_only(path: Path) -> sqlite3.Connection:
    """Open without creating, changing or rolling anything back in the file."""
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def schema_revision(path: Path) -> str:
    """The licencebot migration a database file is at; BackupError when it is none of ours."""
    not_ours = f"{path} is not a licencebot database"
    try:
        with closing(_read_only(path)) as conn:
            tables = {
                row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
            if not REQUIRED_TABLES.issubset(tables):
                raise BackupError(f"{not_ours} (its tables are not licencebot's)")
            rows = conn.execute("SELECT version_num FROM alembic_version").fetchall()
    except sqlite3.DatabaseError:
        raise BackupError(f"{not_ours} (not an SQLite database file)") from None
    if len(rows) != 1 or not isinstance(rows[0][0], str):
        raise BackupError(f"{not_ours} (no schema revision)")
    revision: str = rows[0][0]
    known, head = _known_revisions()
    if revision not in known:
        raise BackupError(
            f"{path} comes from a newer licencebot (schema {revision}; this version knows up to "
            f"{head}); restore it with that version or newer"
        )
    return revision


def _copy(source: sqlite3.Connection, target: sqlite3.Connection) -> None:
    source.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_SECONDS * 1000)}")
    target.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_SECONDS * 1000)}")
    source.backup(target)


def backup(database_url: str, target: Path, *, replace: bool = False) -> Backup:
    """Copy the live database to `target` (one consistent snapshot)."""
    source = sqlite_path(database_url)
    if not source.is_file():
        raise BackupError(f"there is no database at {source} to back up")
    if target.exists() and not replace:
        raise BackupError(f"{target} already exists; choose another path or add --force")
    if target.is_dir():
        raise BackupError(f"{target} is a directory; give a file name")
    if not target.parent.is_dir():
        raise BackupError(f"the folder {target.parent} does not exist")
    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    private_file(partial)  # a backup holds personal data: the service's user only
    try:
        with (
            closing(sqlite3.connect(source, timeout=BUSY_TIMEOUT_SECONDS)) as live,
            closing(sqlite3.connect(partial)) as copy,
        ):
            _copy(live, copy)
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            (verdict,) = copy.execute("PRAGMA quick_check").fetchone()
        if verdict != "ok":
            raise BackupError(f"the copy failed its integrity check ({verdict}); nothing written")
        revision = schema_revision(partial)
        partial.replace(target)
    except sqlite3.Error as exc:
        raise BackupError(f"the backup failed ({exc}); nothing written") from None
    finally:
        partial.unlink(missing_ok=True)
    return Backup(target, revision)


def restore(database_url: str, source: Path) -> Restored:
    """Replace the database's content by the backup `source`, after checking it is ours."""
    target = sqlite_path(database_url)
    if not source.is_file():
        raise BackupError(f"there is no backup file at {source}")
    if target.exists() and source.resolve() == target.resolve():
        raise BackupError(f"{source} is the database itself")
    revision = schema_revision(source)
    previous = None
    if target.is_file():
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        previous = backup(database_url, target.with_name(f"{target.name}.before-restore-{stamp}"))
    private_file(target)  # restored into a new file: created 0600 like the database
    try:
        with (
            closing(_read_only(source)) as backed_up,
            closing(sqlite3.connect(target, timeout=BUSY_TIMEOUT_SECONDS)) as live,
        ):
            _copy(backed_up, live)
    except sqlite3.Error as exc:
        kept = f"; the database before is kept at {previous.path}" if previous else ""
        raise BackupError(f"the restore failed ({exc}){kept}") from None
    _, head = _known_revisions()
    return Restored(revision, previous.path if previous else None, revision == head)
