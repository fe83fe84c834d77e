"""Tickets' messages in Telegram (R26), sent by the outbox (bot/notifier.py): the card in the
service desk group (a forum topic per ticket, or one message agents reply to), the customer's
later messages there, and the service desk's answers, take-overs, resolutions and edits in the
customer's chat.

Every message sent for a ticket, each part of one split at Telegram's length, is recorded with
its chat and message id as soon as Telegram took it (`tickets.posted`): a reply in the group
finds its ticket by the replied message's id only, and a retried notice skips the parts it
sent already, so nothing goes out twice. Texts for the group are in the desk's language
(`DEFAULT_LANGUAGE`); what the customer reads is in theirs.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, ReplyParameters
from telegram.error import BadRequest, TelegramError

from bot import callbacks as cb
from bot.runtime import Runtime
from bot.turn import split_message
from domain.ports import Delivery
from domain.services import notifications as kinds
from domain.services import tickets
from domain.services.accounts import OPERATOR
from domain.services.context import Context
from domain.services.tickets import TicketView
from domain.texts import tickets as ticket_texts
from domain.texts.i18n import Translator
from domain.texts.markup import escape
from domain.texts.notices import UnknownNotice
from domain.tickets import Author, TicketMessage, TicketPost, TicketStatus

log = logging.getLogger(__name__)

Keyboard = list[list[InlineKeyboardButton]]


class NotPosted(Exception):
    """The ticket's card is not in the service desk group yet: its later messages wait."""


def buttons(tr: Translator, view: TicketView) -> Keyboard:
    """Take over and resolve under the card; a resolved ticket has none."""
    if view.status is TicketStatus.RESOLVED:
        return []
    take = InlineKeyboardButton(
        tr("desk.take"), callback_data=cb.Ticket(view.id).data(cb.TICKET_TAKE)
    )
    done = InlineKeyboardButton(
        tr("desk.resolve"), callback_data=cb.Ticket(view.id).data(cb.TICKET_RESOLVE)
    )
    return [[take, done] if view.status is TicketStatus.OPEN else [done]]


def card_text(tr: Translator, view: TicketView) -> str:
    """The card as the group reads it now: who took it over, once somebody did."""
    text = ticket_texts.desk_card(tr, view)
    if view.taken_by:
        text += "\n\n" + tr("desk.taken_by", name=escape(view.taken_by))
    return text


async def is_forum(bot: Bot, rt: Runtime, chat_id: int) -> bool:
    """Whether the group has topics (asked once per process)."""
    if rt.desk_is_forum is None:
        chat = await bot.get_chat(chat_id)
        rt.desk_is_forum = bool(chat.is_forum)
    return rt.desk_is_forum


async def deliver(bot: Bot, rt: Runtime, core: Context, delivery: Delivery, tr: Translator) -> None:
    """One ticket notice: into the service desk group, or to the customer (`tr`: their
    language). Raises what Telegram raised; the outbox retries or gives up."""
    notification = delivery.notification
    view = await tickets.ticket_for_desk(core, OPERATOR, int(notification.payload["ticket_id"]))
    message_id = notification.payload.get("message_id")
    message = view.message(int(message_id)) if message_id is not None else None
    sender = _Sender(bot, core, view, notification.id)
    if delivery.to_desk:
        desk = rt.settings.service_desk_chat_id
        assert desk is not None  # the outbox gives a notice for no group up (bot/notifier.py)
        desk_tr = Translator(rt.settings.default_language)
        if notification.kind == kinds.TICKET_OPENED:
            await _post_card(sender, rt, desk, desk_tr)
        elif notification.kind == kinds.TICKET_WRITTEN and message is not None:
            await _forward(sender, rt, desk, desk_tr, message)
        elif notification.kind == kinds.TICKET_ANSWERED and message is not None:
            await _forward(sender, rt, desk, desk_tr, message)  # answered from the card
        elif notification.kind == kinds.TICKET_EDITED and message is not None:
            await _edit_copies(sender, desk, message, _desk_text(desk_tr, view, message), desk_tr)
        elif notification.kind == kinds.TICKET_FORGOTTEN:
            if notification.payload.get("person") == "customer":
                await _hide_customer(sender, desk, desk_tr)
            else:  # an agent: the card names the pseudonym now
                await refresh_card(bot, rt, core, view)
        else:
            raise UnknownNotice(notification.kind)
        return
    assert delivery.user is not None
    chat = int(delivery.user.external_id)
    if notification.kind == kinds.TICKET_ANSWERED and message is not None:
        text = ticket_texts.agent_reply(tr, view, message)
        await sender.send(chat, split_message(text), ticket_message=message.id)
    elif notification.kind == kinds.TICKET_TAKEN:
        await sender.send(chat, [ticket_texts.taken(tr, view)])
    elif notification.kind == kinds.TICKET_RESOLVED:
        await sender.send(chat, [ticket_texts.resolved(tr, view)])
    elif notification.kind == kinds.TICKET_EDITED and message is not None:
        await _edit_copies(sender, chat, message, ticket_texts.agent_reply(tr, view, message))
    elif notification.kind == kinds.TICKET_FORGOTTEN:  # an agent: their name is gone
        await _rename_agent(sender, chat, tr)
    else:
        raise UnknownNotice(notification.kind)


class _Sender:
    """Sends one notice's messages for a ticket, recording each part; a retry of the same
    notice skips the parts Telegram took already."""

    def __init__(self, bot: Bot, core: Context, view: TicketView, notification_id: int) -> None:
        self.bot, self.core, self.view, self.notification_id = bot, core, view, notification_id
        self.first_part = 0  # numbers the parts of one message among the notice's messages

    async def send(
        self,
        chat_id: int,
        parts: list[str],
        *,
        keyboard: Keyboard | None = None,
        thread: int | None = None,
        reply_to: int | None = None,
        ticket_message: int | None = None,
    ) -> list[int]:
        """The parts in order (the buttons under the last); every part's message id."""
        done = {
            p.part: p.message_id
            for p in await tickets.posts(
                self.core, self.view.id, notification_id=self.notification_id
            )
            if p.chat_id == chat_id
        }
        sent: list[int] = []
        for index, part in enumerate(parts):
            number = self.first_part + index
            if number in done:
                sent.append(done[number])
                continue
            last = index == len(parts) - 1
            markup = InlineKeyboardMarkup(keyboard) if keyboard and last else None
            message = await self.bot.send_message(
                chat_id,
                part,
                reply_markup=markup,
                message_thread_id=thread,
                reply_parameters=_reply(reply_to),
            )
            await tickets.posted(
                self.core,
                TicketPost(
                    self.view.id,
                    chat_id,
                    message.message_id,
                    ticket_message,
                    self.notification_id,
                    number,
                ),
            )
            sent.append(message.message_id)
        return sent


def _reply(message_id: int | None) -> ReplyParameters | None:
    if message_id is None:
        return None
    return ReplyParameters(message_id, allow_sending_without_reply=True)


async def _post_card(
    sender: _Sender, rt: Runtime, desk: int, tr: Translator, *, anew: bool = False
) -> int | None:
    """The card, in the ticket's own topic when the group is a forum, once; its topic.
    `anew`: the ticket's topic was deleted in the group, the card goes into a new one."""
    view = sender.view
    recorded = await tickets.posts(sender.core, view.id, notification_id=sender.notification_id)
    if view.desk_message_id is not None and not recorded and not anew:
        return view.desk_topic_id  # posted by a version that recorded only its first message
    thread = None if anew else view.desk_topic_id
    if thread is None and await is_forum(sender.bot, rt, desk):
        topic = await sender.bot.create_forum_topic(desk, ticket_texts.desk_topic(tr, view))
        thread = topic.message_thread_id
        await tickets.topic_opened(sender.core, view.id, thread)
    parts = split_message(card_text(tr, view))
    first = view.messages[0].id if view.messages else None
    sent = await sender.send(
        desk, parts, keyboard=buttons(tr, view), thread=thread, ticket_message=first
    )
    if view.desk_message_id is None or anew:
        await tickets.at_desk(sender.core, view.id, sent[0], thread)
    return thread


CARD_ANEW = 1000  # part numbers of a card posted anew by a forwarding notice


async def _forward(
    sender: _Sender, rt: Runtime, desk: int, tr: Translator, message: TicketMessage
) -> None:
    """A later message of the customer: into the ticket's topic, or as a reply to its card."""
    view = sender.view
    if view.desk_message_id is None:
        raise NotPosted(f"ticket {view.id}")
    topic = view.desk_topic_id
    text = split_message(_desk_text(tr, view, message))
    try:
        await sender.send(
            desk,
            text,
            thread=topic,
            reply_to=None if topic is not None else view.desk_message_id,
            ticket_message=message.id,
        )
    except BadRequest as exc:
        if topic is None or "thread not found" not in exc.message.lower():
            raise
        # The topic was deleted in the group: the card anew in a new topic, the message there.
        log.info("the topic of ticket %s is gone; posting it anew", view.id)
        sender.first_part = CARD_ANEW
        topic = await _post_card(sender, rt, desk, tr, anew=True)
        sender.first_part = 0
        await sender.send(desk, text, thread=topic, ticket_message=message.id)


def _desk_text(tr: Translator, view: TicketView, message: TicketMessage) -> str:
    """How a customer's message reads in the group: the card for the first, else forwarded."""
    if view.messages and view.messages[0].id == message.id:
        return card_text(tr, view)
    if message.author is Author.AGENT:
        return ticket_texts.desk_agent_answer(tr, view, message)
    return ticket_texts.desk_customer_message(tr, view, message)


async def _edit_copies(
    sender: _Sender,
    chat_id: int,
    message: TicketMessage,
    text: str,
    desk_tr: Translator | None = None,
) -> None:
    """The edited message's copies in `chat_id` now read `text`; copies not sent yet will
    carry it anyway. Split differently than before: the new text is sent as a new message."""
    view = sender.view
    copies = [
        p
        for p in await tickets.posts(sender.core, view.id, ticket_message_id=message.id)
        if p.chat_id == chat_id and not p.origin
    ]
    if not copies:
        return
    copies = _newest(copies)
    is_card = desk_tr is not None and bool(view.messages) and view.messages[0].id == message.id
    keyboard = buttons(desk_tr, view) if is_card and desk_tr is not None else None
    parts = split_message(text)
    if len(parts) != len(copies):
        await sender.send(
            chat_id,
            parts,
            keyboard=keyboard,
            thread=view.desk_topic_id if desk_tr is not None else None,
            reply_to=copies[0].message_id,
            ticket_message=message.id,
        )
        return
    for number, (copy, part) in enumerate(zip(copies, parts, strict=True)):
        markup = InlineKeyboardMarkup(keyboard) if keyboard and number == len(parts) - 1 else None
        await edit_text(sender.bot, chat_id, copy.message_id, part, markup)


async def _hide_customer(sender: _Sender, desk: int, tr: Translator) -> None:
    """/forget_me of the customer: every copy of their messages in the group (the card, the
    forwarded ones) shows the pseudonym and, instead of their words, that they were removed.
    Agents' own messages are theirs, not the bot's: Telegram lets the bot edit only its own."""
    view = sender.view
    removed = tr("desk.forgotten")
    copies: dict[tuple[int, int], list[TicketPost]] = {}
    for post in await tickets.posts(sender.core, view.id):
        if post.chat_id == desk and not post.origin and post.ticket_message_id is not None:
            key = (post.ticket_message_id, post.notification_id or 0)
            copies.setdefault(key, []).append(post)
    first = view.messages[0].id if view.messages else None
    for (message_id, _), posts in copies.items():
        message = view.message(message_id)
        if message.id != message_id or message.author is not Author.CUSTOMER:
            continue
        hidden = replace(message, text=removed)
        if message_id == first:
            text = card_text(tr, replace(view, messages=(hidden, *view.messages[1:])))
            keyboard = buttons(tr, view)
        else:
            text = ticket_texts.desk_customer_message(tr, view, hidden)
            keyboard = []
        parts = split_message(text)
        for number, post in enumerate(sorted(posts, key=lambda p: p.part)):
            last = number == len(posts) - 1
            markup = InlineKeyboardMarkup(keyboard) if keyboard and last else None
            part = parts[number] if number < len(parts) else removed
            await edit_text(sender.bot, desk, post.message_id, part, markup)


async def _rename_agent(sender: _Sender, chat: int, tr: Translator) -> None:
    """/forget_me of an agent: the customer's copies of answers and take-overs name the
    pseudonym (rendered anew from the ticket, where the name was replaced)."""
    view = sender.view
    posts = [
        p for p in await tickets.posts(sender.core, view.id) if p.chat_id == chat and not p.origin
    ]
    taken = {
        number
        for number, kind in (
            await kinds.kinds_of(
                sender.core, view.customer_id or "", [p.notification_id or 0 for p in posts]
            )
        ).items()
        if kind == kinds.TICKET_TAKEN
    }
    sets: dict[tuple[int | None, int], list[TicketPost]] = {}
    for post in posts:
        sets.setdefault((post.ticket_message_id, post.notification_id or 0), []).append(post)
    for (message_id, notification_id), copies in sets.items():
        if message_id is not None:
            message = view.message(message_id)
            if message.id != message_id or message.author is not Author.AGENT:
                continue
            text = ticket_texts.agent_reply(tr, view, message)
        elif notification_id in taken:
            text = ticket_texts.taken(tr, view)
        else:
            continue
        parts = split_message(text)
        if len(parts) != len(copies):
            continue  # split differently now: left as it is (docs/privacy.md)
        for copy, part in zip(sorted(copies, key=lambda p: p.part), parts, strict=True):
            await edit_text(sender.bot, chat, copy.message_id, part, None)


async def edit_text(
    bot: Bot, chat_id: int, message_id: int, text: str, markup: InlineKeyboardMarkup | None
) -> None:
    """Edit one message; the same text again is no error."""
    try:
        await bot.edit_message_text(text, chat_id, message_id, reply_markup=markup)
    except BadRequest as exc:
        if "not modified" not in exc.message.lower():
            raise


async def refresh_card(bot: Bot, rt: Runtime, core: Context, view: TicketView) -> bool:
    """The card's parts in the group show the ticket as it is now (status, who took it, its
    buttons); False when no part of it was recorded (posted by an older version)."""
    desk = rt.settings.service_desk_chat_id
    if desk is None or not view.messages:
        return False
    tr = Translator(rt.settings.default_language)
    first = view.messages[0].id
    copies = [
        p
        for p in await tickets.posts(core, view.id, ticket_message_id=first)
        if p.chat_id == desk and not p.origin
    ]
    if not copies:
        return False
    copies = _newest(copies)
    parts = split_message(card_text(tr, view))
    keyboard = buttons(tr, view)
    markup = InlineKeyboardMarkup(keyboard) if keyboard else None
    if len(parts) != len(copies):  # now split differently: the buttons at least are right
        try:
            await bot.edit_message_reply_markup(desk, copies[-1].message_id, reply_markup=markup)
        except BadRequest as exc:
            if "not modified" not in exc.message.lower():
                raise
        return True
    for number, (copy, part) in enumerate(zip(copies, parts, strict=True)):
        last = number == len(parts) - 1
        await edit_text(bot, desk, copy.message_id, part, markup if last else None)
    return True


def _newest(copies: list[TicketPost]) -> list[TicketPost]:
    """The copies one notice sent last (an edit split differently sends the text anew)."""
    newest = max(p.notification_id or 0 for p in copies)
    return [p for p in copies if (p.notification_id or 0) == newest]


async def undeliverable(bot: Bot, rt: Runtime, core: Context, delivery: Delivery) -> None:
    """The customer's chat does not take messages from the bot (blocked, deleted): the group
    is told where the ticket is, so that the agents reach the customer another way."""
    desk = rt.settings.service_desk_chat_id
    if delivery.to_desk or desk is None:
        return
    try:
        view = await tickets.ticket_for_desk(
            core, OPERATOR, int(delivery.notification.payload["ticket_id"])
        )
        tr = Translator(rt.settings.default_language)
        user = escape(view.user_name or view.external_id)
        await bot.send_message(
            desk,
            tr("desk.not_delivered", number=view.id, user=user),
            message_thread_id=view.desk_topic_id,
            reply_parameters=_reply(None if view.desk_topic_id else view.desk_message_id),
        )
    except TelegramError as exc:  # the ticket keeps the answer; operators see the log
        log.warning("ticket notice %s: the desk was not told either: %s", delivery.id, exc)
