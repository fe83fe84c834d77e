"""Which language a message is written in, and whether it asks to switch language.

Used where a channel tells no language (Rasa's REST channel): a conversation whose language is
unknown takes the first message that clearly reads as German or English; "auf Deutsch bitte"
or "in English please" switches it. Anything unclear ("ok", "5", a code) decides nothing.
"""

from __future__ import annotations

import re

_WORD = re.compile(r"[a-zäöüß]+")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_GERMAN = _words(
    """
    ich wir sie mir uns unser unsere meine mein bitte danke hallo moin servus tschüss ja nein
    lizenz lizenzen weitere brauchen haben habe hätte hätten möchte möchten kündige kündigen
    zeige zeig zeigen bestellen bestellung bestellungen ändern erhöhen reduzieren buchen statt
    auf noch und nicht wie viele welche gibt was kostet kosten ist sind der die das den dem ein
    eine einen für mit von zum zur stück nutzer produkte abbrechen aufhören hilfe mitarbeiter
    guten tag morgen abend gern gerne genau richtig falsch lieber keine kein doch
    """
)
_ENGLISH = _words(
    """
    we you me us our my please thanks thank hello hi hey bye goodbye yes no yeah nope licence
    licences license licenses more need needs have has would like want show list order orders
    ordered change increase reduce decrease cancel book what which how many much does cost costs
    is are the an for with of to seats users products help human agent stop abort good morning
    evening sure correct wrong rather none
    """
)
_ASK = {
    "en": re.compile(
        r"\b(?:(?:in|auf)\s+englisch|(?:in|speak|use|switch\s+to)\s+english|english\s+please"
        r"|englisch\s+bitte)\b",
        re.IGNORECASE,
    ),
    "de": re.compile(
        r"\b(?:(?:in|auf)\s+deutsch|(?:in|speak|use|switch\s+to)\s+german|german\s+please"
        r"|deutsch\s+bitte)\b",
        re.IGNORECASE,
    ),
}


def written_in(text: str) -> str | None:
    """ "de" or "en" when the words lean clearly one way; None when they do not, and for a
    command or payload ("/link_account{...}": its code may hold anything)."""
    if text.lstrip().startswith("/"):
        return None
    if any(c in text for c in "äöüßÄÖÜ"):
        return "de"
    words = _WORD.findall(text.lower())
    german = sum(w in _GERMAN for w in words)
    english = sum(w in _ENGLISH for w in words)
    if german > english:
        return "de"
    if english > german:
        return "en"
    return None


def asked_for(text: str) -> str | None:
    """The language the message asks to switch to ("auf Englisch bitte"), or None."""
    asked = [language for language, pattern in _ASK.items() if pattern.search(text)]
    return asked[0] if len(asked) == 1 else None
