"""Tenant isolation (R22–R24): every callback an ACME admin saw, pressed by an admin of another
customer and by an ACME member: zero leaks, zero writes."""

from __future__ import annotations

from sqlalchemy import func, select

from domain.model import Role
from domain.storage import tables
from tests.e2e.harness import Bot, order, press, say, screen
from tests.reliability.conftest import held
from tests.storage import read


async def writes(bot: Bot) -> tuple[int, ...]:
    """Rows that only writes create or change."""
    async with read(bot.core.db) as uow:
        counts = []
        for table in (tables.subscriptions, tables.addon_bookings):
            counts.append(
                int(await uow.session.scalar(select(func.count()).select_from(table)) or 0)
            )
        versions = await uow.session.scalar(select(func.sum(tables.subscriptions.c.version)))
        counts.append(int(versions or 0))
        return tuple(counts)


async def test_callbacks_replayed_by_strangers_leak_nothing_and_write_nothing(bot: Bot) -> None:
    owner = await bot.linked_user(7001)
    await order(bot, owner, "Microsoft 365 Business Standard", "18")
    await bot.provision(1)
    await say(bot, owner, "/orders")
    for label in ("Nr. 1 · Microsoft 365 Business Standard", "Menge ändern"):
        await press(bot, owner, label)
    await say(bot, owner, "20")  # a change summary, not confirmed
    await say(bot, owner, "/orders")
    await press(bot, owner, "Nr. 1 · Microsoft 365 Business Standard")
    await press(bot, owner, "Kündigen")  # a cancel question, not confirmed
    seen = sorted(
        {
            button["callback_data"]
            for call in bot.emu.calls
            if call.params.get("chat_id") == owner.id
            and isinstance(call.params.get("reply_markup"), dict)
            for row in call.params["reply_markup"].get("inline_keyboard", [])
            for button in row
            if "callback_data" in button
        }
    )
    assert len(seen) >= 10
    before = await writes(bot)
    stranger = await bot.linked_user(7002, customer="globex", first_name="Gina")
    member = await bot.linked_user(7003, role=Role.MEMBER, first_name="Max")
    tried = ok = 0
    for intruder in (stranger, member):
        for data in seen:
            tried += 1
            mark = len(bot.emu.calls)
            await intruder.press_data(screen(intruder).message_id, data)
            await bot.settle()
            shown = " ".join(
                str(call.params.get("text"))
                for call in bot.emu.calls[mark:]
                if call.params.get("chat_id") == intruder.id or "callback_query_id" in call.params
            )
            leak = intruder is stranger and ("ACME" in shown or "Nr. 1" in shown)
            if not leak and await writes(bot) == before:
                ok += 1
    held("callbacks replayed by another customer and a member", tried, ok)
    assert ok == tried
