"""Start and linking (R22), main menu, help, language, service desk contact, /cancel."""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton

from bot import callbacks as cb
from bot.drafts import DraftState, MoveForm, Step
from bot.handlers import support
from bot.miniapp.buttons import offer_menu_button
from bot.turn import StaleButton, Turn, handler
from domain import errors
from domain.commands import LinkUser
from domain.model import Channel, Role
from domain.services import accounts


async def show_menu(turn: Turn) -> None:
    actor = turn.require_actor()
    if actor.customer_id is None:
        title = turn.tr("menu.title_agent")
    else:
        title = turn.tr("menu.title", customer=html.escape(turn.customer_name or ""))
    turn.set_step(Step.IDLE)
    turn.show(title, menu_keyboard(turn))


def menu_keyboard(turn: Turn) -> list[list[InlineKeyboardButton]]:
    if turn.actor is not None and turn.actor.role is Role.AGENT:  # no customer of their own
        return [
            [turn.button("agent.find", cb.CUSTOMER_FIND)],
            [turn.button("menu.help", cb.HELP), turn.button("menu.language", cb.LANGUAGE)],
        ]
    return [
        [
            turn.button("menu.products", cb.Page(0).data(cb.PRODUCTS)),
            turn.button("menu.orders", cb.Page(0).data(cb.ORDERS)),
        ],
        [turn.button("menu.status", cb.STATUS), turn.button("menu.support", cb.SUPPORT)],
        *(
            [[turn.button("menu.costs", cb.COSTS), turn.button("menu.settings", cb.SETTINGS)]]
            if turn.actor is not None and turn.actor.role is Role.ADMIN
            else []
        ),
        [turn.button("menu.help", cb.HELP), turn.button("menu.language", cb.LANGUAGE)],
    ]


@handler
async def start(turn: Turn) -> None:
    """`/start [code]`: link with an invite (deep link) or show the menu."""
    args = turn.context.args or []
    if args:
        try:
            linked = await accounts.link_user(
                turn.core,
                Channel.TELEGRAM,
                LinkUser(str(turn.user.id), args[0], turn.user.full_name, turn.user.language_code),
            )
        except errors.MoveNeedsConfirmation as ask:
            await _ask_to_move(turn, ask)
            return
        await _welcome(turn, linked)
    offer_menu_button(turn)
    await show_menu(turn)


async def _ask_to_move(turn: Turn, ask: errors.MoveNeedsConfirmation) -> None:
    """Linked elsewhere already: nothing moves before the person says so (issue 19)."""
    draft = await turn.new_draft(MoveForm(ask.ref), Step.IDLE)
    desk = turn.tr("start.move_service_desk")
    current_role = turn.tr.role(turn.actor.role) if turn.actor else ""
    text = turn.tr(
        "start.move_ask",
        current=html.escape(ask.current or desk),
        current_role=current_role,
        target=html.escape(ask.target or desk),
        role=turn.tr.role(Role(ask.role)),
    )
    turn.show(
        text,
        [
            [
                turn.button("start.move_confirm", cb.data(cb.MOVE_CONFIRM, draft.ref)),
                turn.button("start.move_keep", cb.data(cb.MOVE_KEEP, draft.ref)),
            ]
        ],
    )


@handler
async def move_confirm(turn: Turn) -> None:
    """Yes: the invite moves the person now (it may have expired or been used meanwhile)."""
    drafted = await turn.pressed_draft(MoveForm)
    if drafted.state is not DraftState.OPEN:
        raise StaleButton()
    turn.answer()
    linked = await accounts.link_user(
        turn.core,
        Channel.TELEGRAM,
        LinkUser(
            str(turn.user.id),
            "",
            turn.user.full_name,
            turn.user.language_code,
            move=True,
            invite_ref=drafted.form.ref,
        ),
    )
    drafted.finish(None)
    await turn.save_draft(drafted)
    await _welcome(turn, linked)
    offer_menu_button(turn)
    await show_menu(turn)


@handler
async def move_keep(turn: Turn) -> None:
    """No: the person stays where they are; the invite stays unused."""
    drafted = await turn.pressed_draft(MoveForm)
    drafted.discard()
    await turn.save_draft(drafted)
    turn.answer()
    current = turn.customer_name or turn.tr("start.move_service_desk")
    turn.show(turn.tr("start.move_kept", current=html.escape(current)), [turn.nav()])


async def _welcome(turn: Turn, linked: accounts.Linked) -> None:
    turn.actor, turn.customer_name = linked.user.as_actor(), linked.customer_name
    name = html.escape(turn.user.first_name)
    commands, bot, chat_id = turn.rt.commands, turn.context.bot, turn.chat_id
    role = linked.user.role
    turn.later(lambda: commands.publish_for(bot, chat_id, role))  # an agent's list: /customer
    if linked.user.role is Role.AGENT:
        turn.send(turn.tr("start.welcome_agent", name=name))
    else:
        turn.send(
            turn.tr(
                "start.welcome",
                name=name,
                customer=html.escape(linked.customer_name or ""),
                role=turn.tr.role(linked.user.role),
            )
        )


@handler
async def menu(turn: Turn) -> None:
    """`/menu` and the Main menu button."""
    await show_menu(turn)


@handler
async def help_(turn: Turn) -> None:
    await show_help(turn)


async def show_help(turn: Turn) -> None:
    text = turn.tr("help.text")
    if turn.actor is not None and turn.actor.role is Role.AGENT:  # their own tools
        text += "\n\n" + turn.tr("help.agent")
    turn.show(text, [turn.nav()] if turn.actor else [])


@handler
async def language(turn: Turn) -> None:
    """`/language` and the button: pick, or store the picked language."""
    picked = turn.pressed(cb.Language).code if turn.press.prefix == cb.LANGUAGE else None
    if picked in ("de", "en"):
        turn.set_language(picked)
        turn.answer(turn.tr("language.saved"))
        if turn.actor is not None:
            await show_menu(turn)
        else:
            turn.show(turn.tr("language.saved"))
        return
    turn.show(
        turn.tr("language.title"),
        [
            [
                turn.button("language.de", cb.Language("de").data(cb.LANGUAGE)),
                turn.button("language.en", cb.Language("en").data(cb.LANGUAGE)),
            ],
            *([turn.nav()] if turn.actor else []),
        ],
    )


@handler
async def cancel_step(turn: Turn) -> None:
    """`/cancel`: leave the current step; never cancels a subscription."""
    if await support.leave_ticket(turn):
        await show_menu(turn)
        return
    left = turn.step is not Step.IDLE
    turn.set_step(Step.IDLE)
    turn.send(turn.tr("cancel.left") if left else turn.tr("cancel.nothing"))
    if turn.actor is not None:
        await show_menu(turn)
