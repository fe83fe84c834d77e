"""Cross-cutting handlers: private chats only, and the error handler."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot.runtime import runtime_of
from domain import logs, metrics
from domain.texts.i18n import Translator, pick_language

log = logging.getLogger(__name__)


async def private_only(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The marketplace talks in private chats; groups get one hint (commands only)."""
    chat = update.effective_chat
    if chat is None or chat.type == ChatType.PRIVATE:
        return
    rt = runtime_of(context.bot_data)
    if chat.id == rt.settings.service_desk_chat_id:
        return  # the service desk group: bot/handlers/desk.py
    message = update.effective_message
    if message is not None and message.text and message.text.startswith("/"):
        user = update.effective_user
        tr = Translator(pick_language(user.language_code if user else None))
        try:
            await message.reply_text(tr("start.private_only"))
        except TelegramError as exc:  # removed from the group, or not allowed to write there
            log.info("no hint in group %s: %s", chat.id, exc.message)
    raise ApplicationHandlerStop


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log with a reference; tell the user nothing was changed and give the reference.

    The reference is the update's correlation id, so every log line of it can be found."""
    reference = logs.reference()
    metrics.failed("update")
    logs.note(outcome="error")
    log.error("unhandled error, reference %s", reference, exc_info=context.error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    user = update.effective_user
    tr = Translator(pick_language(user.language_code if user else None))
    try:
        if update.callback_query is not None:
            await update.callback_query.answer()
        await context.bot.send_message(
            update.effective_chat.id, tr("technical", reference=reference)
        )
    except TelegramError:
        log.warning("could not tell chat %s about error %s", update.effective_chat.id, reference)
