"""A cancellation asked for or carried out, decided in one use case (R18-R20, R23), on both
databases: an admin cancels, a member's cancellation becomes a request, approving cancels in
the same transaction as the decision."""

from __future__ import annotations

import pytest

from domain import errors
from domain.commands import CancelSubscription, PlaceOrder
from domain.licence_requests import RequestKind, RequestStatus
from domain.model import Status
from domain.services import cancellations, licence_requests, orders, subscriptions
from domain.services.accounts import OPERATOR
from domain.services.context import Context
from domain.services.licence_requests import Approval, AskRequest
from domain.services.submissions import Requested
from tests.conftest import Seed

NONE = Approval(terms_accepted=False, account_consent=False)


async def provisioned_e3(ctx: Context, seed: Seed) -> int:
    placed = await orders.place_order(
        ctx, seed.acme_admin, PlaceOrder("acme", "M365-E3", 10, True, True)
    )
    await subscriptions.mark_provisioned(ctx, OPERATOR, placed.subscription.id)
    return placed.subscription.id


async def test_an_admin_cancels_and_a_member_asks(ctx: Context, seed: Seed) -> None:  # R23
    sub = await provisioned_e3(ctx, seed)
    asked = await cancellations.preview_cancel(ctx, seed.acme_member, sub)
    assert asked.asks and (asked.quantity, str(asked.end_date)) == (10, "2026-11-30")
    done = await cancellations.submit_cancel(ctx, seed.acme_member, CancelSubscription(sub), "Mia")
    assert isinstance(done, Requested)
    assert (done.request.kind, done.request.status) == (RequestKind.CANCEL, RequestStatus.PENDING)
    assert done.request.as_json()["kind"] == "cancel"
    assert (await orders.order_status(ctx, OPERATOR, sub)).status is Status.PROVISIONED
    with pytest.raises(errors.RequestPending):  # the same request twice
        await cancellations.submit_cancel(ctx, seed.acme_member, CancelSubscription(sub), "Mia")

    own = await cancellations.preview_cancel(ctx, seed.acme_admin, sub)
    assert not own.asks
    approved = await licence_requests.approve(ctx, seed.acme_admin, done.request.id, NONE, "Anna")
    assert (approved.status, approved.result_id) == (RequestStatus.APPROVED, sub)
    view = await orders.order_status(ctx, OPERATOR, sub)
    assert (view.status, str(view.end_date)) == (Status.CANCELLED, "2026-11-30")  # R19


async def test_a_cancellation_request_that_can_no_longer_be_done_stays_open(
    ctx: Context, seed: Seed
) -> None:  # R23: never approved into nothing
    sub = await provisioned_e3(ctx, seed)
    asked = await licence_requests.ask(
        ctx, seed.acme_member, AskRequest("acme", RequestKind.CANCEL, subscription_id=sub), "Mia"
    )
    await cancellations.submit_cancel(ctx, seed.acme_admin, CancelSubscription(sub), "Anna")
    with pytest.raises(errors.NotCancellable):
        await licence_requests.approve(ctx, seed.acme_admin, asked.id, NONE, "Anna")
    [still] = await licence_requests.list_requests(
        ctx, seed.acme_admin, status=RequestStatus.PENDING
    )
    assert still.id == asked.id
    declined = await licence_requests.decline(
        ctx, seed.acme_admin, asked.id, "schon gekündigt", "Anna"
    )
    assert declined.status is RequestStatus.DECLINED


async def test_the_service_desk_prepares_a_cancellation(ctx: Context, seed: Seed) -> None:
    sub = await provisioned_e3(ctx, seed)
    figures = await licence_requests.preview(
        ctx, seed.agent, AskRequest("acme", RequestKind.CANCEL, subscription_id=sub)
    )
    assert (figures.quantity, str(figures.end_date)) == (10, "2026-11-30")
    prepared = await licence_requests.ask(
        ctx, seed.agent, AskRequest("acme", RequestKind.CANCEL, subscription_id=sub), "Bernd"
    )
    with pytest.raises(errors.PermissionDenied):  # the desk prepares, an admin decides
        await licence_requests.approve(ctx, seed.agent, prepared.id, NONE, "Bernd")
    with pytest.raises(errors.RequestNotFound):  # another customer's admin: missing (R24)
        await licence_requests.approve(ctx, seed.globex_admin, prepared.id, NONE, "Gus")
    await licence_requests.approve(ctx, seed.acme_admin, prepared.id, NONE, "Anna")
    assert (await orders.order_status(ctx, OPERATOR, sub)).status is Status.CANCELLED
