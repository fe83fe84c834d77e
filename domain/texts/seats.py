"""Seats and costs in words: "12 von 20 zugewiesen", the month-end hint, the /costs screen and
its CSV, the scheduled reduction (issue 21). Shared by the Telegram bot and the Rasa actions."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from typing import Any

from domain.costs import CostOverview, MonthCost
from domain.seats import SeatLine, SeatOverview
from domain.texts.i18n import Translator
from domain.texts.markup import escape
from domain.views import SubscriptionView


def assigned(tr: Translator, line: SeatLine) -> str:
    """ "12 von 20 zugewiesen", marked when stale; unknown usage says so."""
    if line.assigned is None:
        return tr("seats.unknown", paid=line.paid)
    if line.stale:
        day = tr.date(line.as_of.date()) if line.as_of else ""
        return tr("seats.stale", assigned=line.assigned, paid=line.paid, date=day)
    return tr("seats.assigned", assigned=line.assigned, paid=line.paid)


def scheduled(tr: Translator, sub: SubscriptionView) -> str:
    """ "wird zum 31.12.2026 auf 12 reduziert", empty when nothing is scheduled."""
    if sub.scheduled_quantity is None:
        return ""
    return tr("seats.scheduled", date=tr.date(sub.scheduled_for), quantity=sub.scheduled_quantity)


def hint_line(tr: Translator, line: Mapping[str, Any], day: str) -> str:
    """One product of the month-end hint (the notice's payload, or a live line)."""
    return tr(
        "seats.hint_line",
        name=escape(str(line.get("product_name", ""))),
        unassigned=line.get("unassigned", 0),
        paid=line.get("paid", 0),
        date=day,
        target=line.get("target", 0),
        saving=tr.money(_decimal(line.get("saving"))),
    )


def reduce_button(tr: Translator, target: int) -> str:
    return tr("seats.reduce_button", quantity=target)


def overview(tr: Translator, seats: SeatOverview) -> str:
    """Seats per product with what the month end could save (admins' and agents' view)."""
    lines = [tr("seats.title", customer=escape(seats.customer_name))]
    for line in seats.lines:
        lines.append(f"• <b>{escape(line.name)}</b>: {assigned(tr, line)}")
        if line.reducible > 0 and not line.scheduled:
            lines.append(hint_line(tr, _payload(line), tr.date(seats.month_end)))
        elif line.scheduled_quantity is not None:
            lines.append(
                "  "
                + tr(
                    "seats.scheduled",
                    date=tr.date(line.scheduled_for),
                    quantity=line.scheduled_quantity,
                )
            )
    if not seats.lines:
        lines.append(tr("status_screen.none"))
    return "\n".join(lines)


def _payload(line: SeatLine) -> dict[str, Any]:
    return {
        "product_name": line.name,
        "unassigned": line.unassigned or 0,
        "paid": line.paid,
        "target": line.target,
        "saving": str(line.monthly_saving),
    }


def costs(tr: Translator, costs: CostOverview, seats: SeatOverview | None = None) -> str:
    """The /costs screen: this month by product, next month, the months before, savings."""
    this, nxt = costs.this_month, costs.next_month
    parts = [tr("costs.title", customer=escape(costs.customer_name))]
    block = [tr("costs.this_month", month=tr.month(this.month), total=tr.money(this.total))]
    block += [_line(tr, line.name, line.quantity, line.total) for line in this.lines]
    parts.append("\n".join(block))
    block = [tr("costs.next_month", month=tr.month(nxt.month), total=tr.money(nxt.total))]
    difference = nxt.total - this.total
    if difference < 0:
        block.append(tr("costs.next_less", amount=tr.money(-difference)))
    parts.append("\n".join(block))
    history = [m for m in costs.months[:-1] if m.lines]
    if history:
        parts.append(
            "\n".join(
                [tr("costs.history", count=len(costs.months))]
                + [
                    tr("costs.history_line", month=tr.month(m.month), total=tr.money(m.total))
                    for m in history[::-1]
                ]
            )
        )
    if seats is not None and seats.monthly_saving > 0:
        parts.append(
            tr(
                "costs.saving",
                date=tr.date(seats.month_end),
                total=tr.money(seats.monthly_saving),
            )
        )
    parts.append(tr("costs.net"))
    return "\n\n".join(parts)


def _line(tr: Translator, name: str, quantity: int, total: Any) -> str:
    return tr("costs.line", name=escape(name), quantity=quantity, total=tr.money(total))


def csv_document(tr: Translator, costs: CostOverview) -> bytes:
    """The months as a CSV a spreadsheet in the user's language opens as it is: German with
    `;` and decimal commas, English with `,` and points (UTF-8 with BOM, for Excel)."""
    german = tr.language == "de"
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";" if german else ",", lineterminator="\r\n")
    writer.writerow(
        [
            tr("costs.csv_month"),
            tr("costs.csv_sku"),
            tr("costs.csv_product"),
            tr("costs.csv_quantity"),
            tr("costs.csv_total"),
            tr("costs.csv_projected"),
        ]
    )
    months: list[MonthCost] = [*costs.months, costs.next_month]
    for month in months:
        for line in month.lines:
            amount = str(line.total).replace(".", ",") if german else str(line.total)
            writer.writerow(
                [
                    month.key,
                    line.sku,
                    line.name,
                    line.quantity,
                    amount,
                    tr("costs.csv_yes") if month.projected else "",
                ]
            )
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _decimal(value: object) -> Any:
    from decimal import Decimal

    return Decimal(str(value)) if value is not None else Decimal(0)
