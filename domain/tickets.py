"""Service desk tickets (R26): a person's concern, its conversation, and who handles it.

Pure: no storage, chat or Rasa import. The ticket decides what may happen to it and names
each refusal (`errors.TicketClosed`, `errors.TicketTaken`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum

from domain import errors
from domain.model import Actor, Channel

MAX_TEXT = 4096  # one Telegram message; longer concerns are split by the sender's client
SUBJECT_LENGTH = 80


class TicketStatus(StrEnum):
    OPEN = "open"  # waiting for an agent
    TAKEN = "taken"  # an agent handles it
    RESOLVED = "resolved"


class Author(StrEnum):
    CUSTOMER = "customer"
    AGENT = "agent"


@dataclass(frozen=True)
class TicketMessage:
    author: Author
    text: str
    at: datetime
    name: str = ""  # the agent's display name (customers see "Service Desk")
    user_id: int | None = None  # who wrote it (the agent's user id: /forget_me finds it)
    id: int | None = None  # set once stored


@dataclass(eq=False)
class Ticket:
    """One concern of one chat user, for the customer the user acts for (R26)."""

    id: int | None
    customer_id: str | None
    user_id: int
    channel: Channel
    external_id: str  # where the customer is reached (chat id, Rasa sender)
    language: str
    context: str  # what the user was doing, e.g. "Bestellung Business Premium, Menge 12"
    created_at: datetime
    status: TicketStatus = TicketStatus.OPEN
    taken_by: str = ""  # the agent's name
    taken_by_user_id: int | None = None  # the agent's user id (/forget_me finds it by that)
    resolved_at: datetime | None = None
    desk_message_id: int | None = None  # the ticket's message in the service desk group
    desk_topic_id: int | None = None  # its forum topic, when the group is a forum
    messages: list[TicketMessage] = field(default_factory=list)
    version: int = 1

    @property
    def subject(self) -> str:
        """The first line of the first message, shortened."""
        first = self.messages[0].text if self.messages else ""
        line = first.strip().splitlines()[0] if first.strip() else ""
        return line if len(line) <= SUBJECT_LENGTH else line[: SUBJECT_LENGTH - 1] + "…"

    @property
    def is_open(self) -> bool:
        return self.status is not TicketStatus.RESOLVED

    def _check_open(self) -> None:
        if not self.is_open:
            raise errors.TicketClosed(self.id or 0)

    def write(
        self, author: Author, text: str, at: datetime, name: str = "", user_id: int | None = None
    ) -> TicketMessage:
        """Add a message; a resolved ticket takes none (the user opens a new one)."""
        self._check_open()
        message = TicketMessage(author, check_text(text), at, name, user_id)
        self.messages.append(message)
        return message

    def edit(self, message_id: int, author: Author, text: str) -> TicketMessage | None:
        """The author changed a message they had sent: its text is replaced (never a second
        message); None when nothing changed. A resolved ticket keeps its conversation."""
        self._check_open()
        for index, message in enumerate(self.messages):
            if message.id == message_id and message.author is author:
                new_text = check_text(text)
                if new_text == message.text:
                    return None
                self.messages[index] = replace(message, text=new_text)
                return self.messages[index]
        return None

    def message(self, message_id: int | None) -> TicketMessage:
        """One of its messages by id; the newest when not found (a message of an old version)."""
        return next((m for m in self.messages if m.id == message_id), self.messages[-1])

    def take(self, agent: Actor, name: str) -> bool:
        """An agent takes it over; False when this agent already has it."""
        self._check_open()
        if self.status is TicketStatus.TAKEN:
            mine = self.taken_by_user_id is not None and self.taken_by_user_id == agent.user_id
            if mine or (self.taken_by_user_id is None and self.taken_by == name):
                return False
            raise errors.TicketTaken(self.id or 0, self.taken_by)
        self.status, self.taken_by = TicketStatus.TAKEN, name
        self.taken_by_user_id = agent.user_id
        return True

    def resolve(self, at: datetime) -> None:
        self._check_open()
        self.status, self.resolved_at = TicketStatus.RESOLVED, at


@dataclass(frozen=True)
class TicketPost:
    """A Telegram message that belongs to a ticket: one the bot posted for it (a card's part,
    a forwarded message, an answer in the customer's chat), or a person's own message that
    became a ticket message (`origin`). Replies and edits find their ticket by these ids only."""

    ticket_id: int
    chat_id: int
    message_id: int
    ticket_message_id: int | None = None  # the ticket message it carries (a card: the first)
    notification_id: int | None = None  # the outbox notice that posted it (a retry skips it)
    part: int = 0  # which part of a message split at Telegram's length
    origin: bool = False


def check_text(text: str) -> str:
    """A message's text: not empty, at most one Telegram message long."""
    stripped = text.strip()
    if not stripped:
        raise errors.TicketTextEmpty()
    if len(stripped) > MAX_TEXT:
        raise errors.TicketTextTooLong(len(stripped), MAX_TEXT)
    return stripped
