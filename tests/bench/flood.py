"""Benchmark 9 (issue 19): another customer's `/status` while one user floods.

The flooder sends `flood` copies of the crafted message (`"1 " * 500`, the most a message is
read for) at once; meanwhile another customer sends `/status` `probes` times, each when the
previous one was answered. The baseline is the same customer's `/status` in a quiet bot, in the
same run. Target: the flood's p99 at most 2× the quiet p99.
"""

from __future__ import annotations

import time
from pathlib import Path

from bot.emulator import BotApiEmulator, EmulatedUser
from tests.bench import world
from tests.bench.online import Answers, running

FLOOD = "1 " * 500


async def _probe(user: EmulatedUser, answers: Answers, probes: int) -> None:
    for _ in range(probes):
        start = time.monotonic()
        try:
            await user.send("/status")
            await user.wait_reply(120)
            answers.times.append(time.monotonic() - start)
        except TimeoutError:
            answers.errors += 1
        answers.updates += 1


async def status_times(
    engine: str, folder: Path, flood: int, probes: int
) -> tuple[Answers, Answers]:
    """The other customer's `/status` answers: quiet, then while one user floods."""
    async with (
        BotApiEmulator(token=world.TOKEN) as emu,
        running("bot", emu, engine, folder, 2) as (codes, _),
    ):
        flooder, other = emu.user(800_001), emu.user(800_002)
        for user, code in ((flooder, codes[0]), (other, codes[1])):
            await user.send(f"/start {code}")
            await user.wait_reply(60)
        await _probe(other, Answers(), 3)  # warm up
        quiet = Answers()
        await _probe(other, quiet, probes)
        flooded = Answers()
        for _ in range(flood):
            await flooder.send(FLOOD)
        await _probe(other, flooded, probes)
        return quiet, flooded
