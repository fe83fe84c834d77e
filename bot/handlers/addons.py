"""Book an add-on for a provisioned subscription (R14-R17); ask for a missing one (R16)."""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton

from bot import callbacks as cb
from bot.drafts import current_draft, new_draft, parse_quantity, pressed_draft, save_draft
from bot.handlers.my_orders import show_subscription
from bot.turn import Turn, handler
from domain import errors
from domain.access import Action, authorize
from domain.commands import BookAddon
from domain.conversation import Draft
from domain.services import addons, catalog, orders
from domain.texts.refusals import describe

STEP_ADDON = "addon_quantity"


@handler
async def list_addons(turn: Turn) -> None:
    """The product's add-ons with this customer's prices, once it is provisioned (R14, R15)."""
    authorize(turn.require_actor(), Action.ADDON, turn.customer_id)
    view = await orders.order_status(turn.rt.core, turn.require_actor(), turn.press.number(0) or 0)
    back = turn.nav(cb.data(cb.SUBSCRIPTION, view.id))
    if not view.addons_bookable:
        raise errors.AddonRequiresProvisioned(view.status.value, view.product_name)
    offer = await catalog.product_details(
        turn.rt.core, turn.require_actor(), turn.customer_id, view.product_sku
    )
    running = {a.sku: a.quantity for a in view.running_addons()}
    lines = [turn.tr("addons.title", name=html.escape(view.product_name), quantity=view.quantity)]
    keyboard: list[list[InlineKeyboardButton]] = []
    for addon in offer.addons:
        line = turn.tr(
            "addons.line", name=html.escape(addon.name), price=turn.tr.money(addon.unit_price)
        )
        if addon.sku in running:
            line += turn.tr("addons.booked", quantity=running[addon.sku])
        else:
            keyboard.append(
                [
                    InlineKeyboardButton(
                        addon.name, callback_data=cb.data(cb.ADDON_NEW, view.id, addon.sku)
                    )
                ]
            )
        lines.append(line)
    if not offer.addons:
        lines = [turn.tr("addons.none", name=html.escape(view.product_name))]
    keyboard.append([turn.button("addons.missing", cb.data(cb.ADDON_REQUEST, view.id))])
    keyboard.append(back)
    turn.set_step("idle")
    await turn.show("\n".join(lines), keyboard)


@handler
async def start_addon(turn: Turn) -> None:
    await begin_addon(turn, turn.press.number(0) or 0, turn.press.text(1) or "", None)


async def begin_addon(turn: Turn, subscription_id: int, sku: str, quantity: int | None) -> None:
    """An add-on draft (None: the base quantity, R17), straight to its summary."""
    authorize(turn.require_actor(), Action.ADDON, turn.customer_id)
    draft = await new_draft(
        turn,
        "addon",
        {"subscription": subscription_id, "sku": sku, "quantity": None, "terms": False},
        STEP_ADDON,
    )
    await set_quantity(turn, draft, quantity)


async def quantity_typed(turn: Turn, text: str) -> None:
    draft = await current_draft(turn, "addon")
    quantity = parse_quantity(text)
    if quantity is None:
        await show_summary(turn, draft, hint=turn.tr("order.not_a_number"))
        return
    await set_quantity(turn, draft, quantity)


async def set_quantity(turn: Turn, draft: Draft, quantity: int | None) -> None:
    """Check the quantity as a real booking would (None: the base quantity, R17)."""
    if draft.state != "open":
        await _closed(turn, draft)
        return
    previous, draft.data["quantity"] = draft.data["quantity"], quantity
    try:
        await show_summary(turn, draft)
    except (errors.InvalidQuantity, errors.AddonExceedsBase) as refusal:
        draft.data["quantity"] = previous
        await show_summary(turn, draft, hint=describe(refusal, turn.tr))
        return
    await save_draft(turn, draft)


async def show_summary(turn: Turn, draft: Draft, hint: str = "") -> None:
    preview = await addons.book_addon(
        turn.rt.core,
        turn.require_actor(),
        BookAddon(
            int(draft.data["subscription"]),
            str(draft.data["sku"]),
            False,
            draft.data.get("quantity"),
        ),
        dry_run=True,
    )
    view, pending = preview.subscription, preview.addon
    box = "☑" if draft.data["terms"] else "☐"
    tr = turn.tr
    text = tr(
        "addons.summary",
        name=html.escape(pending.name),
        product=html.escape(view.product_name),
        quantity=pending.quantity,
        price=tr.money(pending.unit_price),
        total=tr.money(pending.monthly_total),
        start=tr.date(pending.start_date),
        terms_box=box,
    )
    text += "\n\n" + tr("addon_hint")
    turn.set_step(STEP_ADDON, draft.id)
    await turn.show(
        text,
        [
            [turn.button("addons.terms_button", cb.data(cb.ADDON_TERMS, draft.id), box=box)],
            [turn.button("addons.confirm", cb.data(cb.ADDON_CONFIRM, draft.id))],
            turn.nav(cb.data(cb.ADDONS, view.id)),
        ],
        note=hint,
    )


@handler
async def toggle_terms(turn: Turn) -> None:
    draft = await pressed_draft(turn, "addon")
    if draft.state != "open":
        await _closed(turn, draft)
        return
    draft.data["terms"] = not draft.data["terms"]
    await save_draft(turn, draft)
    await show_summary(turn, draft)


@handler
async def confirm(turn: Turn) -> None:
    """Button "Book add-on": needs the terms (R17); a finished draft is not booked twice."""
    draft = await pressed_draft(turn, "addon")
    if draft.state != "open":
        await _closed(turn, draft)
        return
    try:
        booked = await addons.book_addon(
            turn.rt.core,
            turn.require_actor(),
            BookAddon(
                int(draft.data["subscription"]),
                str(draft.data["sku"]),
                bool(draft.data["terms"]),
                draft.data.get("quantity"),
            ),
        )
    except errors.ConsentMissing as missing:  # the domain decides (R17)
        await turn.alert_missing(missing)
        return
    view, addon = booked.subscription, booked.addon
    draft.state, draft.result_id = "done", view.id
    await save_draft(turn, draft)
    note = turn.tr(
        "addons.done",
        name=html.escape(addon.name),
        quantity=addon.quantity,
        total=turn.tr.money(addon.monthly_total),
    )
    await show_subscription(turn, view, note=note)


async def _closed(turn: Turn, draft: Draft) -> None:
    view = await orders.order_status(
        turn.rt.core, turn.require_actor(), int(draft.data["subscription"])
    )
    await show_subscription(turn, view)


@handler
async def request_missing(turn: Turn) -> None:
    """Button "My add-on is not listed": a request to the service desk with customer and product."""
    view = await orders.order_status(turn.rt.core, turn.require_actor(), turn.press.number(0) or 0)
    settings = turn.rt.settings
    back = [turn.nav(cb.data(cb.SUBSCRIPTION, view.id))]
    if settings.service_desk_chat_id is None:
        await turn.show(
            turn.tr(
                "addons.request_contact",
                name=html.escape(view.product_name),
                contact=html.escape(settings.service_desk_contact),
            ),
            back,
        )
        return
    async with turn.rt.core.uow(write=False) as uow:
        customer = await uow.customers.get(turn.customer_id)
    ticket = turn.tr(
        "addons.request_ticket",
        user=html.escape(turn.user.full_name),
        customer=html.escape(customer.name),
        product=html.escape(view.product_name),
        number=view.id,
    )
    await turn.context.bot.send_message(settings.service_desk_chat_id, ticket, parse_mode="HTML")
    await turn.show(turn.tr("addons.requested", name=html.escape(view.product_name)), back)
