"""What we pay and which seats are unused (intent `show_costs`), and reducing at the month end
to what the tenant uses, after a summary the user confirms (issue 21). The same use cases and
screens as Telegram's /costs and the month-end hint."""

from __future__ import annotations

from rasa_sdk.events import SlotSet

from actions.base import Events, LicenceAction
from actions.conversation import Conversation
from domain import errors
from domain.access import Action as Right
from domain.access import authorize, may
from domain.pricing import sum_money
from domain.seats import SeatOverview
from domain.services import seats
from domain.texts import seats as seat_texts
from domain.texts.markup import escape

OFFERED = "reduction_offered"  # the last answer offered the reduction: "ja" takes it


class ShowCosts(LicenceAction):
    """This month, next month, the months before, seats in use, and (admins) the offer."""

    def name(self) -> str:
        return "action_show_costs"

    async def act(self, conv: Conversation) -> Events:
        actor = conv.require_actor()
        costs = await seats.cost_overview(conv.ctx, actor, conv.customer_id)
        usage = await seats.seat_overview(conv.ctx, actor, conv.customer_id)
        tr = conv.texts.tr
        conv.show(seat_texts.costs(tr, costs, usage))
        if usage.lines:
            conv.show(seat_texts.overview(tr, usage))
        return [SlotSet(OFFERED, _offer(conv, usage))]


def _offer(conv: Conversation, usage: SeatOverview) -> bool:
    """Ask an admin whether to reduce at the month end; True when asked."""
    if not usage.savings() or not may(conv.require_actor(), Right.CHANGE, conv.customer_id):
        return False
    conv.say(
        "seats.offer",
        date=conv.texts.tr.date(usage.month_end),
        total=conv.texts.tr.money(sum_money(x.monthly_saving for x in usage.savings())),
    )
    return True


class ReduceToUsage(LicenceAction):
    """ "Reduziere zum Monatsende auf das, was wir nutzen": first the summary and the question,
    then, on "ja", every reduction the month end can take, each re-checked as it is scheduled
    (never below the seats assigned now)."""

    writes = True

    def name(self) -> str:
        return "action_reduce_to_usage"

    async def act(self, conv: Conversation) -> Events:
        actor = conv.require_actor()
        authorize(actor, Right.CHANGE, conv.customer_id)  # admins (R23); members are told
        intent = (conv.tracker.latest_message or {}).get("intent") or {}
        if conv.slot(OFFERED) and intent.get("name") == "deny":  # "Nicht jetzt"
            conv.say("seats.later")
            return [SlotSet(OFFERED, False)]
        usage = await seats.seat_overview(conv.ctx, actor, conv.customer_id)
        if not conv.slot(OFFERED):
            if not usage.savings():
                conv.say("seats.nothing_to_save")
                return [SlotSet(OFFERED, False)]
            conv.show(seat_texts.overview(conv.texts.tr, usage))
            return [SlotSet(OFFERED, _offer(conv, usage))]
        done = 0
        for line in usage.savings():
            try:
                scheduled = await seats.schedule_reduction(
                    conv.ctx, actor, line.subscription_id, line.target
                )
            except errors.DomainError as refusal:
                conv.refuse(refusal)
                continue
            done += 1
            conv.show(
                conv.texts.tr(
                    "seats.scheduled_done",
                    name=escape(scheduled.subscription.product_name),
                    new=scheduled.new_quantity,
                    date=conv.texts.tr.date(scheduled.subscription.scheduled_for),
                    saving=conv.texts.tr.money(scheduled.monthly_saving),
                )
            )
        if not done and not usage.savings():
            conv.say("seats.nothing_to_save")
        return [SlotSet(OFFERED, False)]

    def when_refused(self) -> Events:
        return [SlotSet(OFFERED, False)]
