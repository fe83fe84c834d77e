"""A booked add-on changed or cancelled on its own (R17, R19): its entry under the
subscription, a new number of users with a summary old → new, and a cancellation to the month
end with its confirmation. Every press is checked against the version seen (R13)."""

from __future__ import annotations

from telegram import InlineKeyboardButton

from bot import callbacks as cb
from bot.drafts import AddonCancelForm, AddonChangeForm, Drafted, DraftState, Step
from bot.handlers.my_orders import show_subscription
from bot.turn import Turn, handler
from domain import errors
from domain.access import Action, may
from domain.commands import CancelAddon, ChangeAddon
from domain.nlu.numbers import typed_quantity
from domain.services import addons, orders
from domain.texts import addon_changes as texts
from domain.texts.refusals import describe
from domain.views import AddonView, SubscriptionView

_REFUSED = (
    errors.InvalidQuantity,
    errors.AddonExceedsBase,
    errors.QuantityUnchanged,
)


async def _pressed(turn: Turn) -> tuple[SubscriptionView, AddonView]:
    """The subscription and add-on a button names; checked again (R24)."""
    pressed = turn.pressed(cb.Booking)
    view = await orders.order_status(turn.core, turn.require_actor(), pressed.subscription_id)
    return view, view.addon(pressed.booking_id)


@handler
async def entry(turn: Turn) -> None:
    view, addon = await _pressed(turn)
    await show_entry(turn, view, addon)


async def show_entry(turn: Turn, view: SubscriptionView, addon: AddonView, note: str = "") -> None:
    turn.set_step(Step.IDLE)
    keyboard: list[list[InlineKeyboardButton]] = []
    # a member sees it; changing it on its own is an admin's (R23: not a request kind)
    if (
        addon.running
        and view.changeable
        and may(turn.require_actor(), Action.ADDON, view.customer_id)
    ):
        keyboard.append(
            [
                turn.button(
                    "subscription.change", cb.Booking(view.id, addon.id).data(cb.ADDON_CHANGE)
                ),
                turn.button(
                    "addon_entry.cancel", cb.Booking(view.id, addon.id).data(cb.ADDON_CANCEL_ASK)
                ),
            ]
        )
    keyboard.append(turn.nav(cb.Subscription(view.id).data(cb.SUBSCRIPTION)))
    turn.show(texts.entry(turn.tr, view, addon), keyboard, note=note)


# -- a new number of users (R17)
@handler
async def start_change(turn: Turn) -> None:
    view, addon = await _pressed(turn)
    await begin_change(turn, view, addon, None)


async def begin_change(
    turn: Turn, view: SubscriptionView, addon: AddonView, quantity: int | None
) -> None:
    """A change draft at the version seen; with a number (typed text) straight to its summary."""
    view.addon(addon.id)
    if not (addon.running and view.changeable):
        raise errors.SubscriptionNotActive(addon.status.value, addon.end_date)
    form = AddonChangeForm(view.id, addon.id, view.version)
    draft = await turn.new_draft(form, Step.ADDON_CHANGE_QUANTITY)
    if quantity is None:
        await _ask(turn, draft, view, addon)
    else:
        await _set(turn, draft, quantity)


async def _ask(
    turn: Turn,
    draft: Drafted[AddonChangeForm],
    view: SubscriptionView,
    addon: AddonView,
    hint: str = "",
) -> None:
    turn.set_step(Step.ADDON_CHANGE_QUANTITY, draft.id)
    options = sorted(
        {
            n
            for n in (addon.quantity - 1, addon.quantity + 1, view.quantity)
            if 1 <= n <= view.quantity
        }
        - {addon.quantity}
    )
    quick = [
        InlineKeyboardButton(
            str(n), callback_data=cb.Quantity(draft.ref, n).data(cb.ADDON_CHANGE_QTY)
        )
        for n in options
    ]
    back = turn.nav(cb.Booking(view.id, addon.id).data(cb.ADDON_ENTRY))
    turn.show(texts.ask_quantity(turn.tr, view, addon), [quick, back], note=hint)


@handler
async def quantity_pressed(turn: Turn) -> None:
    draft = await turn.pressed_draft(AddonChangeForm)
    await _set(turn, draft, turn.pressed(cb.Quantity).quantity)


async def quantity_typed(turn: Turn, text: str) -> None:
    draft = await turn.current_draft(AddonChangeForm)
    quantity = typed_quantity(text, turn.tr.language)
    if quantity is None:
        view = await _current(turn, draft)
        addon = view.addon(draft.form.booking)
        await _ask(turn, draft, view, addon, hint=turn.tr("order.not_a_number"))
        return
    await _set(turn, draft, quantity)


async def _current(
    turn: Turn, draft: Drafted[AddonChangeForm] | Drafted[AddonCancelForm]
) -> SubscriptionView:
    return await orders.order_status(turn.core, turn.require_actor(), draft.form.subscription)


def _command(draft: Drafted[AddonChangeForm], quantity: int) -> ChangeAddon:
    form = draft.form
    return ChangeAddon(form.subscription, form.booking, quantity, expected_version=form.version)


async def _set(turn: Turn, draft: Drafted[AddonChangeForm], quantity: int) -> None:
    """Checked as the change itself would be (R13, R17), then the summary old → new."""
    view = await _current(turn, draft)
    if draft.state is not DraftState.OPEN:
        await show_subscription(turn, view)
        return
    try:
        preview = await addons.change_addon(
            turn.core, turn.require_actor(), _command(draft, quantity), dry_run=True
        )
    except _REFUSED as refusal:
        turn.refused(refusal)
        addon = view.addon(draft.form.booking)
        await _ask(turn, draft, view, addon, hint=describe(refusal, turn.tr))
        return
    draft.form.quantity = quantity
    await turn.save_draft(draft)
    turn.set_step(Step.ADDON_CHANGE_QUANTITY, draft.id)  # a typed number: another total
    keyboard = [
        [turn.button("addon_change.confirm", cb.data(cb.ADDON_CHANGE_CONFIRM, draft.ref))],
        turn.nav(cb.Booking(view.id, draft.form.booking).data(cb.ADDON_ENTRY)),
    ]
    turn.show(texts.summary(turn.tr, preview), keyboard)


@handler
async def confirm_change(turn: Turn) -> None:
    """ "Add-On ändern": once, for the version the user saw (R9, R13)."""
    draft = await turn.pressed_draft(AddonChangeForm)
    if draft.state is not DraftState.OPEN or draft.form.quantity is None:
        await show_subscription(turn, await _current(turn, draft))
        return
    try:
        changed = await addons.change_addon(
            turn.core, turn.require_actor(), _command(draft, draft.form.quantity)
        )
    except errors.VersionConflict as conflict:
        turn.refused(conflict)
        draft.discard()
        await turn.save_draft(draft)
        view = await _current(turn, draft)
        await show_subscription(turn, view, note=describe(conflict, turn.tr))
        return
    draft.finish(changed.subscription.id)
    await turn.save_draft(draft)
    await show_subscription(turn, changed.subscription, note=texts.changed(turn.tr, changed))


# -- cancelled on its own to the month end (R17, R19)
@handler
async def ask_cancel(turn: Turn) -> None:
    view, addon = await _pressed(turn)
    await begin_cancel(turn, view, addon)


async def begin_cancel(turn: Turn, view: SubscriptionView, addon: AddonView) -> None:
    """Names the add-on, its users and the end date, then asks for the press (R20)."""
    preview = await addons.cancel_addon(
        turn.core,
        turn.require_actor(),
        CancelAddon(view.id, addon.id, expected_version=view.version),
        dry_run=True,
    )
    draft = await turn.new_draft(AddonCancelForm(view.id, addon.id, view.version), Step.IDLE)
    turn.set_step(Step.IDLE)
    keyboard = [
        [turn.button("addon_cancel.confirm", cb.data(cb.ADDON_CANCEL_CONFIRM, draft.ref))],
        turn.nav(cb.Booking(view.id, addon.id).data(cb.ADDON_ENTRY)),
    ]
    turn.show(texts.cancel_question(turn.tr, preview), keyboard)


@handler
async def confirm_cancel(turn: Turn) -> None:
    draft = await turn.pressed_draft(AddonCancelForm)
    if draft.state is not DraftState.OPEN:
        await show_subscription(turn, await _current(turn, draft))
        return
    form = draft.form
    try:
        cancelled = await addons.cancel_addon(
            turn.core,
            turn.require_actor(),
            CancelAddon(form.subscription, form.booking, expected_version=form.version),
        )
    except errors.VersionConflict as conflict:
        turn.refused(conflict)
        draft.discard()
        await turn.save_draft(draft)
        await show_subscription(turn, await _current(turn, draft), note=describe(conflict, turn.tr))
        return
    draft.finish(form.subscription)
    await turn.save_draft(draft)
    note = texts.cancelled(turn.tr, cancelled)
    await show_subscription(turn, cancelled.subscription, note=note)
