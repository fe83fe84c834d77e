"""Deliver the outbox to Telegram, in each person's language, and run the workers' rounds.

Every worker runs `run`; the database hands each delivery (one notice to one person) to one
worker at a time, for a while (domain/services/notifications.py). A delivery is done only
after Telegram accepted the message; a passing failure (5xx, timeout, 429) is tried again
later with back-off, and only a chat that blocked the bot or is gone is given up, with a log
line. A worker killed mid-round leaves claims that expire, and another worker sends them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import date, timedelta
from enum import Enum

from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import Application

from bot import desk_posts
from bot.desk_posts import NotPosted
from bot.handlers import seats as seat_handlers
from bot.runtime import runtime_of
from bot.turn import Turn
from domain import errors, metrics
from domain.model import Channel
from domain.ports import Delivery, Notification
from domain.provisioning import Provisioner
from domain.services import licence_requests
from domain.services import notifications as outbox
from domain.services.context import Context
from domain.services.provisioning import provision_due
from domain.services.retention import purge
from domain.services.seats import apply_due_reductions, send_hints
from domain.services.subscriptions import end_expired
from domain.texts.i18n import Translator, pick_language
from domain.texts.notices import UnknownNotice, notice

log = logging.getLogger(__name__)

BATCH = 20  # deliveries one claim takes
MARGIN = timedelta(seconds=30)  # a round starts no delivery later than this before expiry
SAFETY = timedelta(seconds=5)  # a send still unanswered this long before expiry is abandoned


class Outcome(Enum):
    SENT = "sent"
    LATER = "later"  # tried again after the back-off
    GONE = "gone"  # given up: the person cannot be reached
    OUTAGE = "outage"  # Telegram failed as a whole (5xx, timeout, 429): end the round


async def deliver_once(
    application: Application,  # type: ignore[type-arg]
    core: Context,
    default_language: str,
    *,
    limit: int = BATCH,
    lease: timedelta = outbox.LEASE,
    batches: int = 50,
) -> int:
    """One round: claim what is due, send it, settle each delivery, and again while more is
    due (a person's next notice is due once the previous one is settled); the number sent.

    A failure of Telegram as a whole ends the round after one delivery (the rest are released
    untried), so an outage costs one attempt per round, not one per notice.
    """
    sent = 0
    for _ in range(batches):
        claim = await outbox.claim_deliveries(core, Channel.TELEGRAM, limit, lease)
        if not claim.deliveries:
            break
        done, outage = await _send_claimed(
            application, core, default_language, claim.deliveries, lease
        )
        sent += done
        if outage:
            break
    return sent


async def push(
    application: Application,  # type: ignore[type-arg]
    core: Context,
    default_language: str,
    notification_ids: list[int],
) -> int:
    """Send these notices now (right after the change that queued them committed): what
    fails stays in the outbox for the workers' rounds; the number sent."""
    if not notification_ids:
        return 0
    try:
        claim = await outbox.claim_deliveries(
            core, Channel.TELEGRAM, BATCH, outbox.LEASE, notification_ids
        )
        if not claim.deliveries:
            return 0
        sent, _ = await _send_claimed(
            application, core, default_language, claim.deliveries, outbox.LEASE
        )
    except Exception:  # the database failed: the workers' rounds send them later
        metrics.failed("outbox")
        log.exception("notices %s not sent at once; the outbox keeps them", notification_ids)
        return 0
    return sent


def send_queued(turn: Turn) -> None:
    """The notices the turn's use cases queued so far go out right after its commit (a
    ticket's card, an answer): without waiting for the workers' round, never outside the
    outbox."""
    ids = turn.uow.outbox.queued
    application, rt = turn.context.application, turn.rt
    if ids:  # after the commit, in units of work of their own (the update's is closed)
        root, language = rt.root_context, rt.settings.default_language
        turn.later(lambda: _push_later(application, root, language, ids))


async def _push_later(
    application: Application,  # type: ignore[type-arg]
    core: Context,
    default_language: str,
    ids: list[int],
) -> None:
    await push(application, core, default_language, ids)


async def _send_claimed(
    application: Application,  # type: ignore[type-arg]
    core: Context,
    default_language: str,
    deliveries: list[Delivery],
    lease: timedelta,
) -> tuple[int, bool]:
    """Send what one claim holds, in order, while the claim lasts; (sent, Telegram is down)."""
    loop = asyncio.get_running_loop()
    ends = loop.time() + lease.total_seconds()  # the claims expire then: stop well before
    margin, safety = min(MARGIN, lease / 4).total_seconds(), min(SAFETY, lease / 10)
    waiting = list(deliveries)
    sent = 0
    try:
        while waiting:
            if ends - loop.time() <= margin:
                return sent, True  # slow going: the rest in the next round
            delivery = waiting.pop(0)
            try:
                outcome = await asyncio.wait_for(
                    _deliver(application, core, default_language, delivery),
                    ends - loop.time() - safety.total_seconds(),
                )
            except TimeoutError:  # sent or not: it stays claimed and is tried after the claim
                log.warning("notice %s: no answer within its claim", delivery.id)
                return sent, True
            sent += outcome is Outcome.SENT
            if outcome is Outcome.OUTAGE:
                return sent, True
        return sent, False
    finally:
        await outbox.release(core, waiting)


async def _deliver(
    application: Application,  # type: ignore[type-arg]
    core: Context,
    default_language: str,
    delivery: Delivery,
) -> Outcome:
    kind = delivery.notification.kind
    try:
        tr = Translator(default_language)
        chat_id = 0
        if not delivery.to_desk:
            if not outbox.reachable(delivery):
                await outbox.give_up(core, delivery, "recipient unlinked or forgotten")
                log.warning("notice %s (%s): the recipient is gone; given up", delivery.id, kind)
                return Outcome.GONE
            assert delivery.user is not None  # reachable
            chat_id = int(delivery.user.external_id)
            async with core.uow(write=False) as uow:
                chosen = (await uow.chats.get(chat_id)).language
            tr = Translator(pick_language(chosen, delivery.user.language, default_language))
        if kind in outbox.TICKET_KINDS:  # the ticket's messages, recorded by their ids
            rt = runtime_of(application.bot_data)
            if delivery.to_desk and rt.settings.service_desk_chat_id is None:
                # No group: the customer was given the desk's contact instead.
                await outbox.give_up(core, delivery, "no SERVICE_DESK_CHAT_ID")
                log.info("notice %s (%s): no service desk group; given up", delivery.id, kind)
                return Outcome.GONE
            await desk_posts.deliver(application.bot, rt, core, delivery, tr)
        elif delivery.to_desk:
            raise UnknownNotice(kind)
        else:
            await application.bot.send_message(
                chat_id,
                notice(tr, await _with_reason(core, delivery.notification)),
                reply_markup=seat_handlers.hint_markup(tr, delivery.notification),
            )
    except Forbidden as exc:  # blocked the bot, account deleted, removed from the group
        return await _gone(application, core, delivery, exc)
    except BadRequest as exc:
        if "chat not found" in exc.message.lower():
            return await _gone(application, core, delivery, exc)
        log.error("notice %s (%s) refused by Telegram: %s", delivery.id, kind, exc.message)
        return await _later(core, delivery, exc)
    except RetryAfter as exc:  # the limiter waited already; Telegram still says wait
        retry_after = exc.retry_after
        wait = retry_after if isinstance(retry_after, timedelta) else timedelta(seconds=retry_after)
        metrics.OUTBOX_FAILURES.inc()
        await outbox.retry(core, delivery, _describe(exc), after=wait)
        log.warning("notice %s (%s): flood control, again in %s", delivery.id, kind, wait)
        return Outcome.OUTAGE
    except NetworkError as exc:  # 5xx, timeouts, connection errors after the limiter's retries
        await _later(core, delivery, exc)
        return Outcome.OUTAGE
    except (TelegramError, UnknownNotice, NotPosted) as exc:
        log.warning("notice %s (%s) not delivered: %s", delivery.id, kind, _describe(exc))
        return await _later(core, delivery, exc)
    except Exception as exc:  # a bug (e.g. a payload that does not render): kept, retried
        log.exception("notice %s (%s) failed", delivery.id, kind)
        return await _later(core, delivery, exc)
    metrics.OUTBOX_SENT.inc()
    if not await outbox.delivered(core, delivery):
        log.warning("notice %s: sent after its claim had expired", delivery.id)
    return Outcome.SENT


async def _with_reason(core: Context, notification: Notification) -> Notification:
    """A decline's reason is read now, by the request's id (never kept in the payload)."""
    payload = notification.payload
    if notification.kind != outbox.REQUEST_DECLINED or "reason" in payload:
        return notification  # stored by an older version with the reason: said as it was
    reason = await licence_requests.reason_of(core, int(payload.get("request_id") or 0))
    return replace(notification, payload={**payload, "reason": reason})


async def _gone(
    application: Application,  # type: ignore[type-arg]
    core: Context,
    delivery: Delivery,
    exc: TelegramError,
) -> Outcome:
    metrics.OUTBOX_FAILURES.inc()
    await outbox.give_up(core, delivery, _describe(exc))
    if delivery.notification.kind in outbox.TICKET_KINDS:
        rt = runtime_of(application.bot_data)
        await desk_posts.undeliverable(application.bot, rt, core, delivery)
    log.warning(
        "notice %s (%s) given up: the chat cannot be reached (%s)",
        delivery.id,
        delivery.notification.kind,
        exc.message,
    )
    return Outcome.GONE


async def _later(core: Context, delivery: Delivery, exc: Exception) -> Outcome:
    metrics.OUTBOX_FAILURES.inc()
    next_at = await outbox.retry(core, delivery, _describe(exc))
    log.info(
        "notice %s (%s) failed (attempt %s: %s); again at %s",
        delivery.id,
        delivery.notification.kind,
        delivery.attempts,
        _describe(exc),
        next_at.isoformat(timespec="seconds"),
    )
    return Outcome.LATER


def _describe(exc: Exception) -> str:
    """For the log and the delivery row: the error's kind and Telegram's words, no request."""
    text = exc.message if isinstance(exc, TelegramError) else str(exc)
    return f"{type(exc).__name__}: {text}"[:200]


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


async def _apply_reductions(core: Context) -> None:
    """Reductions scheduled for a month that has ended (issue 21); several workers settle
    each one once (the subscription's version decides)."""
    done = await apply_due_reductions(core)
    if done:
        log.info("month end: %s scheduled reduction(s) settled", len(done))


Step = Callable[[], Awaitable[object]]


async def run(
    application: Application,  # type: ignore[type-arg]
    core: Context,
    default_language: str,
    interval: float,
    stop: asyncio.Event,
    provisioner: Provisioner | None = None,
) -> None:
    """Every `interval` seconds until `stop` is set: the month end once a day (R21), a
    provisioning round, then the outbox. Each step fails alone and is tried next round."""
    month_end: date | None = None
    hints: date | None = None

    async def daily_month_end() -> None:
        nonlocal month_end
        if month_end != core.today():  # R21: once a day per worker; safe in several
            await _end_expired(core)
            await _apply_reductions(core)
            month_end = core.today()
            await purge(core, runtime_of(application.bot_data).settings.retention)

    async def daily_hints() -> None:
        nonlocal hints
        if hints != core.today():  # once a day per worker; one hint per customer and month
            sent = await send_hints(core)
            hints = core.today()
            if sent:
                log.info("seat hints: %s customer(s) told", len(sent))

    steps: list[tuple[str, Step]] = [("month end", daily_month_end), ("seat hints", daily_hints)]
    if provisioner is not None:
        steps.append(("provisioning", lambda: provision_due(core, provisioner)))
    steps.append(("outbox", lambda: deliver_once(application, core, default_language)))
    while not stop.is_set():
        for name, step in steps:
            try:
                await step()
            except Exception:
                metrics.failed(name)
                log.exception("%s round failed; retrying in %s s", name, interval)
        with contextlib.suppress(TimeoutError):  # the interval passed without a stop
            await asyncio.wait_for(stop.wait(), interval)
