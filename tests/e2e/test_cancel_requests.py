"""A cancellation asked for (R23): a member's "Kündigen" becomes a request, the service desk
prepares one, an admin decides; approving cancels in the same transaction (R18-R20)."""

from __future__ import annotations

from bot.emulator import EmulatedUser
from bot.notifier import deliver_once
from domain.licence_requests import RequestKind, RequestStatus
from domain.model import Role, Status
from domain.services import licence_requests, orders
from domain.services.accounts import OPERATOR
from tests.e2e.harness import Bot, order, press, say, screen, texts


async def e3_for_acme(bot: Bot, admin: EmulatedUser) -> None:
    await order(bot, admin, "Microsoft 365 E3", "10")
    await bot.provision(1)


async def status_of_e3(bot: Bot) -> Status:
    return (await orders.order_status(bot.core, OPERATOR, 1)).status


async def told(bot: Bot) -> None:
    assert bot.application is not None
    await deliver_once(bot.application, bot.core, "de")
    await bot.settle()


async def test_a_members_cancellation_is_carried_out_when_an_admin_approves(bot: Bot) -> None:
    anna = await bot.linked_user(7201, first_name="Anna")
    mia = await bot.linked_user(7202, role=Role.MEMBER, first_name="Mia")
    await e3_for_acme(bot, anna)

    await say(bot, mia, "/orders")
    await press(bot, mia, "Nr. 1 · Microsoft 365 E3")
    ask = await press(bot, mia, "Kündigen")
    assert "Microsoft 365 E3 kündigen?" in ask.plain_text  # R20: product, quantity, end date
    assert "alle 10 Lizenzen zum 30.11.2026" in ask.plain_text
    assert "als Anfrage an die Administratoren" in ask.plain_text
    assert ask.buttons()[0] == "Anfrage senden"
    sent = await press(bot, mia, "Anfrage senden")
    assert "📨 Anfrage Nr. 1 ist bei Ihren Admins." in sent.plain_text
    assert "↩️ Zurückziehen" in sent.buttons()
    assert await status_of_e3(bot) is Status.PROVISIONED  # nothing before an admin decides

    card = screen(anna)
    assert card.plain_text.startswith("📨 Anfrage Nr. 1 von Mia")
    assert "alle 10 Lizenzen zum 30.11.2026" in card.plain_text
    assert card.buttons() == ["Genehmigen", "Ablehnen"]
    listing = await say(bot, anna, "/requests")
    assert "Nr. 1 · ⏳ offen · Microsoft 365 E3 (Nr. 1) kündigen · von Mia" in listing.plain_text

    await press(bot, anna, "Nr. 1 entscheiden", listing)
    approval = await press(bot, anna, "Genehmigen")
    assert "☐" not in approval.plain_text  # no consents to cancel (R23)
    done = await press(bot, anna, "Ja, kündigen")
    assert "✅ Anfrage Nr. 1 von Mia ist genehmigt." in done.plain_text
    assert "Die Kündigung von Microsoft 365 E3 ist eingegangen. Enddatum: 30.11.2026." in (
        done.plain_text
    )
    assert await status_of_e3(bot) is Status.CANCELLED
    await told(bot)
    assert any(
        "✅ Anfrage Nr. 1 (ACME GmbH) ist genehmigt: Microsoft 365 E3 (Nr. 1) kündigen." in t
        for t in texts(mia)
    )


async def test_a_member_types_a_cancellation_and_an_admin_declines_it(bot: Bot) -> None:
    anna = await bot.linked_user(7203, first_name="Anna")
    mia = await bot.linked_user(7204, role=Role.MEMBER, language="en", first_name="Mia")
    await e3_for_acme(bot, anna)
    ask = await say(bot, mia, "cancel Microsoft 365 E3")
    assert "Cancel Microsoft 365 E3?" in ask.plain_text
    assert "Send request" in screen(mia).buttons()
    assert "As a member you cannot" not in ask.plain_text
    await press(bot, mia, "Send request")
    card = screen(anna)
    await press(bot, anna, "Ablehnen", card)
    await say(bot, anna, "Wir brauchen E3 noch bis März")
    assert await status_of_e3(bot) is Status.PROVISIONED
    await told(bot)
    declined = [t for t in texts(mia) if "has been declined" in t]
    assert declined and "Cancel Microsoft 365 E3 (no. 1)" in declined[0]
    assert "Wir brauchen E3 noch bis März" in declined[0]


async def test_the_service_desk_prepares_a_cancellation_for_the_admins(bot: Bot) -> None:
    anna = await bot.linked_user(7205, first_name="Anna")
    await e3_for_acme(bot, anna)
    agent = bot.emu.user(7950, first_name="Bernd")
    await say(bot, agent, f"/start {await bot.invite(Role.AGENT, None)}")
    await say(bot, agent, "/customer acme")
    kinds = await press(bot, agent, "Anfrage vorbereiten")
    assert "Kündigung" in kinds.buttons()
    await press(bot, agent, "Kündigung")
    summary = await press(bot, agent, "Nr. 1 · Microsoft 365 E3")
    assert "alle 10 Lizenzen zum 30.11.2026" in summary.plain_text
    sent = await press(bot, agent, "An die Administratoren senden")
    assert "Anfrage Nr. 1" in sent.plain_text
    card = screen(anna)
    assert "Microsoft 365 E3 kündigen?" in card.plain_text
    await press(bot, anna, "Genehmigen", card)
    await press(bot, anna, "Ja, kündigen")
    assert await status_of_e3(bot) is Status.CANCELLED
    [request] = await licence_requests.list_requests(bot.core, OPERATOR)
    assert (request.kind, request.status) == (RequestKind.CANCEL, RequestStatus.APPROVED)
    assert request.as_json()["kind"] == "cancel"  # `licencebot requests --json`
