"""Typed sentences: understood intents jump into the matching flow with values pre-filled.

Every write still goes through its summary and the confirmation button (and the consents);
a sentence never orders, changes or cancels by itself. Unsure → "Meinten Sie …?" with the
likely readings as buttons (a two-stage fallback); a name that fits two catalogue entries →
"Welches meinen Sie?" with both. The buttons carry the reading (`fx:` callbacks), so a press
needs no stored state and is checked again like every other press.
"""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable

from telegram import InlineKeyboardButton

from bot import callbacks as cb
from bot.drafts import Step
from bot.handlers import addon_changes, addons, changes, menu, my_orders, ordering, support
from bot.handlers import seats as seat_handlers
from bot.turn import Turn, handler
from domain import metrics
from domain.licence_requests import RequestKind
from domain.nlu.parser import ParseResult
from domain.services import catalogue, orders, submissions
from domain.texts.i18n import N_
from domain.views import AddonView, SubscriptionView

# What each reading is called on a "Meinten Sie …?" button.
_READING_KEYS = {
    "greet": N_("free_text.reading.greet"),
    "goodbye": N_("free_text.reading.goodbye"),
    "help": N_("free_text.reading.help"),
    "list_products": N_("free_text.reading.list_products"),
    "product_details": N_("free_text.reading.product_details"),
    "order_product": N_("free_text.reading.order_product"),
    "change_quantity": N_("free_text.reading.change_quantity"),
    "book_addon": N_("free_text.reading.book_addon"),
    "cancel_product": N_("free_text.reading.cancel_product"),
    "show_orders": N_("free_text.reading.show_orders"),
    "order_status": N_("free_text.reading.order_status"),
    "handoff": N_("free_text.reading.handoff"),
    "show_costs": N_("free_text.reading.show_costs"),  # issue 21 (appended: codes stay)
    "withdraw_cancellation": N_("free_text.reading.withdraw_cancellation"),  # issue 18
}
_CODES = tuple(_READING_KEYS)  # the reading's number in `fx:` data (keeps it under 64 bytes)
_WRITES = {
    "order_product": RequestKind.ORDER,
    "change_quantity": RequestKind.CHANGE,
    "book_addon": RequestKind.ADDON,
    "cancel_product": RequestKind.CANCEL,
    "withdraw_cancellation": RequestKind.CANCEL,  # R20: who may cancel may take it back
}
_NEEDS_PRODUCT = frozenset(
    {
        "product_details",
        "order_product",
        "change_quantity",
        "cancel_product",
        "order_status",
        "withdraw_cancellation",
    }
)
# Readings that are no request of their own: typed at a question, the question answers them.
_NOT_REQUESTS = frozenset({"greet", "goodbye", "affirm", "deny", "out_of_scope"})


async def understand(turn: Turn, text: str) -> None:
    parser = turn.rt.parser
    if parser is None:
        await _unsure(turn)
        return
    result = parser.parse(text)
    metrics.INTENTS.labels(result.intent, str(not result.uncertain).lower()).inc()
    if result.nonsense:  # "asdfgh": no reading to offer (issue 18)
        await _unsure(turn)
        return
    if result.uncertain or result.intent not in _INTENTS:
        await _did_you_mean(turn, result)
        return
    await _act(turn, result)


async def instead_of_answer(turn: Turn, text: str) -> bool:
    """A request typed where a question waits for a number ("kündige Office 365 E1" at "Wie
    viele Lizenzen?"): act on it when the reading is sure and True; else False, and the
    question answers the text (issue 18). The draft of the question stays as it is."""
    parser = turn.rt.parser
    if parser is None:
        return False
    result = parser.parse(text)
    if result.uncertain or result.nonsense or result.intent in _NOT_REQUESTS:
        return False
    if result.intent not in _INTENTS:
        return False
    names = result.product_sku or result.addon_sku or result.product_choices or result.addon_choices
    if len(text.split()) < 2 and not names:  # "viele": too little to leave the question for
        return False
    metrics.INTENTS.labels(result.intent, "true").inc()
    turn.set_step(Step.IDLE)
    await _act(turn, result)
    return True


async def _act(turn: Turn, result: ParseResult) -> None:
    """Act on a reading; a name that fits two catalogue entries is asked about first."""
    if result.intent in _WRITES:  # refused before being asked anything; a member may ask
        # the admins for an order, a change or an add-on instead (R23)
        submissions.asks(turn.require_actor(), _WRITES[result.intent], turn.customer_id)
    if result.product_choices and result.intent in _NEEDS_PRODUCT | {"book_addon"}:
        overview = await orders.list_orders(turn.core, turn.require_actor(), turn.customer_id)
        booked = [s for s in result.product_choices if overview.running(s)]
        if result.intent in ("change_quantity", "cancel_product") and len(booked) == 1:
            result = _with(result, product=booked[0])  # only one of them is booked
        else:
            await _which_one(turn, result, "product", result.product_choices)
            return
    if result.addon_choices and result.intent == "book_addon":
        await _which_one(turn, result, "addon", result.addon_choices)
        return
    await _INTENTS[result.intent](turn, result)


def _with(
    result: ParseResult, *, product: str | None = None, addon: str | None = None
) -> ParseResult:
    """`result` with the product or add-on settled (no choices left for it)."""
    return ParseResult(
        result.intent,
        result.confidence,
        product or result.product_sku,
        addon or result.addon_sku,
        result.quantity,
        result.quantity_relative,
        () if product else result.product_choices,
        () if addon else result.addon_choices,
    )


def button_data(result: ParseResult, intent: str, product: str | None, addon: str | None) -> str:
    """`fx:<reading>:<product>:<addon>:<quantity>:<relative>`; choices joined by "|". Every
    name and number understood goes along (issue 18: "3 Exchange Online Plan 1 bitte" →
    "Lizenzen bestellen" is the order of 3, not the catalogue)."""
    products = (
        ("|".join(result.product_choices) or result.product_sku or "")
        if product is None
        else product
    )
    addons_ = ("|".join(result.addon_choices) or result.addon_sku or "") if addon is None else addon
    quantity = "" if result.quantity is None else result.quantity
    args = (_CODES.index(intent), products, addons_, quantity, int(result.quantity_relative))
    try:
        return cb.data(cb.FREE_TEXT, *args)
    except ValueError:  # choices too long for 64 bytes: the first choice, asked again later
        return cb.data(
            cb.FREE_TEXT, args[0], result.product_sku or "", result.addon_sku or "", *args[3:]
        )


def reading_of(press: cb.Press) -> ParseResult | None:
    """The reading a `fx:` button carries (`_data`); None when it is forged."""
    code = press.number(0)
    if code is None or code >= len(_CODES) or len(press.args) != 5:
        return None
    products = tuple(s for s in press.args[1].split("|") if s)
    addons_ = tuple(s for s in press.args[2].split("|") if s)
    try:
        quantity = int(press.args[3]) if press.args[3] else None
    except ValueError:
        return None
    return ParseResult(
        _CODES[code],
        1.0,
        products[0] if products else None,
        addons_[0] if addons_ else None,
        quantity,
        press.args[4] == "1",
        products if len(products) > 1 else (),
        addons_ if len(addons_) > 1 else (),
    )


# Readings that, typed while attached to a ticket, may be a new request rather than a message
# for the service desk: the user is asked (bot/handlers/text.py).
_NEW_REQUESTS = frozenset(
    {
        "list_products",
        "product_details",
        "order_product",
        "change_quantity",
        "book_addon",
        "cancel_product",
        "show_orders",
        "order_status",
        "show_costs",
    }
)


def new_request(turn: Turn, text: str) -> InlineKeyboardButton | None:
    """The button of a sure reading of `text` as a new request, else None."""
    parser = turn.rt.parser
    if parser is None:
        return None
    result = parser.parse(text)
    if result.uncertain or result.intent not in _NEW_REQUESTS or result.intent not in _READING_KEYS:
        return None
    return turn.button(_READING_KEYS[result.intent], button_data(result, result.intent, None, None))


async def _did_you_mean(turn: Turn, result: ParseResult) -> None:
    """ "Meinten Sie …?": the likely readings as buttons, and "Etwas anderes"."""
    readings = [i for i in result.likely_intents() if i in _READING_KEYS]
    if not readings:
        await _unsure(turn)
        return
    metrics.CLARIFICATIONS.labels("did_you_mean").inc()
    rows = [
        [turn.button(_READING_KEYS[intent], button_data(result, intent, None, None))]
        for intent in readings
    ]
    rows.append([turn.button("free_text.something_else", cb.data(cb.FREE_TEXT, "-"))])
    turn.send(turn.tr("free_text.did_you_mean"), rows)


async def _which_one(turn: Turn, result: ParseResult, kind: str, skus: tuple[str, ...]) -> None:
    """ "Welches meinen Sie?": one button per catalogue entry the name fits."""
    offers = await catalogue.browse_catalogue(turn.core, turn.require_actor(), turn.customer_id)
    names = {o.sku: o.name for o in offers} | {a.sku: a.name for o in offers for a in o.addons}
    rows: list[list[InlineKeyboardButton]] = []
    for sku in skus:
        if sku not in names:
            continue
        chosen = (sku, None) if kind == "product" else (None, sku)
        data = button_data(result, result.intent, *chosen)
        rows.append([InlineKeyboardButton(names[sku], callback_data=data)])
    if not rows:
        await _unsure(turn)
        return
    metrics.CLARIFICATIONS.labels(f"which_{kind}").inc()
    rows.append([turn.button("free_text.something_else", cb.data(cb.FREE_TEXT, "-"))])
    turn.send(turn.tr("free_text.which_one"), rows)


@handler
async def pressed(turn: Turn) -> None:
    """A "Meinten Sie …?" or "Welches meinen Sie?" button: act on the chosen reading."""
    turn.answer()
    if turn.press.text(0) == "-":
        turn.show(
            turn.tr("help.text"),
            [[turn.button("menu.support", cb.SUPPORT)], turn.nav()],
        )
        return
    result = reading_of(turn.press)
    if result is None:
        await menu.show_menu(turn)
        return
    await _act(turn, result)


async def _unsure(turn: Turn) -> None:
    metrics.CLARIFICATIONS.labels("unsure").inc()
    turn.send(turn.tr("free_text.can_do"))
    await menu.show_menu(turn)


async def _greet(turn: Turn, _: ParseResult) -> None:
    turn.send(turn.tr("free_text.greet", name=html.escape(turn.user.first_name)))
    await menu.show_menu(turn)


async def _goodbye(turn: Turn, _: ParseResult) -> None:
    turn.send(turn.tr("free_text.goodbye"))


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
    offer = await catalogue.product_details(turn.core, turn.require_actor(), turn.customer_id, sku)
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
    if result.addon_sku is not None:  # "Copilot auf 5 Nutzer": the booked add-on (R17)
        found = await _one_booked_addon(turn, result.addon_sku, result.product_sku)
        if found is not None:
            sub, addon = found
            total = result.new_total(addon.quantity)
            await addon_changes.begin_change(turn, sub, addon, total)
        return
    running = await _running(turn, result.product_sku)
    if result.product_sku is not None and not running:
        name = await _product_name(turn, result.product_sku)
        turn.send(turn.tr("free_text.not_booked", name=html.escape(name)))
        await ordering.details_for(turn, result.product_sku)
        return
    if len(running) != 1:
        turn.send(turn.tr("free_text.which_product"))
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
        offer = await catalogue.product_details(
            turn.core, turn.require_actor(), turn.customer_id, sub.product_sku
        )
        if any(a.sku == result.addon_sku for a in offer.addons):
            candidates.append(sub)
    if len(candidates) != 1:
        name = await _addon_name(turn, result.addon_sku)
        turn.send(turn.tr("free_text.addon_which", name=html.escape(name)))
        await my_orders.show_orders(turn, 0)
        return
    quantity = abs(result.quantity) if result.quantity is not None else None
    await addons.begin_addon(turn, candidates[0].id, result.addon_sku, quantity)


async def _addon_name(turn: Turn, sku: str) -> str:
    offers = await catalogue.browse_catalogue(turn.core, turn.require_actor(), turn.customer_id)
    return next((a.name for o in offers for a in o.addons if a.sku == sku), sku)


async def _one_booked_addon(
    turn: Turn, addon_sku: str, product_sku: str | None
) -> tuple[SubscriptionView, AddonView] | None:
    """The one running booking of an add-on (of the named product, if any); otherwise says
    that it is not booked, or asks which product's, and shows the orders (None)."""
    running = await _running(turn, product_sku)
    found = [(s, a) for s in running for a in s.running_addons() if a.sku == addon_sku]
    if len(found) == 1:
        return found[0]
    name = html.escape(await _addon_name(turn, addon_sku))
    key = N_("free_text.not_booked") if not found else N_("free_text.addon_several")
    turn.send(turn.tr(key, name=name))
    await my_orders.show_orders(turn, 0)
    return None


async def _cancel(turn: Turn, result: ParseResult) -> None:
    """ "kündige Teams Essentials": the cancellation screen with its confirmation (R20);
    "Copilot kündigen": the add-on's own (R17), never the product it belongs to."""
    if result.addon_sku is not None:
        found = await _one_booked_addon(turn, result.addon_sku, result.product_sku)
        if found is not None:
            await addon_changes.begin_cancel(turn, *found)
        return
    running = await _running(turn, result.product_sku)
    if len(running) != 1:
        if result.product_sku is not None and not running:
            # not booked: say so and offer what they have (issue #10)
            name = await _product_name(turn, result.product_sku)
            turn.send(turn.tr("free_text.not_booked", name=html.escape(name)))
        else:  # no name, or the product is booked more than once: the user picks one
            turn.send(turn.tr("free_text.which_product"))
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
        turn.send(turn.tr("free_text.have_none", name=name))
        return
    sub = running[0]
    turn.send(
        turn.tr(
            "free_text.have",
            quantity=sub.quantity,
            name=name,
            status=turn.tr.status(sub.status),
        )
    )


async def _costs(turn: Turn, _: ParseResult) -> None:
    """ "Was zahlen wir im Monat?", "Wie viele Lizenzen sind ungenutzt?": the /costs screen."""
    await seat_handlers.show_costs(turn)


async def _handoff(turn: Turn, _: ParseResult) -> None:
    await support.ask_for_help(turn)


async def _withdraw(turn: Turn, result: ParseResult) -> None:
    """ "Kündigung von E1 zurücknehmen": the cancelled subscription's card, whose button takes
    the cancellation back (R20); never the cancellation screen (issue 18)."""
    overview = await orders.list_orders(turn.core, turn.require_actor(), turn.customer_id)
    running = overview.running(result.product_sku)
    if result.addon_sku is not None:  # an add-on's cancellation: the subscription it is on
        running = [s for s in running if any(a.sku == result.addon_sku for a in s.addons)]
    cancelled = [s for s in running if s.withdrawable]
    if len(cancelled) == 1:
        await my_orders.show_subscription(turn, cancelled[0])
        return
    if not cancelled and result.product_sku is not None:
        name = html.escape(await _product_name(turn, result.product_sku))
        turn.send(turn.tr("free_text.not_cancelled", name=name))
    elif not cancelled:
        turn.send(turn.tr("free_text.nothing_cancelled"))
    else:  # several cancellations run: the user picks one
        turn.send(turn.tr("free_text.which_product"))
    await my_orders.show_orders(turn, 0)


async def _out_of_scope(turn: Turn, _: ParseResult) -> None:
    """Not ours (the weather, a printer): say so and offer the service desk and the menu."""
    turn.show(
        turn.tr("free_text.out_of_scope"),
        [[turn.button("menu.support", cb.SUPPORT)], turn.nav()],
    )


async def _affirm_or_deny(turn: Turn, _: ParseResult) -> None:
    """ "Ja" never confirms a write: the button does (docs/ux.md, issue on free text)."""
    if turn.step is not Step.IDLE:
        turn.send(turn.tr("free_text.confirm_with_button"))
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
    "show_costs": _costs,
    "handoff": _handoff,
    "withdraw_cancellation": _withdraw,
    "out_of_scope": _out_of_scope,
    "affirm": _affirm_or_deny,
    "deny": _affirm_or_deny,
}
