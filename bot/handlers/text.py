"""Typed text: a number while a step asks for one; anything else gets the menu, never silence."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.drafts import Step
from bot.handlers import (
    addon_changes,
    addons,
    agent,
    changes,
    free_text,
    ordering,
    request_cards,
    support,
)
from bot.turn import Turn, handler
from domain.model import Role

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


@handler
async def text(turn: Turn) -> None:
    message = turn.update.effective_message
    typed = (message.text if message else None) or ""
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
