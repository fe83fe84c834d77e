"""What every handler reaches through `context.bot_data`: the domain context and settings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from domain.nlu.parser import Parser
from domain.services.context import Context
from domain.settings import Settings

KEY = "licencebot.runtime"


@dataclass
class Runtime:
    core: Context
    settings: Settings
    parser: Parser | None = None  # trained at start-up from data/nlu.yml
    desk_is_forum: bool | None = None  # the service desk group has topics (asked once)


def runtime_of(bot_data: dict[str, Any]) -> Runtime:
    found = bot_data[KEY]
    assert isinstance(found, Runtime)
    return found
