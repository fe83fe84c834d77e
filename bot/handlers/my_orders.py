"""My orders (R10), one subscription with its actions, and /status at a glance."""

from __future__ import annotations

import math

from telegram import InlineKeyboardButton

from bot import callbacks as cb
from bot.drafts import Step
from bot.miniapp.buttons import overview_row
from bot.turn import Turn, handler
from domain.access import Action, may
from domain.licence_requests import RequestStatus
from domain.model import Role
from domain.services import licence_requests, orders, seats
from domain.texts import licence_requests as request_texts
from domain.texts import orders as screens
from domain.texts import seats as seat_texts
from domain.views import AddonView, SubscriptionView

PAGE_SIZE = 5


@handler
async def my_orders(turn: Turn) -> None:
    """`/orders` and the button: every subscription, paged, with the monthly total."""
    await show_orders(turn, turn.pressed(cb.Page).page if turn.press.prefix == cb.ORDERS else 0)


async def show_orders(turn: Turn, page: int) -> None:
    overview = await orders.list_orders(turn.core, turn.require_actor(), turn.customer_id)
    turn.set_step(Step.IDLE)
    if not overview.subscriptions:
        turn.show(
            screens.orders(turn.tr, overview, ()),
            [[turn.button("menu.products", cb.Page(0).data(cb.PRODUCTS))], turn.nav()],
        )
        return
    subs = screens.listed(overview)
    pages = math.ceil(len(subs) / PAGE_SIZE)
    page = min(page, pages - 1)
    shown = subs[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    keyboard = [
        [
            turn.button(
                "orders.button",
                cb.Subscription(s.id).data(cb.SUBSCRIPTION),
                number=s.id,
                name=s.product_name,
            )
        ]
        for s in shown
    ]
    paging = turn.pager(cb.ORDERS, page, pages)
    if paging:
        keyboard.append(paging)
    keyboard.append(turn.nav())
    turn.show(screens.orders(turn.tr, overview, shown, page, pages), keyboard)


@handler
async def subscription(turn: Turn) -> None:
    """One subscription with the actions its status allows."""
    sub_id = turn.pressed(cb.Subscription).subscription_id
    view = await orders.order_status(turn.core, turn.require_actor(), sub_id)
    await show_subscription(turn, view)


async def show_subscription(turn: Turn, view: SubscriptionView, note: str = "") -> None:
    turn.set_step(Step.IDLE)
    actor = turn.require_actor()
    admin = may(actor, Action.CHANGE, None)
    withdrawable = view.withdrawable and may(actor, Action.CANCEL, view.customer_id)
    keyboard: list[list[InlineKeyboardButton]] = []
    if view.changeable:
        keyboard.append(
            [
                turn.button("subscription.change", cb.Subscription(view.id).data(cb.CHANGE_NEW)),
                turn.button("subscription.addon", cb.Subscription(view.id).data(cb.ADDONS)),
            ]
        )
        keyboard.append(
            [turn.button("subscription.cancel", cb.Subscription(view.id).data(cb.CANCEL_ASK))]
        )
        # each booked add-on: changed or cancelled on its own (R17)
        keyboard += [[addon_entry_button(turn, view, a)] for a in view.running_addons()]
    elif withdrawable:
        keyboard.append(
            [
                turn.button(
                    "subscription.withdraw", cb.Versioned(view.id, view.version).data(cb.WITHDRAW)
                )
            ]
        )
    if view.scheduled_quantity is not None and admin:
        keyboard.append(
            [
                turn.button(
                    "seats.withdraw_button",
                    cb.Versioned(view.id, view.version).data(cb.REDUCE_WITHDRAW),
                    quantity=view.scheduled_quantity,
                )
            ]
        )
    usage = await seats.seat_overview(turn.core, actor, view.customer_id)
    line = usage.line(view.id)
    if line is not None and line.reducible > 0 and not line.scheduled and admin:
        # unused seats beyond the buffer: the hint's button, any day (issue 21)
        keyboard.append(
            [
                InlineKeyboardButton(
                    seat_texts.reduce_button(turn.tr, line.target),
                    callback_data=cb.Reduction(view.id, line.target).data(cb.REDUCE_ASK),
                )
            ]
        )
    keyboard.append(turn.nav(cb.Page(0).data(cb.ORDERS)))
    text = screens.entry(turn.tr, view, line)
    if view.withdrawable and not withdrawable:
        text += "\n\n" + turn.tr("subscription.withdraw_admins_only")  # no request kind for it
    turn.show(text, keyboard, note=note)


def addon_entry_button(
    turn: Turn, view: SubscriptionView, addon: AddonView
) -> InlineKeyboardButton:
    """ "<add-on> ändern": its entry, on the card and under a refusal that names it (R12)."""
    return turn.button(
        "addon_entry.button", cb.Booking(view.id, addon.id).data(cb.ADDON_ENTRY), name=addon.name
    )


@handler
async def status(turn: Turn) -> None:
    """`/status`: subscriptions, quantities, states and the monthly total in one message."""
    await show_status(turn)


async def show_status(turn: Turn) -> None:
    actor = turn.require_actor()
    overview = await orders.list_orders(turn.core, actor, turn.customer_id)
    usage = await seats.seat_overview(turn.core, actor, turn.customer_id)
    text = screens.status(turn.tr, overview, {x.subscription_id: x for x in usage.lines})
    waiting = await licence_requests.list_requests(turn.core, actor, status=RequestStatus.PENDING)
    if waiting:  # an admin's to decide, a member's own (R23)
        mine = actor.role is Role.MEMBER
        text += "\n\n" + request_texts.pending_note(turn.tr, len(waiting), mine)
    overview_button = overview_row(turn)  # the Mini App, when WEBAPP_URL is set
    if turn.query is None:
        turn.send(text, [overview_button] if overview_button else ())
    else:
        turn.show(text, [row for row in (overview_button, turn.nav()) if row])
