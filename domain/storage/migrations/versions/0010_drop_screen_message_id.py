"""chats: drop screen_message_id, a column that was stored but never set

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 06:30:00.000000

Every row holds NULL there (no code ever wrote another value), so nothing is lost; a
downgrade brings the column back empty.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("chats") as batch:
        batch.drop_column("screen_message_id")


def downgrade() -> None:
    with op.batch_alter_table("chats") as batch:
        batch.add_column(sa.Column("screen_message_id", sa.BigInteger(), nullable=True))
