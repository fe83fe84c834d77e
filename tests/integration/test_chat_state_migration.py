"""Migration 0010 drops `chats.screen_message_id` (stored, never set) and keeps every chat's
state; a downgrade brings the column back empty, the states still there."""

from __future__ import annotations

from sqlalchemy import inspect, text

from domain.storage.database import Database
from tests.integration.test_outbox_migration import bare, migrate

__all__ = ["bare"]  # the fixture: an empty database on SQLite and PostgreSQL

OLD_CHATS = """
INSERT INTO chats (chat_id, language, step, draft_id, screen_message_id, ticket_id, updated_at)
VALUES (100, 'de', 'order_quantity', 3, NULL, NULL, '2026-12-01 10:00:00+00'),
       (101, 'en', 'idle', NULL, NULL, 7, '2026-12-01 10:00:00+00')
"""
STATES = "SELECT chat_id, language, step, draft_id, ticket_id FROM chats ORDER BY chat_id"


async def columns(db: Database) -> set[str]:
    async with db.engine.connect() as conn:
        found = await conn.run_sync(lambda sync: inspect(sync).get_columns("chats"))
    return {c["name"] for c in found}


async def test_dropping_the_unused_column_keeps_every_chat_state(bare: Database) -> None:
    await migrate(bare, "upgrade", "0009")
    async with bare.engine.begin() as conn:
        await conn.execute(text(OLD_CHATS))

    await migrate(bare, "upgrade", "0010")
    assert "screen_message_id" not in await columns(bare)
    async with bare.engine.connect() as conn:
        kept = [tuple(r) for r in await conn.execute(text(STATES))]
    assert kept == [(100, "de", "order_quantity", 3, None), (101, "en", "idle", None, 7)]

    await migrate(bare, "downgrade", "0009")
    assert "screen_message_id" in await columns(bare)
    async with bare.engine.connect() as conn:
        assert [tuple(r) for r in await conn.execute(text(STATES))] == kept
