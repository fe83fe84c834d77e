"""Book an add-on for a provisioned subscription (R14-R17); ask for a missing one (R16)."""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton

from bot import callbacks as cb
from bot.drafts import AddonForm, Drafted, DraftState, Step
from bot.handlers import request_cards, support
from bot.handlers.my_orders import show_subscription
from bot.turn import Turn, handler
from domain import errors
from domain.commands import BookAddon
from domain.licence_requests import RequestKind
from domain.model import ConsentKind
from domain.nlu.numbers import typed_quantity
from domain.services import addons, orders, submissions
from domain.services.licence_requests import RequestFigures
from domain.services.submissions import Requested
from domain.texts import licence_requests as request_texts
from domain.texts import orders as order_texts
from domain.texts import results
from domain.texts.refusals import describe


@handler
async def list_addons(turn: Turn) -> None:
    """The product's add-ons with this customer's prices, once it is provisioned (R14, R15)."""
    sub_id = turn.pressed(cb.Subscription).subscription_id
    choices = await addons.addon_choices(turn.core, turn.require_actor(), sub_id)
    view, running = choices.subscription, choices.booked
    back = turn.nav(cb.Subscription(view.id).data(cb.SUBSCRIPTION))
    lines = [turn.tr("addons.title", name=html.escape(view.product_name), quantity=view.quantity)]
    keyboard: list[list[InlineKeyboardButton]] = []
    for addon in choices.offers:
        line = turn.tr(
            "addons.line", name=html.escape(addon.name), price=turn.tr.money(addon.unit_price)
        )
        if addon.sku in running:
            line += turn.tr("addons.booked", quantity=running[addon.sku])
        else:
            keyboard.append(
                [
                    InlineKeyboardButton(
                        addon.name,
                        callback_data=cb.AddonChoice(view.id, addon.sku).data(cb.ADDON_NEW),
                    )
                ]
            )
        lines.append(line)
    if not choices.offers:
        lines = [turn.tr("addons.none", name=html.escape(view.product_name))]
    keyboard.append(
        [turn.button("addons.missing", cb.Subscription(view.id).data(cb.ADDON_REQUEST))]
    )
    keyboard.append(back)
    turn.set_step(Step.IDLE)
    turn.show("\n".join(lines), keyboard)


@handler
async def start_addon(turn: Turn) -> None:
    pressed = turn.pressed(cb.AddonChoice)
    await begin_addon(turn, pressed.subscription_id, pressed.addon_sku, None)


async def begin_addon(turn: Turn, subscription_id: int, sku: str, quantity: int | None) -> None:
    """An add-on draft (None: the base quantity, R17), straight to its summary."""
    # Refused before the form; a member goes on and sends a request instead (R23).
    submissions.asks(turn.require_actor(), RequestKind.ADDON, turn.customer_id)
    draft = await turn.new_draft(AddonForm(subscription_id, sku), Step.ADDON_QUANTITY)
    await set_quantity(turn, draft, quantity)


async def quantity_typed(turn: Turn, text: str) -> None:
    draft = await turn.current_draft(AddonForm)
    quantity = typed_quantity(text, turn.tr.language)
    if quantity is None:
        await show_summary(turn, draft, hint=turn.tr("order.not_a_number"))
        return
    await set_quantity(turn, draft, quantity)


async def set_quantity(turn: Turn, draft: Drafted[AddonForm], quantity: int | None) -> None:
    """Check the quantity as a real booking would (None: the base quantity, R17)."""
    if draft.state is not DraftState.OPEN:
        await _closed(turn, draft)
        return
    previous, draft.form.quantity = draft.form.quantity, quantity
    try:
        await show_summary(turn, draft)
    except (errors.InvalidQuantity, errors.AddonExceedsBase) as refusal:
        draft.form.quantity = previous
        turn.refused(refusal)
        await show_summary(turn, draft, hint=describe(refusal, turn.tr))
        return
    await turn.save_draft(draft)


async def show_summary(turn: Turn, draft: Drafted[AddonForm], hint: str = "") -> None:
    """The booking's summary with the terms; a member's sends a request instead (the core
    says which, R23)."""
    preview = await submissions.preview_addon(
        turn.core,
        turn.require_actor(),
        BookAddon(draft.form.subscription, draft.form.sku, False, draft.form.quantity),
    )
    if isinstance(preview, RequestFigures):
        await show_request_summary(turn, draft, preview, hint)
        return
    view, pending, terms = preview.subscription, preview.addon, draft.form.terms
    summary = order_texts.addon_summary(
        turn.tr, pending.name, view.product_name, pending, {ConsentKind.TERMS: terms}
    )
    box = order_texts.box(terms)
    turn.set_step(Step.ADDON_QUANTITY, draft.id)
    turn.show(
        order_texts.quantity_hint(turn.tr, summary),
        [
            [turn.button("addons.terms_button", cb.data(cb.ADDON_TERMS, draft.ref), box=box)],
            [turn.button("addons.confirm", cb.data(cb.ADDON_CONFIRM, draft.ref))],
            turn.nav(cb.Subscription(view.id).data(cb.ADDONS)),
        ],
        note=hint,
    )


async def show_request_summary(
    turn: Turn, draft: Drafted[AddonForm], figures: RequestFigures, hint: str
) -> None:
    """A member's summary: the same figures, "Send request" instead of the terms (R23)."""
    text = order_texts.quantity_hint(turn.tr, request_texts.to_send(turn.tr, figures))
    turn.set_step(Step.ADDON_QUANTITY, draft.id)
    keyboard = request_cards.send_keyboard(
        turn,
        cb.data(cb.ADDON_SEND, draft.ref),
        cb.Subscription(draft.form.subscription).data(cb.ADDONS),
    )
    turn.show(text, keyboard, note=hint)


@handler
async def send_request(turn: Turn) -> None:
    """Button "Send request": the admins get the add-on as a request to approve (R23)."""
    draft = await turn.pressed_draft(AddonForm)
    if await request_cards.already_sent(turn, draft):
        return
    if draft.state is not DraftState.OPEN:
        await _closed(turn, draft)
        return
    await _submit(turn, draft)


@handler
async def toggle_terms(turn: Turn) -> None:
    draft = await turn.pressed_draft(AddonForm)
    if draft.state is not DraftState.OPEN:
        await _closed(turn, draft)
        return
    draft.form.terms = not draft.form.terms
    await turn.save_draft(draft)
    await show_summary(turn, draft)


@handler
async def confirm(turn: Turn) -> None:
    """Button "Book add-on": needs the terms (R17); a finished draft is not booked twice."""
    draft = await turn.pressed_draft(AddonForm)
    if draft.state is not DraftState.OPEN:
        await _closed(turn, draft)
        return
    await _submit(turn, draft)


async def _submit(turn: Turn, draft: Drafted[AddonForm]) -> None:
    """ "Book add-on" or "Send request": the core books it or asks the admins (R23)."""
    try:
        booked = await submissions.submit_addon(
            turn.core,
            turn.require_actor(),
            BookAddon(
                draft.form.subscription, draft.form.sku, draft.form.terms, draft.form.quantity
            ),
            turn.user.full_name,
        )
    except errors.ConsentMissing as missing:  # the domain decides (R17)
        turn.alert_missing(missing)
        return
    if isinstance(booked, Requested):  # a member's: the admins decide (R23)
        await request_cards.sent(turn, draft, booked.request)
        return
    view = booked.subscription
    draft.finish(view.id)
    await turn.save_draft(draft)
    await show_subscription(turn, view, note=results.addon_booked(turn.tr, booked.addon))


async def _closed(turn: Turn, draft: Drafted[AddonForm]) -> None:
    view = await orders.order_status(turn.core, turn.require_actor(), draft.form.subscription)
    await show_subscription(turn, view)


@handler
async def request_missing(turn: Turn) -> None:
    """Button "My add-on is not listed" (R16): a ticket with the customer and the product."""
    await support.addon_wish(turn, turn.pressed(cb.Subscription).subscription_id)
