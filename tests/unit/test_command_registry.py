"""The command registry (bot/app.py `COMMANDS`): every command has its handler and its words in
German and English, and who finds which command in the menu is what docs/interfaces.md says."""

from __future__ import annotations

import inspect
import re
from pathlib import Path
from typing import Any, cast

import pytest
from telegram import Bot, BotCommand, BotCommandScopeChat
from telegram.ext import CommandHandler

from bot.app import COMMANDS, build_application, post_init
from bot.command_menu import Command, CommandMenu, Scope
from domain.model import Role
from domain.services.context import Context
from domain.settings import Settings
from domain.texts.i18n import LANGUAGES, Translator
from tests.fakes import FakeStore

INTERFACES = Path(__file__).resolve().parents[2] / "docs/interfaces.md"
AGENT_CHAT = 4711


def documented() -> tuple[list[str], list[str]]:
    """The commands docs/interfaces.md lists for everyone, and those it adds for agents."""
    text = INTERFACES.read_text(encoding="utf-8")
    section = text.split("## Telegram commands", 1)[1].split("\n## ", 1)[0]
    everyone, agents = section.split("for agents also", 1)
    return re.findall(r"`/(\w+)", everyone), re.findall(r"`/(\w+)", agents)


class RecordingBot:
    """Records `set_my_commands` as (scope, language code, command names)."""

    def __init__(self) -> None:
        self.calls: list[tuple[object, str | None, list[str]]] = []

    async def set_my_commands(
        self, commands: list[BotCommand], scope: object = None, language_code: str | None = None
    ) -> bool:
        self.calls.append((scope, language_code, [c.command for c in commands]))
        return True


def test_every_command_has_a_handler_and_words_in_german_and_english() -> None:
    assert LANGUAGES == ("de", "en")
    for command in COMMANDS.commands:
        assert re.fullmatch(r"[a-z0-9_]{1,32}", command.name), command.name  # Bot API rule
        assert inspect.iscoroutinefunction(command.handler), command.name
        for language in LANGUAGES:
            words = Translator(language)(command.description)  # KeyError when missing
            assert 1 <= len(words) <= 256 and words != command.description, (language, words)
    german = Translator("de")
    assert german(COMMANDS.commands[0].description) != Translator("en")(
        COMMANDS.commands[0].description
    )


def test_the_lists_are_those_docs_interfaces_md_names() -> None:
    everyone, agents = documented()
    assert [c.command for c in COMMANDS.listed(Scope.EVERYONE, Translator("de"))] == everyone
    for language in LANGUAGES:
        listed = COMMANDS.listed(Scope.AGENTS, Translator(language))
        assert [c.command for c in listed] == everyone + agents


async def test_the_default_lists_are_set_in_german_by_default_and_in_english() -> None:
    bot = RecordingBot()
    await COMMANDS.publish(cast(Bot, bot))
    everyone, _ = documented()
    assert bot.calls == [(None, "de", everyone), (None, None, everyone), (None, "en", everyone)]


@pytest.mark.parametrize("role", [Role.ADMIN, Role.MEMBER])
async def test_admins_and_members_keep_the_default_list(role: Role) -> None:
    bot = RecordingBot()
    await COMMANDS.publish_for(cast(Bot, bot), AGENT_CHAT, role)
    assert bot.calls == []


async def test_an_agents_chat_gets_its_own_list_with_customer() -> None:  # R23
    bot = RecordingBot()
    await COMMANDS.publish_for(cast(Bot, bot), AGENT_CHAT, Role.AGENT)
    everyone, agents = documented()
    assert agents == ["customer"]
    scope = BotCommandScopeChat(AGENT_CHAT)
    assert bot.calls == [
        (scope, "de", everyone + agents),
        (scope, None, everyone + agents),
        (scope, "en", everyone + agents),
    ]


def test_the_application_handles_every_registered_command_and_sets_the_lists_in_post_init() -> None:
    settings = Settings.model_validate(
        {"telegram_bot_token": "1:test", "database_url": "sqlite+aiosqlite:///:memory:"}
    )
    application = build_application(settings, Context(FakeStore()), updater=False)
    handled: dict[str, Any] = {}
    for group in application.handlers.values():
        for found in group:
            if isinstance(found, CommandHandler):
                handled.update(dict.fromkeys(found.commands, found.callback))
    assert handled == {c.name: c.handler for c in COMMANDS.commands}
    assert application.post_init is post_init  # COMMANDS.publish, after `initialize`


def test_a_command_registered_twice_is_refused() -> None:
    twice = Command("menu", COMMANDS.commands[0].handler, "commands.menu")
    with pytest.raises(ValueError, match="registered twice"):
        CommandMenu((twice, twice))
