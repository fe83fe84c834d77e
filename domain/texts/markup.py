"""The catalogues are written in Telegram's HTML subset; other channels get plain text."""

from __future__ import annotations

import html
import re

_MARKUP = re.compile(r"</?(?:b|i|u|s|code|pre)>")


def escape(text: str) -> str:
    """User and catalogue text inside an HTML message."""
    return html.escape(text, quote=False)


def quotable(text: str) -> str:
    """Typed text to quote inside a sentence: without its own closing full stop (or other end
    mark), so that „… minutes“. does not end twice."""
    return text.strip().rstrip(".!?;:,").rstrip() or text.strip()


def plain(text: str) -> str:
    """An HTML message as plain text: tags removed, entities (&amp; …) decoded."""
    return html.unescape(_MARKUP.sub("", text))
