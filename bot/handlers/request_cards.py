"""Licence requests in Telegram (R23): the card every admin of the customer gets, approving
with the consents the write needs, declining with a reason.

A member's order, change, add-on or cancellation ends in "Send request" instead of the
consents: the core decides (domain/services/submissions.py, cancellations.py) and the flows in
ordering.py, changes.py and addons.py show the request it made with `sent`; the service desk's
prepared requests are announced the same way (`announce`). Every press is checked again on the
server: only an admin of the request's customer decides, another customer's request reads like
a missing one (R24), and the first decision wins. The one who asked is told through the outbox.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton

from bot import callbacks as cb
from bot.drafts import (
    AddonForm,
    ApprovalForm,
    CancelForm,
    ChangeForm,
    DeclineForm,
    Drafted,
    DraftState,
    OrderForm,
    Step,
)
from bot.handlers.my_orders import show_subscription
from bot.turn import Keyboard, StaleButton, Turn, handler
from domain import errors
from domain.licence_requests import Origin, RequestKind, consents_for
from domain.model import Channel, ConsentKind
from domain.services import licence_requests, orders
from domain.services.licence_requests import Approval, RequestFigures, RequestView
from domain.services.orders import OrderPlaced
from domain.services.subscriptions import QuantityChanged
from domain.texts import licence_requests as screens
from domain.texts import orders as order_texts
from domain.texts import results
from domain.texts.i18n import N_, Translator, pick_language
from domain.texts.markup import escape
from domain.texts.refusals import describe

_CONFIRM = {
    RequestKind.ORDER: N_("order.confirm"),
    RequestKind.CHANGE: N_("change.confirm"),
    RequestKind.ADDON: N_("addons.confirm"),
    RequestKind.CANCEL: N_("cancel_sub.confirm"),
}


def card_keyboard(tr: Translator, request_id: int) -> Keyboard:
    return [
        [
            InlineKeyboardButton(
                tr("request.approve"), callback_data=cb.Request(request_id).data(cb.REQUEST_APPROVE)
            ),
            InlineKeyboardButton(
                tr("request.decline"), callback_data=cb.Request(request_id).data(cb.REQUEST_DECLINE)
            ),
        ]
    ]


async def announce(turn: Turn, view: RequestView) -> None:
    """Send the request's card (summary and price, Approve / Decline) to every admin of its
    customer, each in their language; if one does not take messages from the bot, the sender
    is told that they will find it under /requests (a member), or that the request waits
    among the customer's requests (the service desk agent who prepared it)."""
    figures = await licence_requests.figures(turn.core, turn.require_actor(), view.id)
    if view.origin is Origin.AGENT:
        blocked = turn.tr(
            "request.admin_blocked_agent", number=view.id, customer=escape(view.customer_name)
        )
    else:
        blocked = turn.tr("request.admin_blocked")
    for admin in await licence_requests.deciders(turn.core, view.customer_id):
        if admin.channel is not Channel.TELEGRAM or not admin.external_id.lstrip("-").isdigit():
            continue
        chat_id = int(admin.external_id)
        chosen = (await turn.uow.chats.get(chat_id)).language
        tr = Translator(pick_language(chosen, admin.language, turn.rt.settings.default_language))
        turn.send_to(
            chat_id,
            screens.card(tr, view, figures),
            card_keyboard(tr, view.id),
            blocked_note=blocked,
        )


Asked = Drafted[OrderForm] | Drafted[ChangeForm] | Drafted[AddonForm] | Drafted[CancelForm]


async def sent(turn: Turn, draft: Asked, view: RequestView) -> None:
    """After a member's request was stored: its number with "Withdraw"; the admins' cards.
    The same request waiting already was refused (`RequestPending`)."""
    draft.form.asked = True
    draft.finish(view.id)
    await turn.save_draft(draft)
    turn.set_step(Step.IDLE)
    admins = await licence_requests.deciders(turn.core, view.customer_id)
    # Telegram tells the member of the decision (the outbox); Rasa cannot
    turn.show(
        screens.sent(turn.tr, view.id, bool(admins), followup=True),
        [
            [turn.button("request.withdraw", cb.Request(view.id).data(cb.REQUEST_WITHDRAW))],
            [turn.button("request.mine", cb.REQUESTS)],
            turn.nav(),
        ],
    )
    await announce(turn, view)


@handler
async def withdraw(turn: Turn) -> None:
    """ "Withdraw" (after sending, or on the member's /requests): the request is taken back
    while nobody has decided; the admins are told through the outbox, and their cards answer
    that it was withdrawn (R23). Somebody else's request reads like a missing one (R24)."""
    view = await licence_requests.withdraw(turn.core, turn.require_actor(), _pressed_request(turn))
    turn.set_step(Step.IDLE)
    turn.show(
        turn.tr("request.withdrawn", number=view.id),
        [[turn.button("request.mine", cb.REQUESTS)], turn.nav()],
    )


async def already_sent(turn: Turn, draft: Asked) -> bool:
    """A press on the summary of a request sent already: say so (nothing is sent twice)."""
    if not draft.form.asked or draft.result_id is None:
        return False
    turn.show(
        turn.tr("request.already_sent", number=draft.result_id),
        [[turn.button("request.mine", cb.REQUESTS)], turn.nav()],
    )
    return True


def send_keyboard(turn: Turn, send: str, back: str) -> Keyboard:
    """The member's summary: "Send request" instead of the consents and the order button."""
    return [[turn.button("request.send", send)], turn.nav(back)]


def _pressed_request(turn: Turn) -> int:
    return turn.pressed(cb.Request).request_id


@handler
async def view_card(turn: Turn) -> None:
    """The card again (‹ Back from the reason), for an admin while the request is open."""
    view = await licence_requests.pending_for(
        turn.core, turn.require_actor(), _pressed_request(turn)
    )
    figures = await licence_requests.figures(turn.core, turn.require_actor(), view.id)
    turn.set_step(Step.IDLE)
    keyboard = [*card_keyboard(turn.tr, view.id), turn.nav()]
    turn.show(screens.card(turn.tr, view, figures), keyboard)


@handler
async def approve(turn: Turn) -> None:
    """Approve on the card: the summary with the consents to tick, then confirm."""
    view = await licence_requests.pending_for(
        turn.core, turn.require_actor(), _pressed_request(turn)
    )
    draft = await turn.new_draft(ApprovalForm(view.id), Step.REQUEST_APPROVAL)
    await show_approval(turn, draft, view)


async def show_approval(turn: Turn, draft: Drafted[ApprovalForm], view: RequestView) -> None:
    """The request's summary as it would be carried out now, with the consents its write
    needs (R5 both for a new product, R17 the terms for an add-on, none for a change)."""
    turn.set_step(Step.REQUEST_APPROVAL, draft.id)
    decline = [turn.button("request.decline", cb.Request(view.id).data(cb.REQUEST_DECLINE))]
    try:
        figures = await licence_requests.figures(turn.core, turn.require_actor(), view.id)
    except errors.DomainError as refusal:  # no longer possible: say why; it can be declined
        turn.refused(refusal)
        note = describe(refusal, turn.tr) + "\n" + turn.tr("request.not_doable")
        turn.show(screens.title(turn.tr, view), [decline, turn.nav()], note=note)
        return
    ticked = _ticked(draft.form)
    keyboard: list[list[InlineKeyboardButton]] = []
    needed = consents_for(view.kind)
    if ConsentKind.TERMS in needed:
        box = order_texts.box(draft.form.terms)
        keyboard.append(
            [turn.button("order.terms_button", cb.data(cb.REQUEST_TERMS, draft.ref), box=box)]
        )
    if ConsentKind.MICROSOFT_ACCOUNT in needed:
        box = order_texts.box(draft.form.account)
        keyboard.append(
            [turn.button("order.account_button", cb.data(cb.REQUEST_ACCOUNT, draft.ref), box=box)]
        )
    if needed:
        keyboard.append(
            [InlineKeyboardButton(turn.tr("order.terms_link"), url=turn.rt.settings.terms_url)]
        )
    keyboard.append([turn.button(_CONFIRM[view.kind], cb.data(cb.REQUEST_CONFIRM, draft.ref))])
    keyboard.append(decline)
    keyboard.append(turn.nav(cb.Request(view.id).data(cb.REQUEST_VIEW)))
    turn.show(screens.approval(turn.tr, view, figures, ticked), keyboard)


def _ticked(form: ApprovalForm) -> frozenset[ConsentKind]:
    ticked = {ConsentKind.TERMS} if form.terms else set()
    if form.account:
        ticked.add(ConsentKind.MICROSOFT_ACCOUNT)
    return frozenset(ticked)


@handler
async def toggle_terms(turn: Turn) -> None:
    await _toggle(turn, ConsentKind.TERMS)


@handler
async def toggle_account(turn: Turn) -> None:
    await _toggle(turn, ConsentKind.MICROSOFT_ACCOUNT)


async def _toggle(turn: Turn, consent: ConsentKind) -> None:
    draft = await turn.pressed_draft(ApprovalForm)
    view = await licence_requests.pending_for(turn.core, turn.require_actor(), draft.form.request)
    if draft.state is not DraftState.OPEN:
        raise StaleButton()
    if consent is ConsentKind.TERMS:
        draft.form.terms = not draft.form.terms
    else:
        draft.form.account = not draft.form.account
    await turn.save_draft(draft)
    await show_approval(turn, draft, view)


@handler
async def confirm(turn: Turn) -> None:
    """Approve with the ticked consents: the same use case an admin's own order runs; a
    missing consent is named in an alert and the summary stays (R5, R17)."""
    draft = await turn.pressed_draft(ApprovalForm)
    admin = turn.require_actor()
    if draft.state is not DraftState.OPEN:  # pressed twice: says who decided, and how
        await licence_requests.pending_for(turn.core, admin, draft.form.request)
        raise StaleButton()
    # Decided meanwhile: say so, before the figures refuse what the decision already did.
    await licence_requests.pending_for(turn.core, admin, draft.form.request)
    before = await licence_requests.figures(turn.core, admin, draft.form.request)
    try:
        view = await licence_requests.approve(
            turn.core,
            admin,
            draft.form.request,
            Approval(draft.form.terms, draft.form.account, draft.idempotency_key),
            turn.user.full_name,
        )
    except errors.ConsentMissing as missing:
        turn.alert_missing(missing)
        return
    draft.finish(view.id)
    await turn.save_draft(draft)
    turn.set_step(Step.IDLE)
    await show_result(turn, view, before)


async def show_result(turn: Turn, view: RequestView, before: RequestFigures) -> None:
    """What the approval did, said as the admin's own write would say it (results.py)."""
    tr = turn.tr
    sub = await orders.order_status(turn.core, turn.require_actor(), view.result_id or 0)
    if view.kind is RequestKind.ORDER:
        placed = results.order_placed(tr, OrderPlaced(sub, created=True))
        turn.show(
            screens.approved(tr, view, placed),
            [[turn.button("order.my_orders", cb.Page(0).data(cb.ORDERS))], turn.nav()],
        )
        return
    if view.kind is RequestKind.CHANGE:
        changed = QuantityChanged(sub, before.old_quantity or 0, before.quantity)
        note = screens.approved(tr, view, results.quantity_changed(tr, changed))
    elif view.kind is RequestKind.CANCEL:
        note = screens.approved(tr, view, results.cancelled(tr, sub))
    else:
        booked = [a for a in sub.running_addons() if a.sku == view.addon_sku]
        note = screens.approved(tr, view, results.addon_booked(tr, booked[0]) if booked else "")
    await show_subscription(turn, sub, note=note)


@handler
async def decline(turn: Turn) -> None:
    """Decline on the card: the reason is asked for; the one who asked is told it."""
    view = await licence_requests.pending_for(
        turn.core, turn.require_actor(), _pressed_request(turn)
    )
    draft = await turn.new_draft(DeclineForm(view.id), Step.REQUEST_REASON)
    await ask_reason(turn, draft, view)


async def ask_reason(
    turn: Turn, draft: Drafted[DeclineForm], view: RequestView, hint: str = ""
) -> None:
    turn.set_step(Step.REQUEST_REASON, draft.id)
    text = turn.tr("request.reason_ask", number=view.id, by=escape(view.requested_by_name))
    turn.show(text, [turn.nav(cb.Request(view.id).data(cb.REQUEST_VIEW))], note=hint)


async def reason_typed(turn: Turn, text: str) -> None:
    """The reason: the request is declined (unless somebody decided first)."""
    draft = await turn.current_draft(DeclineForm)
    admin = turn.require_actor()
    turn.set_step(Step.IDLE)  # a decision made meanwhile ends this step too
    try:
        view = await licence_requests.decline(
            turn.core, admin, draft.form.request, text, turn.user.full_name
        )
    except (errors.ReasonMissing, errors.ReasonTooLong) as refusal:
        turn.refused(refusal)
        pending = await licence_requests.pending_for(turn.core, admin, draft.form.request)
        await ask_reason(turn, draft, pending, hint=describe(refusal, turn.tr))
        return
    draft.finish(view.id)
    await turn.save_draft(draft)
    done = turn.tr("request.declined", number=view.id, by=escape(view.requested_by_name))
    turn.show(done, [[turn.button("request.mine", cb.REQUESTS)], turn.nav()])
