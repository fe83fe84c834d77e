"""The Bot API emulator drives a real python-telegram-bot Application, polling and by webhook."""

from __future__ import annotations

import asyncio
import html
import socket
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any
from unittest.mock import ANY

import httpx
import pytest
from telegram import (
    Bot,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.constants import ZERO_DATE, ChatAction, ParseMode
from telegram.error import BadRequest, Conflict, Forbidden, TimedOut
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)
from telegram.request import HTTPXRequest

from bot.emulator import BotApiEmulator

TOKEN = "123456:emulator-test-token"
SECRET = "webhook-secret_1"
ANNA = 1001
App = Application[Any, Any, Any, Any, Any, Any]
SHOUT = InlineKeyboardMarkup([[InlineKeyboardButton("Shout", callback_data="shout")]])


@dataclass
class Seen:
    """What reached the echo bot's handlers."""

    update_ids: list[int] = field(default_factory=list)
    callbacks: list[CallbackQuery] = field(default_factory=list)


def echo_bot(emu: BotApiEmulator, seen: Seen, *, rate_limited: bool = False) -> App:
    """A tiny bot: echoes text in bold with a Shout button; Shout edits the echo to capitals."""
    builder: ApplicationBuilder[Any, Any, Any, Any, Any, Any] = ApplicationBuilder().token(TOKEN)
    builder = builder.base_url(emu.base_url).base_file_url(emu.base_file_url)
    if rate_limited:
        builder = builder.rate_limiter(AIORateLimiter(max_retries=3))
    app: App = builder.build()

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        assert update.effective_user is not None
        code = " ".join(context.args or [])
        await update.message.reply_text(f"Welcome, {update.effective_user.first_name}! {code}")

    async def echo(update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        assert update.message.text is not None
        seen.update_ids.append(update.update_id)
        if update.message.text == "slow":
            await asyncio.sleep(0.2)  # like a handler busy with the database before replying
        text = f"Echo: <b>{html.escape(update.message.text)}</b>"
        await update.message.reply_text(text, parse_mode=ParseMode.HTML, reply_markup=SHOUT)

    async def button(update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        seen.callbacks.append(query)
        await query.answer("Shouted")
        message = query.message
        if query.data == "shout" and isinstance(message, Message) and message.is_accessible:
            await query.edit_message_text((message.text or "").upper())

    app.add_handler(CommandHandler("start", start))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    app.add_handler(CallbackQueryHandler(button))
    return app


@asynccontextmanager
async def polling(app: App) -> AsyncIterator[App]:
    """Run the application with long polling against the emulator."""
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


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    async with BotApiEmulator(token=TOKEN) as emulator:
        emulator.user(ANNA, first_name="Anna", language_code="de")
        yield emulator


@pytest.fixture
def seen() -> Seen:
    return Seen()


@pytest.fixture
async def polling_app(emu: BotApiEmulator, seen: Seen) -> AsyncIterator[App]:
    async with polling(echo_bot(emu, seen)) as app:
        yield app


@pytest.fixture
async def webhook_app(emu: BotApiEmulator, seen: Seen) -> AsyncIterator[App]:
    app = echo_bot(emu, seen)
    port = free_port()
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_webhook(
        listen="127.0.0.1",
        port=port,
        url_path="hook",
        webhook_url=f"http://127.0.0.1:{port}/hook",
        secret_token=SECRET,
    )
    try:
        yield app
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()


@pytest.fixture
async def bot(emu: BotApiEmulator) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=emu.base_url, base_file_url=emu.base_file_url) as plain_bot:
        yield plain_bot


@pytest.mark.usefixtures("polling_app")
async def test_a_polling_bot_echoes_text_and_the_user_sees_it_with_a_button(
    emu: BotApiEmulator,
) -> None:
    anna = emu.user(ANNA)
    await anna.send("Hallo <Welt>")
    reply = await anna.wait_reply()
    await emu.settle()
    assert reply.plain_text == "Echo: Hallo <Welt>"
    assert reply.text == "Echo: <b>Hallo &lt;Welt&gt;</b>"
    assert reply.entities == [{"type": "bold", "offset": 6, "length": 12}]
    assert reply.buttons() == ["Shout"]
    assert emu.messages(ANNA) == [reply]
    assert [call.method for call in emu.calls][:2] == ["getMe", "deleteWebhook"]


@pytest.mark.usefixtures("polling_app")
async def test_pressing_the_button_answers_the_query_and_edits_the_message_in_place(
    emu: BotApiEmulator,
) -> None:
    anna = emu.user(ANNA)
    await anna.send("hi")
    reply = await anna.wait_reply()
    update = await anna.press(reply, "Shout")
    edited = await anna.wait_reply()
    await emu.settle()
    assert edited.message_id == reply.message_id
    assert edited.plain_text == "ECHO: HI"
    assert edited.buttons() == []
    assert [version.plain_text for version in edited.history] == ["Echo: hi"]
    assert emu.callback_answers[update["callback_query"]["id"]].text == "Shouted"
    assert [m.plain_text for m in emu.messages(ANNA)] == ["ECHO: HI"]


@pytest.mark.usefixtures("polling_app")
async def test_a_deep_link_start_reaches_the_command_handler_with_its_argument(
    emu: BotApiEmulator,
) -> None:
    anna = emu.user(ANNA)
    await anna.send("/start INVITE42")
    assert (await anna.wait_reply()).plain_text == "Welcome, Anna! INVITE42"


@pytest.mark.usefixtures("webhook_app")
async def test_a_webhook_bot_echoes_and_edits_on_a_button_press(emu: BotApiEmulator) -> None:
    anna = emu.user(ANNA)
    assert emu.webhook_secret == SECRET
    await anna.send("via hook")
    reply = await anna.wait_reply()
    await anna.press(reply, "shout")  # by callback_data this time
    edited = await anna.wait_reply()
    await emu.settle()
    assert edited.plain_text == "ECHO: VIA HOOK"


async def test_get_updates_is_refused_with_409_while_a_webhook_is_set(webhook_app: App) -> None:
    info = await webhook_app.bot.get_webhook_info()
    assert info.url.endswith("/hook")
    assert info.pending_update_count == 0
    with pytest.raises(Conflict, match="webhook is active"):
        await webhook_app.bot.get_updates()


@pytest.mark.usefixtures("webhook_app")
async def test_the_webhook_refuses_posts_without_or_with_a_wrong_secret(
    emu: BotApiEmulator,
) -> None:
    body = {"update_id": 5}
    assert await emu.post_raw_webhook(body) == 403
    assert await emu.post_raw_webhook(body, secret="wrong") == 403
    assert await emu.post_raw_webhook(body, secret=SECRET) == 200


# PTB's own rate limiter reads RetryAfter.retry_after, which warns about a future type change.
@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_two_429s_on_send_message_are_retried_by_the_rate_limiter(
    emu: BotApiEmulator, seen: Seen
) -> None:
    emu.fail_next("sendMessage", 2, status=429, retry_after=1)
    async with polling(echo_bot(emu, seen, rate_limited=True)):
        anna = emu.user(ANNA)
        await anna.send("busy")
        await emu.settle()  # waits out both retry_after pauses
    assert emu.last_message(ANNA).plain_text == "Echo: busy"
    assert [call.method for call in emu.calls].count("sendMessage") == 3


async def test_answering_a_callback_query_twice_is_refused_as_too_old(
    emu: BotApiEmulator, polling_app: App
) -> None:
    anna = emu.user(ANNA)
    await anna.send("hi")
    update = await anna.press(await anna.wait_reply(), "Shout")
    await emu.settle()
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await polling_app.bot.answer_callback_query(update["callback_query"]["id"])
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await polling_app.bot.answer_callback_query("123")


async def test_message_text_must_have_1_to_4096_characters_after_parsing(
    emu: BotApiEmulator, bot: Bot
) -> None:
    sent = await bot.send_message(ANNA, "<b>" + "x" * 4096 + "</b>", parse_mode=ParseMode.HTML)
    assert len(sent.text or "") == 4096
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(ANNA, "x" * 4097)
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await bot.send_message(ANNA, "<i> </i>", parse_mode=ParseMode.HTML)
    assert len(emu.messages(ANNA)) == 1


@pytest.mark.parametrize(
    ("markup", "shown", "entity"),
    [
        ("<b>bold</b> &lt;3 &#128512;", "bold <3 😀", {"type": "bold", "offset": 0, "length": 4}),
        (
            '<a href="https://x.test/?a=1&amp;b=2">link</a>',
            "link",
            {"type": "text_link", "offset": 0, "length": 4, "url": "https://x.test/?a=1&b=2"},
        ),
        (
            '😀 <pre><code class="language-python">x = 1</code></pre>',
            "😀 x = 1",
            {"type": "pre", "offset": 3, "length": 5, "language": "python"},
        ),
    ],
)
async def test_html_is_shown_as_plain_text_with_utf16_entities(
    bot: Bot, markup: str, shown: str, entity: dict[str, Any]
) -> None:
    sent = await bot.send_message(ANNA, markup, parse_mode=ParseMode.HTML)
    assert sent.text == shown
    assert [e.to_dict() for e in sent.entities] == [entity]


@pytest.mark.parametrize(
    "markup", ["<b>unclosed", "<b>crossed</i>", "a < b", "<blink>x</blink>", "stray</b>"]
)
async def test_malformed_html_is_refused_as_unparsable_entities(bot: Bot, markup: str) -> None:
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await bot.send_message(ANNA, markup, parse_mode=ParseMode.HTML)


async def test_callback_data_must_have_1_to_64_bytes(emu: BotApiEmulator, bot: Bot) -> None:
    def keyboard(data: str) -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup([[InlineKeyboardButton("Go", callback_data=data)]])

    await bot.send_message(ANNA, "fits", reply_markup=keyboard("ä" * 32))
    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        await bot.send_message(ANNA, "too long", reply_markup=keyboard("ä" * 32 + "x"))
    assert emu.last_message(ANNA).reply_markup == keyboard("ä" * 32).to_dict()


async def test_reply_keyboards_chat_actions_and_link_previews_are_recorded(
    emu: BotApiEmulator, bot: Bot
) -> None:
    keyboard = ReplyKeyboardMarkup([["Ja", "Nein"]], one_time_keyboard=True)
    sent = await bot.send_message(ANNA, "Sure?", reply_markup=keyboard)
    assert sent.reply_markup is None  # Telegram echoes inline keyboards only
    assert emu.reply_keyboard(ANNA) == keyboard.to_dict()
    await bot.send_chat_action(ANNA, ChatAction.TYPING)
    await bot.send_message(
        ANNA,
        "Done: https://example.test",
        reply_markup=ReplyKeyboardRemove(),
        link_preview_options=LinkPreviewOptions(is_disabled=True),
    )
    assert emu.reply_keyboard(ANNA) is None
    assert emu.chat_actions(ANNA) == ["typing"]
    assert emu.last_message(ANNA).link_preview_options == {"is_disabled": True}
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(4242, "nobody there")


async def test_edits_must_change_something_and_target_an_existing_message(bot: Bot) -> None:
    sent = await bot.send_message(ANNA, "Same", reply_markup=SHOUT)
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text("Same", ANNA, sent.message_id, reply_markup=SHOUT)
    edited = await bot.edit_message_text("Same", ANNA, sent.message_id)  # drops the keyboard
    assert isinstance(edited, Message)
    assert edited.reply_markup is None
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_reply_markup(ANNA, sent.message_id)
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("Other", ANNA, 999)
    assert await bot.delete_message(ANNA, sent.message_id)
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await bot.delete_message(ANNA, sent.message_id)


@pytest.mark.usefixtures("polling_app")
async def test_forged_and_inaccessible_callbacks_arrive_as_ptb_callback_queries(
    emu: BotApiEmulator, seen: Seen
) -> None:
    anna = emu.user(ANNA)
    await anna.send("hi")
    reply = await anna.wait_reply()
    await anna.press_data(reply.message_id, "forged:admin")
    await anna.press_inaccessible("shout", message_id=reply.message_id)
    await emu.settle()
    assert [query.data for query in seen.callbacks] == ["forged:admin", "shout"]
    forged, inaccessible = (query.message for query in seen.callbacks)
    assert forged is not None
    assert forged.is_accessible
    # PTB 22 parses CallbackQuery.message with Message.de_json, so an inaccessible message
    # arrives as a Message with date ZERO_DATE rather than as an InaccessibleMessage.
    assert inaccessible is not None
    assert not inaccessible.is_accessible
    assert inaccessible.date == ZERO_DATE
    assert inaccessible.message_id == reply.message_id
    assert emu.last_message(ANNA).plain_text == "Echo: hi"
    assert len(emu.callback_answers) == 2


@pytest.mark.usefixtures("polling_app")
async def test_a_redelivered_update_reaches_the_bot_again_with_its_update_id(
    emu: BotApiEmulator, seen: Seen
) -> None:
    anna = emu.user(ANNA)
    first = await anna.send("once")
    await emu.settle()
    emu.redeliver(first["update_id"])
    await emu.settle()
    second = await anna.send("then")
    await emu.settle()
    assert seen.update_ids == [first["update_id"], first["update_id"], second["update_id"]]
    assert [m.plain_text for m in emu.messages(ANNA)] == ["Echo: once"] * 2 + ["Echo: then"]


async def test_a_wrong_token_gets_401_and_an_unknown_method_404(emu: BotApiEmulator) -> None:
    async with httpx.AsyncClient() as client:
        wrong = await client.post(f"{emu.base_url}654321:wrong/getMe")
        unknown = await client.post(f"{emu.base_url}{TOKEN}/sendTelepathy")
    assert (wrong.status_code, wrong.json()["description"]) == (401, "Unauthorized")
    assert (unknown.status_code, unknown.json()["description"]) == (404, "Not Found")


async def test_json_form_and_multipart_bodies_are_read_alike(emu: BotApiEmulator) -> None:
    url = f"{emu.base_url}{TOKEN}/sendMessage"
    markup = SHOUT.to_json()
    fields = {"chat_id": str(ANNA), "text": "42", "reply_markup": markup}
    async with httpx.AsyncClient() as client:
        await client.post(
            url, json={"chat_id": ANNA, "text": "42", "reply_markup": SHOUT.to_dict()}
        )
        await client.post(url, data=fields)
        await client.post(url, data=fields, files={"unused": ("a.txt", b"x")})
    assert [(m.plain_text, m.reply_markup) for m in emu.messages(ANNA)] == [
        ("42", SHOUT.to_dict())
    ] * 3


async def test_long_polling_answers_as_soon_as_an_update_arrives(emu: BotApiEmulator) -> None:
    url = f"{emu.base_url}{TOKEN}/getUpdates"
    async with httpx.AsyncClient(timeout=10) as client:
        poll = asyncio.create_task(client.post(url, data={"timeout": "5"}))
        await asyncio.sleep(0.1)
        update = await emu.user(ANNA).send("ping")
        answer = await asyncio.wait_for(poll, 1)
        confirm = await client.post(url, json={"offset": update["update_id"] + 1})
    assert answer.json()["result"] == [update]
    assert confirm.json() == {"ok": True, "result": []}


@pytest.mark.usefixtures("polling_app")
async def test_settle_waits_for_a_handler_that_works_before_it_replies(
    emu: BotApiEmulator,
) -> None:
    await emu.user(ANNA).send("slow")
    await emu.settle()
    assert emu.last_message(ANNA).plain_text == "Echo: slow"


async def test_settle_gives_up_when_nobody_fetches_updates(emu: BotApiEmulator) -> None:
    await emu.user(ANNA).send("unheard")
    with pytest.raises(TimeoutError, match="1 updates not delivered"):
        await emu.settle(timeout=0.2)


async def test_commands_are_kept_per_scope_and_language(emu: BotApiEmulator, bot: Bot) -> None:
    await bot.set_my_commands([("start", "Beginnen"), ("help", "Hilfe")], language_code="de")
    await bot.set_my_commands([("start", "Begin")])
    assert [c.command for c in await bot.get_my_commands(language_code="de")] == ["start", "help"]
    assert [c.description for c in await bot.get_my_commands()] == ["Begin"]
    assert emu.commands(language_code="de")[1] == {"command": "help", "description": "Hilfe"}
    with pytest.raises(BadRequest, match=r"(?i)bot_command_invalid"):
        await bot.set_my_commands([("Not-Valid", "x")])


async def test_a_user_who_blocked_the_bot_answers_403_until_unblocking(
    emu: BotApiEmulator, bot: Bot
) -> None:
    anna = emu.user(ANNA)
    await bot.send_message(ANNA, "before")
    update = anna.block()
    assert update["my_chat_member"]["new_chat_member"] == {
        "user": {"id": 123456, "is_bot": True, "first_name": "Licencebot", "username": ANY},
        "status": "kicked",
        "until_date": 0,
    }
    with pytest.raises(Forbidden, match=r"^Forbidden: bot was blocked by the user$"):
        await bot.send_message(ANNA, "while blocked")
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.edit_message_text("edited", ANNA, emu.last_message(ANNA).message_id)
    assert (await bot.get_chat(ANNA)).first_name == "Anna"  # reading still works
    with pytest.raises(ValueError, match="blocked the bot"):
        await anna.send("hello?")
    anna.unblock()
    await bot.send_message(ANNA, "after")
    assert [m.plain_text for m in emu.messages(ANNA)] == ["before", "after"]


async def test_a_timed_out_request_is_held_until_the_client_gives_up(emu: BotApiEmulator) -> None:
    emu.time_out_next("sendMessage")  # lost on the way: nothing is sent
    emu.time_out_next("sendMessage", delivered=True)  # sent, but the answer is lost
    request = HTTPXRequest(read_timeout=0.3)
    async with Bot(TOKEN, base_url=emu.base_url, request=request) as impatient:
        with pytest.raises(TimedOut):
            await impatient.send_message(ANNA, "lost")
        with pytest.raises(TimedOut):
            await impatient.send_message(ANNA, "sent")
        await impatient.send_message(ANNA, "normal again")
    await emu.settle()
    assert [m.plain_text for m in emu.messages(ANNA)] == ["sent", "normal again"]


async def test_a_timed_out_long_poll_loses_no_update(emu: BotApiEmulator, seen: Seen) -> None:
    emu.time_out_next("getUpdates")  # the first poll hangs until PTB gives up and polls again
    async with polling(echo_bot(emu, seen)):
        sent = time.monotonic()
        await emu.user(ANNA).send("still here")
        await emu.settle(timeout=30)
        waited = time.monotonic() - sent
    assert emu.last_message(ANNA).plain_text == "Echo: still here"
    assert waited > 2  # it came with the poll after the held one (PTB waits ~6 s for it)
