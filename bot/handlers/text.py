"""Typed text: a number while a step asks for one; anything else gets the menu, never silence."""

from __future__ import annotations

from bot.handlers import addons, changes, free_text, ordering
from bot.turn import Turn, handler

_STEPS = {
    ordering.STEP_QUANTITY: ordering.quantity_typed,
    changes.STEP_CHANGE: changes.total_typed,
    addons.STEP_ADDON: addons.quantity_typed,
}


@handler
async def text(turn: Turn) -> None:
    message = turn.update.effective_message
    typed = (message.text if message else None) or ""
    step = _STEPS.get(turn.state.step)
    if step is not None and turn.actor is not None:
        await step(turn, typed)
        return
    turn.require_actor()
    await free_text.understand(turn, typed)
