"""initial schema

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-24 23:01:51.452273
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "addons",
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.JSON(), nullable=False),
        sa.Column("list_price", sa.BigInteger(), nullable=False),
        sa.Column("retired", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("sku", name=op.f("pk_addons")),
    )
    op.create_table(
        "customers",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("discount_percent", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customers")),
    )
    op.create_table(
        "seat_caps",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("max_quantity", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_seat_caps")),
    )
    op.create_table(
        "customer_prices",
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("unit_price", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_customer_prices_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("customer_id", "sku", name=op.f("pk_customer_prices")),
    )
    op.create_table(
        "products",
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.JSON(), nullable=False),
        sa.Column("list_price", sa.BigInteger(), nullable=False),
        sa.Column("max_quantity", sa.Integer(), nullable=True),
        sa.Column("seat_cap_id", sa.String(length=64), nullable=True),
        sa.Column("retired", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["seat_cap_id"], ["seat_caps.id"], name=op.f("fk_products_seat_cap_id_seat_caps")
        ),
        sa.PrimaryKeyConstraint("sku", name=op.f("pk_products")),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
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
        sa.Column("external_id", sa.String(length=128), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "admin",
                "member",
                "agent",
                "operator",
                name="role",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("customer_id", sa.String(length=64), nullable=True),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_users_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("channel", "external_id", name="uq_users_channel_external_id"),
    )
    op.create_table(
        "audit_entries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
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
        sa.Column(
            "actor_role",
            sa.Enum(
                "admin",
                "member",
                "agent",
                "operator",
                name="role",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("actor_user_id", sa.Integer(), nullable=True),
        sa.Column("actor_label", sa.String(length=200), nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=True),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("target", sa.String(length=128), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_user_id"], ["users.id"], name=op.f("fk_audit_entries_actor_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entries")),
    )
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_audit_entries_customer_id"), ["customer_id"], unique=False
        )

    op.create_table(
        "invites",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=True),
        sa.Column(
            "role",
            sa.Enum(
                "admin",
                "member",
                "agent",
                "operator",
                name="role",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("used_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_invites_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(["used_by"], ["users.id"], name=op.f("fk_invites_used_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invites")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_invites_code_hash")),
    )
    op.create_table(
        "product_addons",
        sa.Column("product_sku", sa.String(length=64), nullable=False),
        sa.Column("addon_sku", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["addon_sku"], ["addons.sku"], name=op.f("fk_product_addons_addon_sku_addons")
        ),
        sa.ForeignKeyConstraint(
            ["product_sku"], ["products.sku"], name=op.f("fk_product_addons_product_sku_products")
        ),
        sa.PrimaryKeyConstraint("product_sku", "addon_sku", name=op.f("pk_product_addons")),
    )
    op.create_table(
        "subscriptions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("product_sku", sa.String(length=64), nullable=False),
        sa.Column("product_name", sa.String(length=200), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price", sa.BigInteger(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "ordered",
                "provisioned",
                "cancelled",
                "ended",
                name="status",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("ordered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("provisioned_on", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=128), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_subscriptions_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(
            ["product_sku"], ["products.sku"], name=op.f("fk_subscriptions_product_sku_products")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscriptions")),
        sa.UniqueConstraint(
            "customer_id", "idempotency_key", name="uq_subscriptions_customer_idempotency_key"
        ),
    )
    with op.batch_alter_table("subscriptions", schema=None) as batch_op:
        batch_op.create_index(
            "uq_subscriptions_active_product",
            ["customer_id", "product_sku"],
            unique=True,
            sqlite_where=sa.text("status <> 'ended'"),
            postgresql_where=sa.text("status <> 'ended'"),
        )

    op.create_table(
        "addon_bookings",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("subscription_id", sa.Integer(), nullable=False),
        sa.Column("addon_sku", sa.String(length=64), nullable=False),
        sa.Column("addon_name", sa.String(length=200), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price", sa.BigInteger(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "ordered",
                "provisioned",
                "cancelled",
                "ended",
                name="status",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("ordered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("provisioned_on", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("cancelled_with_subscription", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["addon_sku"], ["addons.sku"], name=op.f("fk_addon_bookings_addon_sku_addons")
        ),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["subscriptions.id"],
            name=op.f("fk_addon_bookings_subscription_id_subscriptions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_addon_bookings")),
    )
    with op.batch_alter_table("addon_bookings", schema=None) as batch_op:
        batch_op.create_index(
            "uq_addon_bookings_running",
            ["subscription_id", "addon_sku"],
            unique=True,
            sqlite_where=sa.text("status IN ('ordered', 'provisioned')"),
            postgresql_where=sa.text("status IN ('ordered', 'provisioned')"),
        )

    op.create_table(
        "consents",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("subscription_id", sa.Integer(), nullable=True),
        sa.Column("addon_booking_id", sa.Integer(), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(
                "terms",
                "microsoft_account",
                name="consent_kind",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("terms_version", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("actor_label", sa.String(length=200), nullable=False),
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
        sa.Column("given_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["addon_booking_id"],
            ["addon_bookings.id"],
            name=op.f("fk_consents_addon_booking_id_addon_bookings"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_consents_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["subscriptions.id"],
            name=op.f("fk_consents_subscription_id_subscriptions"),
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_consents_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consents")),
    )
    op.create_table(
        "quantity_changes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("subscription_id", sa.Integer(), nullable=False),
        sa.Column("addon_booking_id", sa.Integer(), nullable=True),
        sa.Column("from_quantity", sa.Integer(), nullable=False),
        sa.Column("to_quantity", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("actor_label", sa.String(length=200), nullable=False),
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
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["addon_booking_id"],
            ["addon_bookings.id"],
            name=op.f("fk_quantity_changes_addon_booking_id_addon_bookings"),
        ),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["subscriptions.id"],
            name=op.f("fk_quantity_changes_subscription_id_subscriptions"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_quantity_changes_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quantity_changes")),
    )


def downgrade() -> None:

    op.drop_table("quantity_changes")
    op.drop_table("consents")
    with op.batch_alter_table("addon_bookings", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_addon_bookings_running",
            sqlite_where=sa.text("status IN ('ordered', 'provisioned')"),
            postgresql_where=sa.text("status IN ('ordered', 'provisioned')"),
        )

    op.drop_table("addon_bookings")
    with op.batch_alter_table("subscriptions", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_subscriptions_active_product",
            sqlite_where=sa.text("status <> 'ended'"),
            postgresql_where=sa.text("status <> 'ended'"),
        )

    op.drop_table("subscriptions")
    op.drop_table("product_addons")
    op.drop_table("invites")
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_entries_customer_id"))

    op.drop_table("audit_entries")
    op.drop_table("users")
    op.drop_table("products")
    op.drop_table("customer_prices")
    op.drop_table("seat_caps")
    op.drop_table("customers")
    op.drop_table("addons")
