"""The catalogue file (R1, R4, R15): the shipped file parses, bad files are refused precisely."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from domain.catalogue import CatalogueFileError, parse_catalogue, read_catalogue
from domain.model import Addon, Product

SHIPPED = Path(__file__).resolve().parents[2] / "data" / "catalog.yaml"

# A small valid file; line numbers are cited in the tests below.
VALID = """\
version: 1
currency: EUR
seat_caps:
  - id: m365-business
    name: "Business"
    max_quantity: 300
addons:
  - sku: EXO-ARCHIVE
    name: "Archiving"
    description: {de: "Archiv", en: "Archive"}
    price: "3.36"
products:
  - sku: M365-BUSINESS-BASIC
    name: "Basic"
    description: {de: "Basis", en: "Basic"}
    price: "6.66"
    seat_cap: m365-business
    addons: [EXO-ARCHIVE]
"""
SECOND_PRODUCT = """\
  - sku: M365-E5
    name: "E5"
    description: {de: "E5", en: "E5"}
    price: "71.04"
"""


def problems(text: str, tmp_path: Path) -> list[str]:
    """Write `text` as a catalogue file and return the problems reported for it."""
    path = tmp_path / "catalog.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogueFileError) as caught:
        read_catalogue(path)
    assert caught.value.problems, "a refused file must name at least one problem"
    for line in caught.value.problems:
        assert line.startswith(f"{path}: ")
        assert line in str(caught.value)
    return caught.value.problems


def replaced(old: str, new: str, text: str = VALID) -> str:
    assert old in text
    return text.replace(old, new, 1)


# --- the shipped catalogue ------------------------------------------------------------------------
def test_shipped_catalogue_parses_with_at_least_eleven_products() -> None:  # R1
    catalogue = read_catalogue(SHIPPED).to_catalogue()
    assert len(catalogue.products) >= 11
    assert len(catalogue.listed()) == len(catalogue.products)


def test_shipped_business_plans_share_one_seat_cap_of_300() -> None:  # R4
    catalogue = read_catalogue(SHIPPED).to_catalogue()
    caps = {
        sku: catalogue.product(sku).seat_cap
        for sku in ("M365-BUSINESS-BASIC", "M365-BUSINESS-STANDARD", "M365-BUSINESS-PREMIUM")
    }
    for cap in caps.values():
        assert cap is not None
        assert cap.id == "m365-business"
        assert cap.max_quantity == 300
    assert catalogue.product("M365-E5").seat_cap is None


def test_shipped_catalogue_has_prices_in_cents_and_descriptions_in_both_languages() -> None:
    # R1, R3
    catalogue = read_catalogue(SHIPPED).to_catalogue()
    assert catalogue.product("M365-BUSINESS-STANDARD").list_price == Decimal("13.92")
    items: list[Product | Addon] = [*catalogue.products.values(), *catalogue.addons.values()]
    for item in items:
        assert item.list_price > 0
        assert item.list_price.as_tuple().exponent == -2
        assert item.description["de"]
        assert item.description["en"]


def test_shipped_catalogue_offers_only_known_addons() -> None:  # R15
    catalogue = read_catalogue(SHIPPED).to_catalogue()
    for product in catalogue.products.values():
        assert [a.sku for a in catalogue.addons_of(product)] == list(product.addon_skus)


def test_shipped_catalogue_keeps_the_file_order() -> None:  # R1
    catalogue = read_catalogue(SHIPPED).to_catalogue()
    assert catalogue.listed()[0].sku == "M365-BUSINESS-BASIC"


def test_small_valid_file_parses() -> None:
    catalogue = parse_catalogue(VALID).to_catalogue()
    basic = catalogue.product("M365-BUSINESS-BASIC")
    assert basic.list_price == Decimal("6.66")
    assert basic.addon_skus == ("EXO-ARCHIVE",)
    assert basic.seat_cap is not None
    assert basic.seat_cap.max_quantity == 300


# --- refused files --------------------------------------------------------------------------------
def test_price_written_as_a_float_names_line_and_field(tmp_path: Path) -> None:  # R3
    found = problems(replaced('price: "6.66"', "price: 6.66"), tmp_path)
    assert len(found) == 1
    assert "line 16: products[0].price:" in found[0]
    assert "quoted string" in found[0]


def test_addon_price_written_as_a_float_names_line_and_field(tmp_path: Path) -> None:  # R3
    found = problems(replaced('price: "3.36"', "price: 3.36"), tmp_path)
    assert "line 11: addons[0].price:" in found[0]


def test_price_with_more_than_two_decimals_is_refused(tmp_path: Path) -> None:  # R3
    found = problems(replaced('"6.66"', '"6.665"'), tmp_path)
    assert "line 16: products[0].price:" in found[0]


def test_unknown_key_names_line_and_field(tmp_path: Path) -> None:
    found = problems(replaced("    seat_cap:", "    colour: red\n    seat_cap:"), tmp_path)
    assert len(found) == 1
    assert "line 17: products[0].colour:" in found[0]


def test_unknown_top_level_key_is_refused(tmp_path: Path) -> None:
    found = problems(replaced("currency: EUR\n", "currency: EUR\nvat: 19\n"), tmp_path)
    assert "line 3: vat:" in found[0]


def test_duplicate_product_sku_names_line_and_field(tmp_path: Path) -> None:
    found = problems(VALID + replaced("M365-E5", "M365-BUSINESS-BASIC", SECOND_PRODUCT), tmp_path)
    assert len(found) == 1
    assert "line 19: products[1].sku:" in found[0]
    assert "M365-BUSINESS-BASIC" in found[0]


def test_sku_used_by_an_addon_and_a_product_is_refused(tmp_path: Path) -> None:
    found = problems(VALID + replaced("M365-E5", "EXO-ARCHIVE", SECOND_PRODUCT), tmp_path)
    assert "line 19: products[1].sku:" in found[0]
    assert "EXO-ARCHIVE" in found[0]


def test_unknown_addon_reference_names_line_and_position(tmp_path: Path) -> None:  # R15
    found = problems(replaced("[EXO-ARCHIVE]", "[EXO-ARCHIVE, NO-SUCH-ADDON]"), tmp_path)
    assert len(found) == 1
    assert "line 18: products[0].addons[1]:" in found[0]
    assert "NO-SUCH-ADDON" in found[0]


def test_unknown_seat_cap_names_line_and_field(tmp_path: Path) -> None:  # R4
    found = problems(replaced("seat_cap: m365-business", "seat_cap: no-such-cap"), tmp_path)
    assert len(found) == 1
    assert "line 17: products[0].seat_cap:" in found[0]
    assert "no-such-cap" in found[0]


def test_duplicate_seat_cap_is_refused(tmp_path: Path) -> None:  # R4
    twice = replaced(
        "addons:\n",
        '  - id: m365-business\n    name: "Again"\n    max_quantity: 10\naddons:\n',
    )
    found = problems(twice, tmp_path)
    assert "line 7: seat_caps[1].id:" in found[0]


def test_zero_price_names_line_and_field(tmp_path: Path) -> None:  # R1
    found = problems(replaced('"6.66"', '"0.00"'), tmp_path)
    assert len(found) == 1
    assert "line 16: products[0].price:" in found[0]
    assert "greater than 0" in found[0]


def test_negative_price_names_line_and_field(tmp_path: Path) -> None:  # R1
    found = problems(replaced('"6.66"', '"-1.00"'), tmp_path)
    assert len(found) == 1
    assert "line 16: products[0].price:" in found[0]


def test_zero_max_quantity_is_refused(tmp_path: Path) -> None:  # R4
    found = problems(replaced("max_quantity: 300", "max_quantity: 0"), tmp_path)
    assert "line 6: seat_caps[0].max_quantity:" in found[0]


def test_invalid_yaml_names_the_line(tmp_path: Path) -> None:
    found = problems(replaced('    name: "Basic"', "    name: Basic: Plan"), tmp_path)
    assert len(found) == 1
    assert "line 14: not valid YAML" in found[0]


def test_tab_indentation_names_the_line(tmp_path: Path) -> None:
    found = problems(replaced('    name: "Basic"', '\tname: "Basic"'), tmp_path)
    assert "line 14: not valid YAML" in found[0]


@pytest.mark.parametrize("currency", ["USD", "eur", "CHF"])
def test_currency_other_than_eur_is_refused(tmp_path: Path, currency: str) -> None:  # R1
    found = problems(replaced("currency: EUR", f"currency: {currency}"), tmp_path)
    assert len(found) == 1
    assert "line 2: currency:" in found[0]
    assert "EUR" in found[0]


def test_missing_file_is_reported_not_raised_as_os_error(tmp_path: Path) -> None:
    path = tmp_path / "nope.yaml"
    with pytest.raises(CatalogueFileError) as caught:
        read_catalogue(path)
    assert caught.value.problems == [f"{path}: cannot read the file (No such file or directory)"]


def test_file_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "catalog.yaml"
    path.write_bytes(VALID.replace('"Basic"', '"B\xe4sic"').encode("latin-1"))
    with pytest.raises(CatalogueFileError) as caught:
        read_catalogue(path)
    assert "UTF-8" in caught.value.problems[0]


@pytest.mark.parametrize("text", ["- a\n- b\n", "just text\n", "", "42\n"])
def test_file_that_is_not_a_mapping_is_refused(tmp_path: Path, text: str) -> None:
    found = problems(text, tmp_path)
    assert len(found) == 1
    assert "must be a mapping" in found[0]


def test_file_without_products_is_refused(tmp_path: Path) -> None:  # R1
    found = problems(VALID.split("products:")[0], tmp_path)
    assert "products" in found[0]


def test_every_mistake_is_reported_not_just_the_first(tmp_path: Path) -> None:
    text = replaced('price: "3.36"', "price: 3.36", replaced("currency: EUR", "currency: USD"))
    found = problems(text, tmp_path)
    assert len(found) == 2
    assert any("line 2: currency:" in line for line in found)
    assert any("line 11: addons[0].price:" in line for line in found)


def test_duplicate_key_in_a_product_is_refused(tmp_path: Path) -> None:
    # A price written twice must not silently bill the second one: the file is ambiguous.
    found = problems(
        replaced('    price: "6.66"', '    price: "6.66"\n    price: "7.00"'), tmp_path
    )
    assert any("line 17" in line and "price" in line for line in found)
