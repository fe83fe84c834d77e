"""The Rasa project files are what a Rasa 3.6 deployment can train on.

Rasa itself cannot be installed here (it needs Python < 3.11), so two kinds of checks stand in
for `rasa data validate` / `rasa train`:
- schema checks with Rasa 3.6's own pykwalify schemas (fetched by `rasa_schemas`; skipped when
  they cannot be downloaded, except in CI where LICENCEBOT_REQUIRE_POSTGRES=1 makes it fail);
- consistency checks between domain, stories, rules, NLU data, config and the stable names in
  docs/interfaces.md, as Rasa's Domain, Validator and readers would report them.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.contract import CONTRACT_ENTITIES, CONTRACT_INTENTS
from tests.rasa.rasa_schemas import (
    ROOT,
    RasaSchemas,
    SchemasUnavailableError,
    format_version_is_supported,
    rasa_schemas,
    read_yaml_file,
    training_data_schemas,
    validate_yaml_schema,
)

DOMAIN_FILE = ROOT / "domain.yml"
CONFIG_FILE = ROOT / "config.yml"
ENDPOINTS_FILE = ROOT / "endpoints.yml"
CREDENTIALS_FILE = ROOT / "credentials.yml"
DATA_DIR = ROOT / "data"
STORIES_FILE = DATA_DIR / "stories.yml"
RULES_FILE = DATA_DIR / "rules.yml"
NLU_FILE = DATA_DIR / "nlu.yml"
INTERFACES = ROOT / "docs" / "interfaces.md"
REQUIRE_SCHEMAS = os.environ.get("LICENCEBOT_REQUIRE_POSTGRES") == "1"

# --- Rasa 3.6 built-ins (rasa/shared/core/constants.py, rasa/shared/constants.py) -------------
DEFAULT_INTENTS = frozenset({"restart", "back", "out_of_scope", "session_start", "nlu_fallback"})
DEFAULT_ACTIONS = frozenset(
    {
        "action_listen",
        "action_restart",
        "action_session_start",
        "action_default_fallback",
        "action_deactivate_loop",
        "action_revert_fallback_events",
        "action_default_ask_affirmation",
        "action_default_ask_rephrase",
        "action_two_stage_fallback",
        "action_unlikely_intent",
        "action_back",
        "...",
        "action_extract_slots",
    }
)
DEFAULT_SLOTS = frozenset(
    {
        "requested_slot",
        "session_started_metadata",
        "knowledge_base_listed_objects",
        "knowledge_base_last_object",
        "knowledge_base_last_object_type",
    }
)
SLOT_TYPES = frozenset({"text", "bool", "categorical", "float", "list", "any"})
# SlotMapping.validate: mapping type -> keys that must not be None
MAPPING_REQUIRED_KEYS: dict[str, tuple[str, ...]] = {
    "from_entity": ("entity",),
    "from_intent": ("value",),
    "from_trigger_intent": ("value",),
    "from_text": (),
    "custom": (),
}
ASSISTANT_ID_PLACEHOLDER = "placeholder_default"

# --- the stable contract (docs/interfaces.md) and the agreed design ----------------------------
CONTRACT_ACTIONS = (
    "action_link_account",
    "action_list_products",
    "action_product_details",
    "action_place_order",
    "action_show_orders",
    "action_order_status",
    "action_change_quantity",
    "action_book_addon",
    "action_cancel_subscription",
    "action_handoff",
)
CONTRACT_FORMS: dict[str, tuple[str, ...]] = {
    "order_form": ("product", "quantity", "terms_accepted", "account_consent"),
    "change_quantity_form": ("subscription", "quantity"),
    "addon_form": ("subscription", "addon", "quantity"),
    "cancel_form": ("subscription", "confirm_cancel"),
}
# the action that does the write once a form is complete
FORM_SUBMIT_ACTIONS = {
    "order_form": "action_place_order",
    "change_quantity_form": "action_change_quantity",
    "addon_form": "action_book_addon",
    "cancel_form": "action_cancel_subscription",
}
FORM_TRIGGER_INTENTS = {
    "order_form": "order_product",
    "change_quantity_form": "change_quantity",
    "addon_form": "book_addon",
    "cancel_form": "cancel_product",
}
# single-turn rules: intent -> action
SIMPLE_RULES = {
    "greet": "action_greet",
    "goodbye": "action_goodbye",
    "help": "action_help",
    "out_of_scope": "action_fallback",
    "nlu_fallback": "action_fallback",
    "link_account": "action_link_account",
    "list_products": "action_list_products",
    "product_details": "action_product_details",
    "show_orders": "action_show_orders",
    "order_status": "action_order_status",
    "handoff": "action_handoff",
}
# intents a client sends as `/intent{...}` only, without NLU examples
PAYLOAD_ONLY_INTENTS = frozenset({"link_account", "cancel"})

# Rasa's rasa/shared/nlu/training_data/entities_parser.py ENTITY_REGEX
ENTITY_REGEX = re.compile(
    r"\[(?P<entity_text>[^\]]+?)\](\((?P<entity>[^:)]+?)(?:\:(?P<value>[^)]+))?\)"
    r"|\{(?P<entity_dict>[^}]+?)\}|\[(?P<list_entity_dicts>.*?)\])"
)


# --- loading -----------------------------------------------------------------------------------
def load_mapping(path: Path) -> dict[str, Any]:
    data = read_yaml_file(path)
    assert isinstance(data, dict), f"{path.name}: top level must be a mapping"
    return data


def names(items: Any) -> list[str]:
    """Names of a domain list whose entries are `name` or `{name: {...properties}}`."""
    found: list[str] = []
    for item in items or []:
        if isinstance(item, str):
            found.append(item)
        elif isinstance(item, dict):
            found.extend(str(key) for key in item)
        else:
            raise AssertionError(f"unexpected domain list entry {item!r}")
    return found


@dataclass(frozen=True)
class Domain:
    raw: dict[str, Any]

    @property
    def intents(self) -> list[str]:
        return names(self.raw.get("intents"))

    @property
    def entities(self) -> list[str]:
        return names(self.raw.get("entities"))

    @property
    def actions(self) -> list[str]:
        return names(self.raw.get("actions"))

    @property
    def slots(self) -> dict[str, dict[str, Any]]:
        slots = self.raw.get("slots") or {}
        assert isinstance(slots, dict)
        return slots

    @property
    def forms(self) -> dict[str, list[str]]:
        forms = self.raw.get("forms") or {}
        assert isinstance(forms, dict)
        return {
            name: list((spec or {}).get("required_slots") or []) for name, spec in forms.items()
        }

    @property
    def known_intents(self) -> set[str]:
        return set(self.intents) | DEFAULT_INTENTS

    @property
    def known_actions(self) -> set[str]:
        return set(self.actions) | set(self.forms) | DEFAULT_ACTIONS

    @property
    def known_slots(self) -> set[str]:
        return set(self.slots) | DEFAULT_SLOTS


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain(load_mapping(DOMAIN_FILE))


@pytest.fixture(scope="session")
def schemas() -> RasaSchemas:
    try:
        return rasa_schemas()
    except SchemasUnavailableError as exc:
        if REQUIRE_SCHEMAS:
            pytest.fail(f"Rasa's schemas are required (LICENCEBOT_REQUIRE_POSTGRES=1): {exc}")
        pytest.skip(f"Rasa 3.6 schemas unavailable, schema checks skipped: {exc}")


def training_files() -> list[Path]:
    """YAML files under data/ that Rasa reads as training data (it ignores the others, e.g.
    data/catalog.yaml, by their top-level keys)."""
    found = []
    for path in sorted([*DATA_DIR.glob("**/*.yml"), *DATA_DIR.glob("**/*.yaml")]):
        data = read_yaml_file(path)
        if isinstance(data, dict) and {"stories", "rules", "nlu", "responses"} & set(data):
            found.append(path)
    return found


def nlu_data() -> dict[str, Any]:
    if not NLU_FILE.is_file():
        pytest.skip("data/nlu.yml is not there (yet)")
    return load_mapping(NLU_FILE)


# --- Rasa's schemas ----------------------------------------------------------------------------
def test_domain_matches_rasa_schema(schemas: RasaSchemas) -> None:
    validate_yaml_schema(DOMAIN_FILE.read_text(encoding="utf-8"), schemas.domain, schemas)


def test_model_config_matches_rasa_schemas(schemas: RasaSchemas) -> None:
    content = CONFIG_FILE.read_text(encoding="utf-8")
    validate_yaml_schema(content, schemas.model_config, schemas)  # rasa train
    validate_yaml_schema(content, schemas.config, schemas)  # read_config_file


@pytest.mark.parametrize("path", [ENDPOINTS_FILE, CREDENTIALS_FILE], ids=lambda p: p.name)
def test_server_files_match_rasa_schema(schemas: RasaSchemas, path: Path) -> None:
    validate_yaml_schema(path.read_text(encoding="utf-8"), schemas.config, schemas)


def test_expected_training_files_are_training_data() -> None:
    found = training_files()
    assert STORIES_FILE in found
    assert RULES_FILE in found
    assert NLU_FILE in found or not NLU_FILE.exists()
    assert DATA_DIR / "catalog.yaml" not in found


@pytest.mark.parametrize("path", training_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_training_data_matches_rasa_schemas(schemas: RasaSchemas, path: Path) -> None:
    applicable = training_data_schemas(read_yaml_file(path), schemas)
    assert applicable, f"{path.name} is no training data file"
    for schema in applicable:
        validate_yaml_schema(path.read_text(encoding="utf-8"), schema, schemas)


def test_nlu_data_matches_rasa_schema_when_present(schemas: RasaSchemas) -> None:
    data = nlu_data()
    assert schemas.nlu in training_data_schemas(data, schemas)
    validate_yaml_schema(NLU_FILE.read_text(encoding="utf-8"), schemas.nlu, schemas)


BROKEN_FILES = {
    "slot without mappings": ("domain", "slots:\n  s:\n    type: text\n"),
    "response without text": ("domain", "responses:\n  utter_x:\n    - image: x.png\n"),
    "misspelt story step": ("stories", "stories:\n  - story: s\n    steps:\n      - intnt: x\n"),
    "policy without name": ("model_config", "policies:\n  - epochs: 3\n"),
    "examples not text": ("nlu", "nlu:\n  - intent: greet\n    examples: 3\n"),
}


@pytest.mark.parametrize(("kind", "content"), BROKEN_FILES.values(), ids=BROKEN_FILES.keys())
def test_schema_check_rejects_broken_files(schemas: RasaSchemas, kind: str, content: str) -> None:
    """The schema checks are not vacuous."""
    from pykwalify.errors import SchemaError

    schema: Path = getattr(schemas, kind)
    with pytest.raises(SchemaError):
        validate_yaml_schema(content, schema, schemas)


# --- formats Rasa 3.6 reads --------------------------------------------------------------------
@pytest.mark.parametrize(
    "path", [DOMAIN_FILE, *training_files()], ids=lambda p: str(p.relative_to(ROOT))
)
def test_format_version_is_readable_by_rasa_3_6(path: Path) -> None:
    """A `version` above 3.1 makes Rasa 3.6 skip the file (the domain becomes empty)."""
    data = load_mapping(path)
    assert format_version_is_supported(data), f"{path.name}: version {data.get('version')!r}"


def test_own_files_use_format_3_1() -> None:
    for path in (DOMAIN_FILE, STORIES_FILE, RULES_FILE):
        assert load_mapping(path).get("version") == "3.1", path.name


# --- domain ------------------------------------------------------------------------------------
def test_domain_names_are_unique_and_disjoint(domain: Domain) -> None:
    for kind, items in (
        ("intents", domain.intents),
        ("entities", domain.entities),
        ("actions", domain.actions),
    ):
        duplicates = [name for name, count in Counter(items).items() if count > 1]
        assert not duplicates, f"duplicate {kind}: {duplicates}"
    assert not set(domain.actions) & set(domain.forms), "a form is listed as an action too"
    assert not set(domain.actions) & DEFAULT_ACTIONS, "a Rasa default action is redefined"
    assert not set(domain.slots) & DEFAULT_SLOTS, "a Rasa default slot is redefined"


def test_domain_has_no_response_templates(domain: Domain) -> None:
    """All user-facing text comes from the action server's catalogues."""
    assert not domain.raw.get("responses")
    assert not [a for a in domain.actions if a.startswith("utter_")]


def test_contract_names_are_in_domain(domain: Domain) -> None:
    assert set(CONTRACT_INTENTS) <= set(domain.intents)
    assert set(domain.intents) == set(CONTRACT_INTENTS) | PAYLOAD_ONLY_INTENTS
    assert set(CONTRACT_ENTITIES) <= set(domain.entities)
    assert set(CONTRACT_ENTITIES) <= set(domain.slots)
    assert set(CONTRACT_ACTIONS) <= set(domain.actions)
    assert domain.forms == {form: list(slots) for form, slots in CONTRACT_FORMS.items()}


def test_every_form_has_its_validation_action(domain: Domain) -> None:
    for form in domain.forms:
        assert f"validate_{form}" in domain.actions, form
    for action in domain.actions:
        if action.startswith("validate_"):
            assert action.removeprefix("validate_") in domain.forms, action


def test_forms_required_slots_are_domain_slots(domain: Domain) -> None:
    for form, required in domain.forms.items():
        assert required, f"{form} has no required slots"
        missing = [slot for slot in required if slot not in domain.slots]
        assert not missing, f"{form}: {missing} are not domain slots"


def test_every_required_slot_can_be_asked_for(domain: Domain) -> None:
    """Without responses, a form asks through `action_ask_<form>_<slot>` or
    `action_ask_<slot>` (FormAction.request_next_slot); otherwise it would ask nothing."""
    for form, required in domain.forms.items():
        for slot in required:
            candidates = {f"action_ask_{form}_{slot}", f"action_ask_{slot}"}
            assert candidates & set(domain.actions), f"{form} cannot ask for {slot}"
    extra = {"confirm_change"}  # asked by validate_change_quantity_form (R11's confirmation)
    for action in domain.actions:
        if action.startswith("action_ask_"):
            slot = action.removeprefix("action_ask_")
            asked = slot in extra or any(slot in required for required in domain.forms.values())
            assert asked, action


def iter_mappings(domain: Domain) -> Iterator[tuple[str, dict[str, Any]]]:
    for slot, spec in domain.slots.items():
        for mapping in spec.get("mappings") or []:
            assert isinstance(mapping, dict), f"slot {slot}: mapping {mapping!r}"
            yield slot, mapping


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def test_slot_mappings_are_valid(domain: Domain) -> None:
    """SlotMapping.validate, SlotMapping.check_mapping_validity and
    Validator.verify_slot_mappings of Rasa 3.6."""
    for slot, mapping in iter_mappings(domain):
        kind = mapping.get("type")
        assert kind in MAPPING_REQUIRED_KEYS, f"slot {slot}: mapping type {kind!r}"
        for key in MAPPING_REQUIRED_KEYS[kind]:
            assert mapping.get(key) is not None, f"slot {slot}: {kind} needs {key!r}"
        if kind == "from_entity":
            assert mapping["entity"] in domain.entities, f"slot {slot}: {mapping['entity']}"
        for key in ("intent", "not_intent"):
            unknown = set(as_list(mapping.get(key))) - domain.known_intents
            assert not unknown, f"slot {slot}: {key} {unknown} not in domain"
        for condition in mapping.get("conditions") or []:
            form = condition.get("active_loop")
            if form is None:
                continue
            assert form in domain.forms, f"slot {slot}: condition on unknown form {form}"
            if kind != "from_trigger_intent":
                assert slot in domain.forms[form], f"slot {slot} is not required by {form}"
            requested = condition.get("requested_slot")
            if requested is not None:
                assert requested in domain.forms[form], (
                    f"slot {slot}: {form} never asks {requested}"
                )


def test_slot_definitions(domain: Domain) -> None:
    for slot, spec in domain.slots.items():
        kind = spec.get("type")
        assert kind in SLOT_TYPES, f"slot {slot}: type {kind!r}"
        if kind == "any":
            # AnySlot raises InvalidSlotConfigError when it would influence the conversation
            assert spec.get("influence_conversation") is False, slot
        if kind == "categorical":
            values = [str(v).lower() for v in spec.get("values") or []]
            assert values, slot
            initial = spec.get("initial_value")
            assert initial is None or str(initial).lower() in values, slot
        if kind == "bool":
            for mapping in spec.get("mappings") or []:
                if mapping.get("type") == "from_intent":
                    assert isinstance(mapping.get("value"), bool), slot
    # unknown until linking or a clear message tells it (issue 17)
    assert domain.slots["language"].get("initial_value") is None
    assert set(domain.slots["language"]["values"]) == {"de", "en"}
    # form slots are handled by the forms, not by the dialogue policies
    for required in domain.forms.values():
        for slot in required:
            assert domain.slots[slot].get("influence_conversation") is False, slot


def test_bool_slots_are_answered_by_affirm_and_deny(domain: Domain) -> None:
    for form, slot in (
        ("order_form", "terms_accepted"),
        ("order_form", "account_consent"),
        ("cancel_form", "confirm_cancel"),
    ):
        values = {
            (mapping.get("intent"), mapping.get("value"))
            for mapping in domain.slots[slot]["mappings"]
            if mapping.get("type") == "from_intent"
            and {"active_loop": form, "requested_slot": slot} in mapping.get("conditions", [])
        }
        assert values == {("affirm", True), ("deny", False)}, slot


def test_session_config(domain: Domain) -> None:
    assert domain.raw["session_config"] == {
        "session_expiration_time": 60,
        "carry_over_slots_to_new_session": True,
    }


# --- stories and rules -------------------------------------------------------------------------
@dataclass
class StepNames:
    intents: set[str]
    entities: set[str]
    actions: set[str]
    active_loops: set[str]
    slots: set[str]

    @classmethod
    def empty(cls) -> StepNames:
        return cls(set(), set(), set(), set(), set())

    def add_steps(self, steps: Any) -> None:
        for step in steps or []:
            assert isinstance(step, dict), f"step {step!r}"
            if "intent" in step:
                self.intents.add(step["intent"])
            for entity in step.get("entities") or []:
                if isinstance(entity, str):
                    self.entities.add(entity)
                else:
                    self.entities.update(k for k in entity if k not in ("role", "group"))
            if "action" in step:
                self.actions.add(step["action"])
            if step.get("active_loop") is not None:
                self.active_loops.add(step["active_loop"])
            for slot in step.get("slot_was_set") or []:
                self.slots.update([slot] if isinstance(slot, str) else slot)
            for alternative in step.get("or") or []:
                self.add_steps([alternative])


def story_and_rule_files() -> list[Path]:
    return [path for path in training_files() if {"stories", "rules"} & set(load_mapping(path))]


def blocks(path: Path) -> list[dict[str, Any]]:
    data = load_mapping(path)
    return [*(data.get("stories") or []), *(data.get("rules") or [])]


@pytest.mark.parametrize("path", story_and_rule_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_stories_and_rules_use_domain_names(domain: Domain, path: Path) -> None:
    used = StepNames.empty()
    for block in blocks(path):
        used.add_steps(block.get("steps"))
        used.add_steps(block.get("condition"))
    assert not used.intents - domain.known_intents, "intents missing from domain"
    assert not used.entities - set(domain.entities), "entities missing from domain"
    assert not used.actions - domain.known_actions, "actions/forms missing from domain"
    assert not used.active_loops - set(domain.forms), "active loops that are no forms"
    assert not used.slots - domain.known_slots, "slots missing from domain"


def rules_by_steps() -> list[tuple[list[dict[str, Any]], list[dict[str, Any]]]]:
    """(condition, steps) of every rule."""
    found = []
    for path in story_and_rule_files():
        for rule in load_mapping(path).get("rules") or []:
            found.append((list(rule.get("condition") or []), list(rule["steps"])))
    return found


def test_simple_rules() -> None:
    rules = rules_by_steps()
    for intent, action in SIMPLE_RULES.items():
        expected = [{"intent": intent}, {"action": action}]
        assert ([], expected) in rules, f"no unconditional rule {intent} -> {action}"


def test_every_form_is_activated_and_submitted_by_a_rule() -> None:
    rules = rules_by_steps()
    for form, intent in FORM_TRIGGER_INTENTS.items():
        activation = [{"intent": intent}, {"action": form}, {"active_loop": form}]
        assert ([], activation) in rules, f"no activation rule for {form}"
        submission = [
            {"action": form},
            {"active_loop": None},
            {"slot_was_set": [{"requested_slot": None}]},
            {"action": FORM_SUBMIT_ACTIONS[form]},
        ]
        assert ([{"active_loop": form}], submission) in rules, f"no submission rule for {form}"
        handoff = [
            {"intent": "handoff"},
            {"action": "action_handoff"},
            {"action": form},
            {"active_loop": form},
        ]
        assert ([{"active_loop": form}], handoff) in rules, f"handoff does not resume {form}"


def test_stories_have_distinct_names() -> None:
    for path in story_and_rule_files():
        data = load_mapping(path)
        titles = [b["story"] for b in data.get("stories") or []]
        titles += [b["rule"] for b in data.get("rules") or []]
        duplicates = [name for name, count in Counter(titles).items() if count > 1]
        assert not duplicates, f"{path.name}: {duplicates}"


# --- NLU data (written separately; checked when present) ---------------------------------------
def nlu_examples(item: dict[str, Any]) -> list[str]:
    """The example texts of one `nlu:` item, as RasaYAMLReader splits them."""
    examples = item.get("examples")
    if isinstance(examples, str):
        return [
            line.strip()[2:].strip()
            for line in examples.splitlines()
            if line.strip().startswith("- ")
        ]
    return [str(entry["text"]) for entry in examples or []]


def annotated_entities(text: str) -> set[str]:
    found: set[str] = set()
    for match in ENTITY_REGEX.finditer(text):
        if match.group("entity"):
            found.add(match.group("entity").strip())
        elif match.group("entity_dict"):
            found.add(json.loads("{" + match.group("entity_dict") + "}")["entity"])
        elif match.group("list_entity_dicts"):
            for entry in json.loads("[" + match.group("list_entity_dicts") + "]"):
                found.add(entry["entity"])
    return found


def nlu_intents_and_entities() -> tuple[Counter[str], set[str]]:
    intents: Counter[str] = Counter()
    entities: set[str] = set()
    for item in nlu_data().get("nlu") or []:
        if "intent" not in item:
            continue  # synonym, regex, lookup
        intent = str(item["intent"]).split("/")[0]  # retrieval intents: `faq/ask_x`
        texts = nlu_examples(item)
        intents[intent] += len(texts)
        for text in texts:
            entities |= annotated_entities(text)
    return intents, entities


def test_annotated_entity_parser() -> None:
    text = (
        'Bitte [20](quantity) [E3](product:M365-E3) und [Teams Phone]{"entity": "addon"} '
        'für [x][{"entity": "invite_code"}, {"entity": "invite_code", "role": "a"}]'
    )
    assert annotated_entities(text) == {"quantity", "product", "addon", "invite_code"}


def test_nlu_intents_and_entities_are_in_domain(domain: Domain) -> None:
    intents, entities = nlu_intents_and_entities()
    assert not set(intents) - set(domain.intents), "NLU intents missing from domain"
    assert not entities - set(domain.entities), "annotated entities missing from domain"


def test_every_domain_intent_has_nlu_examples(domain: Domain) -> None:
    """Rasa's Validator warns about domain intents without training examples."""
    intents, _ = nlu_intents_and_entities()
    expected = set(domain.intents) - PAYLOAD_ONLY_INTENTS - {"nlu_fallback"}
    assert not {intent for intent in expected if intents[intent] == 0}


# --- docs/interfaces.md ------------------------------------------------------------------------
def interfaces_text() -> str:
    return INTERFACES.read_text(encoding="utf-8")


def section(text: str, heading: str) -> str:
    match = re.search(rf"^## {re.escape(heading)}.*?$(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert match, f"interfaces.md has no section '{heading}'"
    return match.group(1)


def test_interfaces_md_agrees_with_the_contract() -> None:
    text = interfaces_text()
    intents_part, _, entities_part = section(text, "Intents").partition("Entities/slots:")
    assert set(re.findall(r"`(\w+)`", intents_part)) == set(CONTRACT_INTENTS)
    assert set(re.findall(r"`(\w+)`", entities_part)) == set(CONTRACT_ENTITIES)

    rasa = section(text, "Rasa action server")
    actions = set(re.findall(r"`(action_\w+)`", rasa))
    assert actions == set(CONTRACT_ACTIONS)
    forms = {
        form: tuple(re.findall(r"`(\w+)`", slots))
        for form, slots in re.findall(r"`(\w+_form)`\s*\(([^)]*)\)", rasa)
    }
    assert forms == CONTRACT_FORMS


def test_interfaces_md_names_are_in_domain(domain: Domain) -> None:
    rasa = section(interfaces_text(), "Rasa action server")
    for name in re.findall(r"`(action_\w+)`", rasa):
        assert name in domain.actions, name
    for form in re.findall(r"`(\w+_form)`", rasa):
        assert form in domain.forms, form
        assert f"validate_{form}" in domain.actions, form
    for slot in ("product", "addon", "quantity", "subscription", "invite_code"):
        assert slot in domain.slots, slot


# --- config, endpoints, credentials ------------------------------------------------------------
def test_model_config(domain: Domain) -> None:
    config = load_mapping(CONFIG_FILE)
    assert config["recipe"] == "default.v1"
    assert config["language"] == "de"
    assert config["assistant_id"] not in (None, "", ASSISTANT_ID_PLACEHOLDER)
    pipeline = [component["name"] for component in config["pipeline"]]
    assert pipeline == [
        "WhitespaceTokenizer",
        "RegexFeaturizer",
        "LexicalSyntacticFeaturizer",
        "CountVectorsFeaturizer",
        "CountVectorsFeaturizer",
        "DIETClassifier",
        "EntitySynonymMapper",
        "FallbackClassifier",
    ]
    policies = {policy["name"]: policy for policy in config["policies"]}
    assert set(policies) == {"MemoizationPolicy", "RulePolicy", "TEDPolicy"}
    rule_policy = policies["RulePolicy"]
    assert rule_policy["core_fallback_action_name"] == "action_fallback"
    assert rule_policy["core_fallback_action_name"] in domain.actions
    assert rule_policy["core_fallback_threshold"] == 0.3
    assert rule_policy["enable_fallback_prediction"] is True
    seeded = [c for c in [*config["pipeline"], *config["policies"]] if "epochs" in c]
    assert seeded and all(isinstance(c.get("random_seed"), int) for c in seeded)  # issue 17
    fallback = next(c for c in config["pipeline"] if c["name"] == "FallbackClassifier")
    assert (fallback["threshold"], fallback["ambiguity_threshold"]) == (0.6, 0.1)


def test_endpoints_point_to_the_action_server() -> None:
    endpoints = load_mapping(ENDPOINTS_FILE)
    assert endpoints["action_endpoint"]["url"] == "http://localhost:5055/webhook"


def test_action_server_token_is_substituted_by_rasa() -> None:
    """Rasa 3.6 replaces `${VAR}` only in plain (unquoted) YAML scalars (its env-var
    resolver is an implicit resolver); a quoted token went out as the literal text and every
    action call was refused with 401 (issue 17, item 1)."""
    document = yaml.compose(ENDPOINTS_FILE.read_text(encoding="utf-8"))
    assert isinstance(document, yaml.MappingNode)
    endpoint = next(v for k, v in document.value if k.value == "action_endpoint")
    token = next(v for k, v in endpoint.value if k.value == "token")
    assert token.value == "${ACTION_SERVER_TOKEN}"
    assert token.style is None, "quoted: Rasa would send the literal ${ACTION_SERVER_TOKEN}"


def test_credentials_enable_only_the_vouched_rest_channel() -> None:
    """Rasa's `rest` channel trusts the body's sender id; only the JWT-vouched one is on
    (issue 17, item 9), its secret substituted by Rasa (an unquoted ${...})."""
    credentials = load_mapping(CREDENTIALS_FILE)
    assert set(credentials) == {"rasa_channels.vouched_rest.VouchedRestInput"}
    text = CREDENTIALS_FILE.read_text(encoding="utf-8")
    assert "  jwt_secret: ${RASA_REST_JWT_SECRET}\n" in text


def test_credentials_enable_rest_but_not_telegram() -> None:
    """Rasa's Telegram channel would take the webhook of a token away from licencebot's own
    bot; it stays commented out unless an operator configures a separate bot."""
    credentials = load_mapping(CREDENTIALS_FILE)
    assert "telegram" not in credentials
    text = CREDENTIALS_FILE.read_text(encoding="utf-8")
    assert "# telegram:" in text
