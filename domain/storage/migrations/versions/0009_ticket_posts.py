"""service desk: every Telegram message of a ticket by its ids; who an agent was, by user id

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 03:30:00.000000

Replies in the service desk group find their ticket by the replied message's id (issue 19),
never by text. Tickets posted before this revision keep being found by `desk_message_id` and
`desk_topic_id`. An agent's user id is filled in where exactly one agent had the stored name.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# The one agent with the stored name (none when two agents had it): a constant statement.
_TAKEN_BY = """
    UPDATE tickets SET taken_by_user_id =
        (SELECT MIN(u.id) FROM users u WHERE u.role = 'agent' AND u.display_name = tickets.taken_by
         HAVING COUNT(*) = 1)
    WHERE taken_by <> ''
"""
_AGENT_MESSAGES = """
    UPDATE ticket_messages SET user_id =
        (SELECT MIN(u.id) FROM users u
         WHERE u.role = 'agent' AND u.display_name = ticket_messages.name
         HAVING COUNT(*) = 1)
    WHERE author = 'agent'
"""


def upgrade() -> None:
    op.create_table(
        "ticket_posts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        sa.Column("ticket_message_id", sa.Integer(), nullable=True),
        sa.Column("notification_id", sa.Integer(), nullable=True),
        sa.Column("part", sa.Integer(), nullable=False),
        sa.Column("origin", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_ticket_posts_ticket_id_tickets")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_posts")),
        sa.UniqueConstraint("chat_id", "message_id", name="uq_ticket_posts_chat_id_message_id"),
    )
    with op.batch_alter_table("ticket_posts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ticket_posts_ticket_id"), ["ticket_id"])
        batch_op.create_index(
            batch_op.f("ix_ticket_posts_ticket_message_id"), ["ticket_message_id"]
        )
        batch_op.create_index(batch_op.f("ix_ticket_posts_notification_id"), ["notification_id"])
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("taken_by_user_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_tickets_taken_by_user_id_users"), "users", ["taken_by_user_id"], ["id"]
        )
    with op.batch_alter_table("ticket_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("user_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_ticket_messages_user_id_users"), "users", ["user_id"], ["id"]
        )
    op.execute(_TAKEN_BY)
    op.execute(
        "UPDATE ticket_messages SET user_id = "
        "(SELECT t.user_id FROM tickets t WHERE t.id = ticket_messages.ticket_id) "
        "WHERE author = 'customer'"
    )
    op.execute(_AGENT_MESSAGES)


def downgrade() -> None:
    with op.batch_alter_table("ticket_messages", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_ticket_messages_user_id_users"), type_="foreignkey")
        batch_op.drop_column("user_id")
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_tickets_taken_by_user_id_users"), type_="foreignkey"
        )
        batch_op.drop_column("taken_by_user_id")
    with op.batch_alter_table("ticket_posts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ticket_posts_notification_id"))
        batch_op.drop_index(batch_op.f("ix_ticket_posts_ticket_message_id"))
        batch_op.drop_index(batch_op.f("ix_ticket_posts_ticket_id"))
    op.drop_table("ticket_posts")
