"""Settings from the environment and `.env` (names in docs/interfaces.md), shared by all fronts."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from domain.seats import SeatPolicy
from domain.services.retention import RetentionPolicy

MIN_WEBHOOK_SECRET = 16
_WEBHOOK_SECRET = re.compile(rf"[A-Za-z0-9_-]{{{MIN_WEBHOOK_SECRET},256}}")
_ASYNC_DRIVERS = frozenset({"sqlite+aiosqlite", "postgresql+asyncpg"})


class Settings(BaseSettings):
    # An empty variable counts as unset (`SERVICE_DESK_CHAT_ID=` in a compose or .env file).
    model_config = SettingsConfigDict(
        env_file=".env", extra="ignore", case_sensitive=False, env_ignore_empty=True
    )

    database_url: str = "sqlite+aiosqlite:///./licencebot.db"
    telegram_bot_token: SecretStr | None = None
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    telegram_bot_username: str | None = None
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = Field(default=8443, ge=1, le=65535)
    service_desk_chat_id: int | None = None
    service_desk_contact: str = "Service Desk: +49 30 1234567-0, servicedesk@example.com (24×7)"
    terms_url: str = "https://example.com/agb-lizenzbedingungen"
    terms_version: str = "1"
    timezone: str = "Europe/Berlin"
    default_language: str = "de"
    notify_interval_seconds: float = Field(default=5.0, gt=0, le=3600)
    provisioner: Literal["manual", "simulated"] = "manual"
    provisioning_delay_seconds: float = Field(default=20.0, ge=0, le=86400)
    # Retention in days (docs/privacy.md): idle chat state and drafts, processed update ids,
    # resolved tickets with their messages.
    retention_chat_days: int = Field(default=90, ge=1, le=3650)
    retention_updates_days: int = Field(default=7, ge=1, le=3650)
    retention_tickets_days: int = Field(default=365, ge=1, le=3650)
    retention_notices_days: int = Field(default=30, ge=1, le=3650)
    # Benchmarks against a fake Bot API only: false lifts Telegram's per-token limits.
    telegram_rate_limit: bool = True
    # Workers on several hosts share the token's limits through this Redis (bot/shared_limits).
    rate_limit_redis_url: SecretStr | None = None
    # Seconds to wait for the Bot API's answer to one request before it counts as timed out
    # (then retried with back-off, bot/limiter.py); PTB's default.
    telegram_read_timeout: float = Field(default=5.0, gt=0, le=300)
    # The Rasa action server's shared secret (`licencebot actions`); unset: loopback only.
    action_server_token: SecretStr | None = None
    # Monitoring (bot/health.py, domain/logs.py): /healthz, /readyz, /metrics in polling mode.
    health_port: int | None = Field(default=None, ge=1, le=65535)
    log_format: Literal["text", "json"] = "text"
    # Seats (issue 21): the month-end hint goes out this many days before the month's last
    # day; usage reported longer ago than this is stale (shown as such, never acted on).
    seat_hint_days: int = Field(default=5, ge=0, le=27)
    seat_usage_max_age_days: int = Field(default=7, ge=1, le=365)
    # The Mini App (docs/miniapp.md): its public HTTPS address (unset: no Mini App buttons),
    # and in polling mode the port (and address) that serves it.
    webapp_url: str | None = None
    webapp_port: int | None = Field(default=None, ge=0, le=65535)
    webapp_listen: str = "127.0.0.1"

    @field_validator("database_url")
    @classmethod
    def _async_url(cls, value: str) -> str:
        """Refuse what SQLAlchemy's async engine cannot use, without echoing the URL."""
        hint = "use sqlite+aiosqlite:///PATH or postgresql+asyncpg://USER:PASSWORD@HOST:PORT/DB"
        try:
            url = make_url(value)
            url.port  # noqa: B018 - parsing the port raises on garbage
        except (ArgumentError, ValueError):
            raise ValueError(f"not a database URL; {hint}") from None
        if url.drivername not in _ASYNC_DRIVERS:
            raise ValueError(f"driver {url.drivername!r} is not supported; {hint}")
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _webhook_secret(cls, value: SecretStr | None) -> SecretStr | None:
        """Telegram's alphabet (A-Z a-z 0-9 _ -, up to 256), and long enough not to be guessed;
        the message never repeats the value."""
        if value is not None and not _WEBHOOK_SECRET.fullmatch(value.get_secret_value()):
            raise ValueError(
                f"use {MIN_WEBHOOK_SECRET}-256 characters of A-Z a-z 0-9 _ - "
                "(Telegram's alphabet), e.g. `openssl rand -hex 24`"
            )
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value

    @field_validator("default_language")
    @classmethod
    def _language(cls, value: str) -> str:
        if value not in ("de", "en"):
            raise ValueError("DEFAULT_LANGUAGE must be de or en")
        return value

    @property
    def retention(self) -> RetentionPolicy:
        return RetentionPolicy(
            self.retention_chat_days,
            self.retention_updates_days,
            self.retention_tickets_days,
            self.retention_notices_days,
        )

    @property
    def seat_policy(self) -> SeatPolicy:
        return SeatPolicy(self.seat_hint_days, timedelta(days=self.seat_usage_max_age_days))

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)
