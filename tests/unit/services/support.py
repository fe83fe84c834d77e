"""Small helpers shared by the use-case tests on the fakes."""

from __future__ import annotations

from domain.commands import PlaceOrder
from domain.model import Actor
from domain.services import orders, subscriptions
from domain.services.accounts import OPERATOR
from domain.services.context import Context
from tests.fakes import FakeStore

STANDARD = "M365-BUSINESS-STANDARD"  # 13.92 €, in the shared seat cap of 300 (R4)
BASIC = "M365-BUSINESS-BASIC"  # 6.66 €, the same seat cap
E3 = "M365-E3"  # 46.77 €, no cap
ARCHIVE = "EXO-ARCHIVE"  # an add-on of Business Standard, 3.36 €


async def order(
    ctx: Context,
    admin: Actor,
    sku: str = STANDARD,
    quantity: int = 10,
    *,
    provision: bool = False,
    key: str = "",
) -> int:
    """An admin's order (both consents given); provisioned by the operator when asked. The
    same `sku` and `key` again is the same confirmation again (R9)."""
    placed = await orders.place_order(
        ctx, admin, PlaceOrder(admin.customer_id or "", sku, quantity, True, True, f"{sku}{key}")
    )
    if provision:
        await subscriptions.mark_provisioned(ctx, OPERATOR, placed.subscription.id)
    return placed.subscription.id


def actions(store: FakeStore, customer_id: str | None = None) -> list[str]:
    """The audit trail's actions (R25), oldest first."""
    return [
        e.action for e in store.state.audit if customer_id is None or e.customer_id == customer_id
    ]


def kinds(store: FakeStore) -> list[str]:
    """The kinds of notice queued in the outbox, oldest first."""
    return [n.kind for n in store.state.notifications]
