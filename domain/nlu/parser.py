"""Turn a message into {intent, confidence, product_sku, addon_sku, quantity}."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from domain.nlu import training_data
from domain.nlu.classifier import DEFAULT_MODEL, IntentClassifier, Model, features_text
from domain.nlu.entities import CatalogueMatcher, choices, first, mask
from domain.nlu.numbers import Quantity, find_quantity, new_total, normalise_numbers
from domain.nlu.training_data import Example, TrainingData

# Thresholds chosen on the validation folds of data/nlu.yml by `evaluation.choose_thresholds`
# (`licencebot nlu evaluate` prints the choice; docs/nlu.md, "Thresholds"): below
# CONFIDENCE_THRESHOLD, or with the second reading within MARGIN_THRESHOLD of the first, the bot
# asks "Meinten Sie …?" instead of guessing (never an order).
CONFIDENCE_THRESHOLD = 0.65
MARGIN_THRESHOLD = 0.0
# A reading at least this likely is offered as a button; at most MAX_READINGS of them.
READING_FLOOR = 0.1
MAX_READINGS = 3
# A message with no name and no number, of whose character trigrams fewer than this share occur
# in the training data, means nothing ("asdfgh", "lkjh sdfg wert") unless it is a known word
# read with confidence: the bot says it did not understand.
NONSENSE_SHARE = 0.2
WRITE_INTENTS = frozenset({"order_product", "change_quantity", "book_addon", "cancel_product"})
# Intents whose flow ends in a write (after a confirmation): a message that means something else
# must never open one (issue #18).
OPENS_A_WRITE = WRITE_INTENTS | {"withdraw_cancellation"}
# Words that take a cancellation back ("Kündigung zurücknehmen", "undo the cancellation", "doch
# behalten"). A withdrawal needs one of them; with one, a cancellation reading is a withdrawal:
# the two are opposites, and a bag of words tells them apart badly ("cancel" is in both).
_WITHDRAW_CUES = re.compile(
    r"zurück\s*(?:ne|nimm|genommen|zieh|gezogen|zune|zuzieh)|zurücknahme"
    r"|widerruf|rückgängig|(?:kündigung|storno)\w*\s+(?:[\w-]+\s+){0,5}?(?:storn|aufheb|annull)"
    r"|(?:storn|aufheb|annull)\w*\s+(?:[\w-]+\s+){0,2}?(?:der|die)\s+kündigung"
    r"|\b(?:nehm|nimm|zieh)\w*\s+(?:[\w-]+\s+){0,6}?zurück\b"
    r"|doch\s+(?:nicht\s+(?:kündig|beend|auslaufen)|behalten|weiter|verlänger|bleiben)"
    r"|weiterlaufen|weiter\s*laufen|versehen|anders\s+überlegt|umentschieden"
    r"|withdraw|\bundo\b|\brevers|\brevok|rescind|retract|take\s+back|after\s+all"
    r"|changed?\s+(?:our|my)\s+minds?|by\s+mistake|was\s+a\s+mistake"
    r"|(?:cancel|stop|undo|reverse)\w*\s+(?:\w+\s+){0,2}?cancel+ation"
    r"|(?:don'?t|do\s+not|no\s+longer\s+want\s+to)\s+(?:cancel|terminate|end)"
    r"|keep\s+(?:\w+\s+){0,3}?(?:running|after|going)",
    re.IGNORECASE,
)
_CANCEL_WORDS = re.compile(r"kündig|cancel|terminat|storn|beend|abbestell", re.IGNORECASE)
# "Wurde die Kündigung schon zurückgenommen?" asks; it takes nothing back.
_ASKS_ABOUT_STATE = frozenset({"order_status", "show_orders", "show_costs"})
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
    # Hardly a word of the message is known and it names nothing ("asdfgh"; NONSENSE_SHARE):
    # read as out_of_scope, and the bot says it did not understand.
    nonsense: bool = False

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
    def __init__(self, matcher: CatalogueMatcher, classifier: IntentClassifier) -> None:
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
        matcher = CatalogueMatcher(products, addons, data.synonyms)
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
        quantity = find_quantity(masked)
        probabilities = self.classifier.probabilities(features_text(masked))
        readings = sorted(
            zip(self.classifier.classes, map(float, probabilities), strict=True),
            key=lambda r: -r[1],
        )
        product, addon = first(matches, "product"), first(matches, "addon")
        if "withdraw_cancellation" in self.classifier.classes:
            readings = _withdrawal_or_not(readings, text, named=bool(product or addon))
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
        result = ParseResult(
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
        if not matches and quantity is None:
            known = self.classifier.known_share(masked)
            if known < NONSENSE_SHARE and (
                result.uncertain or not self.classifier.knows_a_word(masked)
            ):
                # No name, no number, hardly a letter group of a known word, and no word
                # known or an unsure reading ("jjjjjjj", "?!?", "lkjh sdfg wert"): no reading
                # to act on or to offer.
                return ParseResult("out_of_scope", 1.0, None, None, None, nonsense=True)
        return result


def _withdrawal_or_not(
    readings: list[tuple[str, float]], text: str, named: bool
) -> list[tuple[str, float]]:
    """A withdrawal needs a word that takes something back. Without one the other readings
    count (their own probabilities, so an unsure one is asked about): "kündigung für Exchange
    bitte" is never a withdrawal, nor is a cue that names neither a cancellation nor a product.
    With one and a word of cancelling, a cancellation (or any
    reading but a question about the state of things) is a withdrawal: "Kündigung von E1
    zurücknehmen" never opens a cancellation (issue #18)."""
    best = readings[0][0]
    cancelling = _CANCEL_WORDS.search(text) is not None
    # "Ich habe es mir anders überlegt" takes nothing back that it names.
    cue = _WITHDRAW_CUES.search(text) is not None and (cancelling or named)
    if best == "withdraw_cancellation" and not cue:
        return [r for r in readings if r[0] != "withdraw_cancellation"]
    if cue and best == "cancel_product":
        return _pooled(readings, {best, "withdraw_cancellation"}, "withdraw_cancellation")
    if cue and cancelling and best not in _ASKS_ABOUT_STATE:
        return _pooled(
            readings, {best, "cancel_product", "withdraw_cancellation"}, "withdraw_cancellation"
        )
    return readings


def _pooled(
    readings: list[tuple[str, float]], group: frozenset[str] | set[str], into: str
) -> list[tuple[str, float]]:
    """`readings` with the probabilities of every intent in `group` given to `into`."""
    pooled = sum(p for intent, p in readings if intent in group)
    rest = [(intent, p) for intent, p in readings if intent not in group]
    return sorted([(into, pooled), *rest], key=lambda r: -r[1])


def _prepare(matcher: CatalogueMatcher, text: str) -> tuple[str, list[Any]]:
    """Numbers as digits, names found and masked."""
    text = normalise_numbers(text[:1000], guess_language(text))
    matches = matcher.find(text)
    return mask(text, matches), matches
