"""Migration 0005 loses no notice: what the old outbox had not handed out yet becomes due
deliveries to the people it would have told; a downgrade keeps what is still owed unsent."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Connection, text

from domain.storage.database import Database
from domain.storage.migrate import alembic_config
from tests.conftest import PG_URL, _create_schema, _drop_schema, require_pg


@pytest.fixture(params=["sqlite", "postgresql"])
async def bare(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """An empty database (no migrations yet) on both engines."""
    if request.param == "sqlite":
        database = Database(f"sqlite+aiosqlite:///{tmp_path / 'old.db'}")
        schema = None
    else:
        require_pg()
        schema = f"t_{uuid.uuid4().hex[:12]}"
        await _create_schema(schema)
        database = Database(PG_URL, schema=schema)
    try:
        yield database
    finally:
        await database.dispose()
        if schema:
            await _drop_schema(schema)


async def migrate(db: Database, direction: str, revision: str) -> None:
    def run(connection: Connection) -> None:
        cfg = alembic_config()
        cfg.attributes["connection"] = connection
        getattr(command, direction)(cfg, revision)

    async with db.engine.begin() as conn:
        await conn.run_sync(run)


OLD_ROWS = """
INSERT INTO customers (id, name, discount_percent, created_at)
    VALUES ('acme', 'ACME GmbH', 0, '2026-11-24 10:00:00+00');
INSERT INTO users (id, channel, external_id, role, customer_id, display_name, language) VALUES
    (1, 'telegram', '100', 'admin', 'acme', 'Anna', 'de'),
    (2, 'telegram', '101', 'member', 'acme', 'Mia', 'de'),
    (3, 'rasa', 'r-1', 'admin', 'acme', 'Rita', 'de');
INSERT INTO notifications (id, customer_id, kind, payload, created_at, sent_at) VALUES
    (1, 'acme', 'provisioned', '{"subscription_id": 1}', '2026-11-24 10:00:00+00', NULL),
    (2, 'acme', 'provisioned', '{"subscription_id": 2}', '2026-11-24 10:00:00+00',
        '2026-11-24 10:00:05+00'),
    (3, 'acme', 'ticket.opened', '{"ticket_id": 1}', '2026-11-24 10:00:00+00', NULL)
"""


async def test_unsent_notices_of_the_old_outbox_become_due_deliveries(bare: Database) -> None:
    await migrate(bare, "upgrade", "0004")
    async with bare.engine.begin() as conn:
        for statement in OLD_ROWS.split(";"):
            await conn.execute(text(statement))
    await migrate(bare, "upgrade", "head")
    query = text(
        "SELECT notification_id, user_id, to_desk, state, attempts FROM notification_deliveries"
        " ORDER BY notification_id, user_id"
    )
    async with bare.engine.connect() as conn:
        rows = [tuple(r) for r in await conn.execute(query)]
    assert rows == [
        (1, 1, False, "pending", 0),  # the old outbox told admins and members on Telegram
        (1, 2, False, "pending", 0),
        (3, None, True, "pending", 0),  # the Rasa ticket for the service desk group
    ]

    await migrate(bare, "downgrade", "0004")
    async with bare.engine.connect() as conn:
        unsent = [
            r[0]
            for r in await conn.execute(
                text("SELECT id FROM notifications WHERE sent_at IS NULL ORDER BY id")
            )
        ]
    assert unsent == [1, 3]  # still owed: the old outbox sends them
