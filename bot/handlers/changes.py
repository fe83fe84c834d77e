"""Change quantity (R11-R13), cancel (R18-R20) and withdraw a cancellation."""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton

from bot import callbacks as cb
from bot.drafts import CancelForm, ChangeForm, Drafted, DraftState, Step
from bot.handlers import my_orders, request_cards
from bot.handlers.my_orders import show_subscription
from bot.turn import Turn, handler
from domain import errors
from domain.commands import CancelSubscription, ChangeQuantity, WithdrawCancellation
from domain.nlu.numbers import typed_quantity
from domain.services import cancellations, orders, submissions, subscriptions
from domain.services.licence_requests import RequestFigures
from domain.services.submissions import Requested
from domain.texts import licence_requests as request_texts
from domain.texts import orders as order_texts
from domain.texts import results
from domain.texts.i18n import N_
from domain.texts.refusals import describe
from domain.views import SubscriptionView


@handler
async def start_change(turn: Turn) -> None:
    """Button "Change quantity": show the current quantity, ask for the new total (R11)."""
    await begin_change(turn, turn.pressed(cb.Subscription).subscription_id, None)


async def begin_change(turn: Turn, subscription_id: int, quantity: int | None) -> None:
    """A change draft; with a new total (typed in free text) straight to the summary."""
    view = await subscriptions.prepare_change(turn.core, turn.require_actor(), subscription_id)
    draft = await turn.new_draft(ChangeForm(view.id, view.version), Step.CHANGE_QUANTITY)
    if quantity is None:
        await ask_total(turn, draft, view)
    else:
        await set_total(turn, draft, quantity)


async def ask_total(
    turn: Turn,
    draft: Drafted[ChangeForm],
    view: SubscriptionView,
    hint: str = "",
    extra: list[list[InlineKeyboardButton]] | None = None,
) -> None:
    turn.set_step(Step.CHANGE_QUANTITY, draft.id)
    text = turn.tr("change.ask", name=html.escape(view.product_name), quantity=view.quantity)
    options = sorted(
        {
            n
            for n in (view.quantity - 1, view.quantity + 1, view.quantity + 5, view.quantity + 10)
            if n >= 1
        }
    )
    quick = [
        InlineKeyboardButton(str(n), callback_data=cb.Quantity(draft.ref, n).data(cb.CHANGE_QTY))
        for n in options
    ]
    keyboard = [quick, *(extra or []), turn.nav(cb.Subscription(view.id).data(cb.SUBSCRIPTION))]
    turn.show(text, keyboard, note=hint)


@handler
async def total_pressed(turn: Turn) -> None:
    draft = await turn.pressed_draft(ChangeForm)
    await set_total(turn, draft, turn.pressed(cb.Quantity).quantity)


async def total_typed(turn: Turn, text: str) -> None:
    draft = await turn.current_draft(ChangeForm)
    quantity = typed_quantity(text, turn.tr.language)
    if quantity is None:
        view = await _view(turn, draft)
        await ask_total(turn, draft, view, hint=turn.tr("order.not_a_number"))
        return
    await set_total(turn, draft, quantity)


async def _view(turn: Turn, draft: Drafted[ChangeForm] | Drafted[CancelForm]) -> SubscriptionView:
    return await orders.order_status(turn.core, turn.require_actor(), draft.form.subscription)


async def set_total(turn: Turn, draft: Drafted[ChangeForm], quantity: int | None) -> None:
    if draft.state is not DraftState.OPEN:
        turn.show(turn.tr("change.stale"), [turn.nav(cb.Page(0).data(cb.ORDERS))])
        return
    view = await _view(turn, draft)
    total = quantity if quantity is not None else 0
    try:  # a member's summary sends a request instead: the core says which (R23)
        preview = await submissions.preview_change(
            turn.core,
            turn.require_actor(),
            ChangeQuantity(view.id, total, expected_version=draft.form.version),
        )
    except (
        errors.InvalidQuantity,
        errors.QuantityUnchanged,
        errors.SeatCapExceeded,
        errors.BelowAddonQuantity,
    ) as refusal:
        turn.refused(refusal)
        await ask_total(turn, draft, view, describe(refusal, turn.tr), _way_on(turn, view, refusal))
        return
    draft.form.quantity = quantity
    await turn.save_draft(draft)
    turn.set_step(Step.CHANGE_SUMMARY, draft.id)
    if isinstance(preview, RequestFigures):  # "Send request" instead of "Bestellung ändern"
        keyboard = request_cards.send_keyboard(
            turn, cb.data(cb.CHANGE_SEND, draft.ref), cb.Subscription(view.id).data(cb.SUBSCRIPTION)
        )
        turn.show(request_texts.to_send(turn.tr, preview), keyboard)
        return
    text = results.change_summary(turn.tr, view, preview, reduction=True)
    confirm = [[turn.button("change.confirm", cb.ChangeConfirm(draft.ref).data(cb.CHANGE_CONFIRM))]]
    if preview.reduction is not None and preview.reduction_kept:  # still stands? (issue 21)
        confirm = [
            [
                turn.button(
                    "change.confirm_keep",
                    cb.ChangeConfirm(draft.ref, keep_reduction=True).data(cb.CHANGE_CONFIRM),
                )
            ],
            [
                turn.button(
                    "change.confirm_drop",
                    cb.ChangeConfirm(draft.ref, keep_reduction=False).data(cb.CHANGE_CONFIRM),
                )
            ],
        ]
    turn.show(text, [*confirm, turn.nav(cb.Subscription(view.id).data(cb.SUBSCRIPTION))])


def _way_on(
    turn: Turn, view: SubscriptionView, refusal: errors.DomainError
) -> list[list[InlineKeyboardButton]]:
    """Below an add-on's users (R12): the button to reduce or cancel that add-on first."""
    if not isinstance(refusal, errors.BelowAddonQuantity):
        return []
    named = [a for a in view.running_addons() if a.sku == refusal.addon_sku]
    return [[my_orders.addon_entry_button(turn, view, a)] for a in named]


@handler
async def send_request(turn: Turn) -> None:
    """Button "Send request": the admins get the new total as a request (R23)."""
    draft = await turn.pressed_draft(ChangeForm)
    if await request_cards.already_sent(turn, draft):
        return
    if draft.state is not DraftState.OPEN or draft.form.quantity is None:
        turn.show(turn.tr("change.stale"), [turn.nav(cb.Page(0).data(cb.ORDERS))])
        return
    await _submit(turn, draft, draft.form.quantity, None)


@handler
async def confirm_change(turn: Turn) -> None:
    """Button "Bestellung ändern": applies only to the version the user saw (R13)."""
    draft = await turn.pressed_draft(ChangeForm)
    if draft.state is not DraftState.OPEN or draft.form.quantity is None:
        turn.show(turn.tr("change.stale"), [turn.nav(cb.Page(0).data(cb.ORDERS))])
        return
    keep = turn.pressed(cb.ChangeConfirm).keep_reduction
    await _submit(turn, draft, draft.form.quantity, keep)


async def _submit(
    turn: Turn, draft: Drafted[ChangeForm], quantity: int, keep_reduction: bool | None
) -> None:
    """ "Bestellung ändern" or "Send request": the core changes it or asks the admins (R23)."""
    try:
        changed = await submissions.submit_change(
            turn.core,
            turn.require_actor(),
            ChangeQuantity(
                draft.form.subscription,
                quantity,
                expected_version=draft.form.version,
                keep_reduction=keep_reduction,
            ),
            turn.user.full_name,
        )
    except errors.VersionConflict as conflict:
        turn.refused(conflict)
        draft.discard()
        await turn.save_draft(draft)
        view = await _view(turn, draft)
        await show_subscription(turn, view, note=describe(conflict, turn.tr))
        return
    if isinstance(changed, Requested):  # a member's: the admins decide (R23)
        await request_cards.sent(turn, draft, changed.request)
        return
    draft.finish(changed.subscription.id)
    await turn.save_draft(draft)
    note = results.quantity_changed(turn.tr, changed)
    await show_subscription(turn, changed.subscription, note=note)


@handler
async def ask_cancel(turn: Turn) -> None:
    """Button "Cancel": name product, quantity, add-ons and end date, then confirm (R20)."""
    await begin_cancel(turn, turn.pressed(cb.Subscription).subscription_id)


async def begin_cancel(turn: Turn, subscription_id: int) -> None:
    """The question names product, quantity, add-ons and end date (R20); a member's ends in
    "Send request" instead (R23): the domain says which (`preview_cancel`)."""
    preview = await cancellations.preview_cancel(turn.core, turn.require_actor(), subscription_id)
    form = CancelForm(preview.subscription_id, preview.version)
    draft = await turn.new_draft(form, Step.CANCEL_CONFIRM)
    text = order_texts.cancel_question(
        turn.tr,
        preview.product_name,
        preview.quantity,
        preview.addon_names,
        preview.end_date,
        asks=preview.asks,
    )
    confirm = N_("request.send") if preview.asks else N_("cancel_sub.confirm")
    turn.show(
        text,
        [
            [turn.button(confirm, cb.data(cb.CANCEL_CONFIRM, draft.ref))],
            turn.nav(cb.Subscription(preview.subscription_id).data(cb.SUBSCRIPTION)),
        ],
    )


@handler
async def confirm_cancel(turn: Turn) -> None:
    """ "Ja, kündigen" cancels (R18, R19); a member's "Anfrage senden" asks the admins (R23)."""
    draft = await turn.pressed_draft(CancelForm)
    if await request_cards.already_sent(turn, draft):
        return
    sub_id = draft.form.subscription
    if draft.state is not DraftState.OPEN:
        view = await orders.order_status(turn.core, turn.require_actor(), sub_id)
        await show_subscription(turn, view)
        return
    try:
        outcome = await cancellations.submit_cancel(
            turn.core,
            turn.require_actor(),
            CancelSubscription(sub_id, expected_version=draft.form.version),
            turn.user.full_name,
        )
    except errors.VersionConflict as conflict:
        turn.refused(conflict)
        draft.finish(sub_id)
        await turn.save_draft(draft)
        view = await orders.order_status(turn.core, turn.require_actor(), sub_id)
        await show_subscription(turn, view, note=describe(conflict, turn.tr))
        return
    if isinstance(outcome, Requested):  # a member's: the admins decide (R23)
        await request_cards.sent(turn, draft, outcome.request)
        return
    draft.finish(sub_id)
    await turn.save_draft(draft)
    await show_subscription(turn, outcome, note=results.cancelled(turn.tr, outcome))


@handler
async def withdraw(turn: Turn) -> None:
    """Take back a cancellation that still runs (R20)."""
    pressed = turn.pressed(cb.Versioned)
    view = await subscriptions.withdraw_cancellation(
        turn.core,
        turn.require_actor(),
        WithdrawCancellation(pressed.subscription_id, expected_version=pressed.version),
    )
    await show_subscription(turn, view, note=results.cancellation_withdrawn(turn.tr, view))
