"""A local Telegram Bot API emulator: the fake server for end-to-end tests and `licencebot chat`.

It answers the part of the Bot API the bot uses (getUpdates long polling, webhooks, text messages,
inline keyboards, callback queries, commands) on 127.0.0.1, enforces Telegram's limits with
Telegram's error texts, records what the bot does and simulates users who write and press buttons.
Point python-telegram-bot at it with `ApplicationBuilder().base_url(emu.base_url)`.

Knowingly left out: media and files, groups and channels, inline mode, payments, Markdown parsing
(Markdown and MarkdownV2 texts are taken literally; only HTML is parsed and checked).

Modules: server (BotApiEmulator), chats (chats and their Bot API methods), updates (queue, long
polling, webhooks), users (EmulatedUser), model (records), formatting (HTML to text and entities),
markup (reply markup checks), transport (HTTP server, request parameters), errors (ApiError),
activity (what waiters wait on) and terminal (the client of `licencebot chat`).
"""

from bot.emulator.errors import ApiError, JsonDict
from bot.emulator.model import ApiCall, CallbackAnswer, ChatEvent, MessageVersion, SentMessage
from bot.emulator.server import BotApiEmulator
from bot.emulator.users import EmulatedUser

__all__ = [
    "ApiCall",
    "ApiError",
    "BotApiEmulator",
    "CallbackAnswer",
    "ChatEvent",
    "EmulatedUser",
    "JsonDict",
    "MessageVersion",
    "SentMessage",
]
