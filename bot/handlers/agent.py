"""The service desk's customer tools in the chat (R23): `/customer <name or id>`, the customer
card with its orders, tickets and requests, marking subscriptions provisioned, and licence
requests prepared for the customer's admins, who confirm them with their own consents.

Agents have no customer of their own. The customer they chose is a `CustomerForm` draft of
their chat; buttons name that draft (never a customer id), and every use case checks the
agent's rights again (R24).
"""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardButton

from bot import callbacks as cb
from bot.drafts import AnswerForm, CustomerForm, Drafted, DraftState, PrepareForm, Step
from bot.handlers import request_cards
from bot.notifier import send_queued
from bot.turn import Keyboard, StaleButton, Turn, handler
from domain import errors
from domain.access import Action, authorize
from domain.licence_requests import RequestKind
from domain.model import Status
from domain.nlu.numbers import typed_quantity
from domain.services import (
    catalogue,
    customers,
    licence_requests,
    orders,
    seats,
    subscriptions,
    tickets,
)
from domain.services.licence_requests import AskRequest
from domain.services.tickets import Source, TicketView
from domain.texts import agent as texts
from domain.texts import orders as order_texts
from domain.texts import seats as seat_texts
from domain.texts.i18n import N_
from domain.texts.markup import escape
from domain.texts.refusals import describe
from domain.tickets import TicketStatus
from domain.views import SubscriptionView

MAX_LISTED = 10  # tickets and requests on the card's screens, newest first
MAX_BUTTONS = 20  # subscriptions with a button on the orders screen
QUICK_QUANTITIES = (1, 5, 10, 25)
_KINDS = {
    RequestKind.ORDER: N_("agent.kind_order"),
    RequestKind.CHANGE: N_("agent.kind_change"),
    RequestKind.ADDON: N_("agent.kind_addon"),
    RequestKind.CANCEL: N_("agent.kind_cancel"),
}
_REFUSED_QUANTITY = (
    errors.InvalidQuantity,
    errors.SeatCapExceeded,
    errors.QuantityUnchanged,
    errors.BelowAddonQuantity,
    errors.AddonExceedsBase,
)


# -- finding a customer
@handler
async def find(turn: Turn) -> None:
    """`/customer <name or id>` and the "Find customer" button; only the service desk."""
    actor = turn.require_actor()
    authorize(actor, Action.FIND_CUSTOMERS, None)  # everybody else: a refusal, no data (R24)
    query = " ".join(turn.context.args or []) if turn.query is None else ""
    if not query.strip():
        turn.set_step(Step.CUSTOMER_SEARCH)
        turn.show(texts.search_ask(turn.tr), [turn.nav()])
        return
    await search(turn, query)


async def search_typed(turn: Turn, text: str) -> None:
    """Typed text after "Which customer?": the name or id to look for."""
    await search(turn, text)


async def search(turn: Turn, query: str) -> None:
    """One match: its card; several: choose with buttons; none: say so and how to go on."""
    found = await customers.find_customers(turn.core, turn.require_actor(), query)
    if found.single is not None:
        card = await turn.new_draft(CustomerForm(found.single.id), Step.IDLE)
        await show_card(turn, card)
        return
    if not found.matches:
        turn.set_step(Step.CUSTOMER_SEARCH)  # the next typed text is the next try
        turn.show(texts.search_result(turn.tr, found), [turn.nav()])
        return
    keyboard: list[list[InlineKeyboardButton]] = []
    for match in found.matches:
        card = await turn.new_draft(CustomerForm(match.id), Step.IDLE)
        label = turn.tr("agent.search_button", name=match.name, id=match.id)
        keyboard.append([InlineKeyboardButton(label[:64], callback_data=_data(cb.CUSTOMER, card))])
    turn.set_step(Step.IDLE)
    keyboard.append(turn.nav())
    turn.show(texts.search_result(turn.tr, found), keyboard)


def _data(prefix: str, drafted: Drafted[Any]) -> str:
    return cb.data(prefix, drafted.ref)


# -- the customer card and what hangs off it
@handler
async def open_card(turn: Turn) -> None:
    await show_card(turn, await turn.pressed_draft(CustomerForm))


async def show_card(turn: Turn, card: Drafted[CustomerForm], note: str = "") -> None:
    shown = await customers.customer_card(turn.core, turn.require_actor(), card.form.customer_id)
    turn.set_step(Step.IDLE)
    keyboard = [
        [
            turn.button("agent.orders", _data(cb.CUSTOMER_ORDERS, card)),
            turn.button("agent.tickets", _data(cb.CUSTOMER_TICKETS, card)),
            turn.button("agent.requests", _data(cb.CUSTOMER_REQUESTS, card)),
        ],
        [turn.button("agent.prepare", _data(cb.PREPARE, card))],
        [turn.button("agent.find", cb.CUSTOMER_FIND), *turn.nav()],
    ]
    text = texts.card(turn.tr, shown)
    usage = await seats.seat_overview(turn.core, turn.require_actor(), card.form.customer_id)
    if usage.lines:  # the same figures the customer's admins see (issue 21)
        text += "\n\n" + seat_texts.overview(turn.tr, usage)
    turn.show(text, keyboard, note=note)


@handler
async def customer_orders(turn: Turn) -> None:
    """The customer's subscriptions (R10), each with a button to its details."""
    card = await turn.pressed_draft(CustomerForm)
    overview = await orders.list_orders(turn.core, turn.require_actor(), card.form.customer_id)
    listed = order_texts.listed(overview)
    keyboard = [
        [
            turn.button(
                "orders.button",
                cb.CardSubscription(card.ref, s.id).data(cb.CUSTOMER_SUBSCRIPTION),
                number=s.id,
                name=s.product_name,
            )
        ]
        for s in listed[:MAX_BUTTONS]
    ]
    keyboard.append(turn.nav(_data(cb.CUSTOMER, card)))
    turn.show(texts.orders(turn.tr, overview, listed), keyboard)


async def _subscription(turn: Turn, card: Drafted[CustomerForm]) -> SubscriptionView:
    """The pressed subscription, which must be the card's customer's: else a forged button."""
    sub_id = turn.pressed(cb.CardSubscription).subscription_id
    view = await orders.order_status(turn.core, turn.require_actor(), sub_id)
    if view.customer_id != card.form.customer_id:
        raise StaleButton()
    return view


@handler
async def customer_subscription(turn: Turn) -> None:
    card = await turn.pressed_draft(CustomerForm)
    await show_subscription(turn, card, await _subscription(turn, card))


def _waiting(view: SubscriptionView) -> bool:
    """Something to provision: the subscription or one of its add-ons is ordered."""
    return view.status is Status.ORDERED or any(a.status is Status.ORDERED for a in view.addons)


async def show_subscription(
    turn: Turn, card: Drafted[CustomerForm], view: SubscriptionView, note: str = ""
) -> None:
    keyboard: list[list[InlineKeyboardButton]] = []
    if _waiting(view):
        keyboard.append(
            [
                turn.button(
                    "agent.provision",
                    cb.CardSubscription(card.ref, view.id).data(cb.CUSTOMER_PROVISION),
                )
            ]
        )
    keyboard.append(turn.nav(_data(cb.CUSTOMER_ORDERS, card)))
    turn.show(order_texts.entry(turn.tr, view), keyboard, note=note)


@handler
async def provision(turn: Turn) -> None:
    """Mark provisioned (with its waiting add-ons); the customer's people are told through
    the outbox (R10)."""
    card = await turn.pressed_draft(CustomerForm)
    view = await _subscription(turn, card)
    try:
        done = await subscriptions.mark_provisioned(turn.core, turn.require_actor(), view.id)
    except (errors.AlreadyProvisioned, errors.SubscriptionNotActive) as refusal:
        text = describe(refusal, turn.tr)
        turn.answer(text[:190])
        await show_subscription(turn, card, view, note=text)
        return
    shown = await customers.customer_card(turn.core, turn.require_actor(), card.form.customer_id)
    note = texts.provisioned(turn.tr, done, shown.customer_name)
    turn.answer(turn.tr("agent.provisioned_toast", number=done.id))
    await show_subscription(turn, card, done, note=note)


@handler
async def customer_tickets(turn: Turn) -> None:
    card = await turn.pressed_draft(CustomerForm)
    actor = turn.require_actor()
    shown = await customers.customer_card(turn.core, actor, card.form.customer_id)
    found = (await tickets.list_tickets(turn.core, actor, card.form.customer_id))[:MAX_LISTED]
    text = texts.tickets(turn.tr, shown.customer_name, found)
    keyboard = [
        [
            turn.button(
                "agent.ticket_open",
                cb.CardTicket(card.ref, t.id).data(cb.CUSTOMER_TICKET),
                number=t.id,
            )
        ]
        for t in found
    ]
    turn.show(text, [*keyboard, turn.nav(_data(cb.CUSTOMER, card))])


async def _card_ticket(turn: Turn, card: Drafted[CustomerForm], ticket_id: int) -> TicketView:
    """A ticket of the card's customer; another customer's is a forged button (R24)."""
    view = await tickets.ticket_for_desk(turn.core, turn.require_actor(), ticket_id)
    if view.customer_id != card.form.customer_id:
        raise StaleButton()
    return view


@handler
async def customer_ticket(turn: Turn) -> None:
    """One ticket from the card: who, what about, its conversation, and a way to answer."""
    card = await turn.pressed_draft(CustomerForm)
    ticket_id = turn.pressed(cb.CardTicket).ticket_id
    await show_ticket(turn, card.id, await _card_ticket(turn, card, ticket_id))


async def show_ticket(turn: Turn, card: int, view: TicketView, note: str = "") -> None:
    turn.set_step(Step.IDLE)
    rows = []
    if view.status is not TicketStatus.RESOLVED:
        answer = cb.CardTicket(str(card), view.id).data(cb.CUSTOMER_TICKET_ANSWER)
        rows.append([turn.button("agent.ticket_answer", answer)])
    rows.append(turn.nav(cb.data(cb.CUSTOMER_TICKETS, card)))
    turn.show(texts.ticket(turn.tr, view), rows, note=note)


@handler
async def answer_ticket(turn: Turn) -> None:
    """ "Antworten": the next typed text is the answer, sent to the customer (R26)."""
    card = await turn.pressed_draft(CustomerForm)
    view = await _card_ticket(turn, card, turn.pressed(cb.CardTicket).ticket_id)
    if view.status is TicketStatus.RESOLVED:
        raise errors.TicketClosed(view.id)
    await turn.new_draft(AnswerForm(view.id, card.id), Step.TICKET_ANSWER)
    back = cb.CardTicket(str(card.id), view.id).data(cb.CUSTOMER_TICKET)
    turn.show(texts.answer_ask(turn.tr, view), [turn.nav(back)])


async def answer_typed(turn: Turn, text: str) -> None:
    """The agent's answer, typed in their own chat: stored in the ticket and sent to the
    customer through the outbox, as an answer in the service desk group is."""
    draft = await turn.current_draft(AnswerForm)
    message = turn.update.message
    source = None if message is None else Source(turn.chat_id, message.message_id)
    view = await tickets.reply(
        turn.core,
        turn.require_actor(),
        draft.form.ticket,
        text,
        turn.user.full_name,
        source,
        copy_to_desk=True,  # the colleagues in the group see it in the ticket's place
    )
    draft.finish(view.id)
    await turn.save_draft(draft)
    send_queued(turn)  # to the customer, through the outbox
    await show_ticket(turn, draft.form.card, view, note=texts.answer_sent(turn.tr, view))


@handler
async def customer_requests(turn: Turn) -> None:
    """The customer's requests with status and a decline's reason (what the agent sees)."""
    card = await turn.pressed_draft(CustomerForm)
    actor = turn.require_actor()
    shown = await customers.customer_card(turn.core, actor, card.form.customer_id)
    found = await licence_requests.list_requests(turn.core, actor, card.form.customer_id)
    text = texts.requests(turn.tr, shown.customer_name, found[:MAX_LISTED])
    turn.show(text, [turn.nav(_data(cb.CUSTOMER, card))])


# -- preparing a licence request for the customer's admins (R23)
@handler
async def prepare(turn: Turn) -> None:
    """ "Prepare a request" on the card: what should it be?"""
    card = await turn.pressed_draft(CustomerForm)
    authorize(turn.require_actor(), Action.PREPARE, card.form.customer_id)
    draft = await turn.new_draft(PrepareForm(card.form.customer_id, card.id), Step.IDLE)
    await _ask_kind(turn, draft)


async def _customer_name(turn: Turn, customer_id: str) -> str:
    return (
        await customers.customer_card(turn.core, turn.require_actor(), customer_id)
    ).customer_name


async def _ask_kind(turn: Turn, draft: Drafted[PrepareForm]) -> None:
    name = await _customer_name(turn, draft.form.customer_id)
    turn.set_step(Step.IDLE)
    choices = [
        turn.button(key, cb.PrepareKind(draft.ref, kind.value).data(cb.PREPARE_KIND))
        for kind, key in _KINDS.items()
    ]
    keyboard = [choices, turn.nav(cb.data(cb.CUSTOMER, draft.form.card))]
    turn.show(texts.prepare_kind(turn.tr, name), keyboard)


async def _pressed_prepare(turn: Turn) -> Drafted[PrepareForm] | None:
    """The pressed request draft while it is open; a sent one says so (None)."""
    draft = await turn.pressed_draft(PrepareForm)
    if draft.state is DraftState.OPEN:
        return draft
    await _closed(turn, draft)
    return None


async def _closed(turn: Turn, draft: Drafted[PrepareForm]) -> None:
    back = [turn.button("agent.requests", cb.data(cb.CUSTOMER_REQUESTS, draft.form.card))]
    if draft.state is DraftState.DONE and draft.result_id is not None:
        text = turn.tr("agent.already_sent", number=draft.result_id)
    else:
        text = turn.tr("order.discarded")
    turn.show(text, [back, turn.nav(cb.data(cb.CUSTOMER, draft.form.card))])


@handler
async def choose_kind(turn: Turn) -> None:
    """A new product, a quantity change or an add-on; without a kind: the choice again."""
    draft = await _pressed_prepare(turn)
    if draft is None:
        return
    try:
        kind = RequestKind(turn.pressed(cb.PrepareKind).kind or "")
    except ValueError:
        await _ask_kind(turn, draft)
        return
    draft.form.request = kind.value
    draft.form.sku = draft.form.addon = draft.form.quantity = draft.form.subscription = None
    await turn.save_draft(draft)
    turn.set_step(Step.IDLE)
    customer_id = draft.form.customer_id
    name = await _customer_name(turn, customer_id)
    back = turn.nav(cb.PrepareKind(draft.ref).data(cb.PREPARE_KIND))
    if kind is RequestKind.ORDER:  # R6: a booked product is changed, not ordered again
        offers = [
            o
            for o in await catalogue.browse_catalogue(turn.core, turn.require_actor(), customer_id)
            if o.booked_subscription_id is None
        ]
        keyboard = [
            [
                InlineKeyboardButton(
                    o.name, callback_data=cb.PrepareSku(draft.ref, o.sku).data(cb.PREPARE_PRODUCT)
                )
            ]
            for o in offers
        ]
        turn.show(texts.pick_product(turn.tr, name, offers), [*keyboard, back])
        return
    overview = await orders.list_orders(turn.core, turn.require_actor(), customer_id)
    if kind is RequestKind.ADDON:  # R14: add-ons only for provisioned subscriptions
        fitting = [s for s in overview.subscriptions if s.status is Status.PROVISIONED]
    else:  # R12, R20: a cancelled or ended subscription is not changed or cancelled again
        fitting = [s for s in overview.subscriptions if s.changeable]
    keyboard = [
        [
            turn.button(
                "orders.button",
                cb.PrepareSubscription(draft.ref, s.id).data(cb.PREPARE_SUBSCRIPTION),
                number=s.id,
                name=s.product_name,
            )
        ]
        for s in fitting[:MAX_BUTTONS]
    ]
    text = texts.pick_subscription(turn.tr, name, kind, bool(fitting))
    turn.show(text, [*keyboard, back])


@handler
async def choose_product(turn: Turn) -> None:
    draft = await _pressed_prepare(turn)
    if draft is None:
        return
    draft.form.request, draft.form.sku = RequestKind.ORDER.value, turn.pressed(cb.PrepareSku).sku
    await turn.save_draft(draft)
    await _ask_quantity(turn, draft)


async def _ask_quantity(turn: Turn, draft: Drafted[PrepareForm], hint: str = "") -> None:
    """How many users the new product gets, or the subscription's new total (R11)."""
    form, tr = draft.form, turn.tr
    name = await _customer_name(turn, form.customer_id)
    title = tr("agent.summary_title", customer=escape(name))
    if form.request == RequestKind.ORDER.value:
        offer = await catalogue.product_details(
            turn.core, turn.require_actor(), form.customer_id, form.sku or ""
        )
        question = tr(
            "order.ask_quantity",
            name=escape(offer.name),
            price=tr.money(offer.unit_price),
            maximum=offer.max_quantity,
        )
        options = [n for n in QUICK_QUANTITIES if n <= offer.max_quantity]
        back = cb.PrepareKind(draft.ref, RequestKind.ORDER.value).data(cb.PREPARE_KIND)
    else:
        view = await orders.order_status(turn.core, turn.require_actor(), form.subscription or 0)
        question = tr("change.ask", name=escape(view.product_name), quantity=view.quantity)
        options = sorted({n for n in (view.quantity - 1, view.quantity + 1, view.quantity + 5)})
        options = [n for n in options if n >= 1]
        back = cb.PrepareKind(draft.ref, RequestKind.CHANGE.value).data(cb.PREPARE_KIND)
    quick = [
        InlineKeyboardButton(str(n), callback_data=cb.Quantity(draft.ref, n).data(cb.PREPARE_QTY))
        for n in options
    ]
    turn.set_step(Step.PREPARE_QUANTITY, draft.id)
    turn.show(f"{title}\n\n{question}", [quick, turn.nav(back)], note=hint)


@handler
async def choose_subscription(turn: Turn) -> None:
    """The subscription of a change (then its new total) or of an add-on (then which)."""
    draft = await _pressed_prepare(turn)
    if draft is None:
        return
    sub_id = turn.pressed(cb.PrepareSubscription).subscription_id
    view = await orders.order_status(turn.core, turn.require_actor(), sub_id)
    if view.customer_id != draft.form.customer_id:
        raise StaleButton()  # a forged button: another customer's subscription (R24)
    draft.form.subscription = view.id
    await turn.save_draft(draft)
    if draft.form.request == RequestKind.CHANGE.value:
        await _ask_quantity(turn, draft)
        return
    if draft.form.request == RequestKind.CANCEL.value:  # R20: straight to what it cancels
        await _set_quantity(turn, draft, None)
        return
    await _show_addons(turn, draft, view)


async def _show_addons(turn: Turn, draft: Drafted[PrepareForm], view: SubscriptionView) -> None:
    """The product's add-ons at this customer's prices (R2, R15) not booked yet (R17)."""
    offer = await catalogue.product_details(
        turn.core, turn.require_actor(), draft.form.customer_id, view.product_sku
    )
    running = {a.sku for a in view.running_addons()}
    choices = [a for a in offer.addons if a.sku not in running]
    tr = turn.tr
    lines = [tr("addons.title", name=escape(view.product_name), quantity=view.quantity)]
    lines += [tr("addons.line", name=escape(a.name), price=tr.money(a.unit_price)) for a in choices]
    if not choices:
        lines = [tr("addons.none", name=escape(view.product_name))]
    keyboard = [
        [
            InlineKeyboardButton(
                a.name, callback_data=cb.PrepareSku(draft.ref, a.sku).data(cb.PREPARE_ADDON)
            )
        ]
        for a in choices
    ]
    keyboard.append(
        turn.nav(cb.PrepareKind(draft.ref, RequestKind.ADDON.value).data(cb.PREPARE_KIND))
    )
    turn.set_step(Step.IDLE)
    turn.show("\n".join(lines), keyboard)


@handler
async def choose_addon(turn: Turn) -> None:
    """An add-on: straight to the summary for all users of the product (R17)."""
    draft = await _pressed_prepare(turn)
    if draft is None:
        return
    draft.form.addon, draft.form.quantity = turn.pressed(cb.PrepareSku).sku, None
    await _set_quantity(turn, draft, None)


@handler
async def quantity_pressed(turn: Turn) -> None:
    draft = await _pressed_prepare(turn)
    if draft is not None:
        await _set_quantity(turn, draft, turn.pressed(cb.Quantity).quantity)


async def quantity_typed(turn: Turn, text: str) -> None:
    """A typed quantity or new total (or an add-on's users) while a request is prepared."""
    draft = await turn.current_draft(PrepareForm)
    if draft.state is not DraftState.OPEN:
        await _closed(turn, draft)
        return
    quantity = typed_quantity(text, turn.tr.language)
    if quantity is None:
        await _again(turn, draft, turn.tr("order.not_a_number"))
        return
    await _set_quantity(turn, draft, quantity)


async def _again(turn: Turn, draft: Drafted[PrepareForm], hint: str) -> None:
    """The same question again, with what was wrong above it."""
    if draft.form.request == RequestKind.ADDON.value:
        await _show_summary(turn, draft, hint)
    else:
        await _ask_quantity(turn, draft, hint)


def _ask(draft: Drafted[PrepareForm]) -> AskRequest:
    form = draft.form
    return AskRequest(
        form.customer_id,
        RequestKind(form.request),
        form.sku,
        form.quantity,
        form.subscription,
        form.addon,
    )


async def _set_quantity(turn: Turn, draft: Drafted[PrepareForm], quantity: int | None) -> None:
    """Every check of the write itself (R4, R6, R11, R12, R17), made by the summary's own
    preview (one per press) before anything is shown."""
    previous, draft.form.quantity = draft.form.quantity, quantity
    try:
        await _show_summary(turn, draft)
    except _REFUSED_QUANTITY as refusal:
        draft.form.quantity = previous
        await turn.save_draft(draft)
        await _again(turn, draft, describe(refusal, turn.tr))
        return
    await turn.save_draft(draft)


async def _show_summary(turn: Turn, draft: Drafted[PrepareForm], hint: str = "") -> None:
    figures = await licence_requests.preview(turn.core, turn.require_actor(), _ask(draft))
    name = await _customer_name(turn, draft.form.customer_id)
    text = texts.summary(turn.tr, name, figures)
    if draft.form.request == RequestKind.ADDON.value:
        text += "\n" + turn.tr("addon_hint")
        turn.set_step(Step.PREPARE_QUANTITY, draft.id)  # a typed number: other users (R17)
        back = cb.PrepareSubscription(draft.ref, draft.form.subscription or 0).data(
            cb.PREPARE_SUBSCRIPTION
        )
    elif draft.form.request == RequestKind.ORDER.value:
        turn.set_step(Step.IDLE)
        back = cb.PrepareSku(draft.ref, draft.form.sku or "").data(cb.PREPARE_PRODUCT)
    elif draft.form.request == RequestKind.CANCEL.value:
        turn.set_step(Step.IDLE)
        back = cb.PrepareKind(draft.ref, RequestKind.CANCEL.value).data(cb.PREPARE_KIND)
    else:
        turn.set_step(Step.IDLE)
        back = cb.PrepareSubscription(draft.ref, draft.form.subscription or 0).data(
            cb.PREPARE_SUBSCRIPTION
        )
    keyboard: Keyboard = [
        [turn.button("agent.send", _data(cb.PREPARE_SEND, draft))],
        turn.nav(back),
    ]
    turn.show(text, keyboard, note=hint)


@handler
async def send(turn: Turn) -> None:
    """ "Send to the customer's admins": the request is recorded (checked once more) and its
    card goes to the admins, who tick the consents themselves (R5, R17) and decide."""
    draft = await _pressed_prepare(turn)
    if draft is None:
        return
    if not draft.form.request:
        await _ask_kind(turn, draft)
        return
    view = await licence_requests.ask(
        turn.core, turn.require_actor(), _ask(draft), turn.user.full_name
    )
    draft.finish(view.id)
    await turn.save_draft(draft)
    turn.set_step(Step.IDLE)
    keyboard = [
        [turn.button("agent.requests", cb.data(cb.CUSTOMER_REQUESTS, draft.form.card))],
        turn.nav(cb.data(cb.CUSTOMER, draft.form.card)),
    ]
    turn.show(texts.sent(turn.tr, view), keyboard)
    await request_cards.announce(turn, view)  # the admins' card, in each one's language
