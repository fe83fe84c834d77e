"""Message text as the user sees it: parse_mode=HTML to plain text and entities, Telegram's limits.

Entity offsets and lengths count UTF-16 code units, as in the Bot API. Markdown and MarkdownV2
texts are taken literally; only HTML is parsed and checked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.emulator.errors import JsonDict, bad_request

MAX_TEXT = 4096

_SIMPLE_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
}
_TAG_NAME_RE = re.compile(r"([A-Za-z][A-Za-z0-9-]*)(.*)", re.DOTALL)
_ATTR_RE = re.compile(r"""([A-Za-z-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"']+))""")
_CHAR_REF_RE = re.compile(r"&(#[0-9]+|#[xX][0-9a-fA-F]+|lt|gt|amp|quot);")
_NAMED_REFS = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of entity offsets."""
    return len(text.encode("utf-16-le")) // 2


def _unescape(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        ref = match[1]
        if not ref.startswith("#"):
            return _NAMED_REFS[ref]
        code = int(ref[2:], 16) if ref[1] in "xX" else int(ref[1:])
        valid = 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF
        return chr(code) if valid else match[0]

    return _CHAR_REF_RE.sub(replace, text)


@dataclass
class _OpenTag:
    name: str
    start: int
    entity: JsonDict | None


def _open_entity(name: str, attrs: str, stack: list[_OpenTag], offset: int) -> JsonDict | None:
    values = {m[1].lower(): _unescape(m[2] or m[3] or m[4] or "") for m in _ATTR_RE.finditer(attrs)}
    if name == "span":
        if values.get("class") != "tg-spoiler":
            raise bad_request(
                f'can\'t parse entities: Tag "span" must have class "tg-spoiler" '
                f"at byte offset {offset}"
            )
        return {"type": "spoiler"}
    if name == "a":
        return {"type": "text_link", "url": values["href"]} if values.get("href") else None
    if name == "tg-emoji":
        return {"type": "custom_emoji", "custom_emoji_id": values.get("emoji-id", "")}
    if name == "code" and stack and stack[-1].name == "pre" and stack[-1].entity is not None:
        language = values.get("class", "")
        if language.startswith("language-"):
            stack[-1].entity["language"] = language.removeprefix("language-")
            return None
    if name == "blockquote" and re.search(r"\bexpandable\b", attrs):
        return {"type": "expandable_blockquote"}
    if name in _SIMPLE_TAGS:
        return {"type": _SIMPLE_TAGS[name]}
    raise bad_request(
        f'can\'t parse entities: Unsupported start tag "{name}" at byte offset {offset}'
    )


def parse_html(text: str) -> tuple[str, list[JsonDict]]:
    """Plain text and entities of a parse_mode=HTML text, refusing what Telegram refuses."""
    plain: list[str] = []
    entities: list[JsonDict] = []
    stack: list[_OpenTag] = []
    position = 0  # in UTF-16 code units of the plain text
    i = 0
    while i < len(text):
        lt = text.find("<", i)
        chunk = _unescape(text[i : lt if lt >= 0 else len(text)])
        plain.append(chunk)
        position += utf16_len(chunk)
        if lt < 0:
            break
        offset = len(text[:lt].encode())
        gt = text.find(">", lt)
        if gt < 0:
            raise bad_request(f"can't parse entities: Unclosed start tag at byte offset {offset}")
        inner = text[lt + 1 : gt]
        i = gt + 1
        if inner.startswith("/"):
            name = inner[1:].strip().lower()
            if not stack:
                raise bad_request(
                    f"can't parse entities: Unexpected end tag at byte offset {offset}"
                )
            tag = stack.pop()
            if name != tag.name:
                raise bad_request(
                    f"can't parse entities: Unmatched end tag at byte offset {offset}, "
                    f'expected "</{tag.name}>", found "</{name}>"'
                )
            if tag.entity is not None and position > tag.start:
                entities.append({**tag.entity, "offset": tag.start, "length": position - tag.start})
            continue
        match = _TAG_NAME_RE.fullmatch(inner)
        if match is None:
            raise bad_request(
                f'can\'t parse entities: Unsupported start tag "{inner}" at byte offset {offset}'
            )
        name = match[1].lower()
        stack.append(_OpenTag(name, position, _open_entity(name, match[2], stack, offset)))
    if stack:
        raise bad_request(
            "can't parse entities: Can't find end tag corresponding to start tag "
            f'"{stack[-1].name}"'
        )
    return "".join(plain), entities


def _strip(plain: str, entities: list[JsonDict]) -> tuple[str, list[JsonDict]]:
    """Telegram trims leading and trailing whitespace; entities move and shrink with it."""
    stripped = plain.strip()
    shift = utf16_len(plain[: len(plain) - len(plain.lstrip())])
    end = utf16_len(stripped)
    kept: list[JsonDict] = []
    for entity in entities:
        start = max(entity["offset"] - shift, 0)
        stop = min(entity["offset"] + entity["length"] - shift, end)
        if stop > start:
            kept.append({**entity, "offset": start, "length": stop - start})
    return stripped, kept


def render_text(text: str, parse_mode: str | None) -> tuple[str, list[JsonDict]]:
    """What the user sees of a message text: plain text and entities, within 1..4096 characters."""
    mode = (parse_mode or "").strip().lower()
    if mode == "html":
        plain, entities = parse_html(text)
    elif mode in {"", "markdown", "markdownv2"}:
        plain, entities = text, []
    else:
        raise bad_request(f"unsupported parse_mode {parse_mode!r}")
    plain, entities = _strip(plain, entities)
    if not plain:
        raise bad_request("message text is empty")
    if len(plain) > MAX_TEXT:  # Telegram counts characters here, not UTF-16 units
        raise bad_request("message is too long")
    entities.sort(key=lambda entity: (entity["offset"], -entity["length"]))
    return plain, entities
