"""Message catalogues (gettext, one `.po` per language) and Babel formatting (R3, R8).

The catalogues live in `domain/texts/locales/<lang>/LC_MESSAGES/messages.po`; the message key
is the msgid, the text a `str.format` template. An entry with plural forms names the
placeholder that chooses its form in a translator comment (`# count: quantity`), so callers
pass the same parameters whatever the number: `tr("change.ask", name=..., quantity=1)` reads
"1 Lizenz", with 2 "2 Lizenzen". The `.po` files are compiled in memory when first used; the
Makefile's `messages` targets run `pybabel extract/update/compile` for translators.
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from importlib import resources

from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency
from babel.support import Translations

from domain.licence_requests import RequestStatus
from domain.model import ConsentKind, Role, Status

LANGUAGES = ("de", "en")
DEFAULT_LANGUAGE = "de"
DOMAIN = "messages"
_LOCALES = {"de": "de_DE", "en": "en_IE"}  # en_IE: "€13.92" and "1 Nov 2026", as R3/R8 ask
_DATE_FORMATS = {"de": "dd.MM.yyyy", "en": "d MMM yyyy"}
_MONTH_FORMATS = {"de": "MM/yyyy", "en": "MMM yyyy"}
_MOMENT_FORMATS = {"de": "dd.MM.yyyy, HH:mm", "en": "d MMM yyyy, HH:mm"}
_COUNT = "count:"


@dataclass(frozen=True)
class Catalogue:
    """One language's messages: gettext translations plus which placeholder counts."""

    language: str
    translations: Translations
    forms: dict[str, tuple[str, ...]]  # key -> its template(s): one, or one per plural form
    counts: dict[str, str]  # plural key -> the placeholder whose number picks the form

    @property
    def keys(self) -> frozenset[str]:
        return frozenset(self.forms)


def po_path(language: str) -> resources.abc.Traversable:
    return resources.files("domain.texts").joinpath(
        "locales", language, "LC_MESSAGES", f"{DOMAIN}.po"
    )


@cache
def catalogue(language: str) -> Catalogue:
    """Read and compile `<language>/LC_MESSAGES/messages.po` once per process."""
    with po_path(language).open("rb") as source:
        po = read_po(source, locale=language, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, po)
    compiled.seek(0)
    forms: dict[str, tuple[str, ...]] = {}
    counts: dict[str, str] = {}
    for message in po:
        if not message.id:
            continue  # the header
        texts = message.string
        if isinstance(message.id, tuple):
            key = str(message.id[0])
            forms[key] = tuple(str(t) for t in texts or ())
            counts[key] = _count_of(key, message.user_comments)
        else:
            key = str(message.id)
            forms[key] = (str(texts or ""),)
    translations = Translations(compiled, domain=DOMAIN)
    return Catalogue(language, translations, forms, counts)


def _count_of(key: str, comments: list[str]) -> str:
    for comment in comments:
        if comment.strip().startswith(_COUNT):
            return comment.strip()[len(_COUNT) :].strip()
    raise ValueError(f"plural message {key!r} names no placeholder ('# count: name')")


def pick_language(*candidates: str | None) -> str:
    """The first supported language among e.g. the stored choice and the client's language."""
    for candidate in candidates:
        if candidate:
            short = candidate.split("-")[0].split("_")[0].lower()
            if short in LANGUAGES:
                return short
    return DEFAULT_LANGUAGE


class Translator:
    """Messages, money and dates in one language."""

    def __init__(self, language: str) -> None:
        self.language = pick_language(language)
        self._catalogue = catalogue(self.language)

    def __call__(self, key: str, **params: object) -> str:
        found = self._catalogue
        if key not in found.forms:
            raise KeyError(f"message {key!r} missing in {self.language}/messages.po")
        count = found.counts.get(key)
        if count is None:
            template = found.translations.gettext(key)
        else:
            number = params[count]
            if not isinstance(number, int):
                raise TypeError(f"{key}: the count {count!r} must be an int, not {number!r}")
            template = found.translations.ngettext(key, key, number)
        return template.format(**params)

    def money(self, amount: Decimal) -> str:
        """`13,92 €` in German, `€13.92` in English."""
        return format_currency(amount, "EUR", locale=_LOCALES[self.language])

    def date(self, day: date | None) -> str:
        """`01.11.2026` in German, `1 Nov 2026` in English; empty when there is none."""
        if day is None:
            return ""
        return format_date(day, _DATE_FORMATS[self.language], locale=_LOCALES[self.language])

    def month(self, first: datetime.date) -> str:
        """`11/2026` in German, `Nov 2026` in English."""
        return format_date(first, _MONTH_FORMATS[self.language], locale=_LOCALES[self.language])

    def month_short(self, first: datetime.date) -> str:
        """`Dez` in German, `Dec` in English (a chart's axis)."""
        return format_date(first, "LLL", locale=_LOCALES[self.language]).rstrip(".")

    def moment(self, at: datetime.datetime, tz: datetime.tzinfo) -> str:
        """`07.12.2026, 14:03` in German, `7 Dec 2026, 14:03` in English, in zone `tz` (R8)."""
        return format_datetime(
            at, _MOMENT_FORMATS[self.language], tzinfo=tz, locale=_LOCALES[self.language]
        )

    # -- names of the model's values
    def status(self, status: Status) -> str:
        return self(_STATUS[status])

    def role(self, role: Role) -> str:
        return self(_ROLE[role])

    def consent(self, kind: ConsentKind) -> str:
        return self(_CONSENT[kind])

    def request_status(self, status: RequestStatus) -> str:
        return self(_REQUEST_STATUS[status])


def N_(key: str) -> str:  # gettext's name for "a key to extract, used later"
    """Marks a message key for `pybabel extract` where it is chosen at run time."""
    return key


_STATUS = {
    Status.ORDERED: N_("status.ordered"),
    Status.PROVISIONED: N_("status.provisioned"),
    Status.CANCELLED: N_("status.cancelled"),
    Status.ENDED: N_("status.ended"),
}
_ROLE = {
    Role.ADMIN: N_("role.admin"),
    Role.MEMBER: N_("role.member"),
    Role.AGENT: N_("role.agent"),
    Role.OPERATOR: N_("role.operator"),
}
_REQUEST_STATUS = {
    RequestStatus.PENDING: N_("request_status.pending"),
    RequestStatus.APPROVED: N_("request_status.approved"),
    RequestStatus.DECLINED: N_("request_status.declined"),
    RequestStatus.WITHDRAWN: N_("request_status.withdrawn"),
}
_CONSENT = {
    ConsentKind.TERMS: N_("consent.terms"),
    ConsentKind.MICROSOFT_ACCOUNT: N_("consent.microsoft_account"),
}
