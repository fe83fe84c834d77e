"""Quantities in free text: digits and number words (text2num), relative or new total."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from text_to_num.transforms import alpha2digit

_NUMBER = re.compile(r"(?<![\w.,])(\d{1,9})(?![\w.,]\d)")
# "5 weitere", "5 more", "noch 5", "additional 5", "5 zusätzliche"
_NAME = (
    r"(?:(?:PRODUCT|ADDON)\s*-?\s*)?"
    r"(?:lizenzen|lizenz|licen[cs]es?|nutzer|users?|seats?|plätze|stück|postfächer|mailboxes)?\s*"
)
_MORE_AFTER = re.compile(
    rf"^\s*{_NAME}(?:weitere|weiteren|zusätzliche|zusätzlichen|mehr|more|additional|extra|"
    r"further|dazu|hinzu)\b",
    re.IGNORECASE,
)
_MORE_BEFORE = re.compile(
    r"\b(?:noch|plus|additional|another|extra|weitere|zusätzlich|add|um)\s*$", re.IGNORECASE
)
# "2 weniger", "reduce by 2", "um 2 reduzieren", "2 fewer", "minus 2"
_LESS_AFTER = re.compile(
    rf"^\s*{_NAME}(?:weniger|fewer|less|abziehen|streichen|abbestellen|reduzieren|verringern|"
    r"senken|kürzen)\b",
    re.IGNORECASE,
)
_LESS_BEFORE = re.compile(
    r"\b(?:minus|by|reduce by|reduzieren um|verringern um)\s*$", re.IGNORECASE
)
_LESS_VERB = re.compile(
    r"\b(?:reduz|verringer|reduce|decrease|lower|senk|streich|remove|kürz|cut)", re.I
)
_BY = re.compile(r"\b(?:um|by)\s*$", re.IGNORECASE)
# "drop two seats", "remove 2 licences", "streiche 3": the verb right before the number
_LESS_VERB_BEFORE = re.compile(
    r"\b(?:drop|remove|cut|take away|streiche|streichen|entferne|entfernen|"
    r"storniere|stornieren)(?:\s+(?:sie|du|bitte|mal|uns|us|please))*\s*$",
    re.IGNORECASE,
)
# "auf 40", "to 40", "insgesamt 40", "total of 40": a new total
_TOTAL_BEFORE = re.compile(r"\b(?:auf|to|insgesamt|total(?: of)?|gesamt)\s*$", re.IGNORECASE)
# "40 statt 18", "40 instead of 18": the first number is the new total
_INSTEAD = re.compile(r"^\s*(?:statt|anstatt|anstelle von|instead of)\b", re.IGNORECASE)
_FROM = re.compile(r"\b(?:von|from)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Quantity:
    value: int
    relative: bool  # True: a change by `value` (negative to reduce); False: a total


# text2num leaves a lone "one"/"eine" alone (it is often an article); "one more" is a number.
_ONE_MORE = re.compile(
    r"\b(?:one|an?|another|eine[nr]?|ein)(?=\s+(?:(?:lizenz|licen[cs]e|seat|user|nutzer)\s+)?"
    r"(?:more|additional|extra|further|weitere[nr]?|zusätzliche[nr]?|weniger|fewer|less)\b)",
    re.IGNORECASE,
)


_BY_ONE = re.compile(r"\b(by|um)\s+(?:one|eins|einen|eine)\b", re.IGNORECASE)


# Cheap test first: most messages hold no number word, and text2num costs ~0.5 ms a call.
_NUMBER_WORD = re.compile(
    r"(?:eins|zwei|drei|vier|fünf|sechs|sieben|acht|neun|zehn|elf|zwölf|zig|ßig|hundert|"
    r"tausend|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|teen|twenty|"
    r"thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|eine)",
    re.IGNORECASE,
)


# "a hundred", "a thousand", "nine hundred and ninety": forms text2num does not read alone
_A_HUNDRED = re.compile(r"\ba\s+(hundred|thousand)\b", re.IGNORECASE)
_HUNDRED_AND = re.compile(r"\b(hundred|thousand)\s+and\s+(?=[a-z])", re.IGNORECASE)


def normalise_numbers(text: str, language: str) -> str:
    """Number words to digits ("fünf" → "5", "one more" → "1 more")."""
    if not _NUMBER_WORD.search(text):
        return text
    text = _BY_ONE.sub(r"\1 1", _ONE_MORE.sub("1", text))
    text = _HUNDRED_AND.sub(r"\1 ", _A_HUNDRED.sub(r"one \1", text))
    try:
        return str(alpha2digit(text, "en" if language == "en" else "de", signed=False))
    except (ValueError, IndexError):
        return text


_BRAND = re.compile(r"\b(?:microsoft|office|m|o)\s*365\b", re.IGNORECASE)
# How far around a number its markers are looked for: the longest marker with its fillers
# ("storniere bitte mal", "reduzieren um"; "PRODUCT-Lizenzen zusätzliche") is well below these.
# Bounded, so reading a message of many numbers is linear in its length (issue 19).
BEFORE, AFTER = 40, 60


def _around(text: str, match: re.Match[str]) -> tuple[str, str]:
    """The text just before and just after a number, at most BEFORE and AFTER characters."""
    start, end = match.start(), match.end()
    return text[max(0, start - BEFORE) : start], text[end : end + AFTER]


def find_quantity(text: str) -> Quantity | None:
    """The quantity a message asks for; numbers inside product names must be masked first.

    "Microsoft 365" / "Office 365" are brand names even where no product name was matched.
    """
    text = _BRAND.sub("BRAND", text)
    candidates = list(_NUMBER.finditer(text))
    if not candidates:
        return None
    chosen = candidates[0]
    for match in candidates:  # a number with a marker ("auf 40", "5 mehr") wins
        before, after = _around(text, match)
        if _FROM.search(before):
            continue  # "von 18 auf 40": 18 is the old total
        if (
            _INSTEAD.match(after)
            or _TOTAL_BEFORE.search(before)
            or _MORE_AFTER.match(after)
            or (_LESS_AFTER.match(after) or _MORE_BEFORE.search(before))
        ):
            chosen = match
            break
    value = int(chosen[1])
    before, after = _around(text, chosen)
    if _INSTEAD.match(after) or _TOTAL_BEFORE.search(before):
        return Quantity(value, relative=False)
    if (
        _LESS_AFTER.match(after)
        or _LESS_VERB_BEFORE.search(before)
        or (_LESS_BEFORE.search(before) and _LESS_VERB.search(text))
        or (_BY.search(before) and _LESS_VERB.search(text))  # "um 4 reduzieren", "cut by 2"
    ):
        return Quantity(-value, relative=True)
    if _MORE_AFTER.match(after) or _MORE_BEFORE.search(before):
        return Quantity(value, relative=True)
    return Quantity(value, relative=False)


# A quantity typed as the whole answer: a whole number of up to 15 digits, any sign (so that
# "-3" or "0" reach the domain and are refused with the allowed range, not "not a number").
# A number typed as the whole answer; quotes around it and a full stop after it are slips
# ("'7" at the consents, issue 18).
_WHOLE = re.compile(r"^[\s'\"`´‘’‚“”„]*[+-]?\d{1,15}[\s'\"`´‘’‚“”„.!]*$")


def typed_quantity(text: str, language: str) -> int | None:
    """The quantity typed as the whole answer ("12", " -3 ", "fünf", "twenty"), else None.

    Digits with an optional sign, up to 15 of them, or number words in `language`; no range
    checks (those are the domain's, R4). Digits are read the same in every language.
    """
    if not _WHOLE.match(text):
        text = normalise_numbers(text, language)
        if not _WHOLE.match(text):
            return None
    return int(text.strip("\t\n\r '\"`´‘’‚“”„.!"))


def _as_typed(text: str) -> str:
    return text


def read_quantity(
    text: str, language: str, mask: Callable[[str], str] = _as_typed
) -> Quantity | None:
    """The quantity a message asks for, as `find_quantity` reads it: number words become
    digits first, then `mask` hides catalogue names ("Microsoft 365 E3" holds no quantity)."""
    return find_quantity(mask(normalise_numbers(text, language)))


def asked_quantity(value: int, message: Quantity | None) -> Quantity:
    """What the number `value` (a quantity entity) asks for in a message read as `message`.

    When the message reads as a change by that number ("5 weitere" for 5, "2 weniger" for 2),
    it is that change; otherwise `value` is the new total ("auf 40", a bare "40").
    """
    if message is not None and message.relative and abs(message.value) == abs(value):
        return message
    return Quantity(value, relative=False)


def new_total(current: int, asked: Quantity) -> int:
    """The total a user asks for (R11): a change is added to the current quantity ("5 more"
    on 18 is 23, "2 fewer" is 16), a total stands as it is ("to 40" is 40)."""
    return current + asked.value if asked.relative else asked.value
