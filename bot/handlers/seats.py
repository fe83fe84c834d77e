"""Seats and costs (issue 21): /costs with its CSV, the month-end hint's buttons (summary,
confirmation), withdrawing a scheduled reduction, and /settings (spare seats, hints)."""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile

from bot import callbacks as cb
from bot.drafts import Step
from bot.handlers.my_orders import show_subscription
from bot.miniapp.buttons import overview_row
from bot.turn import Turn, handler
from domain import errors
from domain.access import Action, may
from domain.ports import Notification
from domain.seats import MAX_SPARE, SeatLine
from domain.services import orders, seats
from domain.texts import seats as texts
from domain.texts.i18n import Translator


# --- /costs --------------------------------------------------------------------------------------
@handler
async def costs(turn: Turn) -> None:
    """`/costs` and the menu's "Kosten": this month, next month, the months before."""
    await show_costs(turn)


async def show_costs(turn: Turn) -> None:
    actor = turn.require_actor()
    overview = await seats.cost_overview(turn.core, actor, turn.customer_id)
    usage = await seats.seat_overview(turn.core, actor, turn.customer_id)
    turn.set_step(Step.IDLE)
    keyboard = [[turn.button("costs.csv_button", cb.COSTS_CSV), *overview_row(turn)]]
    keyboard += reduce_buttons(turn, usage.savings()) if may(actor, Action.CHANGE, None) else []
    keyboard.append(turn.nav())
    text = texts.costs(turn.tr, overview, usage)
    if usage.lines:  # seats in use per product: "wie viele Lizenzen sind ungenutzt?"
        text += "\n\n" + texts.overview(turn.tr, usage)
    turn.show(text, keyboard)


@handler
async def costs_csv(turn: Turn) -> None:
    """The months as a CSV document, in the user's language."""
    overview = await seats.cost_overview(turn.core, turn.require_actor(), turn.customer_id)
    document = texts.csv_document(turn.tr, overview)
    name = f"costs-{overview.customer_id}-{overview.this_month.key}.csv"
    caption = turn.tr("costs.csv_caption")
    chat_id, bot = turn.chat_id, turn.context.bot
    turn.answer()

    async def send() -> None:
        await bot.send_document(chat_id, InputFile(document, filename=name), caption=caption)

    turn.later(send)


def reduce_buttons(turn: Turn, lines: list[SeatLine]) -> list[list[InlineKeyboardButton]]:
    return [
        [
            InlineKeyboardButton(
                texts.reduce_button(turn.tr, line.target),
                callback_data=cb.Reduction(line.subscription_id, line.target).data(cb.REDUCE_ASK),
            )
        ]
        for line in lines
    ]


# --- the hint's buttons --------------------------------------------------------------------------
def hint_markup(tr: Translator, notification: Notification) -> InlineKeyboardMarkup | None:
    """The hint's buttons: one "Zum Monatsende auf N reduzieren" per product, "Nicht jetzt"."""
    if notification.kind != seats.HINT:
        return None
    rows = [
        [
            InlineKeyboardButton(
                texts.reduce_button(tr, int(line["target"])),
                callback_data=cb.data(
                    cb.REDUCE_ASK, int(line["subscription_id"]), int(line["target"])
                ),
            )
        ]
        for line in notification.payload.get("lines") or []
    ]
    rows.append([InlineKeyboardButton(tr("seats.not_now"), callback_data=cb.REDUCE_LATER)])
    return InlineKeyboardMarkup(rows)


@handler
async def reduce_ask(turn: Turn) -> None:
    """The summary of a reduction at the month end, to confirm (nothing is saved yet)."""
    pressed = turn.pressed(cb.Reduction)
    sub_id, quantity = pressed.subscription_id, pressed.quantity
    summary = await seats.schedule_reduction(
        turn.core, turn.require_actor(), sub_id, quantity, dry_run=True
    )
    view = summary.subscription
    text = turn.tr(
        "seats.confirm",
        name=html.escape(view.product_name),
        number=view.id,
        old=summary.old_quantity,
        new=summary.new_quantity,
        date=turn.tr.date(view.scheduled_for),
        saving=turn.tr.money(summary.monthly_saving),
    )
    turn.set_step(Step.IDLE)
    turn.show(
        text,
        [
            [
                turn.button(
                    "seats.confirm_button",
                    cb.Reduction(view.id, quantity, view.version).data(cb.REDUCE_CONFIRM),
                )
            ],
            [turn.button("seats.not_now", cb.REDUCE_LATER)],
        ],
    )


@handler
async def reduce_confirm(turn: Turn) -> None:
    """Schedule it (R13: on the version the summary showed); my orders show it from now."""
    pressed = turn.pressed(cb.Reduction)
    sub_id, quantity, version = pressed.subscription_id, pressed.quantity, pressed.version
    try:
        done = await seats.schedule_reduction(
            turn.core, turn.require_actor(), sub_id, quantity, version
        )
    except errors.VersionConflict:
        view = await orders.order_status(turn.core, turn.require_actor(), sub_id)
        if view.scheduled_quantity == quantity:  # the same press arrived twice
            await show_subscription(turn, view)
            return
        raise
    note = turn.tr(
        "seats.scheduled_done",
        name=html.escape(done.subscription.product_name),
        new=done.new_quantity,
        date=turn.tr.date(done.subscription.scheduled_for),
        saving=turn.tr.money(done.monthly_saving),
    )
    turn.answer()
    await show_subscription(turn, done.subscription, note=note)


@handler
async def reduce_later(turn: Turn) -> None:
    """ "Nicht jetzt": nothing changes; the hint comes again next month at the earliest."""
    turn.answer(turn.tr("seats.later"))
    from bot.handlers.menu import show_menu

    await show_menu(turn)


@handler
async def reduce_withdraw(turn: Turn) -> None:
    """Take a scheduled reduction back (from the subscription card)."""
    pressed = turn.pressed(cb.Versioned)
    sub_id, version = pressed.subscription_id, pressed.version
    view = await seats.withdraw_reduction(turn.core, turn.require_actor(), sub_id, version)
    turn.answer()
    await show_subscription(turn, view, note=turn.tr("seats.withdrawn"))


# --- /settings -----------------------------------------------------------------------------------
@handler
async def settings(turn: Turn) -> None:
    """`/settings` (admins): month-end hints on or off, spare seats per booked product."""
    await show_settings(turn)


async def show_settings(turn: Turn, note: str = "") -> None:
    actor = turn.require_actor()
    found = await seats.seat_settings(turn.core, actor)
    lines = [
        turn.tr("settings.title"),
        turn.tr("settings.hints_on") if found.hints else turn.tr("settings.hints_off"),
    ]
    keyboard = [
        [
            turn.button("settings.hints_turn_off", cb.Hints(on=False).data(cb.SETTINGS_HINTS))
            if found.hints
            else turn.button("settings.hints_turn_on", cb.Hints(on=True).data(cb.SETTINGS_HINTS))
        ]
    ]
    if found.spare:
        lines.append(turn.tr("settings.spare_title"))
    for sku, spare in found.spare.items():
        name = found.names[sku]
        lines.append(turn.tr("settings.spare_line", name=html.escape(name), spare=spare))
        less, more = max(spare - 1, 0), min(spare + 1, MAX_SPARE)
        keyboard.append(
            [
                InlineKeyboardButton(
                    f"{name[:24]} −1", callback_data=cb.Spare(sku, less).data(cb.SETTINGS_SPARE)
                ),
                InlineKeyboardButton(
                    "+1", callback_data=cb.Spare(sku, more).data(cb.SETTINGS_SPARE)
                ),
            ]
        )
    keyboard.append(turn.nav())
    turn.set_step(Step.IDLE)
    turn.show("\n".join(lines), keyboard, note=note)


@handler
async def settings_hints(turn: Turn) -> None:
    wanted = turn.pressed(cb.Hints).on
    await seats.set_hints(turn.core, turn.require_actor(), wanted)
    turn.answer()
    await show_settings(turn)


@handler
async def settings_spare(turn: Turn) -> None:
    pressed = turn.pressed(cb.Spare)
    sku, wanted = pressed.sku, pressed.spare
    actor = turn.require_actor()
    before = (await seats.seat_settings(turn.core, actor)).spare.get(sku)
    await seats.set_spare(turn.core, actor, turn.customer_id, sku, wanted)
    # −1 at none, +1 at the most: the screen stays as it is, so the press is answered in words
    turn.answer(turn.tr("settings.unchanged") if before == wanted else None)
    await show_settings(turn)
