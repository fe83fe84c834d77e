"""Conversations with a real Rasa 3.6 over the JWT-vouched REST channel (issue 17).

Every turn must be answered (no circuit breaker, no silent turn); every write is checked in
the database: exactly once, and nothing without an explicit yes (R5, R11, R20).
"""

from __future__ import annotations

import pytest

from domain.commands import CreateInvite
from domain.model import Role, Status
from domain.services import accounts, licence_requests, orders, subscriptions, tickets
from domain.services.accounts import OPERATOR
from domain.views import SubscriptionView
from tests.rasa_e2e.conftest import context, run
from tests.rasa_e2e.stack import Chat, Stack

pytestmark = pytest.mark.rasa_e2e


def invite(stack: Stack, role: Role = Role.ADMIN, customer: str = "acme") -> str:
    async def create() -> str:
        ctx = context(stack.database_url)
        try:
            return (await accounts.create_invite(ctx, OPERATOR, CreateInvite(role, customer))).code
        finally:
            await ctx.db.dispose()

    return run(create())


def subs(stack: Stack, customer: str = "acme") -> list[SubscriptionView]:
    async def read() -> list[SubscriptionView]:
        ctx = context(stack.database_url)
        try:
            overview = await orders.list_orders(ctx, OPERATOR, customer)
            return list(overview.subscriptions)
        finally:
            await ctx.db.dispose()

    return run(read())


def one(stack: Stack, sku: str, customer: str = "acme") -> SubscriptionView:
    (found,) = [s for s in subs(stack, customer) if s.product_sku == sku]
    return found


def provision(stack: Stack, number: int) -> None:
    async def mark() -> None:
        ctx = context(stack.database_url)
        try:
            await subscriptions.mark_provisioned(ctx, OPERATOR, number)
        finally:
            await ctx.db.dispose()

    run(mark())


def counts(stack: Stack, customer: str = "acme") -> tuple[int, int]:
    """Tickets and licence requests of the customer."""

    async def read() -> tuple[int, int]:
        ctx = context(stack.database_url)
        try:
            opened = await tickets.list_tickets(ctx, OPERATOR, customer)
            asked = await licence_requests.list_requests(ctx, OPERATOR, customer)
            return len(opened), len(asked)
        finally:
            await ctx.db.dispose()

    return run(read())


def link(chat: Chat, code: str) -> str:
    return chat.say(f'/link_account{{"invite_code": "{code}"}}')


def test_a_sender_not_vouched_for_is_refused(stack: Stack) -> None:  # issue 17, item 9
    assert stack.post("Meine Bestellungen", bearer=None, sender="rasa-anna").status_code == 401
    forged = stack.token("rasa-anna").rsplit(".", 1)[0] + ".AAAA"
    assert stack.post("Meine Bestellungen", bearer=forged).status_code == 401
    other = stack.post("hallo", bearer=stack.token("rasa-eve"), sender="rasa-anna")
    assert other.status_code == 403


def test_a_german_admin_from_link_to_withdrawal(stack: Stack) -> None:
    anna = Chat(stack, "rasa-anna", "German administrator")
    assert "Willkommen" in link(anna, invite(stack))
    assert "Microsoft 365 E3" in anna.say("Welche Produkte gibt es?")
    assert "Business Premium" in anna.say("Was kostet Business Premium?")

    # order: nonsense and leaving, then both consents (R5)
    anna.say("Ich möchte 5 Lizenzen M365 E3 bestellen")
    anna.say("xyz")
    assert subs(stack) == []
    assert "abgebrochen" in anna.say("abbrechen")
    assert subs(stack) == []
    assert "AGB" in anna.say("Ich möchte 5 Lizenzen M365 E3 bestellen")
    assert "Microsoft-Konto" in anna.say("ja")
    assert subs(stack) == []
    assert "eingegangen" in anna.say("ja")
    assert one(stack, "M365-E3").quantity == 5
    anna.say("ja")  # a repeated "ja" orders nothing more
    assert len(subs(stack)) == 1

    assert "Microsoft 365 E3" in anna.say("Meine Bestellungen")
    assert "Microsoft 365 E3" in anna.say("Wie ist der Status meiner Bestellung?")

    # change: summary, then a no leaves it; then the yes (R11)
    e3 = one(stack, "M365-E3")
    anna.say("Bitte auf 8 erhöhen")
    summary = anna.say("M365 E3")
    assert "5 → 8" in summary
    anna.say("nein")
    assert one(stack, "M365-E3").version == e3.version
    summary = anna.say("Bitte M365 E3 um 3 erhöhen")
    assert "5 → 8" in summary
    anna.say("ja")
    assert (one(stack, "M365-E3").quantity, one(stack, "M365-E3").version) == (8, e3.version + 1)

    # add-on after provisioning (R14, R17)
    provision(stack, e3.id)
    anna.say("Ich möchte Copilot für M365 E3 buchen")
    anna.say("3")
    assert one(stack, "M365-E3").addons == ()
    anna.say("ja")
    (addon,) = one(stack, "M365-E3").addons
    assert (addon.sku, addon.quantity) == ("COPILOT", 3)

    # cancel with confirmation (R20), then withdraw it
    question = anna.say("Ich möchte M365 E3 kündigen")
    assert "kündigen" in question
    assert one(stack, "M365-E3").status is Status.PROVISIONED
    anna.say("ja")
    assert one(stack, "M365-E3").status is Status.CANCELLED
    anna.say("Bitte die Kündigung von M365 E3 zurücknehmen")
    assert one(stack, "M365-E3").status is Status.PROVISIONED

    # the service desk (R26)
    before = counts(stack)[0]
    anna.say("Ich möchte mit einem Mitarbeiter sprechen")
    assert counts(stack)[0] == before + 1
    assert "Wiedersehen" in anna.say("Tschüss")


def test_every_form_can_be_left_and_nonsense_writes_nothing(stack: Stack) -> None:
    lena = Chat(stack, "rasa-lena", "Leaving every form")
    link(lena, invite(stack, customer="globex"))
    lena.say("Ich möchte 3 Lizenzen Business Basic bestellen")
    lena.say("asdf qwertz blubb")
    lena.say("ja")
    lena.say("stop")
    assert subs(stack, "globex") == []
    lena.say("Ich möchte 3 Lizenzen Business Basic bestellen")
    lena.say("ja")
    lena.say("/cancel")
    assert subs(stack, "globex") == []
    lena.say("Ich möchte 3 Lizenzen Business Basic bestellen")
    lena.say("ja")
    lena.say("ja")
    basic = one(stack, "M365-BUSINESS-BASIC", "globex")
    for start in (
        "Ändere die Menge von Business Basic",
        "Business Basic kündigen",
    ):
        lena.say(start)
        lena.say("xyz")
        lena.say("nein")
    lena.say("Ändere die Menge von Business Basic auf 5")
    lena.say("cancel")
    lena.say("Business Basic kündigen")
    lena.say("Tschüss")
    lena.say("ja")
    after = one(stack, "M365-BUSINESS-BASIC", "globex")
    assert (after.quantity, after.status, after.version) == (3, basic.status, basic.version)


def test_a_member_asks_instead_of_ordering(stack: Stack) -> None:  # R23
    mia = Chat(stack, "rasa-mia", "A member's request")
    link(mia, invite(stack, Role.MEMBER))
    before = counts(stack)[1]
    mia.say("Ich möchte 2 Lizenzen Business Standard bestellen")
    assert counts(stack)[1] == before + 1
    assert [s for s in subs(stack) if s.product_sku == "M365-BUSINESS-STANDARD"] == []


def test_an_english_speaker_from_the_first_message(stack: Stack) -> None:
    bob = Chat(stack, "rasa-bob", "English administrator")
    assert "Welcome" in bob.say("Hello")
    assert "Welcome" in link(bob, invite(stack, customer="globex"))
    assert "Microsoft 365 E5" in bob.say("Which products do you offer?")
    bob.say("I would like to order 4 licences of M365 E5")
    bob.say("yes")
    assert "received" in bob.say("yes")
    assert one(stack, "M365-E5", "globex").quantity == 4
    summary = bob.say("Please reduce M365 E5 by two")
    assert "4 → 2" in summary
    bob.say("yes")
    assert one(stack, "M365-E5", "globex").quantity == 2
