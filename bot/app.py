"""The python-telegram-bot Application, the same in every mode (polling, webhook workers, the
local chat): its handlers in the order they are tried (the private-chat guard, edits, the
service desk's buttons and messages, the commands of the registry `COMMANDS`, the buttons by
callback prefix, typed text), the rate limiter, one chat's updates in turn (bot/fairness.py),
and `post_init`, which sets the command lists from the same registry (bot/serve.py calls it
after `initialize`, where `run_polling` would)."""

from __future__ import annotations

import logging
import time
from typing import Any

from telegram import LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    Defaults,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot import callbacks as cb
from bot.command_menu import Command, CommandMenu, Scope
from bot.fairness import ChatTurns
from bot.handlers import (
    addon_changes,
    addons,
    agent,
    changes,
    edits,
    free_text,
    menu,
    my_orders,
    ordering,
    privacy,
    request_cards,
    seats,
    support,
    system,
    text,
)
from bot.handlers import desk as desk_handlers
from bot.limiter import PatientRateLimiter
from bot.runtime import KEY, Runtime
from bot.shared_limits import SharedLimits
from bot.turn import PtbCallback, handler, stale
from bot.webhook_reply import replies_of
from domain import logs, metrics
from domain.nlu.parser import Parser
from domain.services.context import Context
from domain.settings import Settings
from domain.texts.i18n import N_

_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)

_CALLBACKS: dict[str, PtbCallback] = {
    cb.MENU: menu.menu,
    cb.HELP: menu.help_,
    cb.LANGUAGE: menu.language,
    cb.SUPPORT: support.support,
    cb.TICKETS: support.my_tickets,
    cb.TICKET_SEND: support.send_held,
    cb.TICKET_WRITE: support.write_again,
    cb.PRODUCTS: ordering.products,
    cb.PRODUCT: ordering.details,
    cb.ORDER_NEW: ordering.start_order,
    cb.ORDER_QTY: ordering.quantity_pressed,
    cb.ORDER_TERMS: ordering.toggle_terms,
    cb.ORDER_ACCOUNT: ordering.toggle_account,
    cb.ORDER_CONFIRM: ordering.confirm,
    cb.ORDER_BACK: ordering.back_to_quantity,
    cb.ORDERS: my_orders.my_orders,
    cb.SUBSCRIPTION: my_orders.subscription,
    cb.STATUS: my_orders.status,
    cb.CHANGE_NEW: changes.start_change,
    cb.CHANGE_QTY: changes.total_pressed,
    cb.CHANGE_CONFIRM: changes.confirm_change,
    cb.CANCEL_ASK: changes.ask_cancel,
    cb.CANCEL_CONFIRM: changes.confirm_cancel,
    cb.WITHDRAW: changes.withdraw,
    cb.ADDONS: addons.list_addons,
    cb.ADDON_NEW: addons.start_addon,
    cb.ADDON_TERMS: addons.toggle_terms,
    cb.ADDON_CONFIRM: addons.confirm,
    cb.ADDON_REQUEST: addons.request_missing,
    cb.ADDON_ENTRY: addon_changes.entry,
    cb.ADDON_CHANGE: addon_changes.start_change,
    cb.ADDON_CHANGE_QTY: addon_changes.quantity_pressed,
    cb.ADDON_CHANGE_CONFIRM: addon_changes.confirm_change,
    cb.ADDON_CANCEL_ASK: addon_changes.ask_cancel,
    cb.ADDON_CANCEL_CONFIRM: addon_changes.confirm_cancel,
    cb.FREE_TEXT: free_text.pressed,
    cb.CUSTOMER_FIND: agent.find,
    cb.CUSTOMER: agent.open_card,
    cb.CUSTOMER_ORDERS: agent.customer_orders,
    cb.CUSTOMER_SUBSCRIPTION: agent.customer_subscription,
    cb.CUSTOMER_PROVISION: agent.provision,
    cb.CUSTOMER_TICKETS: agent.customer_tickets,
    cb.CUSTOMER_TICKET: agent.customer_ticket,
    cb.CUSTOMER_TICKET_ANSWER: agent.answer_ticket,
    cb.CUSTOMER_REQUESTS: agent.customer_requests,
    cb.PREPARE: agent.prepare,
    cb.PREPARE_KIND: agent.choose_kind,
    cb.PREPARE_PRODUCT: agent.choose_product,
    cb.PREPARE_SUBSCRIPTION: agent.choose_subscription,
    cb.PREPARE_ADDON: agent.choose_addon,
    cb.PREPARE_QTY: agent.quantity_pressed,
    cb.PREPARE_SEND: agent.send,
    cb.ORDER_SEND: ordering.send_request,
    cb.CHANGE_SEND: changes.send_request,
    cb.ADDON_SEND: addons.send_request,
    cb.REQUESTS: support.my_requests,
    cb.REQUEST_VIEW: request_cards.view_card,
    cb.REQUEST_APPROVE: request_cards.approve,
    cb.REQUEST_TERMS: request_cards.toggle_terms,
    cb.REQUEST_ACCOUNT: request_cards.toggle_account,
    cb.REQUEST_CONFIRM: request_cards.confirm,
    cb.REQUEST_DECLINE: request_cards.decline,
    cb.REQUEST_WITHDRAW: request_cards.withdraw,
    cb.FORGET_ASK: privacy.forget_me,
    cb.FORGET_CONFIRM: privacy.confirm,
    cb.FORGET_KEEP: privacy.keep,
    cb.MOVE_CONFIRM: menu.move_confirm,
    cb.MOVE_KEEP: menu.move_keep,
    cb.COSTS: seats.costs,
    cb.COSTS_CSV: seats.costs_csv,
    cb.REDUCE_ASK: seats.reduce_ask,
    cb.REDUCE_CONFIRM: seats.reduce_confirm,
    cb.REDUCE_LATER: seats.reduce_later,
    cb.REDUCE_WITHDRAW: seats.reduce_withdraw,
    cb.SETTINGS: seats.settings,
    cb.SETTINGS_HINTS: seats.settings_hints,
    cb.SETTINGS_SPARE: seats.settings_spare,
}

# The command registry: the CommandHandlers and every command list come from here alone
# (bot/command_menu.py; docs/interfaces.md names them).
COMMANDS = CommandMenu(
    (
        Command("start", menu.start, N_("commands.start")),
        Command("menu", menu.menu, N_("commands.menu")),
        Command("products", ordering.products, N_("commands.products")),
        Command("orders", my_orders.my_orders, N_("commands.orders")),
        Command("status", my_orders.status, N_("commands.status")),
        Command("support", support.support, N_("commands.support")),
        Command("tickets", support.my_tickets, N_("commands.tickets")),
        Command("requests", support.my_requests, N_("commands.requests")),
        Command("language", menu.language, N_("commands.language")),
        Command("help", menu.help_, N_("commands.help")),
        Command("privacy", privacy.privacy, N_("commands.privacy")),
        Command("forget_me", privacy.forget_me, N_("commands.forget_me")),
        Command("cancel", menu.cancel_step, N_("commands.cancel")),
        Command("costs", seats.costs, N_("commands.costs")),
        Command("settings", seats.settings, N_("commands.settings")),
        Command("customer", agent.find, N_("commands.customer"), Scope.AGENTS),
    )
)


class LicenceApplication(Application):  # type: ignore[type-arg]
    """PTB's Application that knows how many updates it is working on (tests, shutdown)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.handling = 0
        self.processed = 0

    @property
    def in_flight(self) -> int:
        """Updates being handled or waiting for their chat's turn (bot/fairness.py)."""
        turns = self.update_processor
        return self.handling + (turns.waiting if isinstance(turns, ChatTurns) else 0)

    async def process_update(self, update: object) -> None:
        """One update under one correlation id, counted, timed and logged in one line."""
        self.handling += 1
        record = logs.UpdateRecord(
            update.update_id if isinstance(update, Update) else None, update_type(update)
        )
        metrics.UPDATES.labels(record.type).inc()
        started = time.perf_counter()
        with logs.correlated(record):
            try:
                await super().process_update(update)
            finally:
                self.handling -= 1
                self.processed += 1
                replies = replies_of(self.bot_data)
                if replies is not None and isinstance(update, Update):
                    replies.release(update.update_id)  # no answer came: the response goes
                seconds = time.perf_counter() - started
                metrics.HANDLER_SECONDS.labels(record.handler).observe(seconds)
                metrics.HANDLED.labels(record.handler, record.outcome).inc()
                logs.log_update(record, seconds)


def update_type(update: object) -> str:
    """A label for the kind of update (never its content)."""
    if not isinstance(update, Update):
        return "other"
    if update.callback_query is not None:
        return "callback"
    if update.message is not None:
        text = update.message.text
        if text is None:
            return "message_other"
        return "command" if text.startswith("/") else "text"
    for kind in ("edited_message", "my_chat_member", "chat_member", "channel_post"):
        if getattr(update, kind) is not None:
            return kind
    return "other"


def file_url(base_url: str) -> str:
    """`…/bot` → `…/file/bot`, as the Bot API serves files."""
    head, _, _ = base_url.rstrip("/").rpartition("/")
    return f"{head}/file/bot"


def register(application: Application, desk: int | None = None) -> None:  # type: ignore[type-arg]
    """Every handler; `desk`: the service desk group, whose updates only the desk handles."""
    application.add_handler(TypeHandler(Update, system.private_only), group=-2)
    # An edit is never a new message (a quantity, a reason, a second answer): it ends there.
    application.add_handler(MessageHandler(filters.UpdateType.EDITED, edits.edited_only), group=-1)
    application.add_handler(CallbackQueryHandler(desk_handlers.take, pattern=f"^{cb.TICKET_TAKE}:"))
    application.add_handler(
        CallbackQueryHandler(desk_handlers.resolve, pattern=f"^{cb.TICKET_RESOLVE}:")
    )
    if desk is not None:
        application.add_handler(
            MessageHandler(
                filters.Chat(desk) & filters.UpdateType.MESSAGE, desk_handlers.agent_message
            )
        )
    for command_handler in COMMANDS.handlers():
        application.add_handler(command_handler)
    for prefix, callback in _CALLBACKS.items():
        application.add_handler(CallbackQueryHandler(callback, pattern=f"^{prefix}(:|$)"))
    application.add_handler(CallbackQueryHandler(handler(stale)))  # forged or unknown data
    application.add_handler(MessageHandler(filters.TEXT | filters.COMMAND, text.text))
    application.add_handler(
        MessageHandler(
            filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE & filters.ATTACHMENT,
            text.not_text,
        )
    )
    application.add_error_handler(system.on_error)


async def post_init(application: Application) -> None:  # type: ignore[type-arg]
    """After `initialize`, once per start: the default command lists (de and en)."""
    await COMMANDS.publish(application.bot)


async def run_post_init(application: Application) -> None:  # type: ignore[type-arg]
    """What `run_polling` and `run_webhook` do after `initialize`. bot/serve.py runs the
    Application's life cycle itself (webhook workers, the local chat), so it calls this where
    they would: after `initialize`, before `start`; in webhook mode only the worker that
    registers the webhook."""
    if application.post_init is not None:
        await application.post_init(application)


def build_application(
    settings: Settings,
    core: Context,
    *,
    updater: bool = True,
    parser: Parser | None = None,
    share: int = 1,
) -> LicenceApplication:
    """The bot, unchanged in every mode: polling, webhook workers, the local chat; `share`:
    the number of worker processes that split Telegram's per-token limits."""
    if settings.telegram_bot_token is None:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    quiet_http_logs()
    builder: ApplicationBuilder = (  # type: ignore[type-arg]
        Application.builder()
        .application_class(LicenceApplication)
        .token(settings.telegram_bot_token.get_secret_value())
        .base_url(settings.telegram_api_base_url)
        .base_file_url(file_url(settings.telegram_api_base_url))
        .rate_limiter(limiter_for(settings, share))
        .read_timeout(settings.telegram_read_timeout)
        .defaults(Defaults(parse_mode=ParseMode.HTML, link_preview_options=_NO_PREVIEW))
        .concurrent_updates(ChatTurns())  # one chat's backlog waits behind itself
        .post_init(post_init)
    )
    if not updater:
        builder = builder.updater(None)
    application = builder.build()
    assert isinstance(application, LicenceApplication)
    application.bot_data[KEY] = Runtime(
        core, settings, commands=COMMANDS, main_menu=menu.show_menu, parser=parser
    )
    register(application, settings.service_desk_chat_id)
    return application


def limiter_for(settings: Settings, share: int) -> PatientRateLimiter:
    """Telegram's limits: this run's `share` of them, or shared through RATE_LIMIT_REDIS_URL."""
    shared = None
    token = settings.telegram_bot_token
    if settings.rate_limit_redis_url and token is not None:
        bot_id = token.get_secret_value().split(":", 1)[0]  # the public part of the token
        shared = SharedLimits(settings.rate_limit_redis_url.get_secret_value(), bot_id, share)
    return PatientRateLimiter(
        share=share, unlimited=not settings.telegram_rate_limit, shared=shared
    )


def quiet_http_logs() -> None:
    """Loggers that print the Bot API URL, which carries the token, stay below that level.

    httpx logs each request URL at INFO; PTB's bot logs its base URL at DEBUG, its Application
    every update in full (invite codes in `/start <code>`, customer data) at DEBUG.
    """
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING)
    for name in ("telegram.Bot", "telegram.ext.ExtBot", "telegram.ext.Application"):
        logging.getLogger(name).setLevel(logging.INFO)
