"""The Rasa NLU training data (data/nlu.yml) and the NLU evaluation messages are well formed."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from domain.nlu.entities import AMBIGUOUS
from tests.contract import CONTRACT_ENTITIES, CONTRACT_INTENTS

ROOT = Path(__file__).resolve().parents[2]
NLU_FILE = ROOT / "data" / "nlu.yml"
CATALOGUE_FILE = ROOT / "data" / "catalog.yaml"
MESSAGES_FILE = Path(__file__).resolve().parent / "messages.yml"
# Issue #18's second set, written before the new intents were trained (docs/nlu.md).
MESSAGES_V2_FILE = Path(__file__).resolve().parent / "messages_v2.yml"
# The intents each set must cover (the first set predates withdrawals and costs).
MESSAGE_SET_INTENTS = {
    MESSAGES_FILE: frozenset(CONTRACT_INTENTS) - {"withdraw_cancellation", "show_costs"},
    MESSAGES_V2_FILE: frozenset(
        {"withdraw_cancellation", "show_costs", "handoff", "out_of_scope", "change_quantity"}
    ),
}

INTENTS = frozenset(CONTRACT_INTENTS)
ENTITIES = frozenset(CONTRACT_ENTITIES)
MIN_EXAMPLES = 25
MIN_PER_LANGUAGE = 5
MIN_MESSAGES = 100
MIN_MESSAGES_PER_INTENT = 6
MESSAGE_KEYS = frozenset({"text", "intent", "product", "addon", "quantity", "relative", "nonsense"})

REQUIRED_SENTENCES = (
    "Wir brauchen 5 weitere E3-Lizenzen",
    "how many business premium licences do we have?",
    "kündige teams essentials",
    "ich will mit einem menschen sprechen",
    "40 statt 18 Business Standard bitte",
)

# [text](entity) or [text]{"entity": ..., "value": ...}
ANNOTATION = re.compile(r"\[(?P<text>[^\]]+)\](?:\((?P<entity>[^)]+)\)|(?P<spec>\{[^}]+\}))")

NUMBER_WORDS = frozenset(
    [
        "eins",
        "ein",
        "eine",
        "einen",
        "zwei",
        "drei",
        "vier",
        "fünf",
        "sechs",
        "sieben",
        "acht",
        "neun",
        "zehn",
        "elf",
        "zwölf",
        "dreizehn",
        "vierzehn",
        "fünfzehn",
        "sechzehn",
        "siebzehn",
        "achtzehn",
        "neunzehn",
        "zwanzig",
        "dreißig",
        "vierzig",
        "fünfzig",
        "hundert",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
        "twenty",
        "thirty",
        "forty",
        "fifty",
        "hundred",
    ]
)

# Crude language detection: a German marker word or a German letter marks a German example.
GERMAN_MARKERS = frozenset(
    [
        "ich",
        "wir",
        "sie",
        "du",
        "bitte",
        "und",
        "nicht",
        "ja",
        "nein",
        "hallo",
        "guten",
        "tag",
        "danke",
        "mit",
        "für",
        "ist",
        "haben",
        "hat",
        "habe",
        "wie",
        "welche",
        "welcher",
        "gibt",
        "es",
        "der",
        "die",
        "das",
        "den",
        "dem",
        "ein",
        "eine",
        "einen",
        "mir",
        "mich",
        "uns",
        "unsere",
        "unser",
        "meine",
        "mein",
        "kann",
        "können",
        "kannst",
        "möchte",
        "möchten",
        "brauchen",
        "brauche",
        "bestellen",
        "bestelle",
        "kündige",
        "kündigen",
        "kostet",
        "was",
        "zu",
        "auf",
        "noch",
        "weitere",
        "zusätzliche",
        "statt",
        "insgesamt",
        "bei",
        "stück",
        "lizenzen",
        "lizensen",
        "tschüss",
        "tschüs",
        "moin",
        "servus",
        "bis",
        "wiedersehen",
        "hilfe",
        "passt",
        "genau",
        "gerne",
        "stimmt",
        "richtig",
        "nee",
        "nö",
        "lieber",
        "abbrechen",
        "stopp",
        "klar",
        "wohl",
        "preisliste",
        "katalog",
        "bestellungen",
        "bestellstatus",
        "ciao",
    ]
)
GERMAN_LETTERS = re.compile(r"[äöüÄÖÜß]")
WORD = re.compile(r"[^\W\d_]+")


def _load_yaml(path: Path) -> Any:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def _block_lines(block: Any) -> list[str]:
    assert isinstance(block, str), f"examples must be a block scalar, got {block!r}"
    lines = [line.strip() for line in block.splitlines() if line.strip()]
    for line in lines:
        assert line.startswith("- "), f"example line must start with '- ': {line!r}"
    return [line[2:].strip() for line in lines]


def _strip_annotations(example: str) -> str:
    return ANNOTATION.sub(lambda match: match.group("text"), example)


def _normalise(text: str) -> str:
    return " ".join(text.casefold().split())


def _annotations(example: str) -> list[tuple[str, str, str | None]]:
    """(surface text, entity name, explicit value or None) for each annotation."""
    found: list[tuple[str, str, str | None]] = []
    for match in ANNOTATION.finditer(example):
        spec = match.group("spec")
        if spec is None:
            found.append((match.group("text"), match.group("entity").strip(), None))
            continue
        parsed = json.loads(spec)
        assert isinstance(parsed, dict), f"bad entity spec in {example!r}"
        value = parsed.get("value")
        found.append(
            (match.group("text"), str(parsed["entity"]), None if value is None else str(value))
        )
    return found


def _is_german(text: str) -> bool:
    if GERMAN_LETTERS.search(text):
        return True
    return any(word in GERMAN_MARKERS for word in WORD.findall(text.lower()))


@pytest.fixture(scope="module")
def nlu() -> dict[str, Any]:
    data = _load_yaml(NLU_FILE)
    assert isinstance(data, dict)
    return data


@pytest.fixture(scope="module")
def items(nlu: dict[str, Any]) -> list[dict[str, Any]]:
    entries = nlu.get("nlu")
    assert isinstance(entries, list)
    for entry in entries:
        assert isinstance(entry, dict), f"nlu entry must be a mapping: {entry!r}"
    return entries


@pytest.fixture(scope="module")
def examples_by_intent(items: list[dict[str, Any]]) -> dict[str, list[str]]:
    by_intent: dict[str, list[str]] = {}
    for entry in items:
        if "intent" in entry:
            by_intent.setdefault(str(entry["intent"]), []).extend(
                _block_lines(entry.get("examples"))
            )
    return by_intent


@pytest.fixture(scope="module")
def synonyms(items: list[dict[str, Any]]) -> dict[str, str]:
    """Normalised surface form -> synonym value."""
    mapping: dict[str, str] = {}
    for entry in items:
        if "synonym" not in entry:
            continue
        value = str(entry["synonym"])
        for form in _block_lines(entry.get("examples")):
            key = _normalise(form)
            assert mapping.get(key, value) == value, f"{form!r} maps to two synonym values"
            mapping[key] = value
    return mapping


@pytest.fixture(scope="module")
def catalogue_skus() -> dict[str, frozenset[str]]:
    data = _load_yaml(CATALOGUE_FILE)
    assert isinstance(data, dict)
    return {
        "product": frozenset(str(item["sku"]) for item in data["products"]),
        "addon": frozenset(str(item["sku"]) for item in data["addons"]),
    }


@pytest.fixture(scope="module")
def training_texts(examples_by_intent: dict[str, list[str]]) -> set[str]:
    return {
        _normalise(_strip_annotations(example))
        for examples in examples_by_intent.values()
        for example in examples
    }


@pytest.fixture(scope="module", params=sorted(MESSAGE_SET_INTENTS), ids=lambda p: p.name)
def message_file(request: pytest.FixtureRequest) -> Path:
    path: Path = request.param
    return path


@pytest.fixture(scope="module")
def messages(message_file: Path) -> list[dict[str, Any]]:
    data = _load_yaml(message_file)
    assert isinstance(data, list)
    for entry in data:
        assert isinstance(entry, dict), f"message must be a mapping: {entry!r}"
    return data


def test_nlu_file_has_rasa_version(nlu: dict[str, Any]) -> None:
    assert nlu.get("version") == "3.1"
    assert set(nlu) <= {"version", "nlu"}


def test_nlu_entries_are_intents_synonyms_or_lookups(items: list[dict[str, Any]]) -> None:
    for entry in items:
        kinds = {"intent", "synonym", "lookup"} & set(entry)
        assert len(kinds) == 1, f"unexpected entry: {entry!r}"
        assert set(entry) == kinds | {"examples"}, f"unexpected keys: {sorted(entry)}"


def test_exactly_the_documented_intents(examples_by_intent: dict[str, list[str]]) -> None:
    assert set(examples_by_intent) == INTENTS


@pytest.mark.parametrize("intent", sorted(INTENTS))
def test_intent_has_enough_examples_in_both_languages(
    examples_by_intent: dict[str, list[str]], intent: str
) -> None:
    examples = [_strip_annotations(example) for example in examples_by_intent[intent]]
    assert len(examples) >= MIN_EXAMPLES
    german = [text for text in examples if _is_german(text)]
    english = [text for text in examples if not _is_german(text)]
    assert len(german) >= MIN_PER_LANGUAGE, f"{intent}: too few German examples"
    assert len(english) >= MIN_PER_LANGUAGE, f"{intent}: too few English examples"


def test_no_duplicate_examples(examples_by_intent: dict[str, list[str]]) -> None:
    raw = Counter(example for examples in examples_by_intent.values() for example in examples)
    assert [text for text, count in raw.items() if count > 1] == []
    plain = Counter(
        _normalise(_strip_annotations(example))
        for examples in examples_by_intent.values()
        for example in examples
    )
    assert [text for text, count in plain.items() if count > 1] == []


@pytest.mark.parametrize("sentence", REQUIRED_SENTENCES)
def test_required_sentences_are_present(training_texts: set[str], sentence: str) -> None:
    assert _normalise(sentence) in training_texts


def test_annotations_use_known_entities(examples_by_intent: dict[str, list[str]]) -> None:
    for examples in examples_by_intent.values():
        for example in examples:
            for text, entity, _ in _annotations(example):
                assert entity in ENTITIES, f"unknown entity {entity!r} in {example!r}"
                assert text, f"empty entity text in {example!r}"
                assert text == text.strip(), f"bad entity text in {example!r}"
            rest = ANNOTATION.sub("", example)
            assert "](" not in rest, f"malformed annotation: {example!r}"
            assert "]{" not in rest, f"malformed annotation: {example!r}"


def test_quantities_are_numbers(examples_by_intent: dict[str, list[str]]) -> None:
    for examples in examples_by_intent.values():
        for example in examples:
            for text, entity, _ in _annotations(example):
                if entity == "quantity":
                    assert text.isdigit() or text.lower() in NUMBER_WORDS, example


def test_synonym_values_are_catalogue_skus(
    synonyms: dict[str, str], catalogue_skus: dict[str, frozenset[str]]
) -> None:
    known = catalogue_skus["product"] | catalogue_skus["addon"]
    assert set(synonyms.values()) <= known


def test_every_annotated_product_and_addon_maps_to_a_sku_of_its_kind(
    examples_by_intent: dict[str, list[str]],
    synonyms: dict[str, str],
    catalogue_skus: dict[str, frozenset[str]],
) -> None:
    for examples in examples_by_intent.values():
        for example in examples:
            for text, entity, value in _annotations(example):
                if entity == "quantity":
                    continue
                resolved = value if value is not None else synonyms.get(_normalise(text), text)
                if _normalise(text).removesuffix("er") in AMBIGUOUS:
                    continue  # "E3": no synonym, so that the forms ask which one is meant
                assert resolved in catalogue_skus[entity], f"{text!r} ({entity}) in {example!r}"


def test_lookup_tables_for_products_and_addons(items: list[dict[str, Any]]) -> None:
    lookups = {
        str(entry["lookup"]): _block_lines(entry.get("examples"))
        for entry in items
        if "lookup" in entry
    }
    assert set(lookups) == {"product", "addon"}
    for name, values in lookups.items():
        assert values, f"lookup {name} is empty"
        assert len({_normalise(value) for value in values}) == len(values), name


def test_enough_messages(messages: list[dict[str, Any]], message_file: Path) -> None:
    assert len(messages) >= MIN_MESSAGES
    per_intent = Counter(str(entry.get("intent")) for entry in messages)
    for intent in MESSAGE_SET_INTENTS[message_file]:
        assert per_intent[intent] >= MIN_MESSAGES_PER_INTENT, intent


def test_messages_have_valid_labels(
    messages: list[dict[str, Any]], catalogue_skus: dict[str, frozenset[str]]
) -> None:
    for entry in messages:
        assert set(entry) <= MESSAGE_KEYS, entry
        assert isinstance(entry.get("text"), str), entry
        assert entry["text"].strip(), entry
        assert entry.get("intent") in INTENTS, entry
        if "product" in entry:
            assert entry["product"] in catalogue_skus["product"], entry
        if "addon" in entry:
            assert entry["addon"] in catalogue_skus["addon"], entry
        if "quantity" in entry:
            quantity = entry["quantity"]
            assert isinstance(quantity, int), entry
            assert not isinstance(quantity, bool), entry
            # a decrease by N is -N (its direction is judged too); a total is positive
            assert quantity > 0 or (quantity < 0 and entry.get("relative") is True), entry
        if "relative" in entry:
            assert isinstance(entry["relative"], bool), entry
            assert "quantity" in entry, entry
        if "nonsense" in entry:
            assert entry["nonsense"] is True and entry["intent"] == "out_of_scope", entry


def test_messages_are_unique_and_not_training_examples(
    messages: list[dict[str, Any]], training_texts: set[str]
) -> None:
    texts = Counter(_normalise(str(entry["text"])) for entry in messages)
    assert [text for text, count in texts.items() if count > 1] == []
    assert sorted(set(texts) & training_texts) == []


def test_the_two_message_sets_are_apart() -> None:
    first, second = (
        {_normalise(str(entry["text"])) for entry in _load_yaml(path)}
        for path in (MESSAGES_FILE, MESSAGES_V2_FILE)
    )
    assert sorted(first & second) == []
