"""Issue #10: the parser never guesses a write; it reports what it is unsure about."""

from __future__ import annotations

from pathlib import Path

import pytest

from domain.catalogue import read_catalogue
from domain.nlu import parser as parser_module
from domain.nlu.names import CatalogueNames
from domain.nlu.numbers import typed_quantity
from domain.nlu.parser import Parser, ParseResult

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = read_catalogue(ROOT / "data" / "catalog.yaml").to_catalogue()


@pytest.fixture(scope="module")
def parser() -> Parser:
    return Parser.from_file(
        {sku: p.name for sku, p in CATALOGUE.products.items()},
        {sku: a.name for sku, a in CATALOGUE.addons.items()},
    )


def test_buy_biz_premium_is_an_order_of_business_premium_not_a_yes(parser: Parser) -> None:
    result = parser.parse("buy biz premium")
    assert result.intent != "affirm"
    assert result.product_sku == "M365-BUSINESS-PREMIUM"


def test_ticket_aufmachen_is_a_handoff(parser: Parser) -> None:
    assert parser.parse("ticket aufmachen").intent == "handoff"


@pytest.mark.parametrize(
    "text", ["drop two E5 seats", "two fewer E5", "reduce E5 by 2", "2 weniger E5"]
)
def test_decreases_are_changes_to_a_smaller_total(parser: Parser, text: str) -> None:  # R11
    result = parser.parse(text)
    assert (result.intent, result.product_sku) == ("change_quantity", "M365-E5")
    assert (result.quantity, result.quantity_relative) == (-2, True)
    assert result.new_total(40) == 38
    assert not result.uncertain


def test_zwei_lizenzen_abbestellen_is_no_cancellation(parser: Parser) -> None:  # R11
    result = parser.parse("zwei Lizenzen abbestellen")
    assert result.intent == "change_quantity"
    assert (result.quantity, result.quantity_relative) == (-2, True)


def test_office_e3_is_office_365_e3(parser: Parser) -> None:
    result = parser.parse("kannst du Office E3 kündigen")
    assert (result.intent, result.product_sku, result.product_choices) == (
        "cancel_product",
        "O365-E3",
        (),
    )


def test_add_ons_of_a_product_are_that_products_page(parser: Parser) -> None:
    result = parser.parse("Welche Add-ons gibt es für E3?")
    assert result.intent == "product_details"
    assert result.product_choices == ("M365-E3", "O365-E3")


@pytest.mark.parametrize(
    ("text", "choices"),
    [
        ("bestelle 5 E3", ("M365-E3", "O365-E3")),
        ("kündige Exchange", ("EXO-P1", "EXO-P2")),
        ("zwei E3er Lizenzen mehr", ("M365-E3", "O365-E3")),
    ],
)
def test_a_name_that_fits_two_entries_reports_both(
    parser: Parser, text: str, choices: tuple[str, ...]
) -> None:
    assert parser.parse(text).product_choices == choices


def test_a_full_name_is_not_ambiguous(parser: Parser) -> None:
    assert parser.parse("kündige Exchange Onlne Plan 2").product_choices == ()
    assert parser.parse("bestelle 5 Microsoft 365 E3").product_choices == ()


def test_the_rasa_forms_resolve_the_same_ambiguity() -> None:
    names = CatalogueNames.of(CATALOGUE)
    assert names.product_choices("E3") == ("M365-E3", "O365-E3")
    assert names.product_choices("Office 365 E3") == ()
    assert names.addon_choices("Defender") == ("DEFENDER-O365-P1", "DEFENDER-O365-P2")


def test_uncertainty_follows_the_thresholds() -> None:
    low = parser_module.CONFIDENCE_THRESHOLD - 0.01
    close = parser_module.CONFIDENCE_THRESHOLD + 0.05
    gap = parser_module.MARGIN_THRESHOLD

    def result(readings: tuple[tuple[str, float], ...]) -> ParseResult:
        return ParseResult(readings[0][0], readings[0][1], None, None, None, readings=readings)

    assert result((("help", low), ("greet", 0.0))).uncertain
    if gap > 0:  # 0 when the confidence alone decides (docs/nlu.md, "Thresholds")
        assert result((("help", close), ("greet", close - gap / 2))).uncertain
    assert not result((("help", close), ("greet", close - 2 * gap))).uncertain
    offered = result((("order_product", 0.4), ("affirm", 0.35), ("help", 0.2), ("greet", 0.05)))
    assert offered.likely_intents() == ["order_product", "help"]  # never yes/no, ≥ the floor


def test_a_bare_yes_is_only_a_yes(parser: Parser) -> None:
    for text in ("ja", "yes"):
        result = parser.parse(text)
        assert result.intent == "affirm"
        assert result.product_sku is None and result.quantity is None


@pytest.mark.parametrize(
    ("text", "language", "value"),
    [
        ("tausend", "de", 1000),
        ("neunhundertneunundneunzig", "de", 999),
        ("a thousand", "en", 1000),
        ("nine hundred and ninety nine", "en", 999),
        ("one thousand", "en", 1000),
    ],
)
def test_number_words_to_a_thousand(text: str, language: str, value: int) -> None:
    assert typed_quantity(text, language) == value


def test_parse_json_keeps_the_documented_shape(parser: Parser) -> None:
    assert set(parser.parse("bestelle 5 E3").as_json()) == {
        "intent",
        "confidence",
        "product_sku",
        "addon_sku",
        "quantity",
        "quantity_relative",
    }
