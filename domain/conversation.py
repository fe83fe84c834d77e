"""A front end's conversation state, kept in the database (docs/design.md, decision 1)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class ChatState:
    chat_id: int
    language: str | None = None
    step: str = "idle"
    draft_id: int | None = None
    ticket_id: int | None = None  # the open ticket this chat writes to (R26)


@dataclass
class Draft:
    """A half-finished write (order, change, add-on, cancel) and its idempotency key (R9)."""

    id: int
    chat_id: int
    kind: str
    idempotency_key: str
    data: dict[str, Any] = field(default_factory=dict)
    state: str = "open"  # open | done | discarded
    result_id: int | None = None
