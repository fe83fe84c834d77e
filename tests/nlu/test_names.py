"""Products and add-ons by the names users type (domain.nlu.names): SKU, name, synonym,
close spelling, and close matches for what is not found."""

from __future__ import annotations

from pathlib import Path

import pytest

from domain.catalogue import read_catalogue
from domain.nlu.names import CatalogueNames

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def names() -> CatalogueNames:
    return CatalogueNames.of(read_catalogue(ROOT / "data" / "catalog.yaml").to_catalogue())


@pytest.mark.parametrize(
    "typed",
    ["M365-BUSINESS-STANDARD", "Microsoft 365 Business Standard", "business standard"],
)
def test_a_product_is_found_by_sku_name_or_synonym(names: CatalogueNames, typed: str) -> None:
    assert names.product(typed) == "M365-BUSINESS-STANDARD"


@pytest.mark.parametrize("typed", ["EXO-ARCHIVE", "Exchange Online Archiving"])
def test_an_add_on_is_found_by_sku_or_name(names: CatalogueNames, typed: str) -> None:
    assert names.addon(typed) == "EXO-ARCHIVE"
    assert names.product(typed) is None  # an add-on's name is no product


def test_unknown_names_get_close_matches(names: CatalogueNames) -> None:
    assert names.addon("Frobnicator") is None
    assert len(names.close_addons("Archiving")) == 3
    assert names.close_addons("Exchange Archiv")[0] == "Exchange Online Archiving"
    assert names.product(None) is None
    assert names.product("  ") is None
