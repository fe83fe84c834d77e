"""The full order conversation as a script of user actions, shared by the request-budget test
and the benchmarks: link, products, details, quantity, both consents, order, my orders, change,
cancel. Each step is one update; `run_script` drives it through the emulator."""

from __future__ import annotations

from dataclasses import dataclass

from tests.e2e.harness import Bot, press, say, screen


@dataclass(frozen=True)
class Step:
    """Type `text`, or press the button labelled `press` on the current screen."""

    kind: str  # "type" or "press"
    value: str


def order_conversation(invite_code: str, quantity: int = 18) -> list[Step]:
    product = "Microsoft 365 Business Standard"
    return [
        Step("type", f"/start {invite_code}"),
        Step("type", "/products"),
        Step("press", product),
        Step("press", "Bestellen"),
        Step("type", str(quantity)),
        Step("press", "☐ AGB akzeptieren"),
        Step("press", "☐ Microsoft-Konto"),
        Step("press", "Bestellen"),
        Step("type", "/orders"),
        Step("press", f"Nr. {{sub}} · {product}"),
        Step("press", "Menge ändern"),
        Step("type", str(quantity + 2)),
        Step("press", "Bestellung ändern"),
        Step("type", "/orders"),
        Step("press", f"Nr. {{sub}} · {product}"),
        Step("press", "Kündigen"),
        Step("press", "Ja, kündigen"),
    ]


async def run_script(bot: Bot, user_id: int, steps: list[Step], sub: int) -> None:
    """Play the steps one update at a time, each answered before the next."""
    user = bot.emu.user(user_id)
    for step in steps:
        if step.kind == "type":
            await say(bot, user, step.value)
        else:
            await press(bot, user, step.value.format(sub=sub), screen(user))
