"""What every handler reaches through `context.bot_data`: the process's domain context, the
settings, and what `bot/app.py` wires in from the features (the command registry, the main
menu screen), so that the update boundary (`bot/turn.py`) imports no feature module."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from domain.nlu.parser import Parser
from domain.services.context import Context
from domain.settings import Settings

if TYPE_CHECKING:
    from bot.command_menu import CommandMenu
    from bot.turn import Turn

KEY = "licencebot.runtime"


@dataclass
class Runtime:
    # The process's context, bound to no unit of work: for the boundary that opens one, and
    # for work after the commit. A handler uses `turn.core`, bound to the update's.
    root_context: Context
    settings: Settings
    commands: CommandMenu  # the command registry (bot/app.py `COMMANDS`)
    main_menu: Callable[[Turn], Awaitable[None]]  # the screen a stale button leads back to
    parser: Parser | None = None  # trained at start-up from data/nlu.yml
    desk_is_forum: bool | None = None  # the service desk group has topics (asked once)


def runtime_of(bot_data: dict[str, Any]) -> Runtime:
    found = bot_data[KEY]
    assert isinstance(found, Runtime)
    return found
