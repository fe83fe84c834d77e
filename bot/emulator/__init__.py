"""A local Telegram Bot API emulator: the fake server for end-to-end tests and `licencebot chat`.

It answers the part of the Bot API the bot uses (getUpdates long polling, webhooks, text messages,
inline keyboards, callback queries, commands, replies, getChat, groups and forum topics) on
127.0.0.1, enforces Telegram's limits with Telegram's error texts, records what the bot does and
simulates users who write, reply, press buttons and block the bot, in private chats and in groups
(supergroups, forums with topics). Point python-telegram-bot at it with
`ApplicationBuilder().base_url(emu.base_url)`.

Knowingly left out: media and files, channels, basic (non-super) groups, members joining and
leaving, privacy mode and administrator rights (the bot sees every group message and may do
everything an administrator may), topics in private chats, the General topic's own methods,
deleteForumTopic, replies to other chats or topics (external replies), inline mode, payments,
Markdown parsing (Markdown and MarkdownV2 texts are taken literally; only HTML is parsed and
checked).

Modules: server (BotApiEmulator), chats (chats and their Bot API methods), threads (topics, reply
threads and replies of new messages), forum (forum topic methods), members (users' messages and
button presses), updates (queue, long polling, webhooks), users (EmulatedUser), groups
(EmulatedGroup), model (records), formatting (HTML to text and entities), markup (reply markup
checks), transport (HTTP server, request parameters), errors (ApiError), activity (what waiters
wait on) and terminal (the client of `licencebot chat`).
"""

from bot.emulator.errors import ApiError, JsonDict
from bot.emulator.groups import EmulatedGroup
from bot.emulator.model import (
    ApiCall,
    CallbackAnswer,
    ChatEvent,
    MessageVersion,
    SentMessage,
    Topic,
)
from bot.emulator.server import BotApiEmulator
from bot.emulator.users import EmulatedUser

__all__ = [
    "ApiCall",
    "ApiError",
    "BotApiEmulator",
    "CallbackAnswer",
    "ChatEvent",
    "EmulatedGroup",
    "EmulatedUser",
    "JsonDict",
    "MessageVersion",
    "SentMessage",
    "Topic",
]
