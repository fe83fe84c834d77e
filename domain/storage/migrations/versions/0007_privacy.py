"""privacy: a processed update knows its chat; chats are found by age (retention)

Revision ID: 0007
Revises: 0005
Create Date: 2026-12-01 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("processed_updates") as batch:
        batch.add_column(sa.Column("chat_id", sa.BigInteger(), nullable=True))
    op.create_index(
        op.f("ix_processed_updates_chat_id"), "processed_updates", ["chat_id"], unique=False
    )
    op.create_index(op.f("ix_chats_updated_at"), "chats", ["updated_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_chats_updated_at"), table_name="chats")
    op.drop_index(op.f("ix_processed_updates_chat_id"), table_name="processed_updates")
    with op.batch_alter_table("processed_updates") as batch:
        batch.drop_column("chat_id")
