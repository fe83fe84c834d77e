"""outbox: one delivery per person, claimed with an expiry, retried with back-off

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 22:10:00

Notifications that the old outbox had not handed out yet get their deliveries here (every
linked admin and member on Telegram, as the old outbox would have told; a Rasa ticket the
service desk group), so an upgrade loses none.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # What the old outbox still owed, noted before `sent_at` goes: dropping a column rebuilds
    # the table on SQLite, which would cascade to deliveries that already referred to it.
    op.execute("CREATE TABLE outbox_owed_0005 (id INTEGER PRIMARY KEY, desk BOOLEAN NOT NULL)")
    op.execute(
        "INSERT INTO outbox_owed_0005 (id, desk) "
        "SELECT id, kind = 'ticket.opened' FROM notifications WHERE sent_at IS NULL"
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notifications_sent_at"))
        batch_op.drop_column("sent_at")

    op.create_table(
        "notification_deliveries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("notification_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("to_desk", sa.Boolean(), nullable=False),
        sa.Column(
            "channel",
            sa.Enum(
                "telegram",
                "rasa",
                "cli",
                "system",
                name="channel",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("claim_token", sa.String(length=32), nullable=True),
        sa.Column("last_error", sa.String(length=200), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["notification_id"],
            ["notifications.id"],
            name=op.f("fk_notification_deliveries_notification_id_notifications"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_notification_deliveries_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_deliveries")),
    )
    with op.batch_alter_table("notification_deliveries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_notification_deliveries_due",
            ["state", "channel", "next_attempt_at"],
            unique=False,
        )
        batch_op.create_index("ix_notification_deliveries_user", ["user_id", "state"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_notification_deliveries_notification_id"),
            ["notification_id"],
            unique=False,
        )

    # ... due now, to whom the old outbox would have told: the linked admins and members on
    # Telegram, and a Rasa ticket to the service desk group.
    op.execute(
        """
        INSERT INTO notification_deliveries
            (notification_id, user_id, to_desk, channel, state, attempts, next_attempt_at)
        SELECT n.id, u.id, false, u.channel, 'pending', 0, n.created_at
        FROM outbox_owed_0005 o
        JOIN notifications n ON n.id = o.id
        JOIN users u ON u.customer_id = n.customer_id
        WHERE NOT o.desk AND u.channel = 'telegram' AND u.role IN ('admin', 'member')
        """
    )
    op.execute(
        """
        INSERT INTO notification_deliveries
            (notification_id, user_id, to_desk, channel, state, attempts, next_attempt_at)
        SELECT n.id, NULL, true, 'telegram', 'pending', 0, n.created_at
        FROM outbox_owed_0005 o JOIN notifications n ON n.id = o.id
        WHERE o.desk
        """
    )
    op.execute("DROP TABLE outbox_owed_0005")


def downgrade() -> None:
    # Handed out unless a delivery is still pending (the old outbox sends those once more);
    # noted first, as adding the column may rebuild the table on SQLite.
    op.execute("CREATE TABLE outbox_owed_0005 (id INTEGER PRIMARY KEY)")
    op.execute(
        "INSERT INTO outbox_owed_0005 (id) SELECT DISTINCT notification_id "
        "FROM notification_deliveries WHERE state = 'pending'"
    )
    with op.batch_alter_table("notification_deliveries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notification_deliveries_notification_id"))
        batch_op.drop_index("ix_notification_deliveries_user")
        batch_op.drop_index("ix_notification_deliveries_due")
    op.drop_table("notification_deliveries")
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f("ix_notifications_sent_at"), ["sent_at"], unique=False)
    op.execute(
        "UPDATE notifications SET sent_at = created_at "
        "WHERE id NOT IN (SELECT id FROM outbox_owed_0005)"
    )
    op.execute("DROP TABLE outbox_owed_0005")
