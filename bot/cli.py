"""The `licencebot` command line (docs/interfaces.md): operators' tools and the bot's entry.

Every refusal is one line on stderr and a non-zero exit: 2 for bad arguments, 1 when the
command was understood but refused or failed. No tracebacks, no secrets.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import logging
import os
import sys
from collections.abc import Awaitable, Callable, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeAlias

from domain.command_line import Parser, configuration_error, port, whole_number

# The core (SQLAlchemy, Alembic, Babel, pydantic) is imported where a command needs it, so
# `licencebot --help` and argument errors answer without loading it (issue 11, start-up).
if TYPE_CHECKING:
    from domain.services.context import Context
    from domain.settings import Settings
    from domain.texts.i18n import Translator

log = logging.getLogger("licencebot")


class CliError(Exception):
    """A refusal to print as one line."""


MAX_ID = 2**31 - 1
MAX_PRICE = Decimal(1_000_000)


_positive_int = whole_number(1, MAX_ID)


def _amount(text: str) -> Decimal:
    try:
        value = Decimal(text.replace(",", "."))
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"not an amount: {text!r}") from None
    exponent = value.as_tuple().exponent
    if not value.is_finite() or not isinstance(exponent, int) or exponent < -2:
        raise argparse.ArgumentTypeError(
            f"not an amount in EUR with at most two decimals: {text!r}"
        )
    if not 0 <= value <= MAX_PRICE:
        raise argparse.ArgumentTypeError(f"must be from 0 to {MAX_PRICE}: {text!r}")
    return value


def _price(text: str) -> Decimal:
    value = _amount(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"a price must be greater than 0: {text!r}")
    return value


def _percent(text: str) -> Decimal:
    value = _amount(text)
    if value >= 100:
        raise argparse.ArgumentTypeError(f"a discount must be below 100 percent: {text!r}")
    return value


def _customer_id(text: str) -> str:
    text = text.strip()
    if not text or len(text) > 64 or not all(c.isalnum() or c in "-_." for c in text):
        raise argparse.ArgumentTypeError(
            f"customer ids use letters, digits, '-', '_' and '.', up to 64: {text!r}"
        )
    return text


def _telegram_id(text: str) -> str:
    text = text.strip()
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= 2**53:
        raise argparse.ArgumentTypeError(f"a Telegram user id is a positive whole number: {text!r}")
    return str(int(text))


_count = whole_number(0, 100_000)
_months = whole_number(1, 120)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date YYYY-MM-DD: {text!r}") from None


def _rasa_sender(text: str) -> str:
    text = text.strip()
    if not text or len(text) > 128:
        raise argparse.ArgumentTypeError("a Rasa sender id has 1 to 128 characters")
    return text


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="licencebot", description="Licence marketplace bot and operator tools.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)

    db = sub.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(dest="db_command", required=True, parser_class=Parser)
    db_sub.add_parser("upgrade", help="apply migrations")

    cat = sub.add_parser("catalog", help="the product catalogue")
    cat_sub = cat.add_subparsers(dest="catalog_command", required=True, parser_class=Parser)
    load = cat_sub.add_parser("load", help="load/update the catalogue from YAML (idempotent)")
    load.add_argument("path", type=Path)
    show = cat_sub.add_parser("show", help="the catalogue with one customer's prices")
    show.add_argument("--customer", type=_customer_id, required=True)
    show.add_argument("--json", action="store_true")

    cust = sub.add_parser("customer", help="customers (tenants)")
    cust_sub = cust.add_subparsers(dest="customer_command", required=True, parser_class=Parser)
    add = cust_sub.add_parser("add", help="create a customer")
    add.add_argument("--id", type=_customer_id, required=True, dest="customer_id")
    add.add_argument("--name", required=True)
    add.add_argument("--discount", type=_percent, default=Decimal(0), help="percent off list price")
    add.add_argument("--exist-ok", action="store_true", help="succeed if it already exists")

    price = sub.add_parser("price", help="a customer's own prices (R2)")
    price_sub = price.add_subparsers(dest="price_command", required=True, parser_class=Parser)
    pset = price_sub.add_parser("set", help="set or clear a customer's price for a SKU")
    pset.add_argument("--customer", type=_customer_id, required=True)
    pset.add_argument("--sku", required=True)
    group = pset.add_mutually_exclusive_group(required=True)
    group.add_argument("--price", type=_price, help="net EUR per user and month")
    group.add_argument("--clear", action="store_true", help="back to list price/discount")

    inv = sub.add_parser("invite", help="create a one-time invite code (or revoke one)")
    inv.add_argument("--customer", type=_customer_id)
    inv.add_argument("--role", choices=["admin", "member", "agent"], help="required to create")
    inv.add_argument("--days", type=_positive_int, default=7, help="valid for N days (max 90)")
    inv.add_argument("--json", action="store_true")
    inv_sub = inv.add_subparsers(dest="invite_command", parser_class=Parser)
    revoke = inv_sub.add_parser("revoke", help="an unused invite no longer works")
    revoke.add_argument(
        "code",
        help="the code as printed (or the link's start parameter); put -- before a code "
        "that starts with -",
    )
    revoke.add_argument("--json", action="store_true")

    ords = sub.add_parser("orders", help="a customer's subscriptions")
    ords.add_argument("--customer", type=_customer_id, required=True)
    ords.add_argument("--json", action="store_true")

    prov = sub.add_parser("provision", help="mark a subscription as provisioned")
    prov.add_argument("--subscription", type=_positive_int, required=True)
    prov.add_argument("--json", action="store_true")

    sub.add_parser("end-expired", help="end cancelled subscriptions past their end date (R21)")

    usage = sub.add_parser("usage", help="seats assigned to people against seats paid")
    usage.add_argument("--customer", type=_customer_id)
    usage.add_argument("--json", action="store_true")
    usage_sub = usage.add_subparsers(dest="usage_command", parser_class=Parser)
    uset = usage_sub.add_parser("set", help="seats the tenant has assigned (manual provisioning)")
    uset.add_argument("--customer", type=_customer_id, required=True)
    uset.add_argument("--sku", required=True)
    uset.add_argument("--assigned", type=_count, required=True)
    uset.add_argument("--json", action="store_true")

    costs = sub.add_parser("costs", help="what a customer pays per month")
    costs.add_argument("--customer", type=_customer_id, required=True)
    costs.add_argument("--months", type=_months, default=12, help="months back (default 12)")
    fmt = costs.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true")
    fmt.add_argument("--csv", action="store_true")

    for name, text in (
        ("hints", "the month-end seat-hint round once"),
        ("month-end", "the month-end round once: ended cancellations (R21), due reductions"),
    ):
        rounds = sub.add_parser(name, help=text)
        rounds_sub = rounds.add_subparsers(
            dest=f"{name.replace('-', '_')}_command", required=True, parser_class=Parser
        )
        once = rounds_sub.add_parser("run", help=text)
        once.add_argument("--today", type=_day, help="run as on this day (YYYY-MM-DD)")
        once.add_argument("--json", action="store_true")

    reqs = sub.add_parser("requests", help="licence requests of members and the service desk")
    reqs.add_argument("--customer", type=_customer_id)
    reqs.add_argument("--json", action="store_true")

    tick = sub.add_parser("tickets", help="service desk tickets, newest first")
    tick.add_argument("--customer", type=_customer_id)
    tick.add_argument("--status", choices=["open", "taken", "resolved"])
    tick.add_argument("--json", action="store_true")

    user = sub.add_parser("user", help="one chat user's personal data (docs/privacy.md)")
    user_sub = user.add_subparsers(dest="user_command", required=True, parser_class=Parser)
    for name, text in (
        ("export", "everything stored about the user, as JSON"),
        ("forget", "erase the user's data; orders and consents keep a pseudonym"),
        ("unlink", "the user no longer acts for their customer; their history stays"),
    ):
        person = user_sub.add_parser(name, help=text)
        who = person.add_mutually_exclusive_group(required=True)
        who.add_argument("--telegram-id", type=_telegram_id)
        who.add_argument("--rasa-sender", type=_rasa_sender, help="a Rasa conversation's sender id")
        person.add_argument("--json", action="store_true")

    ret = sub.add_parser("retention", help="delete what has outlived RETENTION_*_DAYS now")
    ret.add_argument("--json", action="store_true")

    run = sub.add_parser("run", help="the Telegram bot (polling; webhook mode with WEBHOOK_URL)")
    run.add_argument(
        "--workers",
        type=_positive_int,
        default=1,
        help="webhook worker processes sharing WEBHOOK_PORT (webhook mode only)",
    )
    sub.add_parser("chat", help="talk to the bot in this terminal, no Telegram token needed")
    acts = sub.add_parser(
        "actions",
        help="the Rasa action server (ACTION_SERVER_TOKEN required unless on 127.0.0.1)",
    )
    acts.add_argument("--host", default="127.0.0.1", help="listen address (default 127.0.0.1)")
    acts.add_argument("--port", type=port, default=5055, help="listen port (default 5055)")

    backup = sub.add_parser("backup", help="copy the SQLite database, safe while the bot runs")
    backup.add_argument("path", type=Path)
    backup.add_argument("--force", action="store_true", help="replace an existing file")
    restore = sub.add_parser("restore", help="replace the SQLite database by a backup")
    restore.add_argument("path", type=Path)

    nlu = sub.add_parser("nlu", help="free-text understanding")
    nlu_sub = nlu.add_subparsers(dest="nlu_command", required=True, parser_class=Parser)
    nlu_parse = nlu_sub.add_parser("parse", help="intent and entities of a message ('-': stdin)")
    nlu_parse.add_argument("text")
    nlu_parse.add_argument("--json", action="store_true")
    nlu_eval = nlu_sub.add_parser("evaluate", help="accuracy on held-out data and test messages")
    nlu_eval.add_argument(
        "--messages",
        type=Path,
        action="append",
        help="YAML of labelled messages, may be repeated (default: tests/nlu/messages.yml and "
        "tests/nlu/messages_v2.yml in the repository)",
    )
    nlu_eval.add_argument("--json", action="store_true")
    nlu_eval.add_argument(
        "--compare", action="store_true", help="also cross-validate the other intent models"
    )
    return parser


# --- commands ------------------------------------------------------------------------------------
@functools.cache
def _en() -> Translator:
    from domain.texts.i18n import Translator

    return Translator("en")


def _print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


async def _db_upgrade(ctx: Context, args: argparse.Namespace) -> None:
    from domain.storage.migrate import upgrade

    await upgrade(ctx.db)
    print("database is up to date")


async def _catalogue_load(ctx: Context, args: argparse.Namespace) -> None:
    from domain.catalogue import CatalogueFileError, read_catalogue
    from domain.services import catalogue
    from domain.services.accounts import OPERATOR
    from domain.storage.migrate import upgrade

    try:
        spec = read_catalogue(args.path)
    except CatalogueFileError as exc:
        raise CliError("\n".join(exc.problems)) from None
    await upgrade(ctx.db)
    changes = await catalogue.load_catalogue(ctx, OPERATOR, spec)
    print(
        f"catalogue loaded: {len(spec.products)} products, {len(spec.addons)} add-ons "
        f"({len(changes.added)} new, {len(changes.updated)} updated, "
        f"{len(changes.retired)} retired, {len(changes.removed)} removed)"
    )
    for sku in changes.retired:
        print(f"retired (still has subscriptions): {sku}")


async def _catalogue_show(ctx: Context, args: argparse.Namespace) -> None:
    from domain.services import catalogue
    from domain.services.accounts import OPERATOR

    offers = await catalogue.browse_catalogue(ctx, OPERATOR, args.customer)
    if args.json:
        _print_json(
            [
                {
                    "sku": o.sku,
                    "name": o.name,
                    "unit_price": str(o.unit_price),
                    "addons": [{"sku": a.sku, "unit_price": str(a.unit_price)} for a in o.addons],
                    "booked_quantity": o.booked_quantity,
                }
                for o in offers
            ]
        )
        return
    for o in offers:
        booked = f"  (booked: {o.booked_quantity})" if o.booked_quantity else ""
        print(f"{o.sku:<24} {_en().money(o.unit_price):>10}  {o.name}{booked}")


async def _customer_add(ctx: Context, args: argparse.Namespace) -> None:
    from domain import errors
    from domain.commands import AddCustomer
    from domain.services import accounts
    from domain.services.accounts import OPERATOR

    name = args.name.strip()
    if not name or len(name) > 200:
        raise CliError("the name must be 1 to 200 characters")
    try:
        await accounts.add_customer(
            ctx, OPERATOR, AddCustomer(args.customer_id, name, args.discount)
        )
    except errors.CustomerExists:
        if not args.exist_ok:
            raise
        print(f"customer {args.customer_id} already exists")
        return
    print(f"customer {args.customer_id} added")


async def _price_set(ctx: Context, args: argparse.Namespace) -> None:
    from domain.services import accounts
    from domain.services.accounts import OPERATOR

    await accounts.set_price(
        ctx, OPERATOR, args.customer, args.sku, None if args.clear else args.price
    )
    print(f"price for {args.sku} at {args.customer}: {'default' if args.clear else args.price}")


async def _bot_username(settings: Settings) -> str | None:
    if settings.telegram_bot_username:
        return settings.telegram_bot_username.lstrip("@")
    if settings.telegram_bot_token is None:
        return None
    from telegram import Bot
    from telegram.error import TelegramError

    try:
        async with Bot(
            settings.telegram_bot_token.get_secret_value(), base_url=settings.telegram_api_base_url
        ) as bot:
            return bot.username
    except TelegramError:
        return None


async def _invite(ctx: Context, args: argparse.Namespace, settings: Settings) -> None:
    from domain.commands import CreateInvite
    from domain.model import Role
    from domain.services import accounts
    from domain.services.accounts import OPERATOR

    if args.invite_command == "revoke":
        await accounts.revoke_invite(ctx, OPERATOR, args.code)
        if args.json:
            _print_json({"revoked": True})
        else:
            print("invite revoked: the code no longer works")
        return
    if args.role is None:
        raise CliError("--role is required to create an invite (admin, member or agent)")
    role = Role(args.role)
    if role is Role.AGENT and args.customer:
        raise CliError("--role agent is not bound to a customer; leave out --customer")
    if role is not Role.AGENT and not args.customer:
        raise CliError(f"--role {role} needs --customer")
    issued = await accounts.create_invite(
        ctx, OPERATOR, CreateInvite(role, args.customer, valid_days=args.days)
    )
    username = await _bot_username(settings)
    link = f"https://t.me/{username}?start={issued.code}" if username else None
    if args.json:
        _print_json({"code": issued.code, "link": link})
    else:
        print(f"invite code: {issued.code}")
        print(f"link: {link or '(set TELEGRAM_BOT_USERNAME to print the deep link)'}")
        print(f"valid until: {issued.expires_at:%Y-%m-%d %H:%M} UTC, once")
    if link is None:
        print("note: bot username unknown; set TELEGRAM_BOT_USERNAME for the link", file=sys.stderr)


async def _orders(ctx: Context, args: argparse.Namespace) -> None:
    from domain.services import orders
    from domain.services.accounts import OPERATOR

    overview = await orders.list_orders(ctx, OPERATOR, args.customer)
    if args.json:
        _print_json([s.as_json() for s in overview.subscriptions])
        return
    print(f"{overview.customer_name} ({overview.customer_id})")
    for s in overview.subscriptions:
        print(
            f"#{s.id:<5} {s.product_name:<40} {s.quantity:>6}  {s.status.value:<11} "
            f"start {_en().date(s.start_date)}  end {_en().date(s.end_date) or '-'}  "
            f"{_en().money(s.monthly_total)}/month"
        )
        for a in s.addons:
            print(
                f"       + {a.name:<38} {a.quantity:>6}  {a.status.value:<11} "
                f"{_en().money(a.monthly_total)}/month"
            )
    print(f"monthly total: {_en().money(overview.monthly_total)} net")


async def _provision(ctx: Context, args: argparse.Namespace) -> None:
    from domain.services import subscriptions
    from domain.services.accounts import OPERATOR

    view = await subscriptions.mark_provisioned(ctx, OPERATOR, args.subscription)
    if args.json:
        _print_json(view.as_json())
    else:
        print(f"subscription {view.id} ({view.product_name}) provisioned on {view.provisioned_on}")


async def _requests(ctx: Context, args: argparse.Namespace) -> None:
    from domain.services import licence_requests
    from domain.services.accounts import OPERATOR

    found = await licence_requests.list_requests(ctx, OPERATOR, args.customer)
    if args.json:
        _print_json([r.as_json() for r in found])
        return
    for r in found:
        amount = "" if r.quantity is None else f" {r.quantity}"
        print(
            f"#{r.id:<5} {r.status.value:<9} {r.customer_id:<16} {r.kind.value:<7} "
            f"{r.product_sku}{amount}  by {r.requested_by_name}"
        )


async def _tickets(ctx: Context, args: argparse.Namespace) -> None:
    from domain.services import tickets
    from domain.services.accounts import OPERATOR
    from domain.tickets import TicketStatus

    status = TicketStatus(args.status) if args.status else None
    found = await tickets.list_tickets(ctx, OPERATOR, args.customer, status)
    if args.json:
        _print_json([t.as_json() for t in found])
        return
    for t in found:
        print(
            f"#{t.id:<5} {t.status.value:<9} {t.customer_id or '-':<16} "
            f"{t.created_at:%Y-%m-%d %H:%M}  {t.subject}"
        )


async def _nlu(ctx: Context, args: argparse.Namespace) -> None:
    from bot import nlu_cli

    for path in (args.messages or []) if args.nlu_command == "evaluate" else []:
        if not path.is_file():
            raise CliError(f"--messages: no such file: {path}")
    parser = await nlu_cli.parser_for(ctx)
    if args.nlu_command == "parse":
        nlu_cli.parse(parser, args.text, args.json)
    else:
        nlu_cli.evaluate(
            parser,
            args.messages or nlu_cli.default_messages(),
            args.json,
            compare=args.compare,
        )


async def _end_expired(ctx: Context, args: argparse.Namespace) -> None:
    from domain.services import subscriptions

    ended = await subscriptions.end_expired(ctx)
    print(
        f"{len(ended)} subscription(s) ended" + (f": {', '.join(map(str, ended))}" if ended else "")
    )


async def _usage(ctx: Context, args: argparse.Namespace) -> None:
    from domain.services import seats
    from domain.services.accounts import OPERATOR

    if args.usage_command == "set":
        await seats.report_usage(ctx, OPERATOR, args.customer, args.sku, args.assigned)
    elif not args.customer:
        raise CliError(
            "usage needs --customer (or: usage set --customer ID --sku SKU --assigned N)"
        )
    overview = await seats.seat_overview(ctx, OPERATOR, args.customer)
    lines = [x for x in overview.lines if args.usage_command != "set" or x.sku == args.sku]
    if args.json:
        _print_json([x.as_json() for x in lines])
        return
    if args.usage_command == "set" and not lines:
        print(f"{args.customer}: {args.sku} has {args.assigned} seat(s) assigned (no subscription)")
    for x in lines:
        assigned = "?" if x.assigned is None else str(x.assigned)
        note = " (stale)" if x.assigned is not None and x.stale else ""
        saving = f"  could save {_en().money(x.monthly_saving)}/month" if x.reducible else ""
        print(f"{x.sku:<24} {assigned:>6} of {x.paid:<6} assigned{note}{saving}")


async def _costs(ctx: Context, args: argparse.Namespace) -> None:
    import csv

    from domain.services import seats
    from domain.services.accounts import OPERATOR

    overview = await seats.cost_overview(ctx, OPERATOR, args.customer, args.months)
    if args.json:
        _print_json(overview.as_json())
        return
    if args.csv:
        out = csv.writer(sys.stdout, lineterminator="\n")
        out.writerow(["month", "sku", "name", "quantity", "total", "projected"])
        for month in (*overview.months, overview.next_month):
            for line in month.lines:
                out.writerow(
                    [month.key, line.sku, line.name, line.quantity, line.total, month.projected]
                )
        return
    for month in (*overview.months, overview.next_month):
        note = " (projected)" if month.projected else ""
        print(f"{month.key}  {_en().money(month.total):>14}{note}")


def _clock_for(ctx: Context, args: argparse.Namespace) -> Context:
    """The context on `--today` (noon in the provider's zone), for operators and tests."""
    import dataclasses
    from datetime import datetime, time

    from domain.clock import FixedClock

    if args.today is None:
        return ctx
    at = datetime.combine(args.today, time(12), ctx.tz)
    return dataclasses.replace(ctx, clock=FixedClock(at))


async def _hints_run(ctx: Context, args: argparse.Namespace) -> None:
    from domain.services import seats

    hinted = await seats.send_hints(_clock_for(ctx, args))
    if args.json:
        _print_json({"hinted": hinted})
        return
    print(f"{len(hinted)} customer(s) hinted" + (f": {', '.join(hinted)}" if hinted else ""))


async def _month_end_run(ctx: Context, args: argparse.Namespace) -> None:
    from domain.services import seats, subscriptions

    ctx = _clock_for(ctx, args)
    ended = await subscriptions.end_expired(ctx)
    applied = await seats.apply_due_reductions(ctx)
    if args.json:
        _print_json(
            {
                "ended": ended,
                "reductions": [
                    {
                        "subscription_id": a.subscription_id,
                        "customer_id": a.customer_id,
                        "old": a.reduction.old,
                        "new": a.reduction.new,
                        "wanted": a.reduction.wanted,
                        "outcome": a.reduction.outcome.value,
                        "monthly_saving": str(a.monthly_saving),
                    }
                    for a in applied
                ],
            }
        )
        return
    print(f"{len(ended)} subscription(s) ended")
    for a in applied:
        r = a.reduction
        print(
            f"subscription {a.subscription_id}: {r.outcome.value} {r.old} -> {r.new} "
            f"(wanted {r.wanted})"
        )


def _person(args: argparse.Namespace) -> tuple[Any, str]:
    from domain.model import Channel

    if args.telegram_id is not None:
        return Channel.TELEGRAM, args.telegram_id
    return Channel.RASA, args.rasa_sender


async def _user_export(ctx: Context, args: argparse.Namespace) -> None:
    from domain.services import privacy
    from domain.services.accounts import OPERATOR

    data = await privacy.export_user(ctx, OPERATOR, *_person(args))
    if args.json:
        _print_json(data)
        return
    user = data["user"]
    print(
        f"{data['channel']} user {data['external_id']}: "
        + (
            f"{user['display_name']} ({user['role']}, customer {user['customer_id'] or '-'})"
            if user
            else "not linked"
        )
    )
    for key, value in data.items():
        if isinstance(value, list):
            print(f"  {key}: {len(value)}")


async def _user_unlink(ctx: Context, args: argparse.Namespace) -> None:
    from domain.services import accounts
    from domain.services.accounts import OPERATOR

    channel, external_id = _person(args)
    done = await accounts.unlink_user(ctx, OPERATOR, channel, external_id)
    if args.json:
        _print_json(
            {
                "channel": channel.value,
                "external_id": external_id,
                "user_id": done.user_id,
                "customer_id": done.customer_id,
                "role": done.role.value,
            }
        )
        return
    print(
        f"{channel.value} user {external_id} unlinked from customer {done.customer_id or '-'} "
        f"({done.role.value}); their orders, requests and tickets stay as they were"
    )


async def _user_forget(ctx: Context, args: argparse.Namespace) -> None:
    from dataclasses import asdict

    from domain.services import privacy
    from domain.services.accounts import OPERATOR

    channel, external_id = _person(args)
    done = await privacy.forget_user(ctx, OPERATOR, channel, external_id)
    if args.json:
        _print_json(
            {
                "channel": channel.value,
                "external_id": external_id,
                "user_id": done.user_id,
                "pseudonym": done.pseudonym,
                "customer_id": done.customer_id,
                **asdict(done.erased),
            }
        )
        return
    erased = done.erased
    print(
        f"{channel.value} user {external_id} forgotten"
        + (f"; records now show {done.pseudonym}" if done.pseudonym else "")
        + f" (deleted: {erased.chats} chat, {erased.drafts} drafts, {erased.updates} update ids;"
        f" pseudonymised: {erased.records} records, {erased.requests} requests,"
        f" {erased.tickets} tickets, {erased.ticket_messages} ticket messages)"
    )


async def _retention(ctx: Context, args: argparse.Namespace) -> None:
    from dataclasses import asdict

    from domain.services.retention import purge
    from domain.settings import Settings

    erased = await purge(ctx, Settings().retention)
    if args.json:
        _print_json(asdict(erased))
        return
    print(
        f"deleted {erased.chats} chats, {erased.drafts} drafts, {erased.updates} update ids, "
        f"{erased.tickets} resolved tickets with {erased.ticket_messages} messages, "
        f"{erased.notices} delivered notices"
    )


Handler: TypeAlias = "Callable[[Context, argparse.Namespace], Awaitable[None]]"

_HANDLERS: dict[tuple[str, str | None], Handler] = {
    ("db", "upgrade"): _db_upgrade,
    ("catalog", "load"): _catalogue_load,
    ("catalog", "show"): _catalogue_show,
    ("customer", "add"): _customer_add,
    ("price", "set"): _price_set,
    ("orders", None): _orders,
    ("provision", None): _provision,
    ("end-expired", None): _end_expired,
    ("usage", None): _usage,
    ("usage", "set"): _usage,
    ("costs", None): _costs,
    ("hints", "run"): _hints_run,
    ("month-end", "run"): _month_end_run,
    ("tickets", None): _tickets,
    ("requests", None): _requests,
    ("user", "export"): _user_export,
    ("user", "forget"): _user_forget,
    ("user", "unlink"): _user_unlink,
    ("retention", None): _retention,
    ("nlu", "parse"): _nlu,
    ("nlu", "evaluate"): _nlu,
}


def _key(args: argparse.Namespace) -> tuple[str, str | None]:
    sub = getattr(args, f"{args.command.replace('-', '_')}_command", None)
    return args.command, sub


async def _dispatch(args: argparse.Namespace, settings: Settings) -> None:
    from domain.bootstrap import context_from

    ctx = context_from(settings)
    try:
        if args.command != "db":
            await _require_schema(ctx)
        if args.command == "invite":
            await _invite(ctx, args, settings)
        else:
            await _HANDLERS[_key(args)](ctx, args)
    finally:
        await ctx.db.dispose()


async def _require_schema(ctx: Context) -> None:
    """Operators get the schema created on first use, like `run` does."""
    from domain.storage.migrate import upgrade

    await upgrade(ctx.db)


def _action_server(args: argparse.Namespace) -> NoReturn:
    """`licencebot actions` becomes `python -m actions.server` (same process id, so systemd
    and container runtimes signal the server itself): bot/ never imports actions/."""
    argv = [sys.executable, "-m", "actions.server", "--host", args.host, "--port", str(args.port)]
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, argv)  # noqa: S606 - our own interpreter and module, no shell


def _backup(args: argparse.Namespace, settings: Settings) -> int:
    from domain.storage import backup

    if args.command == "backup":
        done = backup.backup(settings.database_url, args.path, replace=args.force)
        print(f"backup written to {done.path} (schema {done.revision})")
        return 0
    restored = backup.restore(settings.database_url, args.path)
    print(f"database restored from {args.path} (schema {restored.revision})")
    if restored.previous is not None:
        print(f"the database as it was before the restore: {restored.previous}")
    if not restored.current:
        asyncio.run(_migrate(settings))
        print("migrations applied: the schema is current")
    return 0


async def _migrate(settings: Settings) -> None:
    from domain.bootstrap import context_from

    ctx = context_from(settings)
    try:
        await _require_schema(ctx)
    finally:
        await ctx.db.dispose()


def _run_bot(args: argparse.Namespace, settings: Settings) -> int:
    """`run` and `chat` log to stderr at INFO; never the token (httpx is muted)."""
    from bot.app import quiet_http_logs

    if args.command == "chat":
        from bot.chat_cli import chat

        return chat(settings)
    if settings.telegram_bot_token is None:
        raise CliError(
            "TELEGRAM_BOT_TOKEN is not set; for a local try without a token: licencebot chat"
        )
    if settings.webhook_url and settings.webhook_secret is None:
        raise CliError("WEBHOOK_SECRET is mandatory in webhook mode (WEBHOOK_URL is set)")
    if args.workers > 1 and not settings.webhook_url:
        raise CliError("--workers needs webhook mode (set WEBHOOK_URL); Telegram allows one poller")
    from bot.serve import run
    from domain.logs import configure_for

    configure_for(settings)  # LOG_FORMAT text or json, secrets scrubbed
    quiet_http_logs()
    run(settings, args.workers)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # it logs URLs with the bot token
    args = build_parser().parse_args(argv)
    if args.command == "actions":
        _action_server(args)
    from pydantic import ValidationError
    from sqlalchemy.exc import DBAPIError, OperationalError

    from domain import errors
    from domain.settings import Settings
    from domain.storage.backup import BackupError
    from domain.texts.refusals import describe

    try:
        settings = Settings()
    except ValidationError as exc:
        print(f"licencebot: {configuration_error(exc)}", file=sys.stderr)
        return 2
    try:
        if args.command in ("run", "chat"):
            return _run_bot(args, settings)
        if args.command in ("backup", "restore"):
            return _backup(args, settings)
        asyncio.run(_dispatch(args, settings))
    except CliError as exc:
        print(f"licencebot: {exc}", file=sys.stderr)
        return 1
    except errors.DomainError as exc:
        print(f"licencebot: {describe(exc, _en())}", file=sys.stderr)
        return 1
    except BackupError as exc:
        print(f"licencebot: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # stdout closed early (`| head`): nothing left to say
        return 0
    except (OperationalError, DBAPIError, OSError) as exc:
        # Never print the URL: it may hold a password.
        print(
            f"licencebot: the database is not reachable or refused the request "
            f"({type(exc.__cause__ or exc).__name__}); check DATABASE_URL and try again",
            file=sys.stderr,
        )
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
