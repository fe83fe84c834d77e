"""The commands people type, as one registry: each command's handler, its description (a
catalogue key, said in German and English) and its scope, who finds it in Telegram's command
menu. `bot/app.py` holds the registry (`COMMANDS`); the CommandHandlers and every command list
set with `set_my_commands` are made from it, so a command is named in one place only.

Telegram shows a chat the most specific list set for it: the default list (`Scope.EVERYONE`)
is set once at start-up (`post_init`); an agent's own chat gets its longer list when the agent
links (`publish_for`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from telegram import Bot, BotCommand, BotCommandScope, BotCommandScopeChat
from telegram.ext import CommandHandler

from bot.turn import PtbCallback
from domain.model import Role
from domain.texts.i18n import Translator

LANGUAGES = ("de", "en")  # German first: its list is also the one for every other language


class Scope(StrEnum):
    """Who finds a command in the command menu (anyone may type any command; the use case
    decides whether they may use it, R23)."""

    EVERYONE = "everyone"  # the default list: every chat with the bot
    AGENTS = "agents"  # besides: the service desk agents' own chats


# The roles whose chats get a list of their own when they link (the others see the default).
SCOPE_OF_ROLE: dict[Role, Scope] = {Role.AGENT: Scope.AGENTS}


@dataclass(frozen=True)
class Command:
    name: str  # typed as /name
    handler: PtbCallback
    description: str  # a catalogue key (N_), in every language of LANGUAGES
    scope: Scope = Scope.EVERYONE


@dataclass(frozen=True)
class CommandMenu:
    """The registry: the handlers and the command lists, both from `commands`."""

    commands: tuple[Command, ...]

    def __post_init__(self) -> None:
        names = [command.name for command in self.commands]
        if len(set(names)) != len(names):
            raise ValueError(f"a command is registered twice: {names}")

    def handlers(self) -> list[CommandHandler[Any, None]]:
        return [CommandHandler(command.name, command.handler) for command in self.commands]

    def listed(self, scope: Scope, tr: Translator) -> list[BotCommand]:
        """The command list a chat of `scope` shows, in `tr`'s language (the default list's
        commands first, in the registry's order)."""
        return [
            BotCommand(command.name, tr(command.description))
            for command in self.commands
            if command.scope in (Scope.EVERYONE, scope)
        ]

    async def publish(self, bot: Bot) -> None:
        """The default list in German (also for every language without a list) and English;
        at start-up, by the process that polls or registers the webhook."""
        await self._set(bot, Scope.EVERYONE, None)

    async def publish_for(self, bot: Bot, chat_id: int, role: Role) -> None:
        """After someone linked: their private chat's own list, when their role has one."""
        scope = SCOPE_OF_ROLE.get(role)
        if scope is not None:
            await self._set(bot, scope, BotCommandScopeChat(chat_id))

    async def _set(self, bot: Bot, scope: Scope, where: BotCommandScope | None) -> None:
        for language in LANGUAGES:
            commands = self.listed(scope, Translator(language))
            await bot.set_my_commands(commands, scope=where, language_code=language)
            if language == LANGUAGES[0]:
                await bot.set_my_commands(commands, scope=where)
