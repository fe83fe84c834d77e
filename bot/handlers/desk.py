"""The service desk group's side of tickets (R26).

Each ticket is posted there — one forum topic per ticket when the group is a forum, else one
message that agents reply to — with buttons to take it over and to resolve it. An agent's
message in the topic, or a reply to one of the ticket's messages, reaches the customer in
their chat, marked as the service desk's. Texts here are in the desk's language
(`DEFAULT_LANGUAGE`); what the customer reads is in theirs.
"""

from __future__ import annotations

import logging
import re

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message, ReplyParameters
from telegram.error import BadRequest, TelegramError

from bot import callbacks as cb
from bot.runtime import Runtime
from bot.turn import Turn, handler, split_message
from domain import errors
from domain.model import Channel, Role
from domain.services import tickets
from domain.services.tickets import TicketView
from domain.texts import tickets as ticket_texts
from domain.texts.i18n import Translator
from domain.texts.markup import escape
from domain.texts.refusals import describe
from domain.tickets import TicketStatus

log = logging.getLogger(__name__)
# "Ticket Nr. 12" (the card), "#12 · Anna" (a message in the ticket): the ticket it is of
_NUMBER = re.compile(r"(?:#|\bTicket (?:Nr\.|no\.) ?)(\d{1,9})\b")


def _tr(turn: Turn) -> Translator:
    return Translator(turn.rt.settings.default_language)


def _buttons(tr: Translator, view: TicketView) -> list[list[InlineKeyboardButton]]:
    if view.status is TicketStatus.RESOLVED:
        return []
    take = InlineKeyboardButton(tr("desk.take"), callback_data=cb.data(cb.TICKET_TAKE, view.id))
    done = InlineKeyboardButton(
        tr("desk.resolve"), callback_data=cb.data(cb.TICKET_RESOLVE, view.id)
    )
    row = [take, done] if view.status is TicketStatus.OPEN else [done]
    return [row]


async def _is_forum(bot: Bot, rt: Runtime, chat_id: int) -> bool:
    """Whether the group has topics (asked once per process)."""
    if rt.desk_is_forum is None:
        chat = await bot.get_chat(chat_id)
        rt.desk_is_forum = bool(chat.is_forum)
    return rt.desk_is_forum


async def post_ticket(bot: Bot, rt: Runtime, view: TicketView) -> int | None:
    """The ticket into the group (after the commit that stored it), then where it went into
    the ticket; its forum topic, if any. Tickets from other channels come here through the
    outbox (bot/notifier.py)."""
    desk = rt.settings.service_desk_chat_id
    if desk is None:
        return None
    tr = Translator(rt.settings.default_language)
    try:
        thread = None
        if await _is_forum(bot, rt, desk):
            topic = await bot.create_forum_topic(desk, ticket_texts.desk_topic(tr, view))
            thread = topic.message_thread_id
        parts = split_message(ticket_texts.desk_card(tr, view))
        first = None
        for number, part in enumerate(parts, 1):  # the buttons under the last part
            markup = InlineKeyboardMarkup(_buttons(tr, view)) if number == len(parts) else None
            sent = await bot.send_message(desk, part, reply_markup=markup, message_thread_id=thread)
            first = first or sent.message_id
    except TelegramError as exc:  # the ticket is stored; operators see it in `tickets`
        log.error("ticket %s could not be posted to the service desk group: %s", view.id, exc)
        return None
    assert first is not None
    await tickets.at_desk(rt.core, view.id, first, thread)
    return thread


async def forward_customer_message(turn: Turn, view: TicketView) -> None:
    """A later message of the customer: into the ticket's topic, or as a reply to its card."""
    desk = turn.rt.settings.service_desk_chat_id
    if desk is None:
        return
    text = ticket_texts.desk_customer_message(_tr(turn), view)
    bot, rt = turn.context.bot, turn.rt
    turn.later(lambda: _forward(bot, rt, desk, view, text))


async def _forward(bot: Bot, rt: Runtime, desk: int, view: TicketView, text: str) -> None:
    """After the commit (the message is stored in the ticket either way): into the topic, or
    as a reply to the card. A topic that no longer exists (deleted in the group) gets the
    ticket posted anew, in a new topic, and the message there; the customer's answer stands."""
    try:
        try:
            await _to_desk(bot, desk, text, view.desk_topic_id, view.desk_message_id)
        except BadRequest as exc:
            if view.desk_topic_id is None or "thread not found" not in exc.message.lower():
                raise
            log.info("the topic of ticket %s is gone; posting it anew", view.id)
            topic = await post_ticket(bot, rt, view)
            if topic is not None:
                await _to_desk(bot, desk, text, topic, None)
    except TelegramError as exc:  # stored in the ticket; the desk sees it there
        log.error("a message of ticket %s did not reach the desk group: %s", view.id, exc)


async def _to_desk(bot: Bot, desk: int, text: str, topic: int | None, card: int | None) -> None:
    reply = ReplyParameters(card, allow_sending_without_reply=True) if card else None
    for part in split_message(text):
        if topic is not None:
            await bot.send_message(desk, part, message_thread_id=topic)
        else:
            await bot.send_message(desk, part, reply_parameters=reply)


def _ticket_of(message: Message) -> tuple[int | None, int | None]:
    """(forum topic, ticket number named in the replied message) of an agent's message."""
    thread = message.message_thread_id if message.is_topic_message else None
    replied = message.reply_to_message
    number = None
    if replied is not None and replied.text:
        found = _NUMBER.search(replied.text.splitlines()[0])
        number = int(found[1]) if found else None
    return thread, number


@handler
async def agent_message(turn: Turn) -> None:
    """An agent writes in a ticket's topic or replies to a ticket's message: to the customer."""
    message = turn.update.effective_message
    actor = turn.actor
    if message is None or not message.text or actor is None or actor.role is not Role.AGENT:
        return  # the desk's own conversation, or somebody who is not an agent: not for us
    thread, number = _ticket_of(message)
    tr = _tr(turn)
    try:
        view = None
        if thread is not None:
            view = await tickets.find_at_desk(turn.core, actor, None, thread)
        if view is None and number is not None:
            view = await tickets.ticket_for_desk(turn.core, actor, number)
        if view is None:
            if (
                message.reply_to_message is not None
                and message.reply_to_message.from_user
                and (message.reply_to_message.from_user.id == turn.context.bot.id)
            ):
                await _say(turn, tr("desk.which_ticket"), message)
            return
        view = await tickets.reply(turn.core, actor, view.id, message.text, turn.user.full_name)
    except errors.DomainError as refusal:
        turn.refused(refusal)
        await _say(turn, describe(refusal, tr), message)
        return
    await _to_customer(turn, view, ticket_texts.agent_reply(Translator(view.language), view))


async def _say(turn: Turn, text: str, message: Message) -> None:
    """An answer in the group, where the agent wrote."""
    thread = message.message_thread_id if message.is_topic_message else None
    await turn.send_to(turn.chat_id, text, thread=thread, reply_to=message.message_id)


async def _to_customer(turn: Turn, view: TicketView, text: str) -> None:
    tr = _tr(turn)
    user = escape(view.user_name or view.external_id)
    if view.channel != Channel.TELEGRAM.value:
        await turn.send_to(
            turn.chat_id,
            tr("desk.stored_only", number=view.id, user=user),
            thread=view.desk_topic_id,
        )
        return
    await turn.send_to(
        int(view.external_id),
        text,
        blocked_note=tr("desk.not_delivered", number=view.id, user=user),
    )


@handler
async def take(turn: Turn) -> None:
    """Button "Übernehmen": the agent takes the ticket; the customer is told (R26)."""
    await _decide(turn, take_over=True)


@handler
async def resolve(turn: Turn) -> None:
    """Button "Erledigt": resolved; the customer is told, a forum topic is closed."""
    await _decide(turn, take_over=False)


async def _decide(turn: Turn, *, take_over: bool) -> None:
    ticket_id = turn.press.number(0) or 0
    tr = _tr(turn)
    try:
        actor = turn.require_actor()
        if take_over:
            view = await tickets.take(turn.core, actor, ticket_id, turn.user.full_name)
        else:
            view = await tickets.resolve(turn.core, actor, ticket_id)
    except errors.DomainError as refusal:
        turn.refused(refusal)
        await turn.answer(describe(refusal, tr)[:190], alert=True)
        return
    text = ticket_texts.desk_card(tr, view)
    if view.taken_by:
        text += "\n\n" + tr("desk.taken_by", name=escape(view.taken_by))
    await turn.show(text, _buttons(tr, view))
    customer = Translator(view.language)
    if take_over:
        await _to_customer(turn, view, ticket_texts.taken(customer, view))
        return
    await _to_customer(turn, view, ticket_texts.resolved(customer, view))
    if view.desk_topic_id is not None:
        desk, topic = turn.chat_id, view.desk_topic_id
        turn.later(lambda: _close_topic(turn, desk, topic))


async def _close_topic(turn: Turn, desk: int, topic: int) -> None:
    try:
        await turn.context.bot.close_forum_topic(desk, topic)
    except TelegramError as exc:
        log.info("forum topic %s not closed: %s", topic, exc)
