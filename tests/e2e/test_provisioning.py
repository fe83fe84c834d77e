"""Simulated provisioning tells the user in the chat (R10): the life cycle without a partner."""

from __future__ import annotations

from datetime import timedelta

from bot.notifier import deliver_once
from domain.clock import FixedClock
from domain.provisioning import SimulatedProvisioner
from domain.services.provisioning import provision_due
from tests.e2e.harness import Bot, order


async def test_an_order_is_provisioned_by_the_simulation_and_the_user_is_told(
    bot: Bot, clock: FixedClock
) -> None:
    user = await bot.linked_user(8301)
    await order(bot, user, "Microsoft 365 E3", "7")
    simulated = SimulatedProvisioner(timedelta(seconds=20))
    assert await provision_due(bot.core, simulated) == []
    clock.set(clock.now() + timedelta(seconds=20))
    assert await provision_due(bot.core, simulated) == [1]
    assert bot.application is not None
    assert await deliver_once(bot.application, bot.core, "de") == 1
    await bot.settle()
    told = user.last_message().plain_text
    assert "Microsoft 365 E3 ist bereitgestellt: 7 Lizenzen (Bestellung Nr. 1)" in told
