"""The buttons of "Meinten Sie …?" carry everything the sentence said (issue 18, finding 5)."""

from __future__ import annotations

from bot import callbacks as cb
from bot.handlers.free_text import button_data, reading_of
from domain.nlu.parser import ParseResult


def test_a_reading_button_keeps_the_product_and_the_quantity() -> None:
    # "3 Exchange Online Plan 1 bitte", unsure between an order and a change
    said = ParseResult("change_quantity", 0.5, "EXO-P1", None, 3)
    pressed = reading_of(cb.parse(button_data(said, "order_product", None, None)))
    assert pressed is not None
    assert (pressed.intent, pressed.product_sku, pressed.quantity) == ("order_product", "EXO-P1", 3)


def test_a_reading_button_keeps_an_add_on_and_a_relative_quantity() -> None:
    said = ParseResult("book_addon", 0.5, None, "COPILOT", -2, quantity_relative=True)
    pressed = reading_of(cb.parse(button_data(said, "change_quantity", None, None)))
    assert pressed is not None
    assert (pressed.addon_sku, pressed.quantity, pressed.quantity_relative) == ("COPILOT", -2, True)


def test_a_name_that_fits_two_products_stays_a_choice() -> None:
    said = ParseResult(
        "order_product", 0.5, "M365-E3", None, 5, product_choices=("M365-E3", "O365-E3")
    )
    pressed = reading_of(cb.parse(button_data(said, "order_product", None, None)))
    assert pressed is not None
    assert pressed.product_choices == ("M365-E3", "O365-E3")
    assert pressed.quantity == 5
