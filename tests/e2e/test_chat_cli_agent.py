"""`make chat` as the service desk (issue 18, item 6 and finding 8): the agent works in the
desk group — after `/customer` in their own chat, `/as agent` brings them back to the group,
a ticket opened meanwhile shows there, and their typed answer goes to the ticket, not into
the customer search."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.test_chat_cli import run_chat

pytestmark = pytest.mark.real_clock  # processes of ours on the real clock (tests/dates.py)


def test_the_agent_comes_back_to_the_desk_after_customer(tmp_path: Path) -> None:  # R26
    out = run_chat(
        tmp_path,
        [
            *("/as agent", "/customer"),  # the customer search waits in the agent's own chat
            *("/as admin", "4", "Der Drucker druckt nicht"),
            *("/as agent", "Wir schicken jemanden vorbei."),
            *("/as admin", "/quit"),
        ],
    )
    card_shown = out.index("👥 Service Desk · #1 · Demo GmbH")
    assert card_shown > out.rindex("— Sie sind jetzt Demo Service Desk. —")  # shown to the agent
    assert "Kein Kunde passt" not in out
    assert "Service Desk · Demo Service Desk · Ticket Nr. 1:\nWir schicken jemanden vorbei." in out


def test_the_agent_answers_from_the_customer_card_in_the_terminal(tmp_path: Path) -> None:
    # admin: [4] Service Desk → concern; agent: /customer demo → card [2] Tickets →
    # [1] Nr. 1 öffnen → [1] Antworten → the answer
    out = run_chat(
        tmp_path,
        [
            *("4", "Bitte Rückruf"),
            *("/as agent", "/customer demo", "2", "1", "1", "Wir rufen um 14 Uhr an."),
            *("/as admin", "/quit"),
        ],
    )
    assert "↪ An Ticket Nr. 1 gesendet" in out
    assert "Service Desk · Demo Service Desk · Ticket Nr. 1:\nWir rufen um 14 Uhr an." in out
