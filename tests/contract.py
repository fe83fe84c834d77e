"""Names from docs/interfaces.md that several test modules check (the stable contract)."""

from __future__ import annotations

CONTRACT_INTENTS = (
    "greet",
    "goodbye",
    "help",
    "list_products",
    "product_details",
    "order_product",
    "change_quantity",
    "book_addon",
    "cancel_product",
    "withdraw_cancellation",
    "show_orders",
    "order_status",
    "show_costs",
    "handoff",
    "affirm",
    "deny",
    "out_of_scope",
)
CONTRACT_ENTITIES = ("product", "addon", "quantity")
