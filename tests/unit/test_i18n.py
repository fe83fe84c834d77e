"""Message catalogues and locale formatting (R3, R8), and domain errors in words."""

from __future__ import annotations

import inspect
import string
from datetime import date
from decimal import Decimal

import pytest

from domain import errors
from domain.texts.i18n import LANGUAGES, Translator, catalogue, pick_language
from domain.texts.refusals import describe

NBSP = "\u00a0"


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def domain_error_classes() -> list[type[errors.DomainError]]:
    return [
        cls
        for cls in vars(errors).values()
        if isinstance(cls, type) and issubclass(cls, errors.DomainError)
    ]


# --- money (R3) -----------------------------------------------------------------------------------
def test_german_money_has_comma_and_euro_sign_after_a_no_break_space() -> None:  # R3
    # Babel (CLDR) separates amount and sign with U+00A0 so the two never wrap apart.
    assert Translator("de").money(Decimal("13.92")) == f"13,92{NBSP}€"


def test_english_money_has_euro_sign_first() -> None:  # R3
    assert Translator("en").money(Decimal("13.92")) == "€13.92"


def test_money_shows_thousands_separators_in_each_language() -> None:  # R3
    assert Translator("de").money(Decimal("7104000.00")) == f"7.104.000,00{NBSP}€"
    assert Translator("en").money(Decimal("7104000.00")) == "€7,104,000.00"


def test_money_always_shows_cents() -> None:  # R3
    assert Translator("de").money(Decimal("250")) == f"250,00{NBSP}€"
    assert Translator("en").money(Decimal("556.8")) == "€556.80"


# --- dates (R8) -----------------------------------------------------------------------------------
def test_german_date_is_day_month_year_with_dots() -> None:  # R8
    assert Translator("de").date(date(2026, 11, 1)) == "01.11.2026"
    assert Translator("de").date(date(2028, 2, 29)) == "29.02.2028"


def test_english_date_is_day_short_month_year() -> None:  # R8
    assert Translator("en").date(date(2026, 11, 1)) == "1 Nov 2026"
    assert Translator("en").date(date(2026, 12, 31)) == "31 Dec 2026"


def test_missing_date_is_shown_empty() -> None:  # R10: end date empty until cancelled
    assert Translator("de").date(None) == ""
    assert Translator("en").date(None) == ""


# --- language choice ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("candidates", "expected"),
    [
        (("en",), "en"),
        (("en-GB",), "en"),
        (("de_AT",), "de"),
        ((None, "EN"), "en"),
        (("fr", "en"), "en"),
        (("fr",), "de"),
        ((), "de"),
    ],
)
def test_language_is_the_first_supported_candidate_else_german(
    candidates: tuple[str | None, ...], expected: str
) -> None:
    assert pick_language(*candidates) == expected


def test_unsupported_language_falls_back_to_german() -> None:
    assert Translator("fr").language == "de"


# --- catalogues -----------------------------------------------------------------------------------
def test_german_and_english_catalogues_have_the_same_keys() -> None:
    assert catalogue("de").keys == catalogue("en").keys


@pytest.mark.parametrize("key", sorted(catalogue("de").keys))
def test_each_message_has_the_same_placeholders_in_every_form_and_language(key: str) -> None:
    forms = catalogue("de").forms[key] + catalogue("en").forms.get(key, ())
    assert all(form for form in forms), "an empty translation"
    assert len({frozenset(placeholders(form)) for form in forms}) == 1


@pytest.mark.parametrize("key", sorted(catalogue("de").counts))
def test_plural_messages_count_the_same_placeholder_in_both_languages(key: str) -> None:
    count = catalogue("de").counts[key]
    assert catalogue("en").counts.get(key) == count
    for language in LANGUAGES:
        forms = catalogue(language).forms[key]
        assert len(forms) == 2  # German and English: singular, plural
        assert all(count in placeholders(form) for form in forms)


@pytest.mark.parametrize("cls", domain_error_classes(), ids=lambda c: c.__name__)
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_domain_error_has_a_message_in_both_languages(
    cls: type[errors.DomainError], language: str
) -> None:
    assert f"errors.{cls.code}" in catalogue(language).keys


def test_every_domain_error_has_its_own_code() -> None:
    codes = [cls.code for cls in domain_error_classes()]
    assert len(codes) == len(set(codes))


def test_status_consent_and_role_names_exist_in_both_languages() -> None:
    for language in LANGUAGES:
        messages = catalogue(language).keys
        for status in ("ordered", "provisioned", "cancelled", "ended"):
            assert f"status.{status}" in messages
        for consent in ("terms", "microsoft_account"):
            assert f"consent.{consent}" in messages
        for role in ("admin", "member", "agent", "operator"):
            assert f"role.{role}" in messages
        assert "errors.permission_denied_request" in messages


# --- describe -------------------------------------------------------------------------------------
SAMPLE_ARGS: dict[str, object] = {
    "expired_at": date(2026, 11, 1),
    "end_date": date(2026, 11, 30),
    "provisioned_on": date(2026, 10, 6),
    "status": "cancelled",
    "role": "member",
    "action": "order",
    "can_request": False,
    "missing": ("terms", "microsoft_account"),
    "customer_id": "acme",
    "sku": "M365-E5",
    "name": "Microsoft 365 E5",
    "product_name": "Microsoft 365 Business Standard",
    "addon_sku": "EXO-ARCHIVE",
    "addon_name": "Exchange Online Archiving",
    "value": 0,
    "minimum": 1,
    "maximum": 300,
    "cap_name": "Microsoft 365 Business",
    "cap": 300,
    "in_use": 290,
    "available": 10,
    "subscription_id": 7,
    "quantity": 18,
    "addon_quantity": 15,
    "current_quantity": 40,
    "current_version": 3,
    "booking_id": 11,
    "base_quantity": 18,
    "ticket_id": 12,
    "taken_by": "Bernd Berger",
    "length": 5000,
    "request_id": 4,
    "channel": "telegram",
    "external_id": "555",
    "decided_by": "Anna Admin",
    "assigned": 12,  # issue 21
    "current": "ACME GmbH",  # issue 19: a move between customers
    "target": "Globex AG",
    "ref": "a1b2c3",
}


def sample(cls: type[errors.DomainError]) -> errors.DomainError:
    names = [n for n in inspect.signature(cls.__init__).parameters if n != "self"]
    names = [n for n in names if n not in ("args", "kwargs")]
    return cls(**{n: SAMPLE_ARGS[n] for n in names})


@pytest.mark.parametrize("cls", domain_error_classes(), ids=lambda c: c.__name__)
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_domain_error_is_described_without_leftover_placeholders(
    cls: type[errors.DomainError], language: str
) -> None:
    text = describe(sample(cls), Translator(language))
    assert text
    assert "{" not in text
    assert "}" not in text
    assert "None" not in text


def test_consent_missing_in_german_names_the_agb() -> None:  # R5
    text = describe(errors.ConsentMissing(("terms",)), Translator("de"))
    assert "AGB" in text
    assert "Microsoft-Kontos" not in text


def test_consent_missing_in_english_names_both_consents() -> None:  # R5
    text = describe(errors.ConsentMissing(("terms", "microsoft_account")), Translator("en"))
    assert "terms and licence terms" in text
    assert "creation of a Microsoft account" in text
    assert "microsoft_account" not in text


def test_expired_invite_shows_the_date_in_the_users_format() -> None:  # R8
    error = errors.InviteExpired(date(2026, 11, 1))
    assert "01.11.2026" in describe(error, Translator("de"))
    assert "1 Nov 2026" in describe(error, Translator("en"))


def test_already_provisioned_shows_the_date_in_the_users_format() -> None:  # R8, R10
    error = errors.AlreadyProvisioned(date(2026, 10, 6))
    assert "06.10.2026" in describe(error, Translator("de"))
    assert "6 Oct 2026" in describe(error, Translator("en"))


def test_status_is_shown_in_words_of_the_users_language() -> None:  # R10
    de = describe(errors.NotCancellable("cancelled", date(2026, 11, 30)), Translator("de"))
    en = describe(errors.SubscriptionNotActive("ended", None), Translator("en"))
    assert "gekündigt" in de
    assert "cancelled" not in de
    assert "ended" in en


def test_already_subscribed_shows_quantity_and_status() -> None:  # R6
    text = describe(errors.AlreadySubscribed(7, 18, "provisioned"), Translator("de"))
    assert "18" in text
    assert "bereitgestellt" in text
    assert "provisioned" not in text


def test_seat_cap_exceeded_shows_the_numbers() -> None:  # R4
    error = errors.SeatCapExceeded("Microsoft 365 Business", 300, 290, 10)
    text = describe(error, Translator("en"))
    assert "Microsoft 365 Business" in text
    assert "300" in text
    assert "290" in text
    assert "10 more" in text


def test_below_addon_quantity_names_the_addon() -> None:  # R12
    error = errors.BelowAddonQuantity("EXO-ARCHIVE", "Exchange Online Archiving", 15)
    for language in LANGUAGES:
        text = describe(error, Translator(language))
        assert "Exchange Online Archiving" in text
        assert "15" in text


def test_permission_denied_for_a_member_offers_to_ask_an_admin() -> None:  # R23
    error = errors.PermissionDenied("order", "member", can_request=True)
    de = describe(error, Translator("de"))
    en = describe(error, Translator("en"))
    assert de == catalogue("de").forms["errors.permission_denied_request"][0].format(
        role="Mitglied"
    )
    assert en == catalogue("en").forms["errors.permission_denied_request"][0].format(role="member")
    assert "Administrator" in de
    assert "administrator" in en


def test_permission_denied_without_request_does_not_offer_to_ask() -> None:  # R23
    error = errors.PermissionDenied("administer", "agent", can_request=False)
    de = describe(error, Translator("de"))
    assert de == catalogue("de").forms["errors.permission_denied"][0].format(role="Service Desk")
    assert "anfragen" not in de


def test_translator_refuses_an_unknown_key() -> None:
    with pytest.raises(KeyError, match=r"no\.such\.key"):
        Translator("en")("no.such.key")


# --- plural forms ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("language", "one", "two"),
    [
        ("de", "1 Lizenz", "2 Lizenzen"),
        ("en", "1 licence", "2 licences"),
    ],
)
def test_counted_licences_read_right_in_singular_and_plural(
    language: str, one: str, two: str
) -> None:
    tr = Translator(language)
    for key in ("free_text.have", "change.ask", "details.booked", "notify.provisioned"):
        single = tr(key, name="E3", quantity=1, status="", number=1, date="")
        plural = tr(key, name="E3", quantity=2, status="", number=1, date="")
        assert one in single and two not in single, (key, single)
        assert two in plural, (key, plural)


def test_cancelling_one_licence_does_not_say_all_1_licences() -> None:  # R20
    de = Translator("de")("cancel_sub.ask", name="E3", quantity=1, addons="", end="30.11.2026")
    en = Translator("en")("cancel_sub.ask", name="E3", quantity=1, addons="", end="30 Nov 2026")
    assert "alle" not in de and "1 Lizenz</b>" in de and "läuft sie weiter" in de
    assert "all " not in en and "1 licence</b>" in en


@pytest.mark.parametrize("language", LANGUAGES)
def test_english_users_and_german_nutzer_follow_the_number(language: str) -> None:
    tr = Translator(language)
    one = tr("addons.done", name="Copilot", quantity=1, total="€1.00")
    many = tr("addons.done", name="Copilot", quantity=3, total="€3.00")
    if language == "en":
        assert "1 user," in one and "3 users," in many
    else:
        assert "1 Nutzer," in one and "3 Nutzer," in many


def test_a_plural_message_needs_its_count_as_a_whole_number() -> None:
    with pytest.raises(KeyError):
        Translator("de")("free_text.have", name="E3", status="")
    with pytest.raises(TypeError):
        Translator("de")("free_text.have", name="E3", quantity="2", status="")
