"""Add-ons on the fakes (domain/services/addons.py, R14-R17)."""

from __future__ import annotations

import pytest

from domain import errors
from domain.commands import BookAddon, CancelAddon, ChangeAddon, ChangeQuantity
from domain.model import Status
from domain.services import addons, subscriptions
from domain.services.context import Context
from tests.conftest import Seed
from tests.fakes import FakeStore
from tests.unit.services.support import ARCHIVE, STANDARD, actions, order


async def test_an_addon_is_booked_per_user_with_the_terms_and_audited(
    ctx: Context, seed: Seed, store: FakeStore
) -> None:  # R14, R15, R17, R5 a
    sub_id = await order(ctx, seed.acme_admin, provision=True)
    choices = await addons.addon_choices(ctx, seed.acme_member, sub_id)  # a member may ask
    assert ARCHIVE in [o.sku for o in choices.offers] and choices.booked == {}
    with pytest.raises(errors.ConsentMissing):
        await addons.book_addon(ctx, seed.acme_admin, BookAddon(sub_id, ARCHIVE, False))
    preview = await addons.book_addon(
        ctx, seed.acme_admin, BookAddon(sub_id, ARCHIVE, False), dry_run=True
    )
    assert (preview.addon.quantity, store.state.subscriptions[sub_id].addons) == (10, [])
    booked = await addons.book_addon(ctx, seed.acme_admin, BookAddon(sub_id, ARCHIVE, True))
    assert (booked.addon.sku, booked.addon.quantity, str(booked.addon.monthly_total)) == (
        ARCHIVE,
        10,
        "33.60",
    )
    [consent] = [c for c in store.state.consents if c.addon_booking_id is not None]
    assert consent.kind.value == "terms"
    assert actions(store, "acme")[-1] == "addon.book"
    with pytest.raises(errors.AddonAlreadyBooked):
        await addons.book_addon(ctx, seed.acme_admin, BookAddon(sub_id, ARCHIVE, True))


async def test_addons_are_refused_per_the_rules(ctx: Context, seed: Seed) -> None:
    waiting = await order(ctx, seed.acme_admin)
    with pytest.raises(errors.AddonRequiresProvisioned):  # R14
        await addons.addon_choices(ctx, seed.acme_admin, waiting)
    await order(ctx, seed.acme_admin, provision=True)
    with pytest.raises(errors.AddonNotOffered):  # R15: Business Standard has no Intune Suite
        await addons.book_addon(ctx, seed.acme_admin, BookAddon(waiting, "INTUNE-SUITE", True))
    with pytest.raises(errors.AddonExceedsBase):  # R17
        await addons.book_addon(ctx, seed.acme_admin, BookAddon(waiting, ARCHIVE, True, 11))
    with pytest.raises(errors.PermissionDenied):  # R23: a member asks instead
        await addons.book_addon(ctx, seed.acme_member, BookAddon(waiting, ARCHIVE, True))
    with pytest.raises(errors.SubscriptionNotFound):  # R24
        await addons.addon_choices(ctx, seed.globex_admin, waiting)


async def test_an_addon_is_changed_and_cancelled_on_its_own(
    ctx: Context, seed: Seed, store: FakeStore
) -> None:  # R17, R19, R12
    sub_id = await order(ctx, seed.acme_admin, provision=True)
    booked = await addons.book_addon(ctx, seed.acme_admin, BookAddon(sub_id, ARCHIVE, True, 4))
    booking_id = booked.addon.id
    changed = await addons.change_addon(ctx, seed.acme_admin, ChangeAddon(sub_id, booking_id, 6))
    assert (changed.old_quantity, changed.new_quantity, str(changed.old_total)) == (4, 6, "13.44")
    with pytest.raises(errors.BelowAddonQuantity):  # R12: the base not below its add-on
        await subscriptions.change_quantity(ctx, seed.acme_admin, ChangeQuantity(sub_id, 5))
    with pytest.raises(errors.VersionConflict):  # R13
        await addons.change_addon(
            ctx, seed.acme_admin, ChangeAddon(sub_id, booking_id, 5, booked.subscription.version)
        )
    assert [(c.from_quantity, c.to_quantity) for c in store.state.changes] == [(4, 6)]
    cancelled = await addons.cancel_addon(ctx, seed.acme_admin, CancelAddon(sub_id, booking_id))
    assert (cancelled.addon.status, str(cancelled.addon.end_date)) == (
        Status.CANCELLED,
        "2026-11-30",
    )
    assert store.state.subscriptions[sub_id].status is Status.PROVISIONED  # the product runs on
    with pytest.raises(errors.AddonNotBooked):
        await addons.booked(ctx, seed.acme_admin, "acme", ARCHIVE, None)


async def test_where_an_addon_runs(ctx: Context, seed: Seed) -> None:  # R17
    sub_id = await order(ctx, seed.acme_admin, STANDARD, provision=True)
    await addons.book_addon(ctx, seed.acme_admin, BookAddon(sub_id, ARCHIVE, True))
    [(view, addon)] = await addons.booked(ctx, seed.acme_member, "acme", ARCHIVE, sub_id)
    assert (view.id, addon.sku) == (sub_id, ARCHIVE)
    assert await addons.booked(ctx, seed.acme_member, "acme", ARCHIVE, None)
    with pytest.raises(errors.CustomerNotFound):  # R24
        await addons.booked(ctx, seed.globex_admin, "acme", ARCHIVE, None)
