"""The database schema (SQLAlchemy Core); Alembic migrations are checked against it."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    Enum,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    text,
)

from domain.model import Channel, ConsentKind, Role, Status
from domain.storage.types import Cents, ExactDecimal, UTCDateTime

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def _enum(enum: type, name: str) -> Enum:
    return Enum(
        enum,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=24,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )


seat_caps = Table(
    "seat_caps",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("max_quantity", Integer, nullable=False),
)

products = Table(
    "products",
    metadata,
    Column("sku", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("description", JSON, nullable=False),
    Column("list_price", Cents, nullable=False),
    Column("max_quantity", Integer, nullable=True),
    Column("seat_cap_id", String(64), ForeignKey("seat_caps.id"), nullable=True),
    Column("retired", Boolean, nullable=False, default=False),
    Column("position", Integer, nullable=False, default=0),
)

addons = Table(
    "addons",
    metadata,
    Column("sku", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("description", JSON, nullable=False),
    Column("list_price", Cents, nullable=False),
    Column("retired", Boolean, nullable=False, default=False),
)

product_addons = Table(
    "product_addons",
    metadata,
    Column("product_sku", String(64), ForeignKey("products.sku"), primary_key=True),
    Column("addon_sku", String(64), ForeignKey("addons.sku"), primary_key=True),
    Column("position", Integer, nullable=False, default=0),
)

customers = Table(
    "customers",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("discount_percent", ExactDecimal, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

customer_prices = Table(
    "customer_prices",
    metadata,
    Column("customer_id", String(64), ForeignKey("customers.id"), primary_key=True),
    Column("sku", String(64), primary_key=True),
    Column("unit_price", Cents, nullable=False),
)

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("channel", _enum(Channel, "channel"), nullable=False),
    Column("external_id", String(128), nullable=False),
    Column("role", _enum(Role, "role"), nullable=False),
    Column("customer_id", String(64), ForeignKey("customers.id"), nullable=True),
    Column("display_name", String(200), nullable=False, default=""),
    Column("language", String(8), nullable=True),
    UniqueConstraint("channel", "external_id", name="uq_users_channel_external_id"),
)

invites = Table(
    "invites",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("code_hash", String(64), nullable=False, unique=True),
    Column("customer_id", String(64), ForeignKey("customers.id"), nullable=True),
    Column("role", _enum(Role, "role"), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("used_at", UTCDateTime, nullable=True),
    Column("used_by", Integer, ForeignKey("users.id"), nullable=True),
    Column("revoked_at", UTCDateTime, nullable=True),
)

subscriptions = Table(
    "subscriptions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("customer_id", String(64), ForeignKey("customers.id"), nullable=False),
    Column("product_sku", String(64), ForeignKey("products.sku"), nullable=False),
    Column("product_name", String(200), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("unit_price", Cents, nullable=False),
    Column("status", _enum(Status, "status"), nullable=False),
    Column("start_date", Date, nullable=False),
    Column("ordered_at", UTCDateTime, nullable=False),
    Column("provisioned_on", Date, nullable=True),
    Column("end_date", Date, nullable=True),
    Column("cancelled_at", UTCDateTime, nullable=True),
    Column("version", Integer, nullable=False),
    Column("idempotency_key", String(128), nullable=True),
    Column("scheduled_quantity", Integer, nullable=True),  # a reduction at the month end
    Column("scheduled_for", Date, nullable=True),
    UniqueConstraint(
        "customer_id", "idempotency_key", name="uq_subscriptions_customer_idempotency_key"
    ),
    # R6: one subscription per product and customer until it has ended.
    Index(
        "uq_subscriptions_active_product",
        "customer_id",
        "product_sku",
        unique=True,
        sqlite_where=text("status <> 'ended'"),
        postgresql_where=text("status <> 'ended'"),
    ),
)

addon_bookings = Table(
    "addon_bookings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("subscription_id", Integer, ForeignKey("subscriptions.id"), nullable=False),
    Column("addon_sku", String(64), ForeignKey("addons.sku"), nullable=False),
    Column("addon_name", String(200), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("unit_price", Cents, nullable=False),
    Column("status", _enum(Status, "status"), nullable=False),
    Column("start_date", Date, nullable=False),
    Column("ordered_at", UTCDateTime, nullable=False),
    Column("provisioned_on", Date, nullable=True),
    Column("end_date", Date, nullable=True),
    Column("cancelled_with_subscription", Boolean, nullable=False, default=False),
    # R17: one running booking per add-on and subscription.
    Index(
        "uq_addon_bookings_running",
        "subscription_id",
        "addon_sku",
        unique=True,
        sqlite_where=text("status IN ('ordered', 'provisioned')"),
        postgresql_where=text("status IN ('ordered', 'provisioned')"),
    ),
)

quantity_changes = Table(
    "quantity_changes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("subscription_id", Integer, ForeignKey("subscriptions.id"), nullable=False),
    Column("addon_booking_id", Integer, ForeignKey("addon_bookings.id"), nullable=True),
    Column("from_quantity", Integer, nullable=False),
    Column("to_quantity", Integer, nullable=False),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=True),
    Column("actor_label", String(200), nullable=False),
    Column("channel", _enum(Channel, "channel"), nullable=False),
    Column("changed_at", UTCDateTime, nullable=False),
)

consents = Table(
    "consents",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("customer_id", String(64), ForeignKey("customers.id"), nullable=False),
    Column("subscription_id", Integer, ForeignKey("subscriptions.id"), nullable=True),
    Column("addon_booking_id", Integer, ForeignKey("addon_bookings.id"), nullable=True),
    Column("kind", _enum(ConsentKind, "consent_kind"), nullable=False),
    Column("terms_version", String(32), nullable=False),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=True),
    Column("actor_label", String(200), nullable=False),
    Column("channel", _enum(Channel, "channel"), nullable=False),
    Column("given_at", UTCDateTime, nullable=False),
)

audit_entries = Table(
    "audit_entries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime, nullable=False),
    Column("channel", _enum(Channel, "channel"), nullable=False),
    Column("actor_role", _enum(Role, "role"), nullable=False),
    Column("actor_user_id", Integer, ForeignKey("users.id"), nullable=True),
    Column("actor_label", String(200), nullable=False),
    Column("customer_id", String(64), nullable=True, index=True),
    Column("action", String(64), nullable=False),
    Column("target", String(128), nullable=False),
    Column("details", JSON, nullable=False),
)


# --- front-end state: chats, drafts, processed updates (design decision 1) -------------------
chats = Table(
    "chats",
    metadata,
    Column("chat_id", BigInteger, primary_key=True, autoincrement=False),
    Column("language", String(8), nullable=True),
    Column("step", String(32), nullable=False, default="idle"),
    Column("draft_id", Integer, nullable=True),
    Column("ticket_id", Integer, nullable=True),  # typed text goes to this open ticket
    Column("updated_at", UTCDateTime, nullable=False, index=True),  # retention (docs/privacy.md)
)

drafts = Table(
    "drafts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("chat_id", BigInteger, nullable=False, index=True),
    Column("kind", String(16), nullable=False),
    Column("data", JSON, nullable=False),
    Column("idempotency_key", String(64), nullable=False, unique=True),
    Column("state", String(16), nullable=False, default="open"),
    Column("result_id", Integer, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

processed_updates = Table(
    "processed_updates",
    metadata,
    Column("bot_id", BigInteger, primary_key=True, autoincrement=False),
    Column("update_id", BigInteger, primary_key=True, autoincrement=False),
    Column("processed_at", UTCDateTime, nullable=False, index=True),
    # whose update it was, so that /forget_me can delete a person's update ids (docs/privacy.md)
    Column("chat_id", BigInteger, nullable=True, index=True),
)

# --- outbox: work that must happen once across workers (design decision 4) ----------------
notifications = Table(
    "notifications",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("customer_id", String(64), ForeignKey("customers.id"), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

# One row per person told (or the service desk group: user_id NULL, to_desk): claimed by one
# worker until `claimed_until`, done only after Telegram accepted it, retried with back-off.
notification_deliveries = Table(
    "notification_deliveries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "notification_id",
        Integer,
        ForeignKey("notifications.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=True),
    Column("to_desk", Boolean, nullable=False, default=False),
    Column("channel", _enum(Channel, "channel"), nullable=False),
    Column("state", String(16), nullable=False),  # pending | sent | gone
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UTCDateTime, nullable=False),
    Column("claimed_until", UTCDateTime, nullable=True),
    Column("claim_token", String(32), nullable=True),
    Column("last_error", String(200), nullable=True),
    Column("done_at", UTCDateTime, nullable=True),
    Index("ix_notification_deliveries_due", "state", "channel", "next_attempt_at"),
    Index("ix_notification_deliveries_user", "user_id", "state"),
)

# --- service desk tickets (R26) ---------------------------------------------------------------
tickets = Table(
    "tickets",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("customer_id", String(64), ForeignKey("customers.id"), nullable=True, index=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False, index=True),
    Column("channel", String(16), nullable=False),
    Column("external_id", String(64), nullable=False),
    Column("language", String(8), nullable=False),
    Column("context", String(500), nullable=False),
    Column("status", String(16), nullable=False, index=True),
    Column("taken_by", String(200), nullable=False, default=""),
    Column("taken_by_user_id", Integer, ForeignKey("users.id"), nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("resolved_at", UTCDateTime, nullable=True),
    Column("desk_message_id", BigInteger, nullable=True, index=True),
    Column("desk_topic_id", BigInteger, nullable=True, index=True),
    Column("version", Integer, nullable=False),
)

ticket_messages = Table(
    "ticket_messages",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("ticket_id", Integer, ForeignKey("tickets.id"), nullable=False, index=True),
    Column("author", String(16), nullable=False),
    Column("name", String(200), nullable=False, default=""),
    Column("text", String(4096), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=True),  # the author
)

# Every Telegram message of a ticket: what the bot posted for it (each part of a card or of a
# forwarded message, the customer's copy of an answer) and the people's own messages that
# became ticket messages. A reply in the desk group or an edit finds its ticket here, by ids.
ticket_posts = Table(
    "ticket_posts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("ticket_id", Integer, ForeignKey("tickets.id"), nullable=False, index=True),
    Column("chat_id", BigInteger, nullable=False),
    Column("message_id", BigInteger, nullable=False),
    Column("ticket_message_id", Integer, nullable=True, index=True),
    Column("notification_id", Integer, nullable=True, index=True),
    Column("part", Integer, nullable=False, default=0),
    Column("origin", Boolean, nullable=False, default=False),
    UniqueConstraint("chat_id", "message_id", name="uq_ticket_posts_chat_id_message_id"),
)

# --- licence requests (R23) -------------------------------------------------------------------
licence_requests = Table(
    "licence_requests",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("customer_id", String(64), ForeignKey("customers.id"), nullable=False, index=True),
    Column("kind", String(16), nullable=False),
    Column("origin", String(16), nullable=False),
    Column("product_sku", String(64), nullable=False),
    Column("quantity", Integer, nullable=True),
    Column("subscription_id", Integer, ForeignKey("subscriptions.id"), nullable=True),
    Column("addon_sku", String(64), nullable=True),
    Column("requested_by", Integer, ForeignKey("users.id"), nullable=False, index=True),
    Column("requested_by_name", String(200), nullable=False),
    Column("status", String(16), nullable=False, index=True),
    Column("decided_by", Integer, nullable=True),
    Column("decided_by_name", String(200), nullable=False, default=""),
    Column("reason", String(500), nullable=False, default=""),
    Column("created_at", UTCDateTime, nullable=False),
    Column("decided_at", UTCDateTime, nullable=True),
    Column("result_id", Integer, nullable=True),
    Column("version", Integer, nullable=False),
)


# --- seats: usage the tenant reports, buffers, month-end hints (issue 21) ---------------------
seat_usage = Table(
    "seat_usage",
    metadata,
    Column("customer_id", String(64), ForeignKey("customers.id"), primary_key=True),
    Column("sku", String(64), primary_key=True),
    Column("assigned", Integer, nullable=False),
    Column("reported_at", UTCDateTime, nullable=False),
    Column("source", String(32), nullable=False),
)

seat_buffers = Table(
    "seat_buffers",
    metadata,
    Column("customer_id", String(64), ForeignKey("customers.id"), primary_key=True),
    Column("sku", String(64), primary_key=True),
    Column("spare", Integer, nullable=False),
)

# An admin who does not want the month-end hints (default: hints on).
seat_hint_optouts = Table(
    "seat_hint_optouts",
    metadata,
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("at", UTCDateTime, nullable=False),
)

# One hint per customer and month, whichever worker sends it.
seat_hints = Table(
    "seat_hints",
    metadata,
    Column("customer_id", String(64), ForeignKey("customers.id"), primary_key=True),
    Column("month", String(7), primary_key=True),  # YYYY-MM
    Column("sent_at", UTCDateTime, nullable=False),
    Column("monthly_saving", Cents, nullable=False),
)
