"""Products → details → quantity → summary with consents → order (R1-R9)."""

from __future__ import annotations

import html
import math

from telegram import InlineKeyboardButton

from bot import callbacks as cb
from bot.drafts import Drafted, DraftState, OrderForm, Step
from bot.handlers import request_cards
from bot.turn import Keyboard, Turn, handler
from domain import errors
from domain.commands import PlaceOrder
from domain.licence_requests import RequestKind
from domain.model import ConsentKind
from domain.nlu.numbers import typed_quantity
from domain.services import catalogue, submissions
from domain.services.licence_requests import RequestFigures
from domain.services.submissions import Requested
from domain.texts import catalogue as screens
from domain.texts import licence_requests as request_texts
from domain.texts import orders as order_texts
from domain.texts import results
from domain.texts.refusals import describe
from domain.views import ProductOffer

PAGE_SIZE = 8
QUICK_QUANTITIES = (1, 5, 10, 25)


@handler
async def products(turn: Turn) -> None:
    """`/products` and the Products button: the catalogue at this customer's prices."""
    page = turn.pressed(cb.Page).page if turn.press.prefix == cb.PRODUCTS else 0
    await show_products(turn, page)


async def show_products(turn: Turn, page: int) -> None:
    offers = await catalogue.browse_catalogue(turn.core, turn.require_actor(), turn.customer_id)
    if not offers:
        turn.show(turn.tr("products.empty"), [turn.nav()])
        return
    pages = math.ceil(len(offers) / PAGE_SIZE)
    page = min(page, pages - 1)
    shown = offers[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    text = screens.products(turn.tr, turn.customer_name or "", shown, page, pages)
    keyboard: list[list[InlineKeyboardButton]] = [
        [InlineKeyboardButton(o.name, callback_data=cb.Sku(o.sku).data(cb.PRODUCT))] for o in shown
    ]
    paging = turn.pager(cb.PRODUCTS, page, pages)
    if paging:
        keyboard.append(paging)
    keyboard.append(turn.nav())
    turn.set_step(Step.IDLE)
    turn.show(text, keyboard)


@handler
async def details(turn: Turn) -> None:
    """One product: description, this customer's price, add-ons; booked → change (R6)."""
    await details_for(turn, turn.pressed(cb.Sku).sku)


async def details_for(turn: Turn, sku: str) -> None:
    offer = await catalogue.product_details(turn.core, turn.require_actor(), turn.customer_id, sku)
    await show_details(turn, offer)


async def show_details(turn: Turn, offer: ProductOffer) -> None:
    if offer.booked_subscription_id is not None:  # booked: leads to the change (R6)
        action = turn.button(
            "details.change", cb.Subscription(offer.booked_subscription_id).data(cb.CHANGE_NEW)
        )
    else:
        action = turn.button("details.order", cb.Sku(offer.sku).data(cb.ORDER_NEW))
    turn.show(screens.details(turn.tr, offer), [[action], turn.nav(cb.Page(0).data(cb.PRODUCTS))])


@handler
async def start_order(turn: Turn) -> None:
    """Button "Order" on a product: a new draft, then ask for the quantity."""
    await begin_order(turn, turn.pressed(cb.Sku).sku, None)


async def begin_order(turn: Turn, sku: str, quantity: int | None) -> None:
    """A new order draft; with a quantity (typed in free text) straight to the summary."""
    # Refused before the form; a member goes on and sends a request instead (R23).
    submissions.asks(turn.require_actor(), RequestKind.ORDER, turn.customer_id)
    offer = await catalogue.product_details(turn.core, turn.require_actor(), turn.customer_id, sku)
    if offer.booked_subscription_id is not None:
        await show_details(turn, offer)  # R6: leads to "change quantity"
        return
    draft = await turn.new_draft(OrderForm(sku), Step.ORDER_QUANTITY)
    if quantity is None:
        await ask_quantity(turn, draft, offer)
    else:
        await set_quantity(turn, draft, quantity)


async def ask_quantity(
    turn: Turn, draft: Drafted[OrderForm], offer: ProductOffer, hint: str = ""
) -> None:
    turn.set_step(Step.ORDER_QUANTITY, draft.id)
    text = turn.tr(
        "order.ask_quantity",
        name=html.escape(offer.name),
        price=turn.tr.money(offer.unit_price),
        maximum=offer.max_quantity,
    )
    quick = [
        InlineKeyboardButton(str(n), callback_data=cb.Quantity(draft.ref, n).data(cb.ORDER_QTY))
        for n in QUICK_QUANTITIES
        if n <= offer.max_quantity
    ]
    turn.show(text, [quick, turn.nav(cb.Sku(offer.sku).data(cb.PRODUCT))], note=hint)


@handler
async def quantity_pressed(turn: Turn) -> None:
    draft = await turn.pressed_draft(OrderForm)
    await set_quantity(turn, draft, turn.pressed(cb.Quantity).quantity)


async def quantity_typed(turn: Turn, text: str) -> None:
    """Typed text while the order asks for a quantity."""
    draft = await turn.current_draft(OrderForm)
    quantity = typed_quantity(text, turn.tr.language)
    if quantity is None:
        offer = await _offer(turn, draft)
        await ask_quantity(turn, draft, offer, hint=turn.tr("order.not_a_number"))
        return
    await set_quantity(turn, draft, quantity)


async def set_quantity(turn: Turn, draft: Drafted[OrderForm], quantity: int | None) -> None:
    """Checked by the summary's own quote (one per press): refused, the question again."""
    if draft.state is not DraftState.OPEN:
        await _closed(turn, draft)
        return
    previous, draft.form.quantity = draft.form.quantity, quantity
    try:
        await show_summary(turn, draft)
    except (errors.InvalidQuantity, errors.SeatCapExceeded) as refusal:
        draft.form.quantity = previous
        turn.refused(refusal)
        await ask_quantity(turn, draft, await _offer(turn, draft), hint=describe(refusal, turn.tr))
        return
    await turn.save_draft(draft)
    turn.set_step(Step.ORDER_SUMMARY, draft.id)


async def _offer(turn: Turn, draft: Drafted[OrderForm]) -> ProductOffer:
    return await catalogue.product_details(
        turn.core, turn.require_actor(), turn.customer_id, draft.form.sku
    )


async def show_summary(turn: Turn, draft: Drafted[OrderForm]) -> None:
    """The card before the write (docs/ux.md): figures, start date, consent toggles; a
    member's sends a request instead (the core says which, R23)."""
    quote = await submissions.preview_order(
        turn.core,
        turn.require_actor(),
        turn.customer_id,
        draft.form.sku,
        draft.form.quantity or 0,
    )
    if isinstance(quote, RequestFigures):
        await show_request_summary(turn, draft, quote)
        return
    terms, account = draft.form.terms, draft.form.account
    consents = {ConsentKind.TERMS: terms, ConsentKind.MICROSOFT_ACCOUNT: account}
    text = order_texts.order_summary(turn.tr, quote, consents)
    keyboard: Keyboard = [
        [
            turn.button(
                "order.terms_button", cb.data(cb.ORDER_TERMS, draft.ref), box=order_texts.box(terms)
            )
        ],
        [
            turn.button(
                "order.account_button",
                cb.data(cb.ORDER_ACCOUNT, draft.ref),
                box=order_texts.box(account),
            )
        ],
        [InlineKeyboardButton(turn.tr("order.terms_link"), url=turn.rt.settings.terms_url)],
        [turn.button("order.confirm", cb.data(cb.ORDER_CONFIRM, draft.ref))],
        turn.nav(cb.data(cb.ORDER_BACK, draft.ref)),
    ]
    turn.show(text, keyboard)


async def show_request_summary(
    turn: Turn, draft: Drafted[OrderForm], figures: RequestFigures
) -> None:
    """A member's summary: the same figures, "Send request" instead of the consents (R23)."""
    keyboard = request_cards.send_keyboard(
        turn, cb.data(cb.ORDER_SEND, draft.ref), cb.data(cb.ORDER_BACK, draft.ref)
    )
    turn.show(request_texts.to_send(turn.tr, figures), keyboard)


@handler
async def send_request(turn: Turn) -> None:
    """Button "Send request": the admins get the order as a request to approve (R23)."""
    draft = await turn.pressed_draft(OrderForm)
    if draft.state is not DraftState.OPEN or draft.form.quantity is None:
        await _closed(turn, draft)
        return
    await _submit(turn, draft, draft.form.quantity)


@handler
async def toggle_terms(turn: Turn) -> None:
    await _toggle(turn, "terms")


@handler
async def toggle_account(turn: Turn) -> None:
    await _toggle(turn, "account")


async def _toggle(turn: Turn, consent: str) -> None:
    draft = await turn.pressed_draft(OrderForm)
    if draft.state is not DraftState.OPEN or draft.form.quantity is None:
        await _closed(turn, draft)
        return
    if consent == "terms":
        draft.form.terms = not draft.form.terms
    else:
        draft.form.account = not draft.form.account
    await turn.save_draft(draft)
    await show_summary(turn, draft)


@handler
async def back_to_quantity(turn: Turn) -> None:
    draft = await turn.pressed_draft(OrderForm)
    if draft.state is not DraftState.OPEN:
        await _closed(turn, draft)
        return
    await ask_quantity(turn, draft, await _offer(turn, draft))


@handler
async def confirm(turn: Turn) -> None:
    """Button "Order": both consents required (R5); the draft's key makes it idempotent (R9)."""
    draft = await turn.pressed_draft(OrderForm)
    if draft.state is DraftState.DISCARDED or draft.form.quantity is None:
        await _closed(turn, draft)
        return
    await _submit(turn, draft, draft.form.quantity)


async def _submit(turn: Turn, draft: Drafted[OrderForm], quantity: int) -> None:
    """ "Order" or "Send request": the core places the order or asks the admins (R23)."""
    try:
        placed = await submissions.submit_order(
            turn.core,
            turn.require_actor(),
            PlaceOrder(
                turn.customer_id,
                draft.form.sku,
                quantity,
                draft.form.terms,
                draft.form.account,
                draft.idempotency_key,
            ),
            turn.user.full_name,
        )
    except errors.ConsentMissing as missing:  # the domain decides (R5)
        turn.alert_missing(missing)
        return
    if isinstance(placed, Requested):  # a member's: the admins decide (R23)
        await request_cards.sent(turn, draft, placed.request)
        return
    sub = placed.subscription
    if draft.state is DraftState.OPEN:
        draft.finish(sub.id)
        await turn.save_draft(draft)
    turn.set_step(Step.IDLE)
    text = results.order_placed(turn.tr, placed)
    turn.show(text, [[turn.button("order.my_orders", cb.Page(0).data(cb.ORDERS))], turn.nav()])


async def _closed(turn: Turn, draft: Drafted[OrderForm]) -> None:
    if await request_cards.already_sent(turn, draft):
        return
    if draft.state is DraftState.DONE and draft.result_id is not None:
        turn.show(
            turn.tr("order.already_placed", number=draft.result_id),
            [[turn.button("order.my_orders", cb.Page(0).data(cb.ORDERS))], turn.nav()],
        )
        return
    turn.show(turn.tr("order.discarded"), [turn.nav()])
