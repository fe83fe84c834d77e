"""Reply markup as Telegram checks it: inline keyboards (callback_data of 1..64 bytes), reply
keyboards, keyboard removal and forced replies."""

from __future__ import annotations

from typing import Any

from bot.emulator.errors import JsonDict, bad_request

MAX_CALLBACK_DATA = 64

_BUTTON_ACTIONS = frozenset(
    {
        "callback_data",
        "url",
        "login_url",
        "web_app",
        "switch_inline_query",
        "switch_inline_query_current_chat",
        "switch_inline_query_chosen_chat",
        "copy_text",
        "callback_game",
        "pay",
    }
)


def _check_inline_keyboard(rows: Any) -> None:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request('can\'t parse inline keyboard: field "inline_keyboard" must be an Array')
    for button in (button for row in rows for button in row):
        if not isinstance(button, dict) or not isinstance(button.get("text"), str):
            raise bad_request('can\'t parse inline keyboard button: Field "text" must be a String')
        if not _BUTTON_ACTIONS & button.keys():
            raise bad_request(
                "can't parse inline keyboard button: Text buttons are unallowed in the inline "
                "keyboard"
            )
        data = button.get("callback_data")
        if data is not None and not (
            isinstance(data, str) and 1 <= len(data.encode()) <= MAX_CALLBACK_DATA
        ):
            raise bad_request("BUTTON_DATA_INVALID")


def check_reply_markup(markup: Any, *, inline_only: bool = False) -> JsonDict | None:
    """The reply_markup as a dict after Telegram's checks (callback_data 1..64 bytes)."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        _check_inline_keyboard(markup["inline_keyboard"])
        return markup
    if inline_only:
        raise bad_request("inline keyboard expected")
    if "keyboard" in markup:
        rows = markup["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request('can\'t parse keyboard: field "keyboard" must be an Array')
        return markup
    if markup.get("remove_keyboard") is True or markup.get("force_reply") is True:
        return markup
    raise bad_request("can't parse reply keyboard markup JSON object")


def inline_part(markup: JsonDict | None) -> JsonDict | None:
    """The inline keyboard a message shows, None for none or an empty one."""
    if markup is None or not any(markup.get("inline_keyboard") or []):
        return None
    return markup
