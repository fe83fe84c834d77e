"""Turn a message into {intent, confidence, product_sku, addon_sku, quantity}."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from domain.nlu import training_data
from domain.nlu.classifier import DEFAULT_MODEL, IntentClassifier, Model, features_text
from domain.nlu.entities import CatalogMatcher, choices, first, mask
from domain.nlu.numbers import Quantity, find_quantity, new_total, normalise_numbers
from domain.nlu.training_data import Example, TrainingData

# Thresholds chosen on the validation folds of data/nlu.yml by `evaluation.choose_thresholds`
# (`licencebot nlu evaluate` prints the choice; docs/nlu.md, "Thresholds"): below
# CONFIDENCE_THRESHOLD, or with the second reading within MARGIN_THRESHOLD of the first, the bot
# asks "Meinten Sie …?" instead of guessing (never an order).
CONFIDENCE_THRESHOLD = 0.55
MARGIN_THRESHOLD = 0.2
# A reading at least this likely is offered as a button; at most MAX_READINGS of them.
READING_FLOOR = 0.1
MAX_READINGS = 3
WRITE_INTENTS = frozenset({"order_product", "change_quantity", "book_addon", "cancel_product"})
_YES_NO = frozenset({"affirm", "deny"})
_JSON_KEYS = ("intent", "confidence", "product_sku", "addon_sku", "quantity", "quantity_relative")

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
    product_choices: tuple[str, ...] = ()  # the product name fits these SKUs equally well
    addon_choices: tuple[str, ...] = ()
    readings: tuple[tuple[str, float], ...] = ()  # every intent with its probability, best first

    @property
    def margin(self) -> float:
        """How far the chosen intent is ahead of the next one (1.0 without a second one)."""
        others = [p for intent, p in self.readings if intent != self.intent]
        return self.confidence - max(others, default=0.0)

    @property
    def uncertain(self) -> bool:
        """Too unsure to act on: low confidence, or the two best readings too close."""
        return self.uncertain_at(CONFIDENCE_THRESHOLD, MARGIN_THRESHOLD)

    def uncertain_at(self, confidence: float, margin: float) -> bool:
        """Whether this reading would be asked about with these thresholds."""
        return self.confidence < confidence or self.margin < margin

    def likely_intents(self) -> list[str]:
        """The readings worth offering ("Meinten Sie …?"), best first; never yes or no."""
        return [
            intent
            for intent, p in self.readings
            if p >= READING_FLOOR and intent not in _YES_NO and intent != "out_of_scope"
        ][:MAX_READINGS]

    def new_total(self, current: int) -> int | None:
        """The total the user asks for: "5 more" on 18 is 23, "to 40" is 40 (R11)."""
        if self.quantity is None:
            return None
        return new_total(current, Quantity(self.quantity, self.quantity_relative))

    def as_json(self) -> dict[str, Any]:
        """The documented shape of `licencebot nlu parse --json` (docs/interfaces.md)."""
        data = asdict(self)
        data["confidence"] = round(self.confidence, 4)
        return {key: data[key] for key in _JSON_KEYS}


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
        model: Model = DEFAULT_MODEL,
    ) -> Parser:
        """Train on `examples` (default: all of `data`); names come from the live catalogue."""
        matcher = CatalogMatcher(products, addons, data.synonyms)
        chosen = data.examples if examples is None else examples
        classifier = IntentClassifier(model).fit(
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
        probabilities = self.classifier.probabilities(features_text(masked))
        readings = sorted(
            zip(self.classifier.classes, map(float, probabilities), strict=True),
            key=lambda r: -r[1],
        )
        quantity = find_quantity(masked)
        product, addon = first(matches, "product"), first(matches, "addon")
        intent, confidence = readings[0]
        if readings[0][0] in _YES_NO and (product or addon or quantity):
            # "buy biz premium" is no bare yes: only the other readings count (their own
            # probabilities, so an unsure one is asked about).
            readings = [r for r in readings if r[0] not in _YES_NO]
        named = product or addon or choices(matches, "product") or choices(matches, "addon")
        if readings[0][0] == "list_products" and product:
            # "Welche Add-ons gibt es für E3?": that product's page.
            readings = _pooled(readings, {"list_products", "product_details"}, "product_details")
        elif readings[0][0] == "product_details" and not named:
            # Details of no product are the catalogue ("which add-ons can I book?"): the bot
            # shows the product list for both.
            readings = _pooled(readings, {"list_products", "product_details"}, "list_products")
        if (
            readings[0][0] in WRITE_INTENTS
            and quantity
            and quantity.relative
            and quantity.value < 0
        ):
            # "drop two seats", "2 weniger": a smaller total, never an order or a cancellation.
            # The write readings pool their probability; the number says which write it is.
            readings = _pooled(readings, WRITE_INTENTS, "change_quantity")
        elif (
            readings[0][0] == "order_product"
            and quantity
            and quantity.relative
            and quantity.value > 0
            and not addon
        ):
            # "bitte zwei E3 mehr", "3 weitere BP": more of what is booked is a change (R11).
            readings = _pooled(readings, {"order_product", "change_quantity"}, "change_quantity")
        intent, confidence = readings[0]
        return ParseResult(
            intent=intent,
            confidence=confidence,
            product_sku=product,
            addon_sku=addon,
            quantity=quantity.value if quantity else None,
            quantity_relative=quantity.relative if quantity else False,
            product_choices=choices(matches, "product"),
            addon_choices=choices(matches, "addon"),
            readings=tuple(readings),
        )


def _pooled(
    readings: list[tuple[str, float]], group: frozenset[str] | set[str], into: str
) -> list[tuple[str, float]]:
    """`readings` with the probabilities of every intent in `group` given to `into`."""
    pooled = sum(p for intent, p in readings if intent in group)
    rest = [(intent, p) for intent, p in readings if intent not in group]
    return sorted([(into, pooled), *rest], key=lambda r: -r[1])


def _prepare(matcher: CatalogMatcher, text: str) -> tuple[str, list[Any]]:
    """Numbers as digits, names found and masked."""
    text = normalise_numbers(text[:1000], guess_language(text))
    matches = matcher.find(text)
    return mask(text, matches), matches
