"""/privacy and /forget_me through the Bot API emulator, in German and English (docs/privacy.md):
forget-me removes what it promises and keeps orders and consents provable."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.emulator import EmulatedUser
from domain.conversation import ChatState
from domain.model import Channel
from domain.services import orders
from domain.services.accounts import OPERATOR
from tests.e2e.harness import CONTACT, Bot, order, press, say, screen


async def _stored(bot: Bot, user: EmulatedUser) -> dict[str, object]:
    async with bot.core.uow(write=False) as uow:
        person = await uow.users.by_external(Channel.TELEGRAM, str(user.id))
        return await uow.privacy.personal_data(person.id if person else None, user.id)


async def _consent_labels(bot: Bot, subscription_id: int) -> set[str]:
    async with bot.core.uow(write=False) as uow:
        return {c["actor_label"] for c in await uow.records.consents_for(subscription_id)}


async def test_both_commands_are_registered_in_german_and_english(bot: Bot) -> None:
    for language in ("de", "en"):
        names = [c["command"] for c in bot.emu.commands(language_code=language)]
        assert "privacy" in names and "forget_me" in names


async def test_privacy_says_what_is_stored_why_and_how_long(bot: Bot) -> None:
    anna = await bot.linked_user(9101)
    notice = await say(bot, anna, "/privacy")
    assert "Datenschutz" in notice.plain_text
    assert "Gelöscht 90 Tage nach Ihrer letzten Nachricht" in notice.plain_text
    assert "Gelöscht nach 7 Tagen" in notice.plain_text
    assert "Gelöscht 365 Tage nach der Erledigung" in notice.plain_text
    assert CONTACT in notice.plain_text
    assert "Meine Daten löschen" in notice.buttons()
    bob = await bot.linked_user(9102, language="en", first_name="Bob")
    notice = await say(bot, bob, "/privacy")
    assert "Deleted 90 days after your last message" in notice.plain_text
    assert "Delete my data" in notice.buttons()
    stranger = bot.emu.user(9103, first_name="Eve", language_code="en")
    notice = await say(bot, stranger, "/privacy")  # unknown users may read it too (R22)
    assert "What this chat stores" in notice.plain_text


async def test_forget_me_cancelled_deletes_nothing(bot: Bot) -> None:
    for user_id, language, keep, kept in (
        (9201, "de", "Abbrechen", "Nichts gelöscht."),
        (9202, "en", "Cancel", "Nothing was deleted."),
    ):
        user = await bot.linked_user(user_id, language=language)
        before = await _stored(bot, user)
        question = await say(bot, user, "/forget_me")
        assert ("Ihre Daten löschen?" if language == "de" else "Delete your data?") in (
            question.plain_text
        )
        answer = await press(bot, user, keep)
        assert kept in answer.plain_text
        after = await _stored(bot, user)
        assert after["user"] == before["user"] and after["user"] is not None
        menu = await say(bot, user, "/menu")
        assert "ACME GmbH" in menu.plain_text  # still linked


async def test_forget_me_confirmed_erases_and_keeps_orders_provable(bot: Bot) -> None:  # R5, R22
    for user_id, language, product, confirm, done, unknown in (
        (
            9301,
            "de",
            "Microsoft 365 Business Basic",
            "Ja, löschen",
            "Ihre Daten sind gelöscht.",
            "Einladungslink",
        ),
        (
            9302,
            "en",
            "Microsoft 365 Business Standard",
            "Yes, delete",
            "Your data has been deleted.",
            "invitation link",
        ),
    ):
        user = await bot.linked_user(user_id, language=language)
        de = language == "de"
        confirmation = await order(bot, user, product, "3", de=de)
        number = int(confirmation.plain_text.split("Nr. " if de else "no. ")[1].split()[0])
        await say(bot, user, "/forget_me")
        await press(bot, user, confirm)
        answer = user.last_message()  # the question, now without buttons, says what was done

        assert done in answer.plain_text
        pseudonym = answer.plain_text.split("Nutzer #")[1][:6]
        stored = await _stored(bot, user)
        assert stored["user"] is None and stored["chat"] is None
        assert stored["drafts"] == [] and stored["processed_updates"] == []
        # The customer's order stays, and who consented shows as the pseudonym (R5).
        overview = await orders.list_orders(bot.core, OPERATOR, "acme")
        assert number in [s.id for s in overview.subscriptions]
        assert await _consent_labels(bot, number) == {f"Nutzer #{pseudonym}"}
        # Writing again: unknown (R22), and nothing about the person is stored by answering.
        again = await say(bot, user, "/orders")
        assert unknown in again.plain_text
        assert (await _stored(bot, user))["user"] is None


async def test_a_forgotten_user_can_be_invited_again(bot: Bot) -> None:  # R22
    user = await bot.linked_user(9401)
    await say(bot, user, "/forget_me")
    await press(bot, user, "Ja, löschen")
    await say(bot, user, f"/start {await bot.invite()}")
    welcome = [m.plain_text for m in user.messages() if "Willkommen, Anna!" in m.plain_text]
    assert len(welcome) == 2  # the first link, and the new one after forgetting
    assert "ACME GmbH" in screen(user).plain_text


async def test_pressing_confirm_twice_finds_nothing_left(bot: Bot) -> None:
    user = await bot.linked_user(9501)
    question = await say(bot, user, "/forget_me")
    await press(bot, user, "Ja, löschen", question)
    await say(bot, user, "/forget_me")
    await press(bot, user, "Ja, löschen")
    again = user.last_message()
    assert "Über Sie ist in diesem Chat nichts gespeichert." in again.plain_text


async def test_every_worker_applies_the_retention_when_it_starts_and_daily(bot: Bot) -> None:
    long_ago = bot.core.now() - timedelta(days=91)  # RETENTION_CHAT_DAYS defaults to 90
    async with bot.core.uow() as uow:
        await uow.chats.save(ChatState(9601, language="en"), long_ago)
        await uow.chats.save(ChatState(9602, language="en"), bot.core.now())
        await uow.commit()

    await bot.restart()  # a worker's first round runs the daily jobs, beside the updates

    for _ in range(200):  # the round runs in the notifier's task: wait for it (at most ~10 s)
        async with bot.core.uow(write=False) as uow:
            old, recent = await uow.chats.get(9601), await uow.chats.get(9602)
        if old.language is None:
            break
        await asyncio.sleep(0.05)
    assert old.language is None
    assert recent.language == "en"
