"""The month-end job (R21): cancelled subscriptions end after their end date, once, and the
customer's people are told."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.notifier import _end_expired, deliver_once
from domain.clock import FixedClock
from domain.commands import CancelSubscription
from domain.model import Channel, Status
from domain.services import accounts, orders, subscriptions
from domain.services.accounts import OPERATOR
from tests.e2e.harness import Bot, order


async def test_a_cancelled_subscription_ends_with_the_month_and_the_user_is_told(
    bot: Bot, clock: FixedClock
) -> None:  # R19, R21
    user = await bot.linked_user(8501)
    await order(bot, user, "Microsoft 365 E3", "4")
    await bot.provision(1)
    admin = await accounts.resolve_actor(bot.core, Channel.TELEGRAM, "8501")
    await subscriptions.cancel_subscription(bot.core, admin, CancelSubscription(1))
    assert bot.application is not None
    await _end_expired(bot.core)  # still running until the end of the month
    assert (await orders.order_status(bot.core, OPERATOR, 1)).status is Status.CANCELLED

    clock.set(datetime(2026, 12, 1, 8, 0, tzinfo=UTC))  # 1 Dec in Berlin
    await _end_expired(bot.core)
    await _end_expired(bot.core)  # a second worker, or the next day: nothing more
    assert (await orders.order_status(bot.core, OPERATOR, 1)).status is Status.ENDED
    await deliver_once(bot.application, bot.core, "de")
    await bot.settle()
    said = [m.plain_text for m in user.messages() if "beendet" in m.plain_text]
    assert said == [
        "Die Kündigung ist wirksam: Microsoft 365 E3 (Bestellung Nr. 1) ist zum 30.11.2026 beendet."
    ]
