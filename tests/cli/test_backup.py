"""`licencebot backup PATH` / `restore PATH`: SQLite's online backup, and what restore refuses."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from alembic import command
from sqlalchemy import create_engine

from domain.storage.migrate import alembic_config
from tests.cli.support import Cli, assert_ok, assert_refused


def customers(db_file: Path) -> list[str]:
    with sqlite3.connect(db_file) as conn:
        return [row[0] for row in conn.execute("SELECT id FROM customers ORDER BY id")]


def revision(db_file: Path) -> str:
    with sqlite3.connect(db_file) as conn:
        (found,) = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        return str(found)


def test_backup_and_restore_round_trip(tmp_path: Path) -> None:
    cli = Cli(tmp_path)
    cli.ok("customer", "add", "--id", "acme", "--name", "ACME GmbH")
    made = cli.ok("backup", "nightly.db")
    assert made.stdout.startswith("backup written to nightly.db (schema ")
    backup = tmp_path / "nightly.db"
    assert customers(backup) == ["acme"]
    assert not list(tmp_path.glob(".nightly.db.partial-*"))
    with sqlite3.connect(backup) as conn:  # one self-contained file, not WAL
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)

    cli.ok("customer", "add", "--id", "globex", "--name", "Globex AG")
    assert customers(cli.db_file) == ["acme", "globex"]
    restored = cli.ok("restore", "nightly.db")
    assert restored.stdout.splitlines()[0].startswith("database restored from nightly.db")
    assert customers(cli.db_file) == ["acme"]
    (before,) = tmp_path.glob("cli.db.before-restore-*")  # nothing is lost by a restore
    assert customers(before) == ["acme", "globex"]
    assert str(before) in restored.stdout
    assert cli.ok("orders", "--customer", "acme", "--json").stdout.strip() == "[]"


def test_backup_does_not_overwrite_without_force(tmp_path: Path) -> None:
    cli = Cli(tmp_path)
    cli.ok("customer", "add", "--id", "acme", "--name", "ACME GmbH")
    (tmp_path / "taken.db").write_text("keep me", encoding="utf-8")
    assert_refused(cli.run("backup", "taken.db"), 1, says="taken.db already exists")
    assert (tmp_path / "taken.db").read_text(encoding="utf-8") == "keep me"
    assert_ok(cli.run("backup", "taken.db", "--force"))
    assert customers(tmp_path / "taken.db") == ["acme"]
    assert_refused(cli.run("backup", "no/such/folder/x.db"), 1, says="does not exist")


def test_restore_refuses_a_file_that_is_not_a_licencebot_database(tmp_path: Path) -> None:
    cli = Cli(tmp_path)
    cli.ok("customer", "add", "--id", "acme", "--name", "ACME GmbH")
    (tmp_path / "notes.txt").write_text("not a database at all\n" * 100, encoding="utf-8")
    with sqlite3.connect(tmp_path / "other.db") as conn:
        conn.execute("CREATE TABLE things (id INTEGER PRIMARY KEY)")

    for name, reason in (
        ("notes.txt", "notes.txt is not a licencebot database (not an SQLite database file)"),
        ("other.db", "other.db is not a licencebot database (its tables are not licencebot's)"),
        ("missing.db", "there is no backup file at missing.db"),
    ):
        refused = cli.run("restore", name)
        assert_refused(refused, 1)
        assert refused.stderr == f"licencebot: {reason}\n"
    assert customers(cli.db_file) == ["acme"]  # untouched
    assert not list(tmp_path.glob("cli.db.before-restore-*"))


def test_restore_refuses_a_backup_from_a_newer_schema(tmp_path: Path) -> None:
    cli = Cli(tmp_path)
    cli.ok("customer", "add", "--id", "acme", "--name", "ACME GmbH")
    cli.ok("backup", "future.db")
    with sqlite3.connect(tmp_path / "future.db") as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0099_from_the_future'")
        conn.execute("DELETE FROM customers")
    refused = cli.run("restore", "future.db")
    assert_refused(refused, 1, says="future.db comes from a newer licencebot (schema 0099_from_the")
    assert customers(cli.db_file) == ["acme"]


def test_restoring_an_older_schema_migrates_it(tmp_path: Path) -> None:
    """A backup made by an older licencebot is restored and brought to this code's schema."""
    old = tmp_path / "old.db"
    engine = create_engine(f"sqlite:///{old}")
    with engine.begin() as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
    engine.dispose()
    cli = Cli(tmp_path)
    cli.ok("db", "upgrade")
    head = revision(cli.db_file)
    assert revision(old) == "0001" != head

    restored = cli.ok("restore", "old.db")
    assert "migrations applied: the schema is current" in restored.stdout
    assert revision(cli.db_file) == head
    cli.ok("customer", "add", "--id", "acme", "--name", "ACME GmbH")  # the database works


def test_postgresql_is_pointed_to_pg_dump(tmp_path: Path) -> None:
    cli = Cli(tmp_path, {"DATABASE_URL": "postgresql+asyncpg://bot:pa55word@db.internal/bot"})
    for action in ("backup", "restore"):
        refused = cli.run(action, "x.db")
        assert_refused(refused, 1, says="for PostgreSQL use pg_dump and pg_restore")
        assert "pa55word" not in refused.stderr
