"""Drafts of writes kept in the database, addressed by buttons and checked on every press."""

from __future__ import annotations

import re
from typing import Any

from bot.turn import StaleButton, Turn
from domain.conversation import Draft

_WHOLE = re.compile(r"^\s*[+-]?\d{1,15}\s*$")


def parse_quantity(text: str) -> int | None:
    """A typed whole number (any sign: range checks are the domain's), or None."""
    if not _WHOLE.match(text):
        return None
    return int(text)


async def new_draft(turn: Turn, kind: str, data: dict[str, Any], step: str) -> Draft:
    async with turn.rt.core.uow() as uow:
        draft = await uow.chats.new_draft(turn.chat_id, kind, data, turn.rt.core.now())
        await uow.commit()
    turn.set_step(step, draft.id)
    return draft


async def pressed_draft(turn: Turn, kind: str) -> Draft:
    """The draft a button names (first argument), if it belongs to this chat; else StaleButton."""
    return await load_draft(turn, kind, turn.press.number(0))


async def current_draft(turn: Turn, kind: str) -> Draft:
    """The draft the chat's current step works on (typed text)."""
    return await load_draft(turn, kind, turn.state.draft_id)


async def load_draft(turn: Turn, kind: str, draft_id: int | None) -> Draft:
    if draft_id is None:
        raise StaleButton()
    async with turn.rt.core.uow(write=False) as uow:
        draft = await uow.chats.draft(draft_id)
    if draft is None or draft.chat_id != turn.chat_id or draft.kind != kind:
        raise StaleButton()
    return draft


async def save_draft(turn: Turn, draft: Draft) -> None:
    async with turn.rt.core.uow() as uow:
        await uow.chats.save_draft(draft, turn.rt.core.now())
        await uow.commit()
