"""Booking, changing and cancelling add-ons (R14-R17) on both databases."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain import errors
from domain.commands import BookAddon, CancelAddon, ChangeAddon, PlaceOrder
from domain.services import addons, orders, subscriptions
from domain.services.accounts import OPERATOR
from domain.services.context import Context
from domain.views import SubscriptionView
from tests.conftest import Seed


async def provisioned(ctx: Context, seed: Seed, quantity: int = 18) -> SubscriptionView:
    placed = await orders.place_order(
        ctx, seed.acme_admin, PlaceOrder("acme", "M365-BUSINESS-STANDARD", quantity, True, True)
    )
    return await subscriptions.mark_provisioned(ctx, OPERATOR, placed.subscription.id)


async def test_add_ons_wait_for_provisioning(ctx: Context, seed: Seed) -> None:  # R14
    placed = await orders.place_order(
        ctx, seed.acme_admin, PlaceOrder("acme", "M365-BUSINESS-STANDARD", 18, True, True)
    )
    with pytest.raises(errors.AddonRequiresProvisioned) as refused:
        await addons.book_addon(
            ctx, seed.acme_admin, BookAddon(placed.subscription.id, "COPILOT", True)
        )
    assert refused.value.status == "ordered"
    assert refused.value.product_name == "Microsoft 365 Business Standard"


async def test_an_add_on_defaults_to_the_base_quantity(ctx: Context, seed: Seed) -> None:
    # R17
    sub = await provisioned(ctx, seed)
    booked = await addons.book_addon(ctx, seed.acme_admin, BookAddon(sub.id, "COPILOT", True))
    (addon,) = booked.subscription.addons
    assert booked.addon == addon  # the booking just made, as the screen names it
    assert (addon.sku, addon.quantity, addon.status.value) == ("COPILOT", 18, "ordered")
    assert addon.unit_price == Decimal("30.91")
    assert addon.monthly_total == Decimal("556.38")
    assert addon.start_date == date(2026, 11, 1)
    async with ctx.uow(write=False) as uow:
        consents = await uow.records.consents_for(sub.id)
    assert [c["kind"].value for c in consents if c["addon_booking_id"] == addon.id] == ["terms"]


async def test_an_add_on_needs_the_terms(ctx: Context, seed: Seed) -> None:  # R17 / R5 a
    sub = await provisioned(ctx, seed)
    with pytest.raises(errors.ConsentMissing) as refused:
        await addons.book_addon(ctx, seed.acme_admin, BookAddon(sub.id, "COPILOT", False))
    assert refused.value.missing == ("terms",)
    assert (await orders.order_status(ctx, seed.acme_admin, sub.id)).addons == ()


async def test_only_the_products_own_add_ons_are_offered(ctx: Context, seed: Seed) -> None:
    # R15, R16: Intune Suite is not offered for Business Standard.
    sub = await provisioned(ctx, seed)
    with pytest.raises(errors.AddonNotOffered) as refused:
        await addons.book_addon(ctx, seed.acme_admin, BookAddon(sub.id, "INTUNE-SUITE", True))
    assert refused.value.product_name == "Microsoft 365 Business Standard"


@pytest.mark.parametrize("quantity", [19, 0, -1])
async def test_an_add_on_is_per_user_up_to_the_base_quantity(
    ctx: Context, seed: Seed, quantity: int
) -> None:  # R17
    sub = await provisioned(ctx, seed)
    with pytest.raises((errors.AddonExceedsBase, errors.InvalidQuantity)):
        await addons.book_addon(
            ctx, seed.acme_admin, BookAddon(sub.id, "COPILOT", True, quantity=quantity)
        )


async def test_an_add_on_cannot_be_booked_twice(ctx: Context, seed: Seed) -> None:
    sub = await provisioned(ctx, seed)
    await addons.book_addon(ctx, seed.acme_admin, BookAddon(sub.id, "COPILOT", True, quantity=5))
    with pytest.raises(errors.AddonAlreadyBooked) as refused:
        await addons.book_addon(ctx, seed.acme_admin, BookAddon(sub.id, "COPILOT", True))
    assert refused.value.quantity == 5


async def test_an_add_on_is_changed_and_cancelled_on_its_own(ctx: Context, seed: Seed) -> None:
    # R17
    sub = await provisioned(ctx, seed)
    booked = await addons.book_addon(
        ctx, seed.acme_admin, BookAddon(sub.id, "EXO-ARCHIVE", True, quantity=5)
    )
    booking_id = booked.addon.id
    changed = await addons.change_addon(ctx, seed.acme_admin, ChangeAddon(sub.id, booking_id, 12))
    assert changed.subscription.addons[0].quantity == 12
    with pytest.raises(errors.AddonExceedsBase):
        await addons.change_addon(ctx, seed.acme_admin, ChangeAddon(sub.id, booking_id, 19))
    cancelled = await addons.cancel_addon(ctx, seed.acme_admin, CancelAddon(sub.id, booking_id))
    assert (cancelled.addon.status.value, cancelled.addon.end_date) == (
        "cancelled",
        date(2026, 11, 30),
    )
    assert cancelled.subscription.status.value == "provisioned"  # the product itself runs on
    async with ctx.uow(write=False) as uow:
        history = await uow.records.history(sub.id)
    assert [(h["addon_booking_id"], h["from_quantity"], h["to_quantity"]) for h in history] == [
        (booking_id, 5, 12)
    ]
    # After its own cancellation the add-on may be booked again.
    again = await addons.book_addon(ctx, seed.acme_admin, BookAddon(sub.id, "EXO-ARCHIVE", True))
    assert [a.status.value for a in again.subscription.addons] == ["cancelled", "ordered"]
    assert again.addon == again.subscription.addons[1]


async def test_a_dry_run_shows_the_booking_without_saving_it(ctx: Context, seed: Seed) -> None:
    sub = await provisioned(ctx, seed)
    preview = await addons.book_addon(
        ctx, seed.acme_admin, BookAddon(sub.id, "COPILOT", False, quantity=4), dry_run=True
    )
    assert (preview.addon.sku, preview.addon.quantity, preview.addon.id) == ("COPILOT", 4, 0)
    assert preview.subscription.addons[0] == preview.addon
    assert (await orders.order_status(ctx, seed.acme_admin, sub.id)).addons == ()


async def test_provisioning_again_provisions_waiting_add_ons(ctx: Context, seed: Seed) -> None:
    sub = await provisioned(ctx, seed)
    await addons.book_addon(ctx, seed.acme_admin, BookAddon(sub.id, "COPILOT", True))
    done = await subscriptions.mark_provisioned(ctx, OPERATOR, sub.id)
    assert [(a.status.value, a.provisioned_on) for a in done.addons] == [
        ("provisioned", date(2026, 11, 24))
    ]


async def test_members_cannot_book_add_ons(ctx: Context, seed: Seed) -> None:  # R23
    sub = await provisioned(ctx, seed)
    with pytest.raises(errors.PermissionDenied) as refused:
        await addons.book_addon(ctx, seed.acme_member, BookAddon(sub.id, "COPILOT", True))
    assert refused.value.can_request


async def test_the_customer_price_applies_to_add_ons(ctx: Context, seed: Seed) -> None:  # R2
    from domain.services import accounts

    await accounts.set_price(ctx, OPERATOR, "acme", "COPILOT", Decimal("28.00"))
    sub = await provisioned(ctx, seed)
    booked = await addons.book_addon(ctx, seed.acme_admin, BookAddon(sub.id, "COPILOT", True))
    assert booked.addon.unit_price == Decimal("28.00")


async def test_an_add_on_change_and_cancellation_are_previewed_without_saving(
    ctx: Context, seed: Seed
) -> None:  # R17, R19: the summaries before the confirmation
    sub = await provisioned(ctx, seed, quantity=10)
    booked = await addons.book_addon(ctx, seed.acme_admin, BookAddon(sub.id, "COPILOT", True))
    seen = booked.subscription.version
    booking = booked.addon.id
    changed = await addons.change_addon(
        ctx, seed.acme_admin, ChangeAddon(sub.id, booking, 4, expected_version=seen), dry_run=True
    )
    assert (changed.old_quantity, changed.new_quantity, changed.addon.quantity) == (10, 4, 4)
    assert changed.old_total == Decimal("309.10") and changed.addon.monthly_total == Decimal(
        "123.64"
    )
    cancelled = await addons.cancel_addon(
        ctx, seed.acme_admin, CancelAddon(sub.id, booking, expected_version=seen), dry_run=True
    )
    assert (cancelled.addon.status.value, cancelled.addon.end_date) == (
        "cancelled",
        date(2026, 11, 30),
    )
    now = await orders.order_status(ctx, seed.acme_admin, sub.id)
    assert (now.version, now.addons[0].quantity, now.addons[0].status.value) == (
        seen,
        10,
        "ordered",
    )
    with pytest.raises(errors.InvalidQuantity) as refused:  # the range names the base (R17)
        await addons.change_addon(ctx, seed.acme_admin, ChangeAddon(sub.id, booking, 0))
    assert (refused.value.minimum, refused.value.maximum) == (1, 10)


async def test_an_add_on_changed_meanwhile_is_a_conflict(ctx: Context, seed: Seed) -> None:
    # R13: two admins on the same add-on
    sub = await provisioned(ctx, seed, quantity=10)
    booked = await addons.book_addon(ctx, seed.acme_admin, BookAddon(sub.id, "COPILOT", True))
    seen, booking = booked.subscription.version, booked.addon.id
    await addons.change_addon(
        ctx, seed.acme_admin, ChangeAddon(sub.id, booking, 6, expected_version=seen)
    )
    with pytest.raises(errors.VersionConflict):
        await addons.cancel_addon(
            ctx, seed.acme_admin, CancelAddon(sub.id, booking, expected_version=seen)
        )
    with pytest.raises(errors.PermissionDenied):  # R23: a member asks the admins instead
        await addons.cancel_addon(ctx, seed.acme_member, CancelAddon(sub.id, booking))
