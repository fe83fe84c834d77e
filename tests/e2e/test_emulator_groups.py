"""The Bot API emulator's groups and forum topics, driven by PTB's Bot, httpx and a tiny
PTB Application: a service desk group where agents reply to tickets and press their buttons."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from telegram import (
    Bot,
    CallbackQuery,
    ChatFullInfo,
    ForumTopic,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    ReplyParameters,
    Update,
)
from telegram.constants import ChatType, ForumIconColor
from telegram.error import BadRequest
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.emulator import BotApiEmulator, EmulatedGroup, EmulatedUser
from bot.emulator.terminal import Terminal
from domain.texts.i18n import Translator

TOKEN = "123456:emulator-test-token"
ANNA, BEN = 1001, 2002  # a customer and a service desk agent
DESK, FORUM = -1001234567890, -1009876543210
App = Application[Any, Any, Any, Any, Any, Any]
TICKET_BUTTONS = InlineKeyboardMarkup(
    [
        [
            InlineKeyboardButton("Take over", callback_data="take:7"),
            InlineKeyboardButton("Resolve", callback_data="resolve:7"),
        ]
    ]
)


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    async with BotApiEmulator(token=TOKEN) as emulator:
        emulator.user(ANNA, first_name="Anna")
        emulator.user(BEN, first_name="Ben", language_code="en")
        yield emulator


@pytest.fixture
async def bot(emu: BotApiEmulator) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=emu.base_url, base_file_url=emu.base_file_url) as plain_bot:
        yield plain_bot


@pytest.fixture
def ben(emu: BotApiEmulator) -> EmulatedUser:
    return emu.user(BEN)


@pytest.fixture
def desk(emu: BotApiEmulator) -> EmulatedGroup:
    return emu.group(DESK, "Service Desk")


@pytest.fixture
def forum(emu: BotApiEmulator) -> EmulatedGroup:
    return emu.group(FORUM, "Service Desk Forum", forum=True)


def parsed(update: dict[str, Any], bot: Bot) -> Message:
    """The message of an update as PTB reads it."""
    message = Update.de_json(update, bot).message
    assert message is not None
    return message


async def test_a_forum_topic_gets_messages_from_the_bot_and_the_agents(
    emu: BotApiEmulator, bot: Bot, forum: EmulatedGroup, ben: EmulatedUser
) -> None:
    topic = await bot.create_forum_topic(FORUM, "Ticket #7 · Anna", icon_color=ForumIconColor.GREEN)
    assert isinstance(topic, ForumTopic)
    assert (topic.name, topic.icon_color) == ("Ticket #7 · Anna", ForumIconColor.GREEN)
    thread = topic.message_thread_id
    assert forum.topics() == {thread: "Ticket #7 · Anna"}

    sent = await bot.send_message(FORUM, "New ticket", message_thread_id=thread)
    assert (sent.message_thread_id, sent.is_topic_message) == (thread, True)
    assert sent.reply_to_message is not None  # a topic message replies to the topic's creation
    assert sent.reply_to_message.forum_topic_created is not None
    assert sent.reply_to_message.forum_topic_created.name == "Ticket #7 · Anna"
    assert forum.messages(thread) == [emu.last_message(FORUM)]
    assert forum.messages(None) == []

    update = await forum.send(ben, "Hello Anna, I am on it", thread=thread)
    message = parsed(update, bot)
    assert (message.chat.id, message.chat.type, message.chat.is_forum) == (
        FORUM,
        "supergroup",
        True,
    )
    assert message.from_user is not None
    assert message.from_user.id == BEN
    assert (message.message_thread_id, message.is_topic_message) == (thread, True)
    assert message.reply_to_message is not None
    assert message.reply_to_message.message_id == thread

    general = parsed(await forum.send(ben, "/status@licencebot_local_bot"), bot)
    assert (general.message_thread_id, general.is_topic_message) == (None, None)
    assert general.reply_to_message is None
    assert [e.type for e in general.entities] == ["bot_command"]

    assert await bot.edit_forum_topic(FORUM, thread, name="Ticket #7 · Anna (taken)")
    assert await bot.close_forum_topic(FORUM, thread)
    assert forum.topic(thread).closed
    assert forum.topics() == {thread: "Ticket #7 · Anna (taken)"}
    with pytest.raises(BadRequest, match=r"(?i)^topic_not_modified$"):
        await bot.close_forum_topic(FORUM, thread)
    assert await bot.reopen_forum_topic(FORUM, thread)
    assert not forum.topic(thread).closed
    kinds = [
        next(k for k in p if k.startswith("forum_topic_")) for p in forum.posts() if "text" not in p
    ]
    assert kinds == [
        "forum_topic_created",
        "forum_topic_edited",
        "forum_topic_closed",
        "forum_topic_reopened",
    ]


async def test_a_reply_to_a_group_message_carries_the_replied_message(
    emu: BotApiEmulator, bot: Bot, desk: EmulatedGroup, ben: EmulatedUser
) -> None:
    ticket = await bot.send_message(DESK, "Ticket #7: licence missing", reply_markup=TICKET_BUTTONS)
    update = await desk.send(ben, "Which product?", reply_to=desk.last_message())
    message = parsed(update, bot)
    replied = message.reply_to_message
    assert replied is not None
    assert (replied.message_id, replied.text) == (ticket.message_id, "Ticket #7: licence missing")
    assert replied.from_user is not None
    assert replied.from_user.is_bot
    assert replied.reply_markup == TICKET_BUTTONS
    # A reply outside topics opens the reply thread of the replied message.
    assert (message.message_thread_id, message.is_topic_message) == (ticket.message_id, None)

    answer = await bot.send_message(
        DESK, "Forwarded to Anna", reply_parameters=ReplyParameters(message.message_id)
    )
    assert answer.reply_to_message is not None
    assert answer.reply_to_message.text == "Which product?"
    recorded = emu.last_message(DESK)
    assert (recorded.reply_to_message_id, recorded.message_thread_id) == (
        message.message_id,
        ticket.message_id,
    )
    async with httpx.AsyncClient() as client:  # the older reply_to_message_id parameter
        older = await client.post(
            f"{emu.base_url}{TOKEN}/sendMessage",
            data={
                "chat_id": str(DESK),
                "text": "ok",
                "reply_to_message_id": str(ticket.message_id),
            },
        )
    assert older.json()["result"]["reply_to_message"]["message_id"] == ticket.message_id

    with pytest.raises(BadRequest, match=r"(?i)message to be replied not found"):
        await bot.send_message(DESK, "lost", reply_parameters=ReplyParameters(999))
    kept = await bot.send_message(
        DESK, "kept", reply_parameters=ReplyParameters(999, allow_sending_without_reply=True)
    )
    assert kept.reply_to_message is None
    assert [m.plain_text for m in desk.messages()][-1] == "kept"


async def test_get_chat_tells_forums_plain_groups_and_private_chats_apart(
    bot: Bot, desk: EmulatedGroup, forum: EmulatedGroup
) -> None:
    forum_info = await bot.get_chat(FORUM)
    desk_info = await bot.get_chat(DESK)
    private = await bot.get_chat(ANNA)
    assert isinstance(forum_info, ChatFullInfo)
    assert (forum_info.type, forum_info.title, forum_info.is_forum) == (
        ChatType.SUPERGROUP,
        "Service Desk Forum",
        True,
    )
    assert (desk_info.type, desk_info.title, desk_info.is_forum) == (
        ChatType.SUPERGROUP,
        "Service Desk",
        None,
    )
    assert (private.type, private.first_name, private.title) == (ChatType.PRIVATE, "Anna", None)


async def test_group_errors_are_telegrams(
    emu: BotApiEmulator, bot: Bot, desk: EmulatedGroup, forum: EmulatedGroup, ben: EmulatedUser
) -> None:
    with pytest.raises(
        BadRequest, match=r"(?i)^the chat is not a forum$"
    ):  # PTB drops "Bad Request: "
        await bot.create_forum_topic(DESK, "Ticket #8")
    with pytest.raises(BadRequest, match=r"(?i)the chat is not a forum"):
        await bot.create_forum_topic(ANNA, "Ticket #8")
    with pytest.raises(BadRequest, match=r"(?i)title must be non-empty"):
        await bot.create_forum_topic(FORUM, "   ")
    with pytest.raises(BadRequest, match=r"(?i)^message thread not found$"):
        await bot.send_message(FORUM, "into nowhere", message_thread_id=4242)
    with pytest.raises(BadRequest, match=r"(?i)message thread not found"):
        await bot.send_message(FORUM, "into General by id", message_thread_id=1)
    with pytest.raises(BadRequest, match=r"(?i)^chat not found$"):
        await bot.send_message(-1000000000001, "unknown group")
    with pytest.raises(BadRequest, match=r"(?i)^topic_id_invalid$"):
        await bot.close_forum_topic(FORUM, 4242)
    ignored = await bot.send_message(DESK, "no topics here", message_thread_id=4242)
    assert ignored.message_thread_id is None  # Telegram ignores it outside forums
    member_json = (await desk.send(ben, "a member's message"))["message"]
    with pytest.raises(BadRequest, match=r"(?i)message can't be edited"):
        await bot.edit_message_text("mine now", DESK, member_json["message_id"])
    assert await bot.delete_message(DESK, member_json["message_id"])  # the bot is an admin
    with pytest.raises(ValueError, match="has no topics"):
        await desk.send(ben, "topic?", thread=5)
    with pytest.raises(ValueError, match="message thread not found"):
        await forum.send(ben, "topic?", thread=5)
    with pytest.raises(LookupError, match="no group"):
        emu.events(-42)
    long_name = (await bot.create_forum_topic(FORUM, "x" * 200)).name
    assert long_name == "x" * 128  # Telegram cuts the name to 128 characters


@asynccontextmanager
async def desk_bot(emu: BotApiEmulator, seen: list[CallbackQuery]) -> AsyncIterator[App]:
    """A tiny desk bot: answers agents in their topic or thread; Take over edits the ticket."""
    app: App = ApplicationBuilder().token(TOKEN).base_url(emu.base_url).build()

    async def agent_wrote(update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        await update.message.reply_text("Sent to the customer")  # PTB quotes in groups

    async def pressed(update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        seen.append(query)
        await query.answer("Taken")
        await query.edit_message_text("Ticket #7: taken by Ben")

    app.add_handler(MessageHandler(filters.ChatType.SUPERGROUP & filters.TEXT, agent_wrote))
    app.add_handler(CallbackQueryHandler(pressed))
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=1)
    try:
        yield app
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()


async def test_an_agent_presses_a_ticket_button_in_the_group(
    emu: BotApiEmulator, bot: Bot, desk: EmulatedGroup, ben: EmulatedUser
) -> None:
    seen: list[CallbackQuery] = []
    async with desk_bot(emu, seen):
        await bot.send_message(DESK, "Ticket #7: licence missing", reply_markup=TICKET_BUTTONS)
        ticket = desk.last_message()
        update = await desk.press(ben, ticket, "Take over")
        edited = await desk.wait_reply()
        await emu.settle()
    assert edited.message_id == ticket.message_id
    assert edited.plain_text == "Ticket #7: taken by Ben"
    (query,) = seen
    assert query.data == "take:7"
    assert query.from_user.id == BEN
    assert isinstance(query.message, Message)
    assert query.message.chat.id == DESK
    assert emu.callback_answers[update["callback_query"]["id"]].text == "Taken"


async def test_ptb_replies_land_in_the_agents_topic_and_thread(
    emu: BotApiEmulator, bot: Bot, desk: EmulatedGroup, forum: EmulatedGroup, ben: EmulatedUser
) -> None:
    thread = (await bot.create_forum_topic(FORUM, "Ticket #7")).message_thread_id
    ticket = await bot.send_message(DESK, "Ticket #8")
    async with desk_bot(emu, []):
        await forum.send(ben, "Please restart", thread=thread)
        in_topic = await forum.wait_reply()
        await desk.send(ben, "Done?", reply_to=ticket.message_id)
        in_thread = await desk.wait_reply()
        await emu.settle()
    assert in_topic.plain_text == "Sent to the customer"
    assert in_topic.message_thread_id == thread
    assert in_topic.reply_to_message_id == forum.posts()[-1]["message_id"]
    assert forum.messages(thread) == [in_topic]
    assert in_thread.message_thread_id == ticket.message_id
    assert in_thread.reply_to_message_id == desk.posts()[-1]["message_id"]


async def test_the_terminal_shows_the_desk_groups_messages_with_their_topic(
    emu: BotApiEmulator, bot: Bot, forum: EmulatedGroup
) -> None:
    out = io.StringIO()
    anna = emu.user(ANNA)  # the agent: only agents see the desk group in the terminal
    terminal = Terminal(emu, anna, Translator("en"), out, [], desk=forum, people={"agent": anna})
    thread = (await bot.create_forum_topic(FORUM, "Ticket #7")).message_thread_id
    await bot.send_message(ANNA, "We got your ticket #7")
    await bot.send_message(
        FORUM, "New ticket", message_thread_id=thread, reply_markup=TICKET_BUTTONS
    )
    await bot.send_message(FORUM, "Daily summary")
    terminal.show_new()
    assert out.getvalue() == (  # each message under its id, the group's with topic and buttons
        "\n🤖 1\nWe got your ticket #7\n"
        "\n👥 Service Desk Forum · Ticket #7 · 2\nNew ticket\n[1] Take over  [2] Resolve\n"
        "\n👥 Service Desk Forum · 3\nDaily summary\n"
    )
    terminal.show_new()
    assert out.getvalue().count("New ticket") == 1
