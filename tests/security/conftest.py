"""The attacks of issue 19 against the real bot over the Bot API emulator (tests/e2e's bot)."""

from tests.e2e.conftest import bot

__all__ = ["bot"]
