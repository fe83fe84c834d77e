"""seats: usage reported by the tenant, spare-seat buffers, hints, scheduled reductions

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 03:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("subscriptions") as batch:
        batch.add_column(sa.Column("scheduled_quantity", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("scheduled_for", sa.Date(), nullable=True))
    op.create_table(
        "seat_usage",
        sa.Column("customer_id", sa.String(64), nullable=False),
        sa.Column("sku", sa.String(64), nullable=False),
        sa.Column("assigned", sa.Integer(), nullable=False),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(32), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_seat_usage_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("customer_id", "sku", name=op.f("pk_seat_usage")),
    )
    op.create_table(
        "seat_buffers",
        sa.Column("customer_id", sa.String(64), nullable=False),
        sa.Column("sku", sa.String(64), nullable=False),
        sa.Column("spare", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_seat_buffers_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("customer_id", "sku", name=op.f("pk_seat_buffers")),
    )
    op.create_table(
        "seat_hint_optouts",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_seat_hint_optouts_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_seat_hint_optouts")),
    )
    op.create_table(
        "seat_hints",
        sa.Column("customer_id", sa.String(64), nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("monthly_saving", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_seat_hints_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("customer_id", "month", name=op.f("pk_seat_hints")),
    )


def downgrade() -> None:
    op.drop_table("seat_hints")
    op.drop_table("seat_hint_optouts")
    op.drop_table("seat_buffers")
    op.drop_table("seat_usage")
    with op.batch_alter_table("subscriptions") as batch:
        batch.drop_column("scheduled_for")
        batch.drop_column("scheduled_quantity")
