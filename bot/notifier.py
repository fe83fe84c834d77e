"""Deliver the outbox to Telegram: "your licences are provisioned", in each person's language.

Every worker runs this loop; the database hands each notification to exactly one of them.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import logging
from datetime import date

from telegram.error import TelegramError
from telegram.ext import Application

from bot.handlers import desk
from bot.runtime import runtime_of
from domain import errors, metrics
from domain.model import Channel
from domain.provisioning import Provisioner
from domain.services import tickets
from domain.services.accounts import OPERATOR
from domain.services.context import Context
from domain.services.notifications import Delivery, claim_deliveries
from domain.services.provisioning import provision_due
from domain.services.retention import purge
from domain.services.subscriptions import ENDED, end_expired
from domain.services.tickets import TICKET_OPENED
from domain.texts.i18n import Translator, pick_language

log = logging.getLogger(__name__)


def _text(tr: Translator, delivery: Delivery) -> str:
    payload = delivery.notification.payload
    if delivery.notification.kind == ENDED:
        end = payload.get("end_date")
        return tr(
            "notify.ended",
            name=html.escape(str(payload.get("product_name", ""))),
            number=payload.get("subscription_id", ""),
            date=tr.date(date.fromisoformat(end)) if end else "",
        )
    on = payload.get("provisioned_on")
    text = tr(
        "notify.provisioned",
        name=html.escape(str(payload.get("product_name", ""))),
        quantity=payload.get("quantity", ""),
        number=payload.get("subscription_id", ""),
        date=tr.date(date.fromisoformat(on)) if on else "",
    )
    addons = payload.get("addons") or []
    if addons:
        text += "\n" + tr("notify.addons", names=html.escape(", ".join(map(str, addons))))
    return text


async def deliver_once(application: Application, core: Context, default_language: str) -> int:  # type: ignore[type-arg]
    """One round: claim what is due and send it; returns the number of messages sent."""
    sent = 0
    for delivery in await claim_deliveries(core, Channel.TELEGRAM):
        if delivery.notification.kind == TICKET_OPENED:  # from another channel (Rasa)
            ticket_id = int(delivery.notification.payload.get("ticket_id", 0))
            view = await tickets.ticket_for_desk(core, OPERATOR, ticket_id)
            await desk.post_ticket(application.bot, runtime_of(application.bot_data), view)
            continue
        if delivery.notification.kind not in ("provisioned", ENDED):
            log.warning("unknown notification kind %s", delivery.notification.kind)
            continue
        for recipient in delivery.recipients:
            chat_id = int(recipient.external_id)
            async with core.uow(write=False) as uow:
                chosen = (await uow.chats.get(chat_id)).language
            tr = Translator(pick_language(chosen, recipient.language, default_language))
            try:
                await application.bot.send_message(chat_id, _text(tr, delivery))
                sent += 1
                metrics.OUTBOX_SENT.inc()
            except TelegramError as exc:  # blocked the bot, chat gone: the others still get it
                metrics.OUTBOX_FAILURES.inc()
                log.warning(
                    "notification %s to chat %s failed: %s", delivery.notification.id, chat_id, exc
                )
    return sent


async def _end_expired(core: Context) -> None:
    """The daily month-end job (R21); another worker ending the same subscriptions first is
    fine: this one's commit then conflicts and it leaves them to that worker."""
    try:
        ended = await end_expired(core)
    except errors.StaleWrite:
        log.info("month end: another worker ended the subscriptions first")
        return
    if ended:
        log.info("month end: %s subscription(s) ended", len(ended))


async def run(
    application: Application,  # type: ignore[type-arg]
    core: Context,
    default_language: str,
    interval: float,
    stop: asyncio.Event,
    provisioner: Provisioner | None = None,
) -> None:
    """Every `interval` seconds until `stop` is set: a provisioning round, then the outbox;
    a failed round is retried."""
    month_end: date | None = None
    while not stop.is_set():
        try:
            if month_end != core.today():  # R21: once a day per worker; safe in several
                await _end_expired(core)
                month_end = core.today()
                await purge(core, runtime_of(application.bot_data).settings.retention)
            if provisioner is not None:
                await provision_due(core, provisioner)
            await deliver_once(application, core, default_language)
        except Exception:
            metrics.failed("outbox")
            log.exception("notification round failed; retrying in %s s", interval)
        with contextlib.suppress(TimeoutError):  # the interval passed without a stop
            await asyncio.wait_for(stop.wait(), interval)
