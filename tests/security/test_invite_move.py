"""Issue 19 (7): an invite for a person linked to another customer asks before it moves them.

Before, the admin of one customer who opened another customer's invite link acted for the
other customer at once, without a word. Now the bot says where they are and where the invite
would take them; "Nein, bleiben" changes nothing (the invite stays unused), "Ja, wechseln"
moves them. A revoked invite no longer links anybody.
"""

from __future__ import annotations

import pytest

from domain import errors
from domain.commands import LinkUser
from domain.model import Channel, Role
from domain.services import accounts
from domain.services.accounts import OPERATOR
from domain.services.context import Context
from tests.conftest import Seed
from tests.e2e.harness import Bot, press, say
from tests.rasa.action_server import QUIET, Dialogue, invite, serve, stop_serving
from tests.storage import read


async def _customer_of(bot: Bot, external_id: str) -> tuple[str | None, Role | None]:
    async with read(bot.core.db) as uow:
        user = await uow.users.by_external(Channel.TELEGRAM, external_id)
    return (user.customer_id, user.role) if user else (None, None)


async def test_an_admin_of_acme_is_asked_before_an_invite_of_globex_moves_them(bot: Bot) -> None:
    anna = await bot.linked_user(9201, role=Role.ADMIN, customer="acme")
    code = await bot.invite(Role.ADMIN, "globex")

    asked = await say(bot, anna, f"/start {code}")

    assert asked.plain_text == (
        "Sie sind bereits für ACME GmbH als Administrator angemeldet. Mit dieser Einladung "
        "wechseln Sie zu Globex AG als Administrator; für ACME GmbH handeln Sie danach nicht "
        "mehr. Möchten Sie wechseln?"
    )
    assert asked.buttons() == ["Ja, wechseln", "Nein, bleiben"]
    assert await _customer_of(bot, "9201") == ("acme", Role.ADMIN)  # nothing moved yet

    kept = await press(bot, anna, "Nein, bleiben")
    assert "Sie bleiben für ACME GmbH angemeldet." in kept.plain_text
    assert await _customer_of(bot, "9201") == ("acme", Role.ADMIN)

    await say(bot, anna, f"/start {code}")  # the invite was not used: asked again
    await press(bot, anna, "Ja, wechseln")
    texts = [m.plain_text for m in anna.messages()]
    assert any("Sie sind jetzt für Globex AG als Administrator angemeldet." in t for t in texts)
    assert await _customer_of(bot, "9201") == ("globex", Role.ADMIN)


async def test_the_same_customer_and_role_links_without_asking(bot: Bot) -> None:
    bernd = await bot.linked_user(9202, role=Role.MEMBER, customer="acme")
    code = await bot.invite(Role.MEMBER, "acme")
    await say(bot, bernd, f"/start {code}")
    assert not any("Möchten Sie wechseln?" in m.plain_text for m in bernd.messages())
    assert await _customer_of(bot, "9202") == ("acme", Role.MEMBER)


async def test_a_revoked_invite_links_nobody(bot: Bot) -> None:  # R22
    code = await bot.invite(Role.ADMIN, "acme")
    await accounts.revoke_invite(bot.core, OPERATOR, code)
    carla = bot.emu.user(9203, first_name="Carla")
    answer = await say(bot, carla, f"/start {code}")
    assert "Dieser Einladungscode wurde widerrufen" in answer.plain_text
    assert "abgelaufen" not in answer.plain_text
    assert await _customer_of(bot, "9203") == (None, None)
    with pytest.raises(errors.InviteRevoked):  # the domain refuses it the same way
        await accounts.link_user(bot.core, Channel.TELEGRAM, LinkUser("9204", code))


@pytest.mark.filterwarnings(*[mark.args[0] for mark in QUIET])
async def test_through_rasa_a_linked_sender_is_not_moved_by_another_customers_invite(
    ctx: Context, seed: Seed
) -> None:
    server = serve(ctx)
    try:
        anna = Dialogue(server, "rasa-anna-move")
        anna.user(await invite(ctx, Role.ADMIN, "acme"), "link_account")
        assert (await anna.run("action_link_account")).status == 200
        code = await invite(ctx, Role.ADMIN, "globex")
        anna.user(code, "link_account")
        reply = await anna.run("action_link_account")
        assert reply.texts == [
            "Sie sind bereits für „ACME GmbH“ angemeldet. Diese Einladung würde Sie zu "
            "„Globex AG“ verschieben; das geschieht nur nach Ihrer Bestätigung im "
            "Telegram-Chat. Oder bitten Sie den Service Desk, Ihre bisherige Anmeldung zu lösen."
        ]
        actor = await accounts.resolve_actor(ctx, Channel.RASA, "rasa-anna-move")
        assert actor.customer_id == "acme"
    finally:
        stop_serving()
