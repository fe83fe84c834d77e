"""The pure domain model: quantities, consents, subscriptions, add-ons, cancellation (R4-R21)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from domain import errors
from domain.model import (
    SYSTEM_MAX_QUANTITY,
    Addon,
    Catalogue,
    Customer,
    Invite,
    Product,
    Role,
    SeatCap,
    Status,
    Subscription,
    check_quantity,
    check_seat_cap,
    missing_consents,
    new_subscription,
    seats_in_cap,
)
from domain.pricing import PriceList

# --- a small catalogue ----------------------------------------------------------------------------
BUSINESS = SeatCap("m365-business", "Microsoft 365 Business (Basic, Standard, Premium)", 300)
OTHER_CAP = SeatCap("other", "Other family", 50)
DESC = {"de": "Beschreibung", "en": "Description"}

ARCHIVE = Addon("EXO-ARCHIVE", "Exchange Online Archiving", DESC, Decimal("3.36"))
DEFENDER = Addon(
    "DEFENDER-O365-P1", "Microsoft Defender for Office 365 Plan 1", DESC, Decimal("2.24")
)

BASIC = Product(
    "M365-BUSINESS-BASIC",
    "Microsoft 365 Business Basic",
    DESC,
    Decimal("6.66"),
    addon_skus=("EXO-ARCHIVE", "DEFENDER-O365-P1"),
    max_quantity=300,
    seat_cap=BUSINESS,
)
STANDARD = Product(
    "M365-BUSINESS-STANDARD",
    "Microsoft 365 Business Standard",
    DESC,
    Decimal("13.92"),
    addon_skus=("EXO-ARCHIVE", "DEFENDER-O365-P1"),
    max_quantity=300,
    seat_cap=BUSINESS,
)
PREMIUM = Product(
    "M365-BUSINESS-PREMIUM",
    "Microsoft 365 Business Premium",
    DESC,
    Decimal("24.51"),
    max_quantity=300,
    seat_cap=BUSINESS,
)
E5 = Product("M365-E5", "Microsoft 365 E5", DESC, Decimal("71.04"))
OTHER = Product("OTHER-1", "Other", DESC, Decimal("1.00"), seat_cap=OTHER_CAP)
CATALOGUE = Catalogue(
    products={p.sku: p for p in (BASIC, STANDARD, PREMIUM, E5, OTHER)},
    addons={a.sku: a for a in (ARCHIVE, DEFENDER)},
)

# 24 Nov 2026, a Tuesday.
TODAY = date(2026, 11, 24)
AT = datetime(2026, 11, 24, 11, 0, tzinfo=UTC)
END = date(2026, 11, 30)


def make_sub(
    status: Status = Status.PROVISIONED,
    quantity: int = 18,
    product: Product = STANDARD,
    sub_id: int = 1,
    end_date: date | None = None,
) -> Subscription:
    return Subscription(
        id=sub_id,
        customer_id="acme",
        product_sku=product.sku,
        product_name=product.name,
        quantity=quantity,
        unit_price=product.list_price,
        status=status,
        start_date=date(2026, 10, 1),
        ordered_at=datetime(2026, 10, 5, 9, 0, tzinfo=UTC),
        provisioned_on=date(2026, 10, 6) if status is not Status.ORDERED else None,
        end_date=end_date,
    )


def status_of(sub: Subscription) -> Status:
    """The stored status, read afresh (after a call that changes it)."""
    return sub.status


def provisioned_with_addon(quantity: int = 18, addon_quantity: int = 10) -> Subscription:
    sub = make_sub(quantity=quantity)
    booking = sub.book_addon(ARCHIVE, Decimal("3.36"), addon_quantity, TODAY, AT)
    booking.id = 11
    sub.provision(TODAY)
    return sub


# --- R4: quantities -------------------------------------------------------------------------------
@pytest.mark.parametrize("value", [0, -5, 10**12, True, False, 1.5, "5", None, 301])
def test_quantity_that_is_no_whole_number_from_1_to_the_limit_is_refused(value: object) -> None:
    # R4
    with pytest.raises(errors.InvalidQuantity) as caught:
        check_quantity(value, 300)
    assert caught.value.value == value
    assert caught.value.minimum == 1
    assert caught.value.maximum == 300


@pytest.mark.parametrize("value", [1, 18, 300])
def test_whole_quantity_from_1_to_the_limit_is_accepted(value: int) -> None:  # R4
    assert check_quantity(value, 300) == value


def test_product_limit_is_its_max_quantity() -> None:  # R4
    assert STANDARD.quantity_limit == 300


def test_product_without_max_quantity_is_limited_by_the_system_maximum() -> None:  # R4
    assert E5.quantity_limit == SYSTEM_MAX_QUANTITY
    with pytest.raises(errors.InvalidQuantity) as caught:
        check_quantity(10**12, E5.quantity_limit)
    assert caught.value.maximum == SYSTEM_MAX_QUANTITY


def test_product_max_quantity_above_the_system_maximum_is_capped() -> None:  # R4
    huge = Product("HUGE", "Huge", DESC, Decimal("1.00"), max_quantity=10**9)
    assert huge.quantity_limit == SYSTEM_MAX_QUANTITY


def test_seat_cap_allows_exactly_300_across_business_plans() -> None:  # R4
    check_seat_cap(BUSINESS, 250, 50)  # no exception: 300 is allowed
    check_seat_cap(None, 10**6, 1)  # no cap, no limit from it


def test_seat_cap_refuses_301_and_says_how_many_are_in_use_and_available() -> None:  # R4
    with pytest.raises(errors.SeatCapExceeded) as caught:
        check_seat_cap(BUSINESS, 250, 51)
    assert caught.value.cap_name == BUSINESS.name
    assert caught.value.cap == 300
    assert caught.value.in_use == 250
    assert caught.value.available == 50


def test_seat_cap_already_full_reports_zero_available_not_a_negative_number() -> None:  # R4
    with pytest.raises(errors.SeatCapExceeded) as caught:
        check_seat_cap(BUSINESS, 320, 1)
    assert caught.value.in_use == 320
    assert caught.value.available == 0


def test_seats_in_cap_adds_up_all_business_plans_including_cancelled_but_running() -> None:
    # R4: a cancellation holds its seats until the end date (R20, R21).
    subs = [
        make_sub(product=BASIC, quantity=100, sub_id=1, status=Status.ORDERED),
        make_sub(product=STANDARD, quantity=80, sub_id=2),
        make_sub(product=PREMIUM, quantity=50, sub_id=3, status=Status.CANCELLED, end_date=END),
    ]
    assert seats_in_cap(subs, CATALOGUE, BUSINESS, TODAY) == 230
    # On the end date itself the cancelled subscription still runs.
    assert seats_in_cap(subs, CATALOGUE, BUSINESS, END) == 230


def test_seats_in_cap_ignores_ended_subscriptions() -> None:  # R4, R21
    subs = [
        make_sub(product=BASIC, quantity=100, sub_id=1),
        make_sub(product=STANDARD, quantity=80, sub_id=2, status=Status.ENDED, end_date=END),
        # Cancelled, end date passed, not yet expired by the job: ended all the same.
        make_sub(
            product=PREMIUM,
            quantity=50,
            sub_id=3,
            status=Status.CANCELLED,
            end_date=date(2026, 10, 31),
        ),
    ]
    assert seats_in_cap(subs, CATALOGUE, BUSINESS, TODAY) == 100
    # And after the end date, the cancelled Premium no longer counts either.
    subs[2].end_date = END
    assert seats_in_cap(subs, CATALOGUE, BUSINESS, END + timedelta(days=1)) == 100


def test_seats_in_cap_ignores_other_caps_and_uncapped_products() -> None:  # R4
    subs = [
        make_sub(product=BASIC, quantity=100, sub_id=1),
        make_sub(product=E5, quantity=500, sub_id=2),
        make_sub(product=OTHER, quantity=40, sub_id=3),
    ]
    assert seats_in_cap(subs, CATALOGUE, BUSINESS, TODAY) == 100
    assert seats_in_cap(subs, CATALOGUE, OTHER_CAP, TODAY) == 40
    assert seats_in_cap(subs, CATALOGUE, None, TODAY) == 0


def test_seats_in_cap_leaves_out_the_subscription_being_changed() -> None:  # R4, R12
    subs = [
        make_sub(product=BASIC, quantity=100, sub_id=1),
        make_sub(product=STANDARD, quantity=80, sub_id=2),
    ]
    assert seats_in_cap(subs, CATALOGUE, BUSINESS, TODAY, excluding=2) == 100


# --- R5: consents ---------------------------------------------------------------------------------
def test_both_consents_missing_names_both() -> None:  # R5
    assert missing_consents(terms=False, microsoft_account=False) == (
        "terms",
        "microsoft_account",
    )


def test_only_terms_missing_names_terms() -> None:  # R5
    assert missing_consents(terms=False, microsoft_account=True) == ("terms",)


def test_only_microsoft_account_missing_names_it() -> None:  # R5
    assert missing_consents(terms=True, microsoft_account=False) == ("microsoft_account",)


def test_nothing_missing_when_both_consents_given() -> None:  # R5
    assert missing_consents(terms=True, microsoft_account=True) == ()


# --- R6, R7: new orders ---------------------------------------------------------------------------
def test_new_subscription_starts_on_the_first_of_the_month_as_ordered() -> None:  # R7, R10
    customer = Customer("acme", "ACME GmbH")
    sub = new_subscription(customer, STANDARD, 18, TODAY, AT, "key-1")
    assert sub.start_date == date(2026, 11, 1)
    assert sub.status is Status.ORDERED
    assert sub.customer_id == "acme"
    assert sub.product_sku == STANDARD.sku
    assert sub.product_name == STANDARD.name
    assert sub.quantity == 18
    assert sub.ordered_at == AT
    assert sub.idempotency_key == "key-1"
    assert sub.provisioned_on is None
    assert sub.end_date is None  # empty until cancelled (R10)
    assert sub.addons == []
    assert sub.monthly_total == Decimal("250.56")


def test_new_subscription_uses_list_price_without_price_list() -> None:  # R2
    sub = new_subscription(Customer("acme", "ACME GmbH"), STANDARD, 18, TODAY, AT, None)
    assert sub.unit_price == Decimal("13.92")


def test_new_subscription_uses_the_customers_discount() -> None:  # R2
    customer = Customer("acme", "ACME GmbH", PriceList(discount_percent=Decimal(10)))
    sub = new_subscription(customer, STANDARD, 18, TODAY, AT, None)
    assert sub.unit_price == Decimal("12.53")
    assert sub.monthly_total == Decimal("225.54")


def test_new_subscription_uses_the_customers_explicit_price() -> None:  # R2
    customer = Customer(
        "acme",
        "ACME GmbH",
        PriceList(explicit={STANDARD.sku: Decimal("11.50")}, discount_percent=Decimal(10)),
    )
    sub = new_subscription(customer, STANDARD, 18, TODAY, AT, None)
    assert sub.unit_price == Decimal("11.50")


def test_subscription_occupies_its_product_until_it_has_ended() -> None:  # R6, R20
    assert make_sub(Status.ORDERED).occupies_product(TODAY)
    assert make_sub(Status.CANCELLED, end_date=END).occupies_product(END)
    assert not make_sub(Status.CANCELLED, end_date=END).occupies_product(END + timedelta(1))
    assert not make_sub(Status.ENDED, end_date=date(2026, 10, 31)).occupies_product(TODAY)


# --- R11, R12: change quantity --------------------------------------------------------------------
def test_change_quantity_sets_the_new_total_and_returns_the_old() -> None:  # R11
    sub = make_sub(quantity=18)
    assert sub.change_quantity(40, STANDARD, seats_elsewhere=0) == 18
    assert sub.quantity == 40
    assert sub.monthly_total == Decimal("556.80")


def test_change_quantity_may_decrease() -> None:  # R11
    sub = make_sub(quantity=40)
    assert sub.change_quantity(18, STANDARD, seats_elsewhere=0) == 40
    assert sub.quantity == 18


def test_ordered_subscription_may_be_changed() -> None:  # R11
    sub = make_sub(Status.ORDERED, quantity=18)
    sub.change_quantity(20, STANDARD, seats_elsewhere=0)
    assert sub.quantity == 20


@pytest.mark.parametrize("status", [Status.CANCELLED, Status.ENDED])
def test_change_quantity_of_cancelled_or_ended_subscription_is_refused(status: Status) -> None:
    # R12
    sub = make_sub(status, end_date=END)
    with pytest.raises(errors.SubscriptionNotActive) as caught:
        sub.change_quantity(20, STANDARD, seats_elsewhere=0)
    assert caught.value.status == status.value
    assert caught.value.end_date == END
    assert sub.quantity == 18


def test_change_to_the_same_quantity_is_refused() -> None:  # R12
    sub = make_sub(quantity=18)
    with pytest.raises(errors.QuantityUnchanged) as caught:
        sub.change_quantity(18, STANDARD, seats_elsewhere=0)
    assert caught.value.quantity == 18


@pytest.mark.parametrize("value", [0, -1, 301, 10**12])
def test_change_quantity_outside_the_product_limit_is_refused(value: int) -> None:  # R4, R12
    sub = make_sub(quantity=18)
    with pytest.raises(errors.InvalidQuantity) as caught:
        sub.change_quantity(value, STANDARD, seats_elsewhere=0)
    assert caught.value.maximum == 300
    assert sub.quantity == 18


def test_change_quantity_below_an_addon_names_the_addon() -> None:  # R12, R17
    sub = provisioned_with_addon(quantity=18, addon_quantity=15)
    with pytest.raises(errors.BelowAddonQuantity) as caught:
        sub.change_quantity(10, STANDARD, seats_elsewhere=0)
    assert caught.value.addon_sku == "EXO-ARCHIVE"
    assert caught.value.addon_name == "Exchange Online Archiving"
    assert caught.value.addon_quantity == 15
    assert sub.quantity == 18


def test_change_quantity_down_to_the_addon_quantity_is_allowed() -> None:  # R12, R17
    sub = provisioned_with_addon(quantity=18, addon_quantity=15)
    sub.change_quantity(15, STANDARD, seats_elsewhere=0)
    assert sub.quantity == 15


def test_change_quantity_beyond_the_shared_seat_cap_is_refused() -> None:  # R4, R12
    sub = make_sub(quantity=18)
    with pytest.raises(errors.SeatCapExceeded) as caught:
        sub.change_quantity(20, STANDARD, seats_elsewhere=290)
    assert caught.value.in_use == 290
    assert caught.value.available == 10
    assert sub.quantity == 18


def test_change_quantity_up_to_the_shared_seat_cap_is_allowed() -> None:  # R4
    sub = make_sub(quantity=18)
    sub.change_quantity(10, STANDARD, seats_elsewhere=290)
    assert sub.quantity == 10


# --- R14-R17: add-ons -----------------------------------------------------------------------------
@pytest.mark.parametrize("status", [Status.ORDERED, Status.CANCELLED, Status.ENDED])
def test_addon_can_only_be_booked_for_a_provisioned_subscription(status: Status) -> None:  # R14
    sub = make_sub(status, end_date=END if status is not Status.ORDERED else None)
    with pytest.raises(errors.AddonRequiresProvisioned) as caught:
        sub.book_addon(ARCHIVE, Decimal("3.36"), None, TODAY, AT)
    assert caught.value.status == status.value
    assert caught.value.product_name == STANDARD.name
    assert sub.addons == []


def test_addon_quantity_defaults_to_the_base_quantity() -> None:  # R17
    sub = make_sub(quantity=18)
    booking = sub.book_addon(ARCHIVE, Decimal("3.36"), None, TODAY, AT)
    assert booking.quantity == 18
    assert booking.status is Status.ORDERED
    assert booking.start_date == date(2026, 11, 1)  # R7 for add-ons too
    assert booking.addon_sku == "EXO-ARCHIVE"
    assert booking.addon_name == "Exchange Online Archiving"
    assert booking.unit_price == Decimal("3.36")
    assert booking.monthly_total == Decimal("60.48")
    assert booking.end_date is None
    assert sub.addons == [booking]


def test_addon_for_fewer_users_than_the_base_is_allowed() -> None:  # R17
    sub = make_sub(quantity=18)
    assert sub.book_addon(ARCHIVE, Decimal("3.36"), 5, TODAY, AT).quantity == 5


def test_addon_above_the_base_quantity_is_refused() -> None:  # R17
    sub = make_sub(quantity=18)
    with pytest.raises(errors.AddonExceedsBase) as caught:
        sub.book_addon(ARCHIVE, Decimal("3.36"), 19, TODAY, AT)
    assert caught.value.base_quantity == 18
    assert sub.addons == []


@pytest.mark.parametrize("value", [0, -1, True])
def test_addon_quantity_must_be_a_whole_number_from_1(value: int) -> None:  # R4, R17
    sub = make_sub(quantity=18)
    with pytest.raises(errors.InvalidQuantity):
        sub.book_addon(ARCHIVE, Decimal("3.36"), value, TODAY, AT)
    assert sub.addons == []


def test_addon_already_booked_is_refused_with_its_booking() -> None:  # R17
    sub = provisioned_with_addon(quantity=18, addon_quantity=10)
    with pytest.raises(errors.AddonAlreadyBooked) as caught:
        sub.book_addon(ARCHIVE, Decimal("3.36"), None, TODAY, AT)
    assert caught.value.booking_id == 11
    assert caught.value.quantity == 10
    assert len(sub.addons) == 1


def test_another_addon_can_be_booked_next_to_an_existing_one() -> None:  # R15, R17
    sub = provisioned_with_addon()
    sub.book_addon(DEFENDER, Decimal("2.24"), None, TODAY, AT)
    assert [a.addon_sku for a in sub.addons] == ["EXO-ARCHIVE", "DEFENDER-O365-P1"]


def test_addon_quantity_can_be_changed_on_its_own() -> None:  # R17
    sub = provisioned_with_addon(quantity=18, addon_quantity=10)
    assert sub.change_addon(11, 18) == 10
    assert sub.booking(11).quantity == 18
    assert sub.quantity == 18


def test_addon_change_above_the_base_quantity_is_refused() -> None:  # R17
    sub = provisioned_with_addon(quantity=18, addon_quantity=10)
    with pytest.raises(errors.AddonExceedsBase) as caught:
        sub.change_addon(11, 19)
    assert caught.value.base_quantity == 18
    assert sub.booking(11).quantity == 10


def test_addon_change_to_the_same_quantity_is_refused() -> None:  # R12, R17
    sub = provisioned_with_addon(quantity=18, addon_quantity=10)
    with pytest.raises(errors.QuantityUnchanged):
        sub.change_addon(11, 10)


def test_unknown_addon_booking_is_not_found() -> None:  # R17
    sub = provisioned_with_addon()
    with pytest.raises(errors.AddonNotFound) as caught:
        sub.change_addon(99, 5)
    assert caught.value.booking_id == 99
    with pytest.raises(errors.AddonNotFound):
        sub.cancel_addon(99, TODAY)


def test_addon_cancelled_on_its_own_ends_on_the_last_of_the_month() -> None:  # R17, R19
    sub = provisioned_with_addon()
    booking = sub.cancel_addon(11, date(2028, 2, 3))
    assert booking.status is Status.CANCELLED
    assert booking.end_date == date(2028, 2, 29)
    assert not booking.cancelled_with_subscription
    assert sub.status is Status.PROVISIONED  # the base keeps running
    assert sub.end_date is None


def test_cancelled_addon_cannot_be_cancelled_or_changed_again() -> None:  # R17, R20
    sub = provisioned_with_addon()
    sub.cancel_addon(11, TODAY)
    with pytest.raises(errors.NotCancellable) as caught:
        sub.cancel_addon(11, TODAY)
    assert caught.value.status == "cancelled"
    assert caught.value.end_date == END
    with pytest.raises(errors.SubscriptionNotActive):
        sub.change_addon(11, 5)


def test_cancelled_addon_no_longer_limits_the_base_quantity() -> None:  # R12, R17
    sub = provisioned_with_addon(quantity=18, addon_quantity=15)
    sub.cancel_addon(11, TODAY)
    sub.change_quantity(10, STANDARD, seats_elsewhere=0)
    assert sub.quantity == 10


# --- R18, R19: cancel -----------------------------------------------------------------------------
def test_cancel_ends_on_the_last_day_of_the_month() -> None:  # R19
    sub = make_sub()
    sub.cancel(TODAY, AT)
    assert sub.status is Status.CANCELLED
    assert sub.end_date == END
    assert sub.cancelled_at == AT
    assert sub.quantity == 18


def test_cancel_also_cancels_all_running_addons_with_the_same_end_date() -> None:  # R18
    sub = provisioned_with_addon()
    waiting = sub.book_addon(DEFENDER, Decimal("2.24"), None, TODAY, AT)  # still ordered
    cancelled = sub.cancel(TODAY, AT)
    assert {a.addon_sku for a in cancelled} == {"EXO-ARCHIVE", "DEFENDER-O365-P1"}
    for booking in sub.addons:
        assert booking.status is Status.CANCELLED
        assert booking.end_date == END
        assert booking.cancelled_with_subscription
    assert waiting.status is Status.CANCELLED


def test_cancel_of_an_ordered_subscription_is_possible() -> None:  # R18
    sub = make_sub(Status.ORDERED)
    sub.cancel(TODAY, AT)
    assert sub.status is Status.CANCELLED
    assert sub.end_date == END


def test_cancel_leaves_a_separately_cancelled_addon_as_it_was() -> None:  # R17, R18
    sub = provisioned_with_addon()
    sub.cancel_addon(11, TODAY)
    assert sub.cancel(TODAY, AT) == []
    assert not sub.booking(11).cancelled_with_subscription


@pytest.mark.parametrize("status", [Status.CANCELLED, Status.ENDED])
def test_cancel_of_a_cancelled_or_ended_subscription_is_refused(status: Status) -> None:
    # R18, R20
    sub = make_sub(status, end_date=END)
    with pytest.raises(errors.NotCancellable) as caught:
        sub.cancel(TODAY, AT)
    assert caught.value.status == status.value
    assert caught.value.end_date == END


def test_cancelling_twice_keeps_the_first_end_date() -> None:  # R18, R19
    sub = make_sub()
    sub.cancel(TODAY, AT)
    with pytest.raises(errors.NotCancellable):
        sub.cancel(date(2026, 12, 2), AT + timedelta(days=8))
    assert sub.end_date == END
    assert sub.cancelled_at == AT


# --- R20: withdraw a cancellation -----------------------------------------------------------------
def test_withdrawing_restores_a_provisioned_subscription_and_its_addons() -> None:  # R20
    sub = provisioned_with_addon()
    sub.cancel(TODAY, AT)
    sub.withdraw_cancellation(TODAY)
    assert sub.status is Status.PROVISIONED
    assert sub.provisioned_on == date(2026, 10, 6)
    assert sub.end_date is None
    assert sub.cancelled_at is None
    booking = sub.booking(11)
    assert booking.status is Status.PROVISIONED
    assert booking.end_date is None
    assert not booking.cancelled_with_subscription


def test_withdrawing_restores_an_ordered_subscription_as_ordered() -> None:  # R20
    sub = make_sub(Status.ORDERED)
    sub.cancel(TODAY, AT)
    sub.withdraw_cancellation(TODAY)
    assert sub.status is Status.ORDERED
    assert sub.end_date is None


def test_withdrawing_restores_a_waiting_addon_as_ordered() -> None:  # R20
    sub = make_sub()
    sub.book_addon(DEFENDER, Decimal("2.24"), None, TODAY, AT)
    sub.cancel(TODAY, AT)
    sub.withdraw_cancellation(TODAY)
    assert sub.addons[0].status is Status.ORDERED


def test_withdrawing_does_not_revive_an_addon_cancelled_separately_before() -> None:  # R17, R20
    sub = provisioned_with_addon()
    sub.book_addon(DEFENDER, Decimal("2.24"), None, TODAY, AT).id = 12
    sub.provision(TODAY)
    sub.cancel_addon(11, TODAY)  # the user cancelled Archiving on its own
    sub.cancel(TODAY, AT)
    sub.withdraw_cancellation(TODAY)
    archive, defender = sub.booking(11), sub.booking(12)
    assert archive.status is Status.CANCELLED
    assert archive.end_date == END
    assert defender.status is Status.PROVISIONED
    assert defender.end_date is None


def test_withdrawing_is_possible_on_the_end_date_itself() -> None:  # R20
    sub = make_sub()
    sub.cancel(TODAY, AT)
    sub.withdraw_cancellation(END)
    assert sub.status is Status.PROVISIONED


def test_withdrawing_after_the_end_date_is_refused() -> None:  # R20, R21
    sub = provisioned_with_addon()
    sub.cancel(TODAY, AT)
    with pytest.raises(errors.CancellationNotWithdrawable) as caught:
        sub.withdraw_cancellation(END + timedelta(days=1))
    assert caught.value.status == "ended"
    assert caught.value.end_date == END
    assert sub.status is Status.CANCELLED
    assert sub.booking(11).status is Status.CANCELLED


@pytest.mark.parametrize("status", [Status.ORDERED, Status.PROVISIONED, Status.ENDED])
def test_withdrawing_without_a_running_cancellation_is_refused(status: Status) -> None:  # R20
    sub = make_sub(status, end_date=END if status is Status.ENDED else None)
    with pytest.raises(errors.CancellationNotWithdrawable) as caught:
        sub.withdraw_cancellation(TODAY)
    assert caught.value.status == status.value
    assert sub.status is status


# --- R21: ended -----------------------------------------------------------------------------------
def test_cancelled_subscription_is_ended_after_its_end_date() -> None:  # R21
    sub = make_sub()
    sub.cancel(TODAY, AT)
    assert sub.effective_status(END) is Status.CANCELLED
    assert sub.effective_status(END + timedelta(days=1)) is Status.ENDED
    assert sub.status is Status.CANCELLED  # reading changes nothing


def test_running_subscription_is_never_ended_by_time_alone() -> None:  # R21
    sub = make_sub()
    assert sub.effective_status(date(2099, 1, 1)) is Status.PROVISIONED


def test_expire_turns_a_past_cancellation_and_its_addons_into_ended() -> None:  # R21
    sub = provisioned_with_addon()
    sub.cancel(TODAY, AT)
    assert sub.expire(END) is False
    assert sub.status is Status.CANCELLED
    assert sub.expire(END + timedelta(days=1)) is True
    assert status_of(sub) is Status.ENDED
    assert sub.booking(11).status is Status.ENDED
    assert sub.expire(END + timedelta(days=2)) is False


def test_expire_ends_a_separately_cancelled_addon_of_a_running_subscription() -> None:  # R17, R21
    sub = provisioned_with_addon()
    sub.cancel_addon(11, TODAY)
    assert sub.expire(END + timedelta(days=1)) is True
    assert sub.booking(11).status is Status.ENDED
    assert sub.status is Status.PROVISIONED


def test_ended_addon_can_be_booked_again() -> None:  # R17, R20
    sub = provisioned_with_addon()
    sub.cancel_addon(11, TODAY)
    sub.expire(END + timedelta(days=1))
    again = sub.book_addon(ARCHIVE, Decimal("3.36"), None, date(2026, 12, 3), AT)
    assert again.start_date == date(2026, 12, 1)
    assert again.status is Status.ORDERED


# --- provisioning (R10, R14) ----------------------------------------------------------------------
def test_provision_marks_an_ordered_subscription_with_the_date() -> None:  # R10
    sub = make_sub(Status.ORDERED)
    assert sub.provision(TODAY) == []
    assert sub.status is Status.PROVISIONED
    assert sub.provisioned_on == TODAY


def test_provisioning_twice_is_refused_with_the_first_date() -> None:  # R10
    sub = make_sub(Status.ORDERED)
    sub.provision(TODAY)
    with pytest.raises(errors.AlreadyProvisioned) as caught:
        sub.provision(TODAY + timedelta(days=1))
    assert caught.value.provisioned_on == TODAY
    assert sub.provisioned_on == TODAY


def test_provision_provisions_waiting_addons_of_a_provisioned_subscription() -> None:  # R10, R14
    sub = make_sub()
    booking = sub.book_addon(ARCHIVE, Decimal("3.36"), None, TODAY, AT)
    assert sub.provision(TODAY) == [booking]
    assert booking.status is Status.PROVISIONED
    assert booking.provisioned_on == TODAY
    assert sub.provisioned_on == date(2026, 10, 6)  # the base keeps its date


@pytest.mark.parametrize("status", [Status.CANCELLED, Status.ENDED])
def test_provisioning_a_cancelled_or_ended_subscription_is_refused(status: Status) -> None:
    # R10
    sub = make_sub(status, end_date=END)
    with pytest.raises(errors.SubscriptionNotActive) as caught:
        sub.provision(TODAY)
    assert caught.value.status == status.value


# --- invites (R22) --------------------------------------------------------------------------------
def _invite(expires_at: datetime, used_at: datetime | None = None) -> Invite:
    return Invite(1, "acme", Role.ADMIN, expires_at, used_at)


def test_unused_invite_before_expiry_is_redeemable() -> None:  # R22
    _invite(AT + timedelta(days=7)).check_redeemable(AT)  # no exception


def test_used_invite_is_refused() -> None:  # R22: single use
    with pytest.raises(errors.InviteUsed):
        _invite(AT + timedelta(days=7), used_at=AT - timedelta(hours=1)).check_redeemable(AT)


def test_expired_invite_is_refused_with_its_expiry_date() -> None:  # R22
    expires = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
    with pytest.raises(errors.InviteExpired) as caught:
        _invite(expires).check_redeemable(AT)
    assert caught.value.expired_at == date(2026, 11, 20)


def test_invite_is_expired_at_the_exact_expiry_instant() -> None:  # R22
    with pytest.raises(errors.InviteExpired):
        _invite(AT).check_redeemable(AT)


def test_used_and_expired_invite_is_reported_as_used() -> None:  # R22
    with pytest.raises(errors.InviteUsed):
        _invite(AT - timedelta(days=1), used_at=AT - timedelta(days=2)).check_redeemable(AT)


def test_invite_expiry_date_is_the_berlin_date() -> None:  # R8, R22
    # Issued invites carry UTC instants (ctx.now()). 23:30 UTC on 30 Nov is already
    # 1 Dec in Berlin, so the user must be told it expired on 01.12.2026, not 30.11.2026.
    expires = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)
    with pytest.raises(errors.InviteExpired) as caught:
        _invite(expires).check_redeemable(datetime(2026, 12, 1, 8, 0, tzinfo=UTC))
    assert caught.value.expired_at == date(2026, 12, 1)
