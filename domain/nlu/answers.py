"""What a short answer to a question means: an explicit yes, or a wish to stop.

A consent (R5, R17) or a confirmation (R11, R20) is given only by an explicit yes to the
question just asked: a classifier's guess is not enough, however confident ("xyz" once read as
`affirm` 0.77). `explicit_yes` says whether the words are an affirmation at all; a front end
that classifies asks in addition that its classifier agrees with at least CONSENT_CONFIDENCE.

`wants_to_stop`: "abbrechen", "stop", "cancel", "/cancel" and the like leave the question
(and whatever it was for) without doing anything.
"""

from __future__ import annotations

import re

CONSENT_CONFIDENCE = 0.8  # the classifier's floor for a yes that consents or confirms

_YES = re.compile(
    r"^\s*(?:ja|jawohl|jap|jo|genau|gern|gerne|klar|sicher|richtig|korrekt|einverstanden"
    r"|ok|okay|okey|passt|yes|yeah|yep|yup|sure|correct|agreed|right|absolutely|of course"
    r"|natürlich|selbstverständlich|alles klar|in ordnung|mach(?:en sie)? das|do it|go ahead"
    r"|i agree|i accept|i do|ich stimme zu|stimme zu|ich akzeptiere|akzeptiere|akzeptiert"
    r"|zugestimmt|bestätige|ich bestätige|bestätigt|confirm(?:ed)?|i confirm)\b"
    r"[\s,.!]*(?:\w+[\s,.!]*){0,6}$",
    re.IGNORECASE,
)
_NOT = re.compile(r"\b(?:nicht|kein|keine|nein|no|not|don't|dont|never|nie)\b", re.IGNORECASE)
_STOP = re.compile(
    r"^\s*/?(?:abbrechen|abbruch|stop|stopp|cancel|quit|exit|aufhören|vergiss es|vergessen sie"
    r" es|lass(?: es)?|lassen sie es|never ?mind|forget it|egal|halt|beenden|ende)\b[\s.!]*"
    r"(?:bitte|please|das|this|it|es)?[\s.!]*$",
    re.IGNORECASE,
)


def explicit_yes(text: str) -> bool:
    """Whether `text` starts with a plain yes ("Ja", "ja, bitte", "I agree") and says no
    "not" after it."""
    return bool(_YES.match(text)) and not _NOT.search(text)


def wants_to_stop(text: str) -> bool:
    """Whether `text` only asks to stop ("abbrechen", "Stop!", "/cancel", "forget it")."""
    return bool(_STOP.match(text))
