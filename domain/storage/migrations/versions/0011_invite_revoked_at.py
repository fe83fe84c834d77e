"""invites: revoked_at, so a revoked invite says so instead of "expired today"

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 07:00:00.000000

Invites revoked before this revision were made to expire at the moment of revocation; they
stay refused as expired.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("invites") as batch:
        batch.add_column(sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("invites") as batch:
        batch.drop_column("revoked_at")
