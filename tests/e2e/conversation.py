"""The full order conversation as a script of user actions, shared by the request-budget test
and the benchmarks: link, products, details, quantity, both consents, order, my orders, change,
cancel. Each step is one update."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tests.e2e.harness import Bot, press, say, screen

PRODUCT = "Microsoft 365 Business Standard"
SUBSCRIPTION = f"· {PRODUCT}"  # the button "Nr. <id> · <product>" in My orders


@dataclass(frozen=True)
class Step:
    """Type `value`, or press the button labelled `value` on the current screen."""

    kind: str  # "type" or "press"
    value: str


def order_conversation(invite_code: str, quantity: int = 18) -> list[Step]:
    return [
        Step("type", f"/start {invite_code}"),
        Step("type", "/products"),
        Step("press", PRODUCT),
        Step("press", "Bestellen"),
        Step("type", str(quantity)),
        Step("press", "☐ AGB akzeptieren"),
        Step("press", "☐ Microsoft-Konto"),
        Step("press", "Bestellen"),
        Step("type", "/orders"),
        Step("press", SUBSCRIPTION),
        Step("press", "Menge ändern"),
        Step("type", str(quantity + 2)),
        Step("press", "Bestellung ändern"),
        Step("type", "/orders"),
        Step("press", SUBSCRIPTION),
        Step("press", "Kündigen"),
        Step("press", "Ja, kündigen"),
    ]


def label(step: Step, buttons: Sequence[str]) -> str:
    """The button a press step means (the subscription's button carries its number)."""
    if step.value == SUBSCRIPTION:
        found = [b for b in buttons if b.startswith("Nr. ") and b.endswith(SUBSCRIPTION)]
        return found[0] if found else step.value
    return step.value


async def run_script(bot: Bot, user_id: int, steps: list[Step]) -> None:
    """Play the steps one update at a time, each answered before the next."""
    user = bot.emu.user(user_id)
    for step in steps:
        if step.kind == "type":
            await say(bot, user, step.value)
        else:
            current = screen(user)
            await press(bot, user, label(step, current.buttons()), current)
