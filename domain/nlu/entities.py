"""Products and add-ons in free text: exact names, SKUs, synonyms, and close misspellings."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from rapidfuzz import fuzz, process

_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
MAX_NGRAM = 7  # the longest name, "Microsoft Defender for Office 365 Plan 1", has seven words
FUZZY_MIN_LENGTH = 6  # shorter forms ("e3", "bp") must match exactly
FUZZY_CUTOFF = 86.0
FUZZY_MAX_LENGTH_GAP = 2
_PLAN_WORDS = frozenset({"plan", "p", "tarif"})

# Short names that fit two catalogue entries equally well: the parser reports both and the
# front ends ask which one is meant (a longer or exact name always wins over these).
AMBIGUOUS: dict[str, tuple[str, ...]] = {
    "e3": ("M365-E3", "O365-E3"),
    "exchange": ("EXO-P1", "EXO-P2"),
    "exchange online": ("EXO-P1", "EXO-P2"),
    "exo": ("EXO-P1", "EXO-P2"),
    "defender": ("DEFENDER-O365-P1", "DEFENDER-O365-P2"),
    "defender for office 365": ("DEFENDER-O365-P1", "DEFENDER-O365-P2"),
    "mdo": ("DEFENDER-O365-P1", "DEFENDER-O365-P2"),
}
# Priorities of candidate matches: an exact name, then a close spelling, then an ambiguous name.
_EXACT, _FUZZY, _AMBIGUOUS = 2, 1, 0


def _may_be_misspelt_name(span: list[re.Match[str]]) -> bool:
    """Quantities stay outside names: "2 Exchange Plan 2" is 2 × "Exchange Plan 2"."""
    words = [token[0].lower() for token in span]
    if words[0].isdigit():
        return False
    return not (words[-1].isdigit() and (len(words) < 2 or words[-2] not in _PLAN_WORDS))


def normalise(text: str) -> str:
    return " ".join(t.lower() for t in _TOKEN.findall(text))


@dataclass(frozen=True)
class Match:
    kind: str  # "product" | "addon"
    sku: str
    start: int
    end: int
    exact: bool
    choices: tuple[str, ...] = ()  # two or more SKUs the name fits equally (AMBIGUOUS)


class CatalogueMatcher:
    """Finds catalogue items by every name form known for them."""

    def __init__(
        self,
        products: Mapping[str, str],
        addons: Mapping[str, str],
        synonyms: Mapping[str, str] | None = None,
    ) -> None:
        self.forms: dict[str, tuple[str, str]] = {}
        for kind, items in (("product", products), ("addon", addons)):
            for sku, name in items.items():
                for form in (sku, name, sku.replace("-", " ")):
                    self._add(form, kind, sku)
        for form, value in (synonyms or {}).items():
            if value in products:
                self._add(form, "product", value)
            elif value in addons:
                self._add(form, "addon", value)
        self.ambiguous: dict[str, tuple[str, ...]] = {}
        for form, skus in AMBIGUOUS.items():
            kind = "product" if skus[0] in products else "addon"
            known = tuple(sku for sku in skus if sku in (products if kind == "product" else addons))
            if len(known) > 1:
                self.forms[form] = (kind, known[0])
                self.ambiguous[form] = known
        self._first_words = frozenset(form.split(" ", 1)[0] for form in self.forms)
        self._fuzzy_forms = [
            f for f in self.forms if len(f) >= FUZZY_MIN_LENGTH and f not in self.ambiguous
        ]

    def _add(self, form: str, kind: str, sku: str) -> None:
        key = normalise(form)
        if key and key not in self.forms:
            self.forms[key] = (kind, sku)

    def find(self, text: str) -> list[Match]:
        """Non-overlapping matches, longest first (exact before fuzzy), in text order."""
        tokens = list(_TOKEN.finditer(text))
        candidates: list[tuple[int, int, Match]] = []
        fuzzy: list[tuple[str, int, int]] = []
        # A span that starts with a number is a name only when a name starts with that number
        # ("365 …"); skipping the others keeps a message of many numbers cheap.
        digits = [t[0].isdigit() and t[0] not in self._first_words for t in tokens]
        for size in range(min(MAX_NGRAM, len(tokens)), 0, -1):
            for i in range(len(tokens) - size + 1):
                if digits[i]:
                    continue
                span = tokens[i : i + size]
                key = " ".join(t[0].lower() for t in span)
                start, end = span[0].start(), span[-1].end()
                if key not in self.forms and key.endswith("er") and key[:-2] in self.forms:
                    key = key[:-2]  # "E3er Lizenzen", "E5er"
                hit = self.forms.get(key)
                if hit is not None:
                    choices = self.ambiguous.get(key, ())
                    priority = _AMBIGUOUS if choices else _EXACT
                    match = Match(*hit, start, end, exact=True, choices=choices)
                    candidates.append((priority, end - start, match))
                elif len(key) >= FUZZY_MIN_LENGTH and _may_be_misspelt_name(span):
                    fuzzy.append((key, start, end))
        candidates += self._fuzzy_candidates(fuzzy)
        chosen: list[Match] = []
        taken = bytearray(len(text))  # characters inside a chosen name: linear, not pairwise
        # Exact names first (longest first), then close spellings where nothing exact is.
        for _, _, match in sorted(candidates, key=lambda c: (-c[0], -c[1], c[2].start)):
            if not any(taken[match.start : match.end]):
                chosen.append(match)
                taken[match.start : match.end] = b"\x01" * (match.end - match.start)
        return sorted(chosen, key=lambda m: m.start)

    def _fuzzy_candidates(self, spans: list[tuple[str, int, int]]) -> list[tuple[int, int, Match]]:
        """Misspelt names: one vectorised comparison of every n-gram with every long form."""
        if not spans or not self._fuzzy_forms:
            return []
        scores = process.cdist(
            [key for key, _, _ in spans],
            self._fuzzy_forms,
            scorer=fuzz.ratio,
            score_cutoff=FUZZY_CUTOFF,
            workers=1,
        )
        found = []
        for row, (key, start, end) in enumerate(spans):
            best = int(scores[row].argmax())
            form = self._fuzzy_forms[best]
            # A close spelling has about the form's length ("microsoft 365" is no "… e3").
            if scores[row][best] and abs(len(form) - len(key)) <= FUZZY_MAX_LENGTH_GAP:
                kind, sku = self.forms[form]
                found.append((_FUZZY, end - start, Match(kind, sku, start, end, exact=False)))
        return found


def first(matches: list[Match], kind: str) -> str | None:
    return next((m.sku for m in matches if m.kind == kind), None)


def choices(matches: list[Match], kind: str) -> tuple[str, ...]:
    """The SKUs the first name of `kind` fits equally well; () when it is unambiguous."""
    return next((m.choices for m in matches if m.kind == kind), ())


def mask(text: str, matches: list[Match]) -> str:
    """Replace matched names by PRODUCT / ADDON, so classifiers and numbers ignore them."""
    parts, at = [], 0
    for match in sorted(matches, key=lambda m: m.start):  # one pass: linear in the text
        parts += [text[at : match.start], f" {match.kind.upper()} "]
        at = match.end
    return "".join([*parts, text[at:]])
