"""The service desk's customer search and card on the fakes (domain/services/customers.py)."""

from __future__ import annotations

import pytest

from domain import errors
from domain.commands import AddCustomer
from domain.licence_requests import RequestKind
from domain.services import accounts, customers, licence_requests, tickets
from domain.services.accounts import OPERATOR
from domain.services.context import Context
from domain.services.licence_requests import AskRequest
from domain.services.tickets import OpenTicket
from tests.conftest import Seed
from tests.unit.services.support import E3, order


async def test_the_desk_finds_a_customer_by_id_or_a_misspelt_name(
    ctx: Context, seed: Seed
) -> None:  # R23
    await accounts.add_customer(ctx, OPERATOR, AddCustomer("mueller", "Müller Bau"))
    assert [m.id for m in (await customers.find_customers(ctx, seed.agent, "ACME")).matches] == [
        "acme"
    ]
    found = await customers.find_customers(ctx, seed.agent, " muller ")
    assert found.single is not None and found.single.name == "Müller Bau"
    assert (await customers.find_customers(ctx, OPERATOR, "Acne")).single.id == "acme"  # type: ignore[union-attr]
    assert (await customers.find_customers(ctx, seed.agent, "Xyz")).matches == ()


async def test_customers_do_not_search_others(ctx: Context, seed: Seed) -> None:  # R24
    with pytest.raises(errors.PermissionDenied):
        await customers.find_customers(ctx, seed.acme_admin, "Globex")
    with pytest.raises(errors.CustomerNotFound):
        await customers.customer_card(ctx, seed.acme_admin, "globex")


async def test_the_card_counts_what_waits(ctx: Context, seed: Seed) -> None:
    await order(ctx, seed.acme_admin, provision=False)
    await order(ctx, seed.acme_admin, E3, 2, provision=True)
    await tickets.open_ticket(ctx, seed.acme_member, OpenTicket("Hilfe", "", "de"))
    ask = AskRequest("acme", RequestKind.ORDER, "O365-E1", 1)
    await licence_requests.ask(ctx, seed.acme_member, ask, "Mia")
    card = await customers.customer_card(ctx, seed.agent, "acme")
    assert (card.customer_id, card.customer_name) == ("acme", "ACME GmbH")
    assert (card.waiting, card.open_tickets, card.pending_requests) == (1, 1, 1)
    assert len(card.overview.subscriptions) == 2
    with pytest.raises(errors.CustomerNotFound):
        await customers.customer_card(ctx, seed.agent, "nope")
