"""The service desk for customers (R26): a ticket from any point, its conversation, /tickets.

The customer writes their concern; the ticket is stored with who, for whom and what they were
doing, and posted to the service desk group (`bot/handlers/desk.py` handles the group's side).
Until it is resolved, or they leave it with /cancel, the customer's typed messages go to it;
buttons keep working meanwhile.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton

from bot import callbacks as cb
from bot.drafts import (
    AddonForm,
    CancelForm,
    ChangeForm,
    DraftState,
    HeldForm,
    OrderForm,
    Step,
    TicketForm,
)
from bot.notifier import send_queued
from bot.turn import StaleButton, Turn, handler
from domain import errors
from domain.access import Action, may
from domain.licence_requests import RequestStatus
from domain.services import catalogue, licence_requests, orders, tickets
from domain.services.tickets import OpenTicket, Source
from domain.texts import licence_requests as request_texts
from domain.texts import tickets as ticket_texts
from domain.texts.i18n import Translator
from domain.texts.markup import escape
from domain.tickets import TicketStatus

LISTED_REQUESTS = 10  # /requests: open ones first (each with a button), then decided


@handler
async def support(turn: Turn) -> None:
    """`/support` and the "Service Desk" button: write your concern, get a ticket number."""
    await ask_for_help(turn)


async def ask_for_help(turn: Turn) -> None:
    """From wherever the user is (a flow, free text): ask for the concern, with that place."""
    await ask_concern(turn, await doing(turn))


async def ask_concern(turn: Turn, context: str) -> None:
    """Ask for the concern; unknown users and the service desk itself get the contact only."""
    contact = escape(turn.rt.settings.service_desk_contact)
    if turn.actor is None or turn.actor.customer_id is None:
        turn.show(turn.tr("support.text", contact=contact), [turn.nav()] if turn.actor else [])
        return
    await turn.new_draft(TicketForm(context), Step.TICKET_WRITE)
    keyboard = [[turn.button("support.my_tickets", cb.TICKETS)], turn.nav()]
    turn.show(turn.tr("support.ask", contact=contact), keyboard)


async def concern_typed(turn: Turn, text: str) -> None:
    """The concern: a ticket, posted to the service desk group, and this chat attached to it."""
    draft = await turn.current_draft(TicketForm)
    view = await tickets.open_ticket(
        turn.core,
        turn.require_actor(),
        OpenTicket(text, draft.form.context, turn.tr.language, _source(turn)),
    )
    draft.finish(view.id)
    await turn.save_draft(draft)
    turn.set_step(Step.IDLE)
    settings = turn.rt.settings
    if settings.service_desk_chat_id is None:
        turn.send(ticket_texts.opened(turn.tr, view, settings.service_desk_contact))
        return
    turn.attach_ticket(view.id)
    turn.send(ticket_texts.opened(turn.tr, view))
    send_queued(turn)  # the card into the service desk group, through the outbox


def _source(turn: Turn) -> Source | None:
    """The user's message being handled (its edit finds the ticket message by these ids)."""
    message = turn.update.message
    return None if message is None else Source(turn.chat_id, message.message_id)


async def to_ticket(turn: Turn, text: str) -> bool:
    """Typed text while attached to a ticket goes to it; False when it was resolved meanwhile
    (the chat is detached and the text is understood as usual)."""
    ticket_id = turn.state.ticket_id
    if ticket_id is None:
        return False
    try:
        view = await tickets.write(turn.core, turn.require_actor(), ticket_id, text, _source(turn))
    except (errors.TicketClosed, errors.TicketNotFound):
        turn.attach_ticket(None)
        return False
    turn.send(turn.tr("ticket.added", number=view.id))
    send_queued(turn)  # into the ticket's place in the group, through the outbox
    return True


async def ask_ticket_or_new(turn: Turn, text: str, reading: InlineKeyboardButton) -> None:
    """A text that could be for the ticket or a new request: ask, holding the text back.
    Until the answer typed text no longer goes to the ticket (the user chose something new
    or sends it with the button, which attaches the chat again)."""
    ticket_id = turn.state.ticket_id
    assert ticket_id is not None
    held = await turn.new_draft(HeldForm(ticket_id, text), Step.IDLE)
    turn.attach_ticket(None)
    send = turn.button("ticket.send_held", cb.data(cb.TICKET_SEND, held.ref), number=ticket_id)
    turn.send(turn.tr("ticket.or_new", number=ticket_id), [[send], [reading], turn.nav()])


@handler
async def send_held(turn: Turn) -> None:
    """ "↪ An Ticket Nr. 3 senden": the held text goes to the ticket, and later ones too."""
    held = await turn.pressed_draft(HeldForm)
    turn.answer()
    if held.state is not DraftState.OPEN:  # pressed twice: sent once
        turn.show(turn.tr("ticket.added", number=held.form.ticket), [turn.nav()])
        return
    held.finish(held.form.ticket)
    await turn.save_draft(held)
    view = await tickets.write(turn.core, turn.require_actor(), held.form.ticket, held.form.text)
    turn.attach_ticket(view.id)
    turn.show(turn.tr("ticket.added", number=view.id), [turn.nav()])
    send_queued(turn)  # into the ticket's place in the group, through the outbox


@handler
async def write_again(turn: Turn) -> None:
    """ "✍️ An Ticket Nr. 3 schreiben": typed text goes to this open ticket again."""
    ticket_id = turn.pressed(cb.Ticket).ticket_id
    found = await tickets.my_tickets(turn.core, turn.require_actor(), limit=100)
    ticket = next((t for t in found if t.id == ticket_id), None)
    if ticket is None:
        raise StaleButton()
    if ticket.status is TicketStatus.RESOLVED:
        raise errors.TicketClosed(ticket.id)
    turn.attach_ticket(ticket.id)
    turn.set_step(Step.IDLE)
    turn.show(turn.tr("ticket.write_ask", number=ticket.id), [turn.nav()])


async def leave_ticket(turn: Turn) -> bool:
    """/cancel while attached: the ticket stays open, typed text is no longer sent to it."""
    ticket_id = turn.state.ticket_id
    if ticket_id is None:
        return False
    turn.attach_ticket(None)
    turn.send(turn.tr("ticket.left", number=ticket_id))
    return True


@handler
async def my_tickets(turn: Turn) -> None:
    """`/tickets` and the button: the user's tickets with their status."""
    found = await tickets.my_tickets(turn.core, turn.require_actor())
    turn.show(ticket_texts.listing(turn.tr, found), [turn.nav()])


@handler
async def my_requests(turn: Turn) -> None:
    """`/requests`: the customer's requests (admins) or one's own (members), with status."""
    actor = turn.require_actor()
    # Every open request first (each with its button, however old), then the latest decided.
    pending = await licence_requests.list_requests(
        turn.core, actor, status=RequestStatus.PENDING, limit=LISTED_REQUESTS
    )
    recent = await licence_requests.list_requests(turn.core, actor, limit=LISTED_REQUESTS)
    decided = [r for r in recent if r.status is not RequestStatus.PENDING]
    found = pending + decided[: max(0, LISTED_REQUESTS - len(pending))]
    keyboard = []
    if may(actor, Action.DECIDE, actor.customer_id):  # the open ones can be decided from here
        keyboard = [
            [turn.button("requests.decide", cb.Request(r.id).data(cb.REQUEST_VIEW), number=r.id)]
            for r in pending
        ]
    elif may(actor, Action.REQUEST, actor.customer_id):  # one's own open ones can be withdrawn
        keyboard = [
            [
                turn.button(
                    "requests.withdraw", cb.Request(r.id).data(cb.REQUEST_WITHDRAW), number=r.id
                )
            ]
            for r in pending
        ]
    turn.show(request_texts.listing(turn.tr, found), [*keyboard, turn.nav()])


async def doing(turn: Turn) -> str:
    """What the user was doing, for the service desk (in the desk's language)."""
    tr = Translator(turn.rt.settings.default_language)
    try:
        match turn.step:
            case Step.ORDER_QUANTITY | Step.ORDER_SUMMARY:
                order = (await turn.current_draft(OrderForm)).form
                offer = await catalogue.product_details(
                    turn.core, turn.require_actor(), turn.customer_id, order.sku
                )
                return tr("context.order", name=offer.name, quantity=order.quantity or "–")
            case Step.CHANGE_QUANTITY | Step.CHANGE_SUMMARY:
                change = (await turn.current_draft(ChangeForm)).form
                return tr(
                    "context.change", number=change.subscription, quantity=change.quantity or "–"
                )
            case Step.ADDON_QUANTITY:
                addon = (await turn.current_draft(AddonForm)).form
                return tr("context.addon", addon=addon.sku, number=addon.subscription)
            case Step.CANCEL_CONFIRM:
                cancel = (await turn.current_draft(CancelForm)).form
                return tr("context.cancel", number=cancel.subscription)
    except (StaleButton, errors.DomainError):
        pass
    return tr("context.none")


async def addon_wish(turn: Turn, subscription_id: int) -> None:
    """R16: the wanted add-on is not offered — a ticket with the customer and the product."""
    view = await orders.order_status(turn.core, turn.require_actor(), subscription_id)
    tr = Translator(turn.rt.settings.default_language)
    await ask_concern(turn, tr("context.addon_wish", product=view.product_name, number=view.id))
