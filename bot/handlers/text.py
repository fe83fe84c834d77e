"""Typed text: a number while a step asks for one; anything else gets the menu, never silence
(a photo, a sticker, a file: the bot reads text only, and says so)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.drafts import Step
from bot.handlers import (
    addon_changes,
    addons,
    agent,
    changes,
    free_text,
    menu,
    ordering,
    request_cards,
    support,
)
from bot.turn import Turn, handler
from domain.model import Role
from domain.nlu.numbers import typed_quantity

_STEPS: dict[Step | None, Callable[[Turn, str], Awaitable[None]]] = {
    Step.ORDER_QUANTITY: ordering.quantity_typed,
    Step.CHANGE_QUANTITY: changes.total_typed,
    Step.ADDON_QUANTITY: addons.quantity_typed,
    Step.ADDON_CHANGE_QUANTITY: addon_changes.quantity_typed,
    Step.TICKET_WRITE: support.concern_typed,
    Step.CUSTOMER_SEARCH: agent.search_typed,
    Step.TICKET_ANSWER: agent.answer_typed,
    Step.PREPARE_QUANTITY: agent.quantity_typed,
    Step.REQUEST_REASON: request_cards.reason_typed,
}
# Steps that wait for a number (a question, or a summary whose quantity a number changes):
# anything else typed there may be a request of its own (issue 18).
_NUMBER_STEPS: dict[Step | None, Callable[[Turn, str], Awaitable[None]]] = {
    Step.ORDER_QUANTITY: ordering.quantity_typed,
    Step.ORDER_SUMMARY: ordering.quantity_typed,  # "'7" at the consents: the new quantity
    Step.CHANGE_QUANTITY: changes.total_typed,
    Step.CHANGE_SUMMARY: changes.total_typed,
    Step.ADDON_QUANTITY: addons.quantity_typed,
    Step.ADDON_CHANGE_QUANTITY: addon_changes.quantity_typed,
}


@handler
async def text(turn: Turn) -> None:
    message = turn.update.effective_message
    typed = (message.text if message else None) or ""
    number_step = _NUMBER_STEPS.get(turn.step)
    if number_step is not None and turn.actor is not None:
        if typed_quantity(typed, turn.tr.language) is not None:
            await number_step(turn, typed)
            return
        if await free_text.instead_of_answer(turn, typed):
            return
        if turn.step in _STEPS:  # the question says again what it needs
            await number_step(turn, typed)
            return
    step = _STEPS.get(turn.step)
    if step is not None and turn.actor is not None:
        await step(turn, typed)
        return
    if turn.require_actor().role is Role.AGENT:  # no customer of their own: a name to find
        await agent.search(turn, typed)
        return
    if turn.state.ticket_id is not None:  # for the ticket, or a new request? (issue 18)
        reading = free_text.new_request(turn, typed)
        if reading is not None:
            await support.ask_ticket_or_new(turn, typed, reading)
            return
    if await support.to_ticket(turn, typed):
        return
    await free_text.understand(turn, typed)


@handler
async def not_text(turn: Turn) -> None:
    """A photo, sticker, voice message or file: only text is read; the step stays as it was."""
    turn.send(turn.tr("text.only_text"))
    if turn.actor is None:
        await menu.show_help(turn)
        return
    if turn.step in (Step.IDLE, None) and turn.state.ticket_id is None:
        await menu.show_menu(turn)  # in a question, its screen above stays the current one
