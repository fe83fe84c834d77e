"""The Telegram Mini App: a read-only dashboard served by the bot itself (docs/miniapp.md)."""
