"""Where the chat opens the Mini App (WEBAPP_URL set): an "Übersicht" button on /status (and
the cost screen), and a menu button in an admin's chat (docs/miniapp.md)."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, MenuButtonWebApp, WebAppInfo
from telegram.error import TelegramError

from bot.turn import Turn
from domain.model import Role

log = logging.getLogger(__name__)


def overview_row(turn: Turn) -> list[InlineKeyboardButton]:
    """The "Übersicht" button as a keyboard row; empty without WEBAPP_URL."""
    url = turn.rt.settings.webapp_url
    if url is None:
        return []
    return [InlineKeyboardButton(turn.tr("miniapp.button"), web_app=WebAppInfo(url))]


def offer_menu_button(turn: Turn) -> None:
    """An admin's chat gets the Mini App as its menu button (after the commit, once per
    `/start`); others keep the command list."""
    url = turn.rt.settings.webapp_url
    actor = turn.actor
    if url is None or actor is None or actor.role is not Role.ADMIN:
        return
    button = MenuButtonWebApp(turn.tr("miniapp.title"), WebAppInfo(url))
    chat_id = turn.chat_id

    async def set_button() -> None:
        try:
            await turn.context.bot.set_chat_menu_button(chat_id=chat_id, menu_button=button)
        except TelegramError as exc:  # the chat still works with the command list
            log.info("menu button not set: %s", exc.message)

    turn.later(set_button)
