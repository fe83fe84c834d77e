"""Buttons' arguments are built and read through one typed dataclass per shape (bot/callbacks.py):
the data on the wire is unchanged, and a forged, old or mismatched button is stale, never a crash
and never a guessed value."""

from __future__ import annotations

import pytest

from bot import callbacks as cb


@pytest.mark.parametrize(
    ("args", "prefix", "wire"),
    [
        (cb.Page(0), cb.PRODUCTS, "p:0"),
        (cb.Sku("M365-E3"), cb.ORDER_NEW, "on:M365-E3"),
        (cb.Subscription(7), cb.CHANGE_NEW, "cn:7"),
        (cb.AddonChoice(7, "COPILOT"), cb.ADDON_NEW, "an:7:COPILOT"),
        (cb.Booking(7, 3), cb.ADDON_ENTRY, "ae:7:3"),
        (cb.Versioned(7, 4), cb.WITHDRAW, "kw:7:4"),
        (cb.Reduction(7, 20), cb.REDUCE_ASK, "za:7:20"),
        (cb.Reduction(7, 20, 4), cb.REDUCE_CONFIRM, "zy:7:20:4"),
        (cb.Quantity("12.3", 5), cb.ORDER_QTY, "oq:12.3:5"),
        (cb.ChangeConfirm("12.3"), cb.CHANGE_CONFIRM, "cc:12.3"),
        (cb.ChangeConfirm("12.3", keep_reduction=False), cb.CHANGE_CONFIRM, "cc:12.3:0"),
        (cb.PrepareKind("4.1"), cb.PREPARE_KIND, "xk:4.1"),
        (cb.PrepareKind("4.1", "order"), cb.PREPARE_KIND, "xk:4.1:order"),
        (cb.Hints(on=True), cb.SETTINGS_HINTS, "zh:1"),
        (cb.Spare("M365-E3", 2), cb.SETTINGS_SPARE, "zp:M365-E3:2"),
        (cb.Language(), cb.LANGUAGE, "l"),
    ],
)
def test_the_data_on_the_wire_is_as_before_and_reads_back(
    args: cb.Args, prefix: str, wire: str
) -> None:
    assert args.data(prefix) == wire
    assert type(args).read(cb.parse(wire)) == args


@pytest.mark.parametrize(
    ("kind", "wire"),
    [
        (cb.Subscription, "sv:"),  # missing
        (cb.Subscription, "sv:abc"),  # not a number
        (cb.Subscription, "sv:-1"),
        (cb.Subscription, "sv:99999999999999"),  # larger than an id
        (cb.Subscription, "sv:1:2"),  # too many arguments
        (cb.Subscription, "pd:1"),  # another prefix's data
        (cb.Booking, "ae:7"),
        (cb.Quantity, "oq:1:abc"),
        (cb.Quantity, "oq:1"),
        (cb.Sku, "pd:"),
        (cb.Page, "p:-1"),
        (cb.Hints, "zh:2"),
        (cb.ChangeConfirm, "cc:1.2:yes"),
    ],
)
def test_forged_or_old_data_is_a_stale_button(kind: type[cb.Args], wire: str) -> None:
    with pytest.raises(cb.StaleButton):
        kind.read(cb.parse(wire))


def test_a_shape_refuses_to_build_another_prefixs_data() -> None:
    with pytest.raises(ValueError, match="not the data of"):
        cb.Subscription(7).data(cb.PRODUCT)


def test_every_prefix_with_arguments_has_exactly_one_shape() -> None:
    owners: dict[str, list[str]] = {}
    for shape in cb.Args.__subclasses__():
        for prefix in shape.PREFIXES:
            owners.setdefault(prefix, []).append(shape.__name__)
    assert {p: s for p, s in owners.items() if len(s) > 1} == {}
