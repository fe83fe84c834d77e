"""Launch links as Telegram opens the Mini App: the page's URL with the launch parameters in the
hash (`#tgWebAppData=…&tgWebAppVersion=…&tgWebAppThemeParams=…`), the init data signed with the
bot token. `licencebot chat` prints one for the demo person (the local emulator's token), and
the tests open such links in a browser; Telegram's clients build their own."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

import init_data_py

# Two palettes as Telegram's clients send them (`themeParams`), for the local link and tests.
LIGHT = {
    "bg_color": "#ffffff",
    "secondary_bg_color": "#f1f1f4",
    "text_color": "#000000",
    "hint_color": "#707579",
    "link_color": "#3390ec",
    "button_color": "#3390ec",
    "button_text_color": "#ffffff",
    "section_bg_color": "#ffffff",
    "destructive_text_color": "#e53935",
}
DARK = {
    "bg_color": "#212121",
    "secondary_bg_color": "#181818",
    "text_color": "#ffffff",
    "hint_color": "#aaaaaa",
    "link_color": "#8774e1",
    "button_color": "#8774e1",
    "button_text_color": "#ffffff",
    "section_bg_color": "#2c2c2e",
    "destructive_text_color": "#ff595a",
}
VERSION = "8.0"  # the Bot API version of the Mini App features the page uses


@dataclass(frozen=True)
class Person:
    """The Telegram user the init data names."""

    id: int
    first_name: str
    last_name: str | None = None
    language_code: str | None = None


def init_data(person: Person, token: str, at: datetime) -> str:
    """Init data for `person`, signed with the bot token as Telegram signs it."""
    user = init_data_py.User(
        id=person.id,
        first_name=person.first_name,
        last_name=person.last_name,
        language_code=person.language_code,
    )
    return init_data_py.sign(init_data_py.UnsignedInitData(user=user), token, auth_date=at)


def launch_url(
    page_url: str,
    person: Person,
    token: str,
    at: datetime,
    theme: dict[str, str] | None = None,
    *,
    data: str | None = None,
) -> str:
    """The page's URL with the launch parameters (`data`: init data as given, e.g. forged)."""
    fragment = urlencode(
        {
            "tgWebAppData": data if data is not None else init_data(person, token, at),
            "tgWebAppVersion": VERSION,
            "tgWebAppPlatform": "unknown",
            "tgWebAppThemeParams": json.dumps(theme or LIGHT, separators=(",", ":")),
        }
    )
    return f"{page_url}#{fragment}"
