"""One update being served: who, in which language, the chat's state, and how to answer.

Handlers are written as `async def f(turn: Turn) -> None` and wrapped with `@handler`, which
loads the chat state from the database, answers the callback query, turns a domain refusal into
a friendly screen and saves the state again — so any worker can serve the next update.
"""

from __future__ import annotations

import contextlib
import functools
import logging
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import Any

from telegram import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
    Update,
    User,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot import callbacks as cb
from bot.runtime import Runtime, runtime_of
from domain import errors
from domain.conversation import ChatState
from domain.model import Actor, Channel
from domain.services import accounts
from domain.texts.i18n import Translator, pick_language
from domain.texts.refusals import consent_names, describe

log = logging.getLogger(__name__)


class StaleButton(Exception):
    """A button that no longer fits (old message, finished draft, forged data)."""


Row = Sequence[InlineKeyboardButton]
Keyboard = Sequence[Row]


class Turn:
    def __init__(
        self,
        update: Update,
        context: ContextTypes.DEFAULT_TYPE,
        rt: Runtime,
        state: ChatState,
        actor: Actor | None,
    ) -> None:
        self.update = update
        self.context = context
        self.rt = rt
        self.state = state
        self.actor = actor
        self.query: CallbackQuery | None = update.callback_query
        self.press = cb.parse(self.query.data if self.query else None)
        user = update.effective_user
        self.tr = Translator(
            pick_language(
                state.language,
                user.language_code if user else None,
                rt.settings.default_language,
            )
        )
        self._answered = False
        self._dirty = False

    # -- set-up
    @classmethod
    async def begin(cls, update: Update, context: ContextTypes.DEFAULT_TYPE) -> Turn:
        rt = runtime_of(context.bot_data)
        chat = update.effective_chat
        assert chat is not None
        async with rt.core.uow(write=False) as uow:
            state = await uow.chats.get(chat.id)
        actor: Actor | None = None
        if update.effective_user is not None:
            try:
                actor = await accounts.resolve_actor(
                    rt.core, Channel.TELEGRAM, str(update.effective_user.id)
                )
            except errors.NotLinked:
                actor = None
        return cls(update, context, rt, state, actor)

    @property
    def user(self) -> User:
        user = self.update.effective_user
        assert user is not None
        return user

    @property
    def chat_id(self) -> int:
        return self.state.chat_id

    def require_actor(self) -> Actor:
        """The linked actor, or NotLinked (R22): unknown users see only general help."""
        if self.actor is None:
            raise errors.NotLinked()
        return self.actor

    @property
    def customer_id(self) -> str:
        """The customer the user acts for; service desk agents choose one per request."""
        actor = self.require_actor()
        if actor.customer_id is None:
            raise errors.NotLinked()
        return actor.customer_id

    # -- state
    def set_step(self, step: str, draft_id: int | None = None) -> None:
        self.state.step, self.state.draft_id = step, draft_id
        self._dirty = True

    def set_language(self, language: str) -> None:
        self.state.language = language
        self.tr = Translator(language)
        self._dirty = True

    async def save(self) -> None:
        if not self._dirty:
            return
        async with self.rt.core.uow() as uow:
            await uow.chats.save(self.state, self.rt.core.now())
            await uow.commit()
        self._dirty = False

    # -- answering
    async def answer(self, text: str | None = None, *, alert: bool = False) -> None:
        """Answer the callback query once (Telegram shows a spinner until we do)."""
        if self.query is None or self._answered:
            return
        self._answered = True
        try:
            await self.query.answer(text, show_alert=alert)
        except BadRequest as exc:  # too old to answer: the user sees the screen anyway
            log.info("callback answer refused: %s", exc.message)

    async def alert_missing(self, refusal: errors.ConsentMissing) -> None:
        """The summary stays; an alert names the consents still to tick (R5, R17)."""
        names = consent_names(self.tr, refusal.missing)
        await self.answer(self.tr("order.missing", missing=names), alert=True)

    def _pressed_message(self) -> Message | None:
        message = self.query.message if self.query is not None else None
        if not isinstance(message, Message) or not message.is_accessible:
            return None  # no press, or a message too old to edit (date 0)
        return message

    async def show(self, text: str, keyboard: Keyboard = (), *, note: str = "") -> None:
        """Show a screen: edit the pressed message in place, else send one and remember it.

        `note` (a refusal, a result) stands above the screen, separated by a blank line.
        """
        text = f"{note}\n\n{text}" if note else text
        markup = InlineKeyboardMarkup(keyboard) if keyboard else None
        pressed = self._pressed_message()
        if pressed is not None:
            try:
                await pressed.edit_text(
                    text,
                    parse_mode=ParseMode.HTML,
                    reply_markup=markup,
                    link_preview_options=_NO_PREVIEW,
                )
            except BadRequest as exc:
                if "not modified" in exc.message:
                    return
                log.info("edit refused, sending instead: %s", exc.message)
            else:
                self._remember_screen(pressed.message_id)
                return
        await self._retire_old_screen()
        sent = await self.context.bot.send_message(
            self.chat_id,
            text,
            parse_mode=ParseMode.HTML,
            reply_markup=markup,
            link_preview_options=_NO_PREVIEW,
        )
        self._remember_screen(sent.message_id)

    async def send(self, text: str, keyboard: Keyboard = ()) -> None:
        """A message worth keeping (confirmation, answer): new, not edited."""
        markup = InlineKeyboardMarkup(keyboard) if keyboard else None
        await self.context.bot.send_message(
            self.chat_id,
            text,
            parse_mode=ParseMode.HTML,
            reply_markup=markup,
            link_preview_options=_NO_PREVIEW,
        )

    def _remember_screen(self, message_id: int) -> None:
        if self.state.screen_message_id != message_id:
            self.state.screen_message_id = message_id
            self._dirty = True

    async def _retire_old_screen(self) -> None:
        """Take the buttons off the previous screen so old buttons do not pile up."""
        old = self.state.screen_message_id
        if old is None:
            return
        # Already without buttons, deleted or too old: then there is nothing to retire.
        with contextlib.suppress(BadRequest):
            await self.context.bot.edit_message_reply_markup(self.chat_id, old, reply_markup=None)
        self.state.screen_message_id = None
        self._dirty = True

    # -- buttons
    def button(self, key: str, data: str, **params: object) -> InlineKeyboardButton:
        return InlineKeyboardButton(self.tr(key, **params), callback_data=data)

    def pager(self, prefix: str, page: int, pages: int) -> list[InlineKeyboardButton]:
        """‹ Previous / Next › buttons for a paged list (empty on a single page)."""
        row = []
        if page > 0:
            row.append(self.button("products.prev", cb.data(prefix, page - 1)))
        if page < pages - 1:
            row.append(self.button("products.next", cb.data(prefix, page + 1)))
        return row

    def nav(self, back: str | None = None) -> list[InlineKeyboardButton]:
        """The way back on every screen: ‹ Back (when there is a previous step) and Main menu."""
        row = []
        if back is not None:
            row.append(self.button("nav.back", back))
        row.append(self.button("nav.menu", cb.MENU))
        return row


_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)

HandlerFn = Callable[[Turn], Awaitable[None]]
PtbCallback = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]


def handler(fn: HandlerFn) -> PtbCallback:
    """Wrap a turn handler: state in, refusals explained, callback answered, state out."""

    @functools.wraps(fn)
    async def wrapped(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.effective_chat is None or update.effective_user is None:
            return
        turn = await Turn.begin(update, context)
        try:
            await fn(turn)
        except errors.DomainError as refusal:
            await refuse(turn, refusal)
        except StaleButton:
            await stale(turn)
        finally:
            await turn.answer()
            await turn.save()

    return wrapped


async def stale(turn: Turn) -> None:
    """An old or forged button: say so and show where things stand now."""
    log.info("stale or forged callback %r in chat %s", turn.press, turn.chat_id)
    await turn.answer(turn.tr("stale_button"))
    if turn.actor is None:
        await refuse(turn, errors.NotLinked())
        return
    from bot.handlers.menu import show_menu

    turn.set_step("idle")
    await show_menu(turn)


async def refuse(turn: Turn, refusal: errors.DomainError) -> None:
    """Say what is not possible, why and what next (docs/ux.md), with a way back."""
    if isinstance(refusal, errors.NotLinked):
        text = turn.tr("start.unknown", contact=turn.rt.settings.service_desk_contact)
        await turn.show(text, [[turn.button("nav.help", cb.HELP)]])
        return
    if isinstance(refusal, errors.SubscriptionNotFound) and turn.actor is not None:
        log.warning(
            "refused subscription %s for user %s (customer %s)",
            refusal.subscription_id,
            turn.actor.user_id,
            turn.actor.customer_id,
        )
    await turn.answer(describe(refusal, turn.tr)[:190])
    await turn.show(describe(refusal, turn.tr), [turn.nav()])
