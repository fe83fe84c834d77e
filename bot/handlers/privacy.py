"""`/privacy` (what is stored, why, how long) and `/forget_me` (erase, after a confirmation)."""

from __future__ import annotations

from bot import callbacks as cb
from bot.notifier import send_queued
from bot.turn import Turn, handler
from domain.model import Channel
from domain.services import privacy as use_cases
from domain.texts import privacy as texts


@handler
async def privacy(turn: Turn) -> None:
    """`/privacy`: the notice, with the way to erase one's data."""
    settings = turn.rt.settings
    text = texts.notice(turn.tr, settings.retention, settings.service_desk_contact)
    rows = [[turn.button("privacy.forget_button", cb.FORGET_ASK)]]
    turn.show(text, [*rows, turn.nav()] if turn.actor else rows)


@handler
async def forget_me(turn: Turn) -> None:
    """`/forget_me` and its button: nothing is erased before the person confirms."""
    turn.show(
        texts.forget_question(turn.tr),
        [
            [
                turn.button("privacy.confirm", cb.FORGET_CONFIRM),
                turn.button("privacy.keep", cb.FORGET_KEEP),
            ]
        ],
    )


@handler
async def confirm(turn: Turn) -> None:
    """Erase now. The chat state is gone afterwards, so this turn saves none; the update
    itself stays claimed (without the chat) so that a re-delivery does not erase twice."""
    result = await use_cases.forget_me(
        turn.core,
        Channel.TELEGRAM,
        str(turn.user.id),
        current_update=(turn.context.bot.id, turn.update.update_id),
    )
    turn.actor, turn.customer_name = None, None
    send_queued(turn)  # the bot's messages at the service desk lose the person at once
    turn.answer()
    turn.show(texts.forgotten(turn.tr, result))


@handler
async def keep(turn: Turn) -> None:
    """Cancelled: nothing was erased."""
    turn.answer()
    turn.show(texts.kept(turn.tr), [turn.nav()] if turn.actor else [])
