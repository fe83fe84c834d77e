"""Turn a message into {intent, confidence, product_sku, addon_sku, quantity}."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from domain.nlu import training_data
from domain.nlu.classifier import IntentClassifier, features_text
from domain.nlu.entities import CatalogMatcher, first, mask
from domain.nlu.numbers import Quantity, find_quantity, new_total, normalise_numbers
from domain.nlu.training_data import Example, TrainingData

# Below this the bot says what it can do instead of guessing (never an order).
CONFIDENCE_THRESHOLD = 0.45

_GERMAN_HINTS = frozenset(
    {
        "ich",
        "wir",
        "bitte",
        "lizenz",
        "lizenzen",
        "weitere",
        "brauchen",
        "haben",
        "kündige",
        "kündigen",
        "zeige",
        "meine",
        "möchte",
        "möchten",
        "statt",
        "auf",
        "noch",
        "und",
        "nicht",
        "ja",
        "nein",
        "wie",
        "viele",
        "welche",
        "gibt",
    }
)


@dataclass(frozen=True)
class ParseResult:
    intent: str
    confidence: float
    product_sku: str | None
    addon_sku: str | None
    quantity: int | None
    quantity_relative: bool = False

    def new_total(self, current: int) -> int | None:
        """The total the user asks for: "5 more" on 18 is 23, "to 40" is 40 (R11)."""
        if self.quantity is None:
            return None
        return new_total(current, Quantity(self.quantity, self.quantity_relative))

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["confidence"] = round(self.confidence, 4)
        return data


def guess_language(text: str) -> str:
    words = set(text.lower().split())
    return "de" if words & _GERMAN_HINTS or any(c in text for c in "äöüß") else "en"


class Parser:
    def __init__(self, matcher: CatalogMatcher, classifier: IntentClassifier) -> None:
        self.matcher = matcher
        self.classifier = classifier

    @classmethod
    def train(
        cls,
        data: TrainingData,
        products: Mapping[str, str],
        addons: Mapping[str, str],
        examples: Sequence[Example] | None = None,
    ) -> Parser:
        """Train on `examples` (default: all of `data`); names come from the live catalogue."""
        matcher = CatalogMatcher(products, addons, data.synonyms)
        chosen = data.examples if examples is None else examples
        classifier = IntentClassifier().fit(
            [features_text(_prepare(matcher, e.text)[0]) for e in chosen],
            [e.intent for e in chosen],
        )
        return cls(matcher, classifier)

    @classmethod
    def from_file(
        cls,
        products: Mapping[str, str],
        addons: Mapping[str, str],
        path: Path = training_data.DEFAULT_PATH,
    ) -> Parser:
        return cls.train(training_data.load(path), products, addons)

    def parse(self, text: str) -> ParseResult:
        masked, matches = _prepare(self.matcher, text)
        intent, confidence = self.classifier.predict(features_text(masked))
        quantity = find_quantity(masked)
        return ParseResult(
            intent=intent,
            confidence=confidence,
            product_sku=first(matches, "product"),
            addon_sku=first(matches, "addon"),
            quantity=quantity.value if quantity else None,
            quantity_relative=quantity.relative if quantity else False,
        )


def _prepare(matcher: CatalogMatcher, text: str) -> tuple[str, list[Any]]:
    """Numbers as digits, names found and masked."""
    text = normalise_numbers(text[:1000], guess_language(text))
    matches = matcher.find(text)
    return mask(text, matches), matches
