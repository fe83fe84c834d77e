"""One update being served: who, in which language, the chat's state, and how to answer.

Handlers are written as `async def f(turn: Turn) -> None` and wrapped with `@handler`, the one
boundary of every update: it opens ONE unit of work, claims the update id (a re-delivery stops
there), loads the chat state and the actor, runs the handler with a context bound to that unit
of work (every use case shares its transaction), turns a domain refusal into a friendly screen,
saves state and drafts and commits once. Only then does it talk to Telegram: the callback is
always answered and the screens go out, so no database lock is held during a Bot API request
and no user is told about a write that was not committed.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import logging
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from telegram import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    ReplyParameters,
    Update,
    User,
)
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import ContextTypes

from bot import callbacks as cb
from bot.callbacks import StaleButton as StaleButton  # the handlers' name for it
from bot.drafts import Drafted, DraftState, Form, Step
from bot.fifo import writers_in_turn
from bot.runtime import Runtime, runtime_of
from bot.webhook_reply import replies_of
from domain import errors, logs, metrics
from domain.conversation import ChatState
from domain.model import Actor, Channel, require_linked
from domain.ports import UnitOfWork
from domain.services import accounts
from domain.services.context import Context
from domain.texts.i18n import Translator, pick_language
from domain.texts.refusals import consent_names, describe

log = logging.getLogger(__name__)
F = TypeVar("F", bound=Form)
A = TypeVar("A", bound=cb.Args)


Row = Sequence[InlineKeyboardButton]
Keyboard = Sequence[Row]


@dataclass(frozen=True)
class _Screen:
    """A message to show after the commit: edit the pressed one (`edit`) or send a new one."""

    chat_id: int
    text: str
    keyboard: Keyboard
    edit: bool
    thread: int | None = None  # a forum topic of a group
    reply_to: int | None = None
    blocked_note: str = ""  # said in this chat when another chat cannot be reached


class Turn:
    def __init__(
        self,
        update: Update,
        context: ContextTypes.DEFAULT_TYPE,
        rt: Runtime,
        uow: UnitOfWork,
        state: ChatState,
        identity: accounts.Identity | None,
    ) -> None:
        self.update = update
        self.context = context
        self.rt = rt
        self.uow = uow
        self.core: Context = rt.root_context.bound(uow)  # use cases share the update's unit of work
        self.state = state
        self.actor: Actor | None = identity.actor if identity else None
        self.customer_name = identity.customer_name if identity else None
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
        self._answer: tuple[str | None, bool] | None = None
        self._screens: list[_Screen] = []
        self._later: list[Callable[[], Awaitable[object]]] = []
        self._dirty = False
        self._step_set = False  # the handler chose the step (kept after a command, see leave)
        self._ticket_set = False
        self.outcome = "ok"  # the update's log line and metrics: ok, refused, stale

    def refused(self, refusal: errors.DomainError) -> None:
        """Count a refusal the user is told about (a metric by its code; no personal data)."""
        metrics.refused(refusal.code, Channel.TELEGRAM.value)
        self.outcome = "refused"

    # -- set-up
    @classmethod
    async def begin(
        cls, update: Update, context: ContextTypes.DEFAULT_TYPE, rt: Runtime, uow: UnitOfWork
    ) -> Turn:
        chat, user = update.effective_chat, update.effective_user
        assert chat is not None
        assert user is not None
        state, found = await uow.chats.with_user(chat.id, Channel.TELEGRAM, str(user.id))
        identity = accounts.Identity(found[0].as_actor(), found[1]) if found else None
        return cls(update, context, rt, uow, state, identity)

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
        return require_linked(self.actor)

    @property
    def customer_id(self) -> str:
        """The customer the user acts for; service desk agents choose one per request."""
        return self.require_actor().require_customer()

    # -- state and drafts, written in this update's unit of work
    def set_step(self, step: Step, draft_id: int | None = None) -> None:
        self._step_set = True
        if (self.state.step, self.state.draft_id) != (step, draft_id):
            self.state.step, self.state.draft_id = step, draft_id
            self._dirty = True

    @property
    def step(self) -> Step | None:
        """The chat's current step; None for a value this version does not know."""
        try:
            return Step(self.state.step)
        except ValueError:
            return None

    def attach_ticket(self, ticket_id: int | None) -> None:
        """Typed text of this chat goes to this ticket from now on (None: no longer)."""
        self._ticket_set = True
        if self.state.ticket_id != ticket_id:
            self.state.ticket_id = ticket_id
            self._dirty = True

    def set_language(self, language: str) -> None:
        self.state.language = language
        self.tr = Translator(language)
        self._dirty = True

    async def new_draft(self, form: F, step: Step) -> Drafted[F]:
        draft = await self.uow.chats.new_draft(
            self.chat_id, form.kind, form.as_data(), self.core.now()
        )
        self.set_step(step, draft.id)
        return Drafted(draft, form)

    def pressed(self, kind: type[A]) -> A:
        """The pressed button's arguments as `kind` (bot/callbacks.py); else stale."""
        return kind.read(self.press)

    async def pressed_draft(self, kind: type[F]) -> Drafted[F]:
        """The draft a button names (first argument), if it belongs to this chat; else stale.

        A button of a message that showed other values than a draft still open holds now is
        stale too: it never acts on what a newer message shows (a finished draft is handed
        on, so that a second press says what became of it)."""
        ref = self.press.draft(0)
        if ref is None:
            raise StaleButton()
        drafted = await self._load_draft(kind, ref[0])
        shown = ref[1]
        if shown is not None and drafted.state is DraftState.OPEN and shown != drafted.revision:
            raise StaleButton()
        return drafted

    async def current_draft(self, kind: type[F]) -> Drafted[F]:
        """The draft the chat's current step works on (typed text)."""
        return await self._load_draft(kind, self.state.draft_id)

    async def _load_draft(self, kind: type[F], draft_id: int | None) -> Drafted[F]:
        if draft_id is None:
            raise StaleButton()
        draft = await self.uow.chats.draft(draft_id)
        if draft is None or draft.chat_id != self.chat_id or draft.kind != kind.kind:
            raise StaleButton()
        form = kind.from_data(draft.data)
        if form is None:
            raise StaleButton()
        return Drafted(draft, form)

    async def save_draft(self, drafted: Drafted[Any]) -> None:
        drafted.draft.data = drafted.form.as_data()
        await self.uow.chats.save_draft(drafted.draft, self.core.now())

    def navigates(self) -> bool:
        """A command or a menu button (cb.NAVIGATION): it leaves whatever mode the chat was in."""
        if self.query is not None:
            return self.press.prefix in cb.NAVIGATION
        message = self.update.message
        return bool(message and message.text and message.text.startswith("/"))

    def leave_modes(self) -> None:
        """After a command or a menu button: the question the chat was at is left (unless the
        handler asked a new one) and typed text no longer goes to a ticket (unless the
        handler attached one), said above the answer with a way back to the ticket."""
        if not self.navigates():
            return
        if not self._step_set:
            self.set_step(Step.IDLE)
        ticket = self.state.ticket_id
        if ticket is None or self._ticket_set:
            return
        self.attach_ticket(None)
        back = [
            [self.button("ticket.write", cb.Ticket(ticket).data(cb.TICKET_WRITE), number=ticket)]
        ]
        left = self.tr("ticket.left", number=ticket)
        self._screens.insert(0, _Screen(self.chat_id, left, back, edit=False))

    def own_buttons(self) -> None:
        """Every answer carries its own buttons: the last message of a turn to a linked user's
        private chat gets the way to the menu when it has none, so that the buttons shown
        last always belong to the message above them."""
        chat = self.update.effective_chat
        if self.actor is None or chat is None or chat.type != "private":
            return
        own = [i for i, screen in enumerate(self._screens) if screen.chat_id == self.chat_id]
        if own and not self._screens[own[-1]].keyboard:
            last = self._screens[own[-1]]
            self._screens[own[-1]] = dataclasses.replace(last, keyboard=[self.nav()])

    async def save_state(self) -> None:
        if self._dirty:
            await self.uow.chats.save(self.state, self.core.now())
            self._dirty = False

    # -- answering (collected now, sent after the commit)
    def answer(self, text: str | None = None, *, alert: bool = False) -> None:
        """Answer the callback query once (Telegram shows a spinner until we do)."""
        if self.query is not None and self._answer is None:
            self._answer = (text, alert)

    def alert_missing(self, refusal: errors.ConsentMissing) -> None:
        """The summary stays; an alert names the consents still to tick (R5, R17)."""
        self.refused(refusal)
        names = consent_names(self.tr, refusal.missing)
        self.answer(self.tr("order.missing", missing=names), alert=True)

    def show(self, text: str, keyboard: Keyboard = (), *, note: str = "") -> None:
        """Show a screen: edit the pressed message in place, else send a new one.

        `note` (a refusal, a result) stands above the screen, separated by a blank line.
        """
        text = f"{note}\n\n{text}" if note else text
        edit = self._pressed_message() is not None
        self._screens.append(_Screen(self.chat_id, text, keyboard, edit=edit))

    def send(self, text: str, keyboard: Keyboard = ()) -> None:
        """A message worth keeping (confirmation, answer): new, not edited."""
        self._screens.append(_Screen(self.chat_id, text, keyboard, edit=False))

    def send_to(
        self,
        chat_id: int,
        text: str,
        keyboard: Keyboard = (),
        *,
        thread: int | None = None,
        reply_to: int | None = None,
        blocked_note: str = "",
    ) -> None:
        """A message to another chat (a customer, the service desk group); `blocked_note` is
        said here when that chat does not take messages from the bot (blocked, deleted)."""
        self._screens.append(
            _Screen(chat_id, text, keyboard, False, thread, reply_to, blocked_note)
        )

    def later(self, work: Callable[[], Awaitable[object]]) -> None:
        """Bot API work after the commit and the screens (e.g. posting a ticket to the desk)."""
        self._later.append(work)

    def _pressed_message(self) -> Message | None:
        message = self.query.message if self.query is not None else None
        if not isinstance(message, Message) or not message.is_accessible:
            return None  # no press, or a message too old to edit (date 0)
        return message

    async def deliver(self) -> None:
        """After the commit: answer the callback, then edit or send the screens in order.

        An older screen keeps its buttons: taking them off would cost a Bot API request per
        typed message, and a press on an old button is checked like any other (`stale`).
        """
        if self.query is not None:
            text, alert = self._answer or (None, False)
            try:
                if not self._answer_in_webhook_response(text, alert):
                    await self.query.answer(text, show_alert=alert)
            except TelegramError as exc:  # too old, or Telegram failing: the screens still go
                log.info("callback answer failed: %s", exc.message)
        for screen in self._screens:
            await self._put(screen)
        for work in self._later:
            await work()

    def _answer_in_webhook_response(self, text: str | None, alert: bool) -> bool:
        """Webhook mode: the answer rides on the webhook response (bot/webhook_reply.py)."""
        replies = replies_of(self.context.bot_data)
        if replies is None or self.query is None:
            return False
        call: dict[str, object] = {
            "method": "answerCallbackQuery",
            "callback_query_id": self.query.id,
        }
        if text:
            call["text"] = text
        if alert:
            call["show_alert"] = True
        return replies.offer(self.update.update_id, call)

    async def _put(self, screen: _Screen) -> None:
        """Edit in place or send."""
        markup = InlineKeyboardMarkup(screen.keyboard) if screen.keyboard else None
        pressed = self._pressed_message() if screen.edit else None
        if pressed is not None:
            try:
                await pressed.edit_text(screen.text, reply_markup=markup)
            except BadRequest as exc:
                if "not modified" in exc.message:
                    return
                log.info("edit refused, sending instead: %s", exc.message)
            else:
                return
        try:
            parts = split_message(screen.text)
            for number, part in enumerate(parts, 1):
                await self.context.bot.send_message(
                    screen.chat_id,
                    part,
                    reply_markup=markup if number == len(parts) else None,
                    message_thread_id=screen.thread,
                    reply_parameters=_reply(screen.reply_to),
                )
        except Forbidden:
            if screen.chat_id == self.chat_id or not screen.blocked_note:
                raise
            log.info("chat %s does not take messages from the bot", screen.chat_id)
            await self.context.bot.send_message(self.chat_id, screen.blocked_note)

    # -- buttons
    def button(self, key: str, data: str, **params: object) -> InlineKeyboardButton:
        return InlineKeyboardButton(self.tr(key, **params), callback_data=data)

    def pager(self, prefix: str, page: int, pages: int) -> list[InlineKeyboardButton]:
        """‹ Previous / Next › buttons for a paged list (empty on a single page)."""
        row = []
        if page > 0:
            row.append(self.button("products.prev", cb.Page(page - 1).data(prefix)))
        if page < pages - 1:
            row.append(self.button("products.next", cb.Page(page + 1).data(prefix)))
        return row

    def nav(self, back: str | None = None) -> list[InlineKeyboardButton]:
        """The way back on every screen: ‹ Back (when there is a previous step) and Main menu."""
        row = []
        if back is not None:
            row.append(self.button("nav.back", back))
        row.append(self.button("nav.menu", cb.MENU))
        return row


def _reply(message_id: int | None) -> ReplyParameters | None:
    if message_id is None:
        return None
    return ReplyParameters(message_id, allow_sending_without_reply=True)


TELEGRAM_LIMIT = 4096  # characters of one message, counted in UTF-16 code units


def split_message(text: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """One message, or several of at most `limit` UTF-16 units, cut at a line break or a
    space outside HTML tags and entities (a 4,096-character ticket message behind a header)."""
    parts: list[str] = []
    while _utf16(text) > limit:
        cut = _cut(text, limit)
        parts.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    return [*parts, text]


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _cut(text: str, limit: int) -> int:
    """The last good place to cut within `limit`: a line break, else a space, else any
    place outside a tag or an entity."""
    units, inside, newline, space, anywhere = 0, "", 0, 0, 0
    for index, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            break
        if inside:
            if (inside == "<" and char == ">") or (inside == "&" and char == ";"):
                inside = ""
            continue
        if char in "<&":
            inside = char
            continue
        anywhere = index + 1
        if char == "\n":
            newline = index + 1
        elif char == " ":
            space = index + 1
    return newline or space or anywhere or limit


HandlerFn = Callable[[Turn], Awaitable[None]]
PtbCallback = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]


def handler(fn: HandlerFn) -> PtbCallback:
    """Wrap a turn handler: one unit of work in, refusals explained, state saved, one commit,
    then the answers out (see the module's docstring)."""

    name = f"{fn.__module__.rpartition('.')[2]}.{fn.__name__}"  # a metric label: ordering.confirm

    @functools.wraps(fn)
    async def wrapped(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        logs.note(handler=name, outcome="error")  # until it ends otherwise
        if update.effective_chat is None or update.effective_user is None:
            logs.note(outcome="ignored")
            return
        rt = runtime_of(context.bot_data)
        root = rt.root_context
        async with writers_in_turn(root.db), root.uow() as uow:
            claimed = await uow.chats.claim_update(
                context.bot.id, update.update_id, root.now(), update.effective_chat.id
            )
            if not claimed:
                log.info("update %s already processed; skipped", update.update_id)
                logs.note(outcome="duplicate")
                return
            turn = await Turn.begin(update, context, rt, uow)
            try:
                await fn(turn)
            except errors.DomainError as refusal:
                await refuse(turn, refusal)
            except StaleButton:
                await stale(turn)
            turn.leave_modes()
            turn.own_buttons()
            await turn.save_state()
            await uow.commit()
        try:
            await turn.deliver()
        except TelegramError:  # retried already; what was committed stays committed
            await undelivered(turn)
            return
        logs.note(outcome=turn.outcome)

    return wrapped


async def undelivered(turn: Turn) -> None:
    """The answer did not reach Telegram after the commit: never claim that nothing changed;
    point to where the current state can be seen, with a reference for the service desk."""
    reference = logs.reference()  # the update's correlation id: the log lines say it too
    metrics.failed("undelivered")
    logs.note(outcome="undelivered")
    log.exception(
        "answer to update %s not delivered, reference %s", turn.update.update_id, reference
    )
    with contextlib.suppress(TelegramError):
        await turn.context.bot.send_message(
            turn.chat_id, turn.tr("undelivered", reference=reference)
        )


async def stale(turn: Turn) -> None:
    """An old or forged button: say so and show where things stand now."""
    log.info("stale or forged callback %r", turn.press)
    turn.outcome = "stale"
    turn.answer(turn.tr("stale_button"))
    if turn.actor is None:
        await refuse(turn, errors.NotLinked())
        return
    turn.set_step(Step.IDLE)
    await turn.rt.main_menu(turn)


async def refuse(turn: Turn, refusal: errors.DomainError) -> None:
    """Say what is not possible, why and what next (docs/ux.md), with a way back."""
    turn.refused(refusal)
    if isinstance(refusal, errors.NotLinked) and turn.actor is not None:
        # a service desk agent has no customer of their own: they choose one first
        find = turn.button("agent.find", cb.CUSTOMER_FIND)
        turn.show(turn.tr("agent.choose_customer"), [[find, *turn.nav()]])
        return
    if isinstance(refusal, errors.NotLinked):
        text = turn.tr("start.unknown", contact=turn.rt.settings.service_desk_contact)
        turn.show(text, [[turn.button("nav.help", cb.HELP)]])
        return
    if isinstance(refusal, errors.SubscriptionNotFound) and turn.actor is not None:
        log.warning(
            "refused subscription %s for user %s (customer %s)",
            refusal.subscription_id,
            turn.actor.user_id,
            turn.actor.customer_id,
        )
    turn.answer(describe(refusal, turn.tr)[:190])
    turn.show(describe(refusal, turn.tr), [turn.nav()])
