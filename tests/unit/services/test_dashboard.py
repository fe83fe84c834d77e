"""The Mini App's figures on the fakes (domain/services/dashboard.py, docs/miniapp.md): admins
and the desk see seats, costs and the audit trail; members only their own requests (R23)."""

from __future__ import annotations

from datetime import date

import pytest

from domain import errors
from domain.conversation import ChatState
from domain.licence_requests import RequestKind
from domain.services import dashboard, licence_requests, seats, tickets
from domain.services.context import Context
from domain.services.dashboard import AuditFilter
from domain.services.licence_requests import AskRequest
from domain.services.tickets import OpenTicket
from tests.conftest import Seed
from tests.unit.services.support import STANDARD, order


async def test_an_admin_sees_seats_costs_audit_requests_and_own_tickets(
    ctx: Context, seed: Seed
) -> None:  # R25, R5
    sub_id = await order(ctx, seed.acme_admin, provision=True)
    await seats.report_usage(ctx, seed.agent, "acme", STANDARD, 6)
    ask = AskRequest("acme", RequestKind.ORDER, "O365-E1", 1)
    await licence_requests.ask(ctx, seed.acme_member, ask, "Mia")
    await tickets.open_ticket(ctx, seed.acme_admin, OpenTicket("Hilfe", "", "de"))
    board = await dashboard.dashboard(ctx, seed.acme_admin)
    assert (board.customer_name, board.full) == ("ACME GmbH", True)
    [row] = board.seats
    assert (row.line.subscription_id, row.line.assigned, str(row.monthly_total)) == (
        sub_id,
        6,
        "139.20",
    )
    assert len(board.months) == 13 and board.months[-1].forecast
    assert board.audit is not None
    assert {"consent.terms", "order.place", "request.ask"} <= {
        line.action for line in board.audit.lines
    }
    assert [line.product for line in board.audit.lines if line.action == "order.place"] == [
        "Microsoft 365 Business Standard"
    ]
    assert (len(board.requests), len(board.tickets)) == (1, 1)


async def test_a_member_sees_only_their_own_requests(ctx: Context, seed: Seed) -> None:  # R23
    await order(ctx, seed.acme_admin)
    board = await dashboard.dashboard(ctx, seed.acme_member)
    assert (board.full, board.seats, board.months, board.audit) == (False, (), (), None)
    with pytest.raises(errors.PermissionDenied):
        await dashboard.audit_trail(ctx, seed.acme_member, None, AuditFilter())


async def test_another_customer_reads_as_missing_and_the_desk_chooses(
    ctx: Context, seed: Seed
) -> None:  # R24, R23
    with pytest.raises(errors.CustomerNotFound):
        await dashboard.dashboard(ctx, seed.globex_admin, "acme")
    with pytest.raises(errors.CustomerNotFound):  # an agent who has not chosen yet
        await dashboard.dashboard(ctx, seed.agent)
    assert dashboard.chooses_customer(seed.agent)
    assert not dashboard.chooses_customer(seed.acme_admin)
    board = await dashboard.dashboard(ctx, seed.agent, "acme")
    assert board.full and board.customer_id == "acme"


async def test_the_audit_trail_filters_by_who_what_and_when(ctx: Context, seed: Seed) -> None:
    await order(ctx, seed.acme_admin)
    everything = await dashboard.audit_trail(ctx, seed.acme_admin, None, AuditFilter())
    assert "100" in everything.people
    orders_only = await dashboard.audit_trail(
        ctx, seed.acme_admin, None, AuditFilter(who="100", kind="orders")
    )
    assert [line.action for line in orders_only.lines] == ["order.place"]
    later = AuditFilter(since=date(2026, 11, 25))
    assert (await dashboard.audit_trail(ctx, seed.acme_admin, None, later)).matching == 0
    earlier = AuditFilter(until=date(2026, 11, 23))
    assert (await dashboard.audit_trail(ctx, seed.acme_admin, None, earlier)).matching == 0
    assert dashboard.kind_of("user.link") == "people" and dashboard.kind_of("x.y") == "other"


async def test_the_viewer_is_the_linked_person_in_their_chats_language(
    ctx: Context, seed: Seed
) -> None:  # R22
    async with ctx.uow() as uow:
        await uow.chats.save(ChatState(100, "en"), ctx.now())
        await uow.commit()
    viewer = await dashboard.viewer(ctx, 100)
    assert (viewer.actor.user_id, viewer.language) == (seed.acme_admin.user_id, "en")
    with pytest.raises(errors.NotLinked):
        await dashboard.viewer(ctx, 555)
