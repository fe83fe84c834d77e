"""Products and add-ons by the names users type: the live catalogue plus the NLU synonyms.

One resolution for every front end: a SKU, a name, a synonym from data/nlu.yml or a close
spelling becomes the SKU; what is not found gets the closest names as suggestions.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from rapidfuzz import process

from domain.model import Catalogue
from domain.nlu import training_data
from domain.nlu.entities import CatalogueMatcher, choices, first, mask

CLOSE_MATCHES = 3


@functools.cache
def _synonyms() -> Mapping[str, str]:
    """Surface forms → SKU from data/nlu.yml, read once per process."""
    return dict(training_data.load().synonyms)


@dataclass(frozen=True)
class CatalogueNames:
    products: Mapping[str, str]  # SKU → name, retired ones included (the domain refuses them)
    orderable: tuple[str, ...]  # names of the products on offer, for suggestions
    addons: Mapping[str, str]  # SKU → name
    matcher: CatalogueMatcher

    @classmethod
    def of(cls, catalogue: Catalogue, synonyms: Mapping[str, str] | None = None) -> CatalogueNames:
        """The names of `catalogue`; `synonyms` defaults to those of data/nlu.yml."""
        products = {sku: p.name for sku, p in catalogue.products.items()}
        addons = {sku: a.name for sku, a in catalogue.addons.items()}
        return cls(
            products=products,
            orderable=tuple(p.name for p in catalogue.listed()),
            addons=addons,
            matcher=CatalogueMatcher(
                products, addons, _synonyms() if synonyms is None else synonyms
            ),
        )

    def product(self, text: object) -> str | None:
        """The SKU of the product named in `text` (SKU, name, synonym, close spelling)."""
        return self._find(text, "product")

    def addon(self, text: object) -> str | None:
        """The SKU of the add-on named in `text` (SKU, name, synonym, close spelling)."""
        return self._find(text, "addon")

    def product_choices(self, text: object) -> tuple[str, ...]:
        """The SKUs a product name fits equally well ("E3": M365-E3, O365-E3); () if one."""
        return self._choices(text, "product")

    def addon_choices(self, text: object) -> tuple[str, ...]:
        """The SKUs an add-on name fits equally well ("Defender": Plan 1, Plan 2); () if one."""
        return self._choices(text, "addon")

    def _choices(self, text: object, kind: str) -> tuple[str, ...]:
        if not isinstance(text, str) or not text.strip():
            return ()
        return choices(self.matcher.find(text), kind)

    def _find(self, text: object, kind: str) -> str | None:
        if not isinstance(text, str) or not text.strip():
            return None
        return first(self.matcher.find(text), kind)

    def close_products(self, text: object) -> list[str]:
        """Names of products on offer that look like `text`, closest first."""
        return _close(text, self.orderable)

    def close_addons(self, text: object, among: Iterable[str] | None = None) -> list[str]:
        """Add-on names like `text`, from `among` (SKUs) or every add-on."""
        skus = self.addons.keys() if among is None else among
        return _close(text, [self.addons[sku] for sku in skus if sku in self.addons])

    def mask(self, text: str) -> str:
        """`text` with every catalogue name replaced by PRODUCT / ADDON."""
        return mask(text, self.matcher.find(text))


def _close(text: object, names: Iterable[str]) -> list[str]:
    choices = list(names)
    if not isinstance(text, str) or not choices:
        return choices[:CLOSE_MATCHES]
    return [name for name, _, _ in process.extract(text, choices, limit=CLOSE_MATCHES)]
