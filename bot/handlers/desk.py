"""The service desk group's side of tickets (R26).

Each ticket is posted there by the outbox (bot/desk_posts.py) — one forum topic per ticket when
the group is a forum, else one message that agents reply to — with buttons to take it over and
to resolve it. An agent's message in the topic, or a reply to any message of the ticket, reaches
the customer in their chat, marked as the service desk's. The ticket of a reply is found by the
replied message's id (every message of a ticket is recorded), never by its text. Texts here are
in the desk's language (`DEFAULT_LANGUAGE`); what the customer reads is in theirs.
"""

from __future__ import annotations

import logging

from telegram import Bot, Message
from telegram.error import TelegramError

from bot import callbacks as cb
from bot import desk_posts
from bot.notifier import send_queued
from bot.runtime import Runtime
from bot.turn import StaleButton, Turn, handler
from domain import errors
from domain.model import Channel, Role
from domain.services import tickets
from domain.services.tickets import Source, TicketView
from domain.texts.i18n import Translator
from domain.texts.markup import escape
from domain.texts.refusals import describe

log = logging.getLogger(__name__)


def _tr(turn: Turn) -> Translator:
    return Translator(turn.rt.settings.default_language)


async def _ticket_of(turn: Turn, message: Message) -> TicketView | None:
    """The ticket an agent's message answers: its forum topic, else the replied message, by
    the ids recorded when the bot posted it (or when an agent answered with it)."""
    actor = turn.require_actor()
    if message.is_topic_message and message.message_thread_id is not None:
        found = await tickets.find_at_desk(turn.core, actor, None, message.message_thread_id)
        if found is not None:
            return found
    replied = message.reply_to_message
    if replied is None:
        return None
    return await tickets.replied_to(turn.core, actor, turn.chat_id, replied.message_id)


@handler
async def agent_message(turn: Turn) -> None:
    """An agent writes in a ticket's topic or replies to a ticket's message: to the customer."""
    message = turn.update.message
    actor = turn.actor
    if message is None or not message.text or actor is None or actor.role is not Role.AGENT:
        return  # the desk's own conversation, or somebody who is not an agent: not for us
    tr = _tr(turn)
    try:
        view = await _ticket_of(turn, message)
        if view is None:
            replied = message.reply_to_message
            if (
                replied is not None
                and replied.from_user
                and (replied.from_user.id == turn.context.bot.id)
            ):
                await _say(turn, tr("desk.which_ticket"), message)
            return
        view = await tickets.reply(
            turn.core,
            actor,
            view.id,
            message.text,
            turn.user.full_name,
            Source(turn.chat_id, message.message_id),
        )
    except errors.DomainError as refusal:
        turn.refused(refusal)
        await _say(turn, describe(refusal, tr), message)
        return
    if view.channel != Channel.TELEGRAM.value:  # the customer reads it when they ask (Rasa)
        user = escape(view.user_name or view.external_id)
        await _say(turn, tr("desk.stored_only", number=view.id, user=user), message)
        return
    send_queued(turn)


async def _say(turn: Turn, text: str, message: Message) -> None:
    """An answer in the group, where the agent wrote."""
    thread = message.message_thread_id if message.is_topic_message else None
    turn.send_to(turn.chat_id, text, thread=thread, reply_to=message.message_id)


@handler
async def take(turn: Turn) -> None:
    """Button "Übernehmen": the agent takes the ticket; the customer is told (R26)."""
    await _decide(turn, take_over=True)


@handler
async def resolve(turn: Turn) -> None:
    """Button "Erledigt": resolved; the customer is told, a forum topic is closed."""
    await _decide(turn, take_over=False)


async def _decide(turn: Turn, *, take_over: bool) -> None:
    tr = _tr(turn)
    try:
        try:
            ticket_id = turn.pressed(cb.Ticket).ticket_id
        except StaleButton:  # forged: in the group, an alert like a missing ticket
            raise errors.TicketNotFound(turn.press.args) from None
        actor = turn.require_actor()
        if take_over:
            view = await tickets.take(turn.core, actor, ticket_id, turn.user.full_name)
        else:
            view = await tickets.resolve(turn.core, actor, ticket_id)
    except errors.DomainError as refusal:
        turn.refused(refusal)
        turn.answer(describe(refusal, tr)[:190], alert=True)
        return
    send_queued(turn)  # the customer is told through the outbox
    first = view.messages[0].id if view.messages else None
    recorded = await tickets.posts(turn.core, view.id, ticket_message_id=first)
    if recorded:  # every part of the card shows the new state
        bot, rt = turn.context.bot, turn.rt
        turn.later(lambda: _refresh(bot, rt, view))
    else:  # a card posted by an older version: the pressed message
        turn.show(desk_posts.card_text(tr, view), desk_posts.buttons(tr, view))
    if not take_over and view.desk_topic_id is not None:
        desk, topic = turn.chat_id, view.desk_topic_id
        turn.later(lambda: _close_topic(turn, desk, topic))


async def _refresh(bot: Bot, rt: Runtime, view: TicketView) -> None:
    try:
        await desk_posts.refresh_card(bot, rt, rt.root_context, view)
    except TelegramError as exc:  # the press is stored; the next press shows the state
        log.info("card of ticket %s not refreshed: %s", view.id, exc)


async def _close_topic(turn: Turn, desk: int, topic: int) -> None:
    try:
        await turn.context.bot.close_forum_topic(desk, topic)
    except TelegramError as exc:
        log.info("forum topic %s not closed: %s", topic, exc)
