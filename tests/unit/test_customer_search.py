"""The service desk's customer search (R23) and the button prefixes its screens use."""

from __future__ import annotations

from collections import Counter

import pytest

from bot import callbacks as cb
from domain import errors
from domain.model import Actor, Channel, Customer, Role
from domain.services.context import Context
from domain.services.customers import find_customers, search
from tests.fakes import FakeStore

DIRECTORY = [
    ("acme", "ACME GmbH"),
    ("globex", "Globex AG"),
    ("mueller-bau", "Müller Bau GmbH"),
    ("mueller-log", "Müller Logistik KG"),
    ("schmidt", "Schmidt & Partner"),
]


def found(query: str) -> list[str]:
    return [m.id for m in search(query, DIRECTORY)]


def test_an_exact_id_or_name_is_the_only_match() -> None:  # R23
    assert found("acme") == ["acme"]
    assert found("  GLOBEX ") == ["globex"]
    assert found("müller bau gmbh") == ["mueller-bau"]


def test_misspelt_and_partial_names_still_find_the_customer() -> None:  # R23
    assert found("Acne") == ["acme"]
    assert found("Globx") == ["globex"]
    assert found("Schmit") == ["schmidt"]
    assert found("Mueller Bau") == ["mueller-bau"]  # ü typed as ue
    assert found("Bau") == ["mueller-bau"]  # the start of a word


def test_a_name_shared_by_several_lists_them_best_first() -> None:
    assert found("Muller") == ["mueller-bau", "mueller-log"]
    assert found("Müller Logistik") == ["mueller-log"]


def test_nothing_alike_finds_nothing() -> None:
    assert found("Xyzzy") == []
    assert found("") == []
    assert found("!!!") == []


async def test_only_the_service_desk_and_operators_search() -> None:  # R23, R24
    store = FakeStore()
    store.state.customers["globex"] = Customer("globex", "Globex AG")
    ctx = Context(store)
    for role in (Role.ADMIN, Role.MEMBER):
        with pytest.raises(errors.PermissionDenied):
            await find_customers(ctx, Actor(role, Channel.TELEGRAM, "acme", 1), "globex")
    agent = Actor(Role.AGENT, Channel.TELEGRAM, None, 2)
    assert [m.name for m in (await find_customers(ctx, agent, "Globx")).matches] == ["Globex AG"]


def test_every_button_prefix_is_its_own() -> None:
    """Two flows on one prefix would send one flow's presses to the other's handler."""
    prefixes = [
        value
        for name, value in vars(cb).items()
        if name.isupper() and isinstance(value, str) and name not in {"MAX_BYTES"}
    ]
    assert [p for p, n in Counter(prefixes).items() if n > 1] == []
