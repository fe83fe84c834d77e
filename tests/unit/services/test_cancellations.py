"""Cancelling, decided in one place (domain/services/cancellations.py, R18-R20, R23): an
admin's confirmation cancels, a member's asks the admins."""

from __future__ import annotations

import pytest

from domain import errors
from domain.commands import BookAddon, CancelSubscription
from domain.licence_requests import RequestKind, RequestStatus
from domain.model import Status
from domain.services import addons, cancellations
from domain.services.context import Context
from domain.services.submissions import Requested
from tests.conftest import Seed
from tests.fakes import FakeStore
from tests.unit.services.support import ARCHIVE, kinds, order


async def test_an_admins_confirmation_cancels_with_the_addons(
    ctx: Context, seed: Seed, store: FakeStore
) -> None:  # R18, R19, R20
    sub_id = await order(ctx, seed.acme_admin, provision=True)
    await addons.book_addon(ctx, seed.acme_admin, BookAddon(sub_id, ARCHIVE, True))
    preview = await cancellations.preview_cancel(ctx, seed.acme_admin, sub_id)
    assert (preview.asks, str(preview.end_date), preview.addon_names) == (
        False,
        "2026-11-30",
        ("Exchange Online Archiving",),
    )
    assert store.state.subscriptions[sub_id].status is Status.PROVISIONED  # only a question
    done = await cancellations.submit_cancel(
        ctx, seed.acme_admin, CancelSubscription(sub_id, preview.version), "Anna"
    )
    assert not isinstance(done, Requested) and done.status is Status.CANCELLED
    sub = store.state.subscriptions[sub_id]
    assert (sub.status, [a.status for a in sub.addons]) == (Status.CANCELLED, [Status.CANCELLED])


async def test_a_members_confirmation_asks_the_admins(
    ctx: Context, seed: Seed, store: FakeStore
) -> None:  # R23
    sub_id = await order(ctx, seed.acme_admin, provision=True)
    preview = await cancellations.preview_cancel(ctx, seed.acme_member, sub_id)
    assert preview.asks and str(preview.end_date) == "2026-11-30"
    done = await cancellations.submit_cancel(
        ctx, seed.acme_member, CancelSubscription(sub_id), "Mia", tell_admins=True
    )
    assert isinstance(done, Requested)
    assert (done.request.kind, done.request.status) == (RequestKind.CANCEL, RequestStatus.PENDING)
    assert store.state.subscriptions[sub_id].status is Status.PROVISIONED
    assert kinds(store)[-1] == "request.asked"


async def test_a_cancellation_is_refused_to_strangers_and_on_a_stale_version(
    ctx: Context, seed: Seed
) -> None:  # R24, R13, R20
    sub_id = await order(ctx, seed.acme_admin, provision=True)
    with pytest.raises(errors.SubscriptionNotFound):
        await cancellations.preview_cancel(ctx, seed.globex_admin, sub_id)
    preview = await cancellations.preview_cancel(ctx, seed.acme_admin, sub_id)
    with pytest.raises(errors.VersionConflict):
        await cancellations.preview_cancel(ctx, seed.acme_admin, sub_id, preview.version - 1)
    await cancellations.submit_cancel(ctx, seed.acme_admin, CancelSubscription(sub_id), "Anna")
    with pytest.raises(errors.NotCancellable):
        await cancellations.preview_cancel(ctx, seed.acme_admin, sub_id)
