"""A member's cancel_form ends in a request to the admins (R23), in Rasa's request format;
an admin's approval cancels (R18, R19)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from actions.conversation import Texts
from domain.commands import PlaceOrder
from domain.licence_requests import RequestKind, RequestStatus
from domain.model import Channel, Role
from domain.services import licence_requests, notifications, orders
from domain.services.accounts import OPERATOR
from domain.services.context import Context
from domain.services.licence_requests import Approval
from domain.texts.i18n import Translator
from domain.texts.notices import notice
from tests.conftest import Seed
from tests.rasa.action_server import QUIET, ActionServer, linked, serve, stop_serving

pytestmark = QUIET
DE = Texts("de")


@pytest.fixture
async def server(ctx: Context, seed: Seed) -> AsyncIterator[ActionServer]:
    yield serve(ctx)
    stop_serving()


async def test_a_members_cancel_form_ends_in_a_request(
    server: ActionServer, ctx: Context, seed: Seed
) -> None:  # R23, R20
    placed = await orders.place_order(
        ctx, seed.acme_admin, PlaceOrder("acme", "M365-E3", 5, True, True)
    )
    sub = placed.subscription.id
    member = await linked(server, ctx, Role.MEMBER, "acme", "rasa-mia")
    member.user("E3 kündigen", "cancel_product", sets={"subscription": "M365-E3"})
    reply = await member.activate("cancel_form")
    assert reply.texts == [] and member.requested_slot == "confirm_cancel"
    question = await member.run("action_ask_confirm_cancel")
    assert question.texts == [  # Telegram's member question as plain text (R20, R23)
        "Microsoft 365 E3 kündigen?\nDamit kündigen Sie alle 5 Lizenzen zum 30.11.2026. Bis "
        "dahin laufen sie weiter; bis zum Enddatum können Sie die Kündigung zurücknehmen.\n\n"
        "Als Mitglied senden Sie dies als Anfrage an die Administratoren Ihres Unternehmens; sie "
        "entscheiden darüber.",
        "Soll ich die Anfrage an Ihre Admins senden? Bitte antworten Sie mit Ja oder Nein.",
    ]
    await member.answer("ja", "affirm", {"confirm_cancel": True})
    assert member.active_loop is None
    sent = await member.run("action_cancel_subscription")
    assert sent.texts == ["📨 Anfrage Nr. 1 ist bei Ihren Admins."]
    assert (await orders.order_status(ctx, OPERATOR, sub)).status.value == "ordered"
    (asked,) = await licence_requests.list_requests(ctx, OPERATOR)
    assert (asked.kind, asked.status, asked.subscription_id) == (
        RequestKind.CANCEL,
        RequestStatus.PENDING,
        sub,
    )
    claim = await notifications.claim_deliveries(ctx, Channel.TELEGRAM)  # the admins are told
    told = [notice(Translator("de"), d.notification) for d in claim.deliveries if d.user]
    assert told == [
        "📨 Neue Anfrage Nr. 1 (ACME GmbH): Microsoft 365 E3 (Nr. 1) kündigen. "
        "Sie entscheiden darüber unter /requests."
    ]
    await licence_requests.approve(ctx, seed.acme_admin, asked.id, Approval(False, False), "Anna")
    view = await orders.order_status(ctx, OPERATOR, sub)
    assert (view.status.value, str(view.end_date)) == ("cancelled", "2026-11-30")


async def test_an_admins_cancel_form_still_cancels(
    server: ActionServer, ctx: Context, seed: Seed
) -> None:  # R18-R20
    await orders.place_order(ctx, seed.acme_admin, PlaceOrder("acme", "M365-E3", 2, True, True))
    anna = await linked(server, ctx, Role.ADMIN, "acme", "rasa-anna")
    anna.user("cancel E3", "cancel_product", sets={"subscription": "M365-E3"})
    anna.slots["language"] = "en"
    await anna.activate("cancel_form")
    question = await anna.run("action_ask_confirm_cancel")
    assert question.texts == [
        "Cancel Microsoft 365 E3?\nThis cancels the 2 licences as of 30 Nov 2026. They keep "
        "running until then; you can withdraw the cancellation until the end date.",
        "Shall I cancel it like this? Please answer yes or no.",
    ]
    await anna.answer("yes", "affirm", {"confirm_cancel": True})
    done = await anna.run("action_cancel_subscription")
    assert done.texts == [
        "The cancellation of Microsoft 365 E3 has been received. End date: 30 Nov 2026."
    ]
    assert await licence_requests.list_requests(ctx, OPERATOR) == []
