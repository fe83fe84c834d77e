"""Typed sentences: understood intents jump into the matching flow with values pre-filled.

Every write still goes through its summary and the confirmation button (and the consents);
a sentence never orders, changes or cancels by itself. Unsure → say what the bot can do.
"""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable

from bot.drafts import Step
from bot.handlers import addons, changes, menu, my_orders, ordering, support
from bot.turn import Turn
from domain.nlu.parser import CONFIDENCE_THRESHOLD, ParseResult
from domain.services import catalog, orders
from domain.views import SubscriptionView


async def understand(turn: Turn, text: str) -> None:
    parser = turn.rt.parser
    if parser is None:
        await _unsure(turn)
        return
    result = parser.parse(text)
    action = _INTENTS.get(result.intent)
    if action is None or result.confidence < CONFIDENCE_THRESHOLD:
        await _unsure(turn)
        return
    await action(turn, result)


async def _unsure(turn: Turn) -> None:
    await turn.send(turn.tr("free_text.can_do"))
    await menu.show_menu(turn)


async def _greet(turn: Turn, _: ParseResult) -> None:
    await turn.send(turn.tr("free_text.greet", name=html.escape(turn.user.first_name)))
    await menu.show_menu(turn)


async def _goodbye(turn: Turn, _: ParseResult) -> None:
    await turn.send(turn.tr("free_text.goodbye"))


async def _help(turn: Turn, _: ParseResult) -> None:
    await menu.show_help(turn)


async def _products(turn: Turn, _: ParseResult) -> None:
    await ordering.show_products(turn, 0)


async def _details(turn: Turn, result: ParseResult) -> None:
    if result.product_sku is None:
        await ordering.show_products(turn, 0)
        return
    await ordering.details_for(turn, result.product_sku)


async def _running(turn: Turn, sku: str | None) -> list[SubscriptionView]:
    overview = await orders.list_orders(turn.core, turn.require_actor(), turn.customer_id)
    return overview.running(sku)


async def _product_name(turn: Turn, sku: str) -> str:
    offer = await catalog.product_details(turn.core, turn.require_actor(), turn.customer_id, sku)
    return offer.name


async def _order(turn: Turn, result: ParseResult) -> None:
    """ "Wir brauchen 10 E3": a new order, or a change of the booked one (R6)."""
    if result.product_sku is None:
        await ordering.show_products(turn, 0)
        return
    booked = await _running(turn, result.product_sku)
    if booked:
        await _change_of(turn, booked[0], result)
        return
    quantity = abs(result.quantity) if result.quantity is not None else None
    await ordering.begin_order(turn, result.product_sku, quantity)


async def _change(turn: Turn, result: ParseResult) -> None:
    """ "5 weitere E3", "40 statt 18 Business Standard": old → new, then confirm (R11)."""
    running = await _running(turn, result.product_sku)
    if result.product_sku is not None and not running:
        name = await _product_name(turn, result.product_sku)
        await turn.send(turn.tr("free_text.not_booked", name=html.escape(name)))
        await ordering.details_for(turn, result.product_sku)
        return
    if len(running) != 1:
        await turn.send(turn.tr("free_text.which_product"))
        await my_orders.show_orders(turn, 0)
        return
    await _change_of(turn, running[0], result)


async def _change_of(turn: Turn, sub: SubscriptionView, result: ParseResult) -> None:
    await changes.begin_change(turn, sub.id, result.new_total(sub.quantity))


async def _addon(turn: Turn, result: ParseResult) -> None:
    """ "Copilot für 10 Nutzer": the add-on summary for the one subscription that offers it."""
    running = await _running(turn, result.product_sku)
    if result.addon_sku is None:
        if len(running) == 1:
            await my_orders.show_subscription(turn, running[0])
            return
        await my_orders.show_orders(turn, 0)
        return
    candidates = []
    for sub in running:
        offer = await catalog.product_details(
            turn.core, turn.require_actor(), turn.customer_id, sub.product_sku
        )
        if any(a.sku == result.addon_sku for a in offer.addons):
            candidates.append(sub)
    if len(candidates) != 1:
        name = await _addon_name(turn, result.addon_sku)
        await turn.send(turn.tr("free_text.addon_which", name=html.escape(name)))
        await my_orders.show_orders(turn, 0)
        return
    quantity = abs(result.quantity) if result.quantity is not None else None
    await addons.begin_addon(turn, candidates[0].id, result.addon_sku, quantity)


async def _addon_name(turn: Turn, sku: str) -> str:
    offers = await catalog.browse_catalog(turn.core, turn.require_actor(), turn.customer_id)
    return next((a.name for o in offers for a in o.addons if a.sku == sku), sku)


async def _cancel(turn: Turn, result: ParseResult) -> None:
    """ "kündige Teams Essentials": the cancellation screen with its confirmation (R20)."""
    running = await _running(turn, result.product_sku)
    if len(running) != 1:
        if result.product_sku is not None:
            name = await _product_name(turn, result.product_sku)
            await turn.send(turn.tr("free_text.not_booked", name=html.escape(name)))
        else:
            await turn.send(turn.tr("free_text.which_product"))
        await my_orders.show_orders(turn, 0)
        return
    await changes.begin_cancel(turn, running[0].id)


async def _orders(turn: Turn, _: ParseResult) -> None:
    await my_orders.show_orders(turn, 0)


async def _status(turn: Turn, result: ParseResult) -> None:
    """ "Wie viele E3 haben wir?": answered directly from the customer's data."""
    if result.product_sku is None:
        await my_orders.show_status(turn)
        return
    running = await _running(turn, result.product_sku)
    name = html.escape(await _product_name(turn, result.product_sku))
    if not running:
        await turn.send(turn.tr("free_text.have_none", name=name))
        return
    sub = running[0]
    await turn.send(
        turn.tr(
            "free_text.have",
            quantity=sub.quantity,
            name=name,
            status=turn.tr.status(sub.status),
        )
    )


async def _handoff(turn: Turn, _: ParseResult) -> None:
    await support.ask_concern(turn, await support.doing(turn))


async def _affirm_or_deny(turn: Turn, _: ParseResult) -> None:
    """ "Ja" never confirms a write: the button does (docs/ux.md, issue on free text)."""
    if turn.step is not Step.IDLE:
        await turn.send(turn.tr("free_text.confirm_with_button"))
        return
    await menu.show_menu(turn)


_INTENTS: dict[str, Callable[[Turn, ParseResult], Awaitable[None]]] = {
    "greet": _greet,
    "goodbye": _goodbye,
    "help": _help,
    "list_products": _products,
    "product_details": _details,
    "order_product": _order,
    "change_quantity": _change,
    "book_addon": _addon,
    "cancel_product": _cancel,
    "show_orders": _orders,
    "order_status": _status,
    "handoff": _handoff,
    "affirm": _affirm_or_deny,
    "deny": _affirm_or_deny,
}
