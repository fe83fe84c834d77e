"""The service desk group in tests (R26): a bot with a desk group in both modes (a forum with
a topic per ticket, a plain group agents reply in), agents, and tickets opened by customers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from bot.emulator import EmulatedGroup, EmulatedUser, SentMessage
from domain.clock import FixedClock
from domain.model import Role
from tests.e2e.harness import Bot, running_bot, say

DESK = -1001234567890
MODES = ["forum", "plain group"]


@asynccontextmanager
async def desk_bot(
    mode: str, tmp_path: Path, clock: FixedClock
) -> AsyncIterator[tuple[Bot, EmulatedGroup]]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'desk.db'}"
    async with running_bot(url, clock, service_desk_chat_id=DESK) as bot:
        yield bot, bot.emu.group(DESK, "Service Desk", forum=mode == "forum")


async def agent_of(bot: Bot, user_id: int = 900, name: str = "Bernd") -> EmulatedUser:
    agent = bot.emu.user(user_id, first_name=name)
    await say(bot, agent, f"/start {await bot.invite(Role.AGENT, None)}")
    return agent


async def open_ticket(bot: Bot, customer: EmulatedUser, text: str) -> None:
    await say(bot, customer, "/support")
    await say(bot, customer, text)
    await bot.settle()


async def reply_at_desk(
    bot: Bot, group: EmulatedGroup, agent: EmulatedUser, to: SentMessage, text: str
) -> dict[str, object]:
    """An agent replies to one of the bot's messages in the group (in its topic, if any)."""
    thread = to.message_thread_id if group.is_forum else None
    sent = await group.send(agent, text, reply_to=to, thread=thread)
    await bot.settle()
    return sent
