"""Re-delivered and double-tapped confirmations: one order each (R9)."""

from __future__ import annotations

from sqlalchemy import func, select

from domain.storage import tables
from tests.e2e.harness import Bot, order_summary, screen
from tests.reliability.conftest import held, size
from tests.storage import read


async def orders_of(bot: Bot, customer: str) -> int:
    async with read(bot.core.db) as uow:
        query = select(func.count()).select_from(tables.subscriptions)
        query = query.where(tables.subscriptions.c.customer_id == customer)
        return int(await uow.session.scalar(query) or 0)


async def test_double_taps_and_redeliveries_of_a_confirmation_order_once(bot: Bot) -> None:
    from domain.commands import AddCustomer
    from domain.services import accounts
    from domain.services.accounts import OPERATOR

    customers, taps = size(2, 50), 10
    tried = ok = 0
    for i in range(customers):
        customer = f"tap{i}"
        await accounts.add_customer(bot.core, OPERATOR, AddCustomer(customer, f"Tap {i} AG"))
        user = await bot.linked_user(5000 + i, customer=customer)
        summary = await order_summary(bot, user, "Microsoft 365 Business Standard", "2")
        button = summary.button("Bestellen")["callback_data"]
        updates = [await user.press_data(summary.message_id, button) for _ in range(taps)]
        for update in updates:  # Telegram delivering each again
            bot.emu.redeliver(update["update_id"])
        await bot.settle()
        tried += 2 * taps
        if await orders_of(bot, customer) == 1:
            ok += 2 * taps
        assert "Bestellung Nr." in screen(user).plain_text or "bereits" in screen(user).plain_text
    held("re-delivered and double-tapped confirmations", tried, ok)
    assert ok == tried
