"""Judge the parser: a held-out split of data/nlu.yml, a cross-validation of it (which also
chooses the thresholds of asking instead of guessing), and a set of realistic messages."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from sklearn.model_selection import StratifiedKFold, train_test_split

from domain.nlu.classifier import DEFAULT_MODEL, Model
from domain.nlu.entities import AMBIGUOUS, normalise
from domain.nlu.numbers import normalise_numbers
from domain.nlu.parser import OPENS_A_WRITE, Parser, ParseResult, guess_language
from domain.nlu.training_data import Example, TrainingData

SEED = 7
HELD_OUT = 0.2
FOLDS = 5
# Choosing the thresholds: acting on a wrong reading costs WRONG_ACTION_COST questions (the
# user must notice, go back and say it again); asking when the best reading was right costs
# one (a tap). The grid is what is tried.
WRONG_ACTION_COST = 3.0
CONFIDENCE_GRID = tuple(round(0.2 + 0.05 * i, 2) for i in range(11))  # 0.20 … 0.70
MARGIN_GRID = tuple(round(0.05 * i, 2) for i in range(7))  # 0.00 … 0.30


@dataclass
class Score:
    right: int = 0
    total: int = 0

    def add(self, ok: bool) -> None:
        self.right += ok
        self.total += 1

    @property
    def accuracy(self) -> float:
        return self.right / self.total if self.total else 1.0


@dataclass
class Report:
    name: str
    intents: dict[str, Score] = field(default_factory=lambda: defaultdict(Score))
    entities: dict[str, Score] = field(default_factory=lambda: defaultdict(Score))
    mistakes: list[str] = field(default_factory=list)
    confusions: Counter[tuple[str, str]] = field(default_factory=Counter)  # (expected, got)
    predicted: Counter[str] = field(default_factory=Counter)
    # Every case with what the parser said (the thresholds are chosen on these).
    outcomes: list[tuple[Expected, ParseResult]] = field(default_factory=list)
    # A write flow the bot would open (sure of itself, one product) with the wrong product,
    # add-on or direction of change: must stay zero (issue #10).
    unsafe_writes: list[str] = field(default_factory=list)

    @property
    def asked(self) -> int:
        """How many cases the bot would ask about ("Meinten Sie …?") instead of acting."""
        return sum(result.uncertain for _, result in self.outcomes)

    def precision(self, intent: str) -> float:
        wrong = sum(n for (_, got), n in self.confusions.items() if got == intent)
        right = self.intents[intent].right if intent in self.intents else 0
        return right / (right + wrong) if right + wrong else 1.0

    def recall(self, intent: str) -> float:
        return self.intents[intent].accuracy if intent in self.intents else 1.0

    def f1(self, intent: str) -> float:
        p, r = self.precision(intent), self.recall(intent)
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def macro_f1(self) -> float:
        return sum(map(self.f1, self.intents)) / len(self.intents) if self.intents else 1.0

    @property
    def intent_accuracy(self) -> float:
        return _overall(self.intents.values())

    @property
    def entity_accuracy(self) -> float:
        return _overall(self.entities.values())

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "intent_accuracy": round(self.intent_accuracy, 4),
            "entity_accuracy": round(self.entity_accuracy, 4),
            "macro_f1": round(self.macro_f1, 4),
            "intents": {
                k: _score_json(v)
                | {"precision": round(self.precision(k), 4), "recall": round(self.recall(k), 4)}
                for k, v in sorted(self.intents.items())
            },
            "confusions": [
                {"expected": want, "got": got, "count": n}
                for (want, got), n in self.confusions.most_common()
            ],
            "entities": {k: _score_json(v) for k, v in sorted(self.entities.items())},
            "asked": self.asked,
            "unsafe_writes": self.unsafe_writes,
            "mistakes": self.mistakes,
        }


def _score_json(score: Score) -> dict[str, Any]:
    return {"accuracy": round(score.accuracy, 4), "right": score.right, "total": score.total}


def _overall(scores: Iterable[Score]) -> float:
    scores = list(scores)
    total = sum(s.total for s in scores)
    return sum(s.right for s in scores) / total if total else 1.0


@dataclass(frozen=True)
class Expected:
    text: str
    intent: str
    product: str | None = None
    addon: str | None = None
    quantity: int | None = None
    relative: bool | None = None
    nonsense: bool = False  # means nothing ("asdfgh"): the bot says it did not understand


def _quantity_of(text: str) -> int | None:
    digits = normalise_numbers(text, guess_language(text)).strip()
    return int(digits) if digits.isdigit() else None


def expected_from(example: Example) -> Expected:
    values: dict[str, str] = {e.entity: _first_choice(e.value) for e in example.entities}
    quantity = _quantity_of(values["quantity"]) if "quantity" in values else None
    return Expected(
        example.text, example.intent, values.get("product"), values.get("addon"), quantity
    )


def _first_choice(value: str) -> str:
    """An ambiguous name ("E3") is expected as the first entry it fits (the one asked first)."""
    choices = AMBIGUOUS.get(normalise(value).removesuffix("er"))
    return choices[0] if choices else value


def load_messages(path: Path) -> list[Expected]:
    entries: list[dict[str, Any]] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [
        Expected(
            str(e["text"]),
            str(e["intent"]),
            e.get("product"),
            e.get("addon"),
            e.get("quantity"),
            e.get("relative"),
            bool(e.get("nonsense", False)),
        )
        for e in entries
    ]


def judge(name: str, parse: Callable[[str], ParseResult], cases: Iterable[Expected]) -> Report:
    report = Report(name)
    for case in cases:
        got = parse(case.text)
        ok = got.intent == case.intent
        report.intents[case.intent].add(ok)
        problems = [] if ok else [f"intent {got.intent}≠{case.intent}"]
        report.predicted[got.intent] += 1
        if not ok:
            report.confusions[case.intent, got.intent] += 1
        for label, want, have in (
            ("product", case.product, got.product_sku),
            ("addon", case.addon, got.addon_sku),
        ):
            if want is not None or have is not None:
                report.entities[label].add(want == have)
                if want != have:
                    problems.append(f"{label} {have}≠{want}")
        if case.quantity is not None:
            have_qty = got.quantity
            if have_qty is not None and not (case.relative and case.quantity < 0):
                have_qty = abs(have_qty)  # only a decrease is labelled with its sign
            report.entities["quantity"].add(have_qty == case.quantity)
            if have_qty != case.quantity:
                problems.append(f"quantity {got.quantity}≠{case.quantity}")
            if case.relative is not None:
                report.entities["relative"].add(got.quantity_relative == case.relative)
                if got.quantity_relative != case.relative:
                    problems.append(f"relative {got.quantity_relative}≠{case.relative}")
        if case.nonsense or got.nonsense:
            report.entities["nonsense"].add(case.nonsense == got.nonsense)
            if case.nonsense != got.nonsense:
                problems.append(f"nonsense {got.nonsense}≠{case.nonsense}")
        if problems:
            report.mistakes.append(f"{case.text!r}: {', '.join(problems)}")
        unsafe = _unsafe_write(case, got)
        if unsafe:
            report.unsafe_writes.append(f"{case.text!r}: {unsafe}")
        report.outcomes.append((case, got))
    return report


def _unsafe_write(case: Expected, got: ParseResult) -> str | None:
    """What is wrong when the bot would open a write flow on `got` for the wrong thing.

    Asking ("Meinten Sie …?", "Welches meinen Sie?") is safe; so is an order, add-on or
    cancellation without a name (the bot shows the catalogue or the orders to pick from).
    Wrong is a flow for another product or add-on than the message names, a change in the
    other direction than the message asks for, a cancellation for a withdrawal and the other
    way round, and any write flow for a message that asks for none ("Was zahlen wir?").
    """
    if got.intent not in OPENS_A_WRITE or got.uncertain:
        return None
    if case.intent not in OPENS_A_WRITE:
        return f"{got.intent}, meant {case.intent} (no write)"
    if {got.intent, case.intent} == {"cancel_product", "withdraw_cancellation"}:
        return f"{got.intent}, meant {case.intent}"
    if got.product_choices and got.intent != "book_addon":
        return None  # "Welches meinen Sie?" first
    if got.intent != "change_quantity" and got.product_sku is None and got.addon_sku is None:
        return None  # no flow: the catalogue or the orders to pick from
    if got.product_sku is not None and got.product_sku != case.product:
        return f"{got.intent} of {got.product_sku}, meant {case.product}"
    if got.addon_sku is not None and got.addon_sku != case.addon:
        return f"{got.intent} of {got.addon_sku}, meant {case.addon}"
    if got.intent == "cancel_product" and case.intent != "cancel_product":
        return f"cancel_product, meant {case.intent}"
    wrong_way = case.quantity is not None and (
        got.quantity is None or (got.quantity < 0) != (case.quantity < 0)
    )
    if case.intent == "change_quantity" and case.relative and wrong_way:
        return f"change by {got.quantity}, meant {case.quantity}"
    return None


def held_out(
    data: TrainingData,
    products: Mapping[str, str],
    addons: Mapping[str, str],
    model: Model = DEFAULT_MODEL,
) -> Report:
    """Train on 80 % of data/nlu.yml (stratified by intent), judge the other 20 %."""
    train, test = train_test_split(
        data.examples,
        test_size=HELD_OUT,
        random_state=SEED,
        stratify=[e.intent for e in data.examples],
    )
    parser = Parser.train(data, products, addons, examples=train, model=model)
    return judge("held-out 20 % of data/nlu.yml", parser.parse, (expected_from(e) for e in test))


def cross_validation(
    data: TrainingData,
    products: Mapping[str, str],
    addons: Mapping[str, str],
    model: Model = DEFAULT_MODEL,
) -> Report:
    """Stratified FOLDS-fold cross-validation of data/nlu.yml: every example judged once, by
    a parser trained on the other folds (its validation split)."""
    examples = data.examples
    intents = [e.intent for e in examples]
    name = f"{FOLDS}-fold cross-validation of data/nlu.yml"
    report = Report(name if model == DEFAULT_MODEL else f"{name} ({model})")
    for train, test in StratifiedKFold(FOLDS, shuffle=True, random_state=SEED).split(
        examples, intents
    ):
        chosen = [examples[i] for i in train]
        parser = Parser.train(data, products, addons, examples=chosen, model=model)
        part = judge(report.name, parser.parse, (expected_from(examples[i]) for i in test))
        for name, score in part.intents.items():
            report.intents[name].right += score.right
            report.intents[name].total += score.total
        for name, score in part.entities.items():
            report.entities[name].right += score.right
            report.entities[name].total += score.total
        report.mistakes += part.mistakes
        report.confusions.update(part.confusions)
        report.predicted.update(part.predicted)
        report.outcomes += part.outcomes
        report.unsafe_writes += part.unsafe_writes
    return report


@dataclass(frozen=True)
class ThresholdChoice:
    """Thresholds and what they do on the validation outcomes they were chosen on."""

    confidence: float
    margin: float
    cost: float
    cases: int
    acted_right: int  # sure, and right
    acted_wrong: int  # sure, and wrong: the bot acts on a wrong reading
    asked_needlessly: int  # asked, though the best reading was right
    asked_rightly: int  # asked, and the best reading was wrong

    def as_json(self) -> dict[str, Any]:
        return {
            "confidence": self.confidence,
            "margin": self.margin,
            "cost": self.cost,
            "cases": self.cases,
            "acted_right": self.acted_right,
            "acted_wrong": self.acted_wrong,
            "asked_needlessly": self.asked_needlessly,
            "asked_rightly": self.asked_rightly,
        }


def threshold_outcome(
    outcomes: Iterable[tuple[Expected, ParseResult]], confidence: float, margin: float
) -> ThresholdChoice:
    """What asking below `confidence` or within `margin` does on these outcomes."""
    counts: Counter[tuple[bool, bool]] = Counter(
        (result.uncertain_at(confidence, margin), result.intent == case.intent)
        for case, result in outcomes
    )
    wrong, needless = counts[False, False], counts[True, True]
    return ThresholdChoice(
        confidence=confidence,
        margin=margin,
        cost=WRONG_ACTION_COST * wrong + needless,
        cases=sum(counts.values()),
        acted_right=counts[False, True],
        acted_wrong=wrong,
        asked_needlessly=needless,
        asked_rightly=counts[True, False],
    )


def choose_thresholds(outcomes: Iterable[tuple[Expected, ParseResult]]) -> ThresholdChoice:
    """The grid's cheapest pair (WRONG_ACTION_COST per wrong action, one per needless
    question); on a tie the lower thresholds, which ask less."""
    outcomes = list(outcomes)
    tried = [
        threshold_outcome(outcomes, confidence, margin)
        for confidence in CONFIDENCE_GRID
        for margin in MARGIN_GRID
    ]
    return min(tried, key=lambda c: (c.cost, c.confidence, c.margin))
