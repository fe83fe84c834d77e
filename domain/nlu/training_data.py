"""Read Rasa 3 NLU training data: examples with entity annotations, synonyms, lookups."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from domain.datafiles import data_file

# [text](entity) or [text]{"entity": "product", "value": "M365-E3"}
ANNOTATION = re.compile(r"\[(?P<text>[^\]]+)\](?:\((?P<entity>[a-z_]+)\)|(?P<json>\{[^}]*\}))")
DEFAULT_PATH = data_file("nlu.yml")


@dataclass(frozen=True)
class Entity:
    entity: str
    text: str
    value: str  # after synonym mapping


@dataclass(frozen=True)
class Example:
    text: str
    intent: str
    entities: tuple[Entity, ...] = ()


@dataclass
class TrainingData:
    examples: list[Example] = field(default_factory=list)
    synonyms: dict[str, str] = field(default_factory=dict)  # surface form (lower) → value
    lookups: dict[str, list[str]] = field(default_factory=dict)

    @property
    def intents(self) -> list[str]:
        return sorted({e.intent for e in self.examples})


def _lines(block: str) -> Iterator[str]:
    for line in block.splitlines():
        line = line.strip()
        if line.startswith("- "):
            yield line[2:].strip()


def parse_example(raw: str, intent: str, synonyms: dict[str, str]) -> Example:
    """Strip the annotations; keep what they marked, with synonym-mapped values."""
    entities: list[Entity] = []
    parts: list[str] = []
    last = 0
    for match in ANNOTATION.finditer(raw):
        parts.append(raw[last : match.start()])
        text = match["text"]
        parts.append(text)
        last = match.end()
        if match["json"]:
            spec: dict[str, Any] = json.loads(match["json"])
            name, value = str(spec["entity"]), str(spec.get("value", text))
        else:
            name, value = match["entity"], text
        value = synonyms.get(value.lower(), value)
        entities.append(Entity(name, text, value))
    parts.append(raw[last:])
    return Example("".join(parts), intent, tuple(entities))


def load(path: Path = DEFAULT_PATH) -> TrainingData:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    items: list[dict[str, Any]] = document.get("nlu", [])
    data = TrainingData()
    for item in items:
        if "synonym" in item:
            for form in _lines(item["examples"]):
                data.synonyms[form.lower()] = str(item["synonym"])
        elif "lookup" in item:
            data.lookups[str(item["lookup"])] = list(_lines(item["examples"]))
    for item in items:
        if "intent" in item:
            data.examples.extend(
                parse_example(raw, str(item["intent"]), data.synonyms)
                for raw in _lines(item["examples"])
            )
    return data
