"""Edited messages (issue 18, item 11; issue 19, item 4): an edit is never a new message.

Telegram sends an edit as its own update. An edit of a ticket message (an agent's answer in the
service desk group, a customer's message to their ticket) replaces the stored text and edits
the copy on the other side, through the outbox; no second message and no second row. Any other
edit changes nothing — a changed number is not a new quantity, a changed text no new decline
reason — and the customer is told so in one line.
"""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot.notifier import send_queued
from bot.turn import Turn, handler
from domain import errors
from domain.model import Role
from domain.services import tickets
from domain.services.tickets import Source
from domain.texts.i18n import Translator
from domain.texts.refusals import describe


async def edited_only(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Every edited message ends here: no other handler sees it as a new message."""
    await edited(update, context)
    raise ApplicationHandlerStop


@handler
async def edited(turn: Turn) -> None:
    message = turn.update.edited_message
    if message is None or not message.text:
        return
    in_desk = turn.chat_id == turn.rt.settings.service_desk_chat_id
    actor = turn.actor
    if in_desk and (actor is None or actor.role is not Role.AGENT):
        return  # the desk's own conversation
    if not in_desk and message.chat.type != ChatType.PRIVATE:
        return
    desk_tr = Translator(turn.rt.settings.default_language)
    try:
        done = None
        if actor is not None:
            source = Source(turn.chat_id, message.message_id)
            done = await tickets.edit(turn.core, actor, source, message.text)
    except errors.DomainError as refusal:
        turn.refused(refusal)
        if in_desk:
            thread = message.message_thread_id if message.is_topic_message else None
            text = describe(refusal, desk_tr)
            turn.send_to(turn.chat_id, text, thread=thread, reply_to=message.message_id)
        else:
            turn.send(describe(refusal, turn.tr))
        return
    if done is not None:
        send_queued(turn)  # the copies on the other side, through the outbox
        if not in_desk:
            turn.send(turn.tr("ticket.edited", number=done.ticket.id))
        return
    if not in_desk:
        turn.send(turn.tr("edit.ignored"))
