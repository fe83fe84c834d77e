"""What only a Rasa conversation shows: the subscriptions to choose from as short lines.

The screens both front ends show (products, details, my orders, status) are rendered once in
`domain.texts` as Telegram HTML; the actions turn them into plain text (`Conversation.show`).
"""

from __future__ import annotations

from collections.abc import Iterable

from actions.conversation import Texts
from domain.views import SubscriptionView


def order_lines(texts: Texts, subs: Iterable[SubscriptionView]) -> str:
    """Short lines to choose a subscription from: number, product, quantity, status."""
    return "\n".join(
        texts(
            "rasa.order_line",
            number=sub.id,
            name=sub.product_name,
            quantity=sub.quantity,
            status=texts.tr.status(sub.status),
        )
        for sub in subs
    )
