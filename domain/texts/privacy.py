"""Privacy in words (docs/privacy.md): what is stored, and erasing it."""

from __future__ import annotations

from domain.services.privacy import Forgotten
from domain.services.retention import RetentionPolicy
from domain.texts.i18n import Translator
from domain.texts.markup import escape


def notice(tr: Translator, policy: RetentionPolicy, contact: str) -> str:
    """`/privacy`: what is stored, why and for how long (retention as configured)."""
    return tr(
        "privacy.notice",
        chat_days=policy.chat_days,
        updates_days=policy.updates_days,
        tickets_days=policy.tickets_days,
        contact=escape(contact),
    )


def forget_question(tr: Translator) -> str:
    """`/forget_me`: what goes, what stays under a pseudonym; asked before anything happens."""
    return tr("privacy.forget_question")


def forgotten(tr: Translator, result: Forgotten) -> str:
    if not result.found:
        return tr("privacy.nothing_stored")
    if result.pseudonym is None:  # never linked: only the chat's own state was there
        return tr("privacy.forgotten_chat")
    return tr("privacy.forgotten", pseudonym=escape(result.pseudonym))


def kept(tr: Translator) -> str:
    return tr("privacy.kept")
