"""Benchmark 6: the Rasa action server. Requests per second of `action_place_order` (each a
new order) and of `validate_order_form` (a quantity), against a rasa-sdk no-op action on the
same server (rasa-sdk's Sanic app through its ASGI client, requests shaped as Rasa sends them,
tests/rasa/action_server.py)."""

from __future__ import annotations

import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from domain.commands import AddCustomer
from domain.model import Role
from domain.services import accounts
from domain.services.accounts import OPERATOR
from domain.services.context import Context
from tests.bench import world
from tests.rasa.action_server import ActionServer, Dialogue, Reply, linked, serve, stop_serving


class NoOp(Action):  # type: ignore[misc]  # rasa_sdk has no type information
    def name(self) -> str:
        return "action_bench_noop"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        return []


async def _ready_to_order(dialogue: Dialogue) -> None:
    dialogue.user(
        "Business Standard bestellen",
        "order_product",
        sets={"product": "Business Standard", "quantity": "3"},
    )
    await dialogue.activate("order_form")
    await dialogue.answer("ja", "affirm", {"terms_accepted": True})
    await dialogue.answer("ja", "affirm", {"account_consent": True})


async def _validation_call(server: ActionServer, core: Context) -> Mapping[str, Any]:
    """The body Rasa sends to validate a typed quantity in a running order form."""
    await accounts.add_customer(core, OPERATOR, AddCustomer("v", "Validierung AG"))
    dialogue = await linked(server, core, Role.ADMIN, "v", "rasa-v")
    dialogue.user(
        "Business Standard bestellen", "order_product", sets={"product": "Business Standard"}
    )
    await dialogue.activate("order_form")
    sent: list[Mapping[str, Any]] = []
    real = server.post

    async def keep(call: Mapping[str, Any]) -> Reply:
        sent.append(call)
        return await real(call)

    server.post = keep  # type: ignore[method-assign,assignment]
    try:
        await dialogue.answer("fünf", "inform", {"quantity": "fünf"})
    finally:
        server.post = real  # type: ignore[method-assign]
    return sent[-1]


async def requests_per_second(folder: Path, calls: int) -> dict[str, float]:
    async with world.database("sqlite", folder) as db:
        core = world.core_for(db)
        await world.seed(core, 0)
        server = serve(core)
        server.executor.register_action(NoOp())
        try:
            dialogues = []
            for i in range(calls):
                await accounts.add_customer(core, OPERATOR, AddCustomer(f"r{i}", f"Rasa {i} AG"))
                dialogue = await linked(server, core, Role.ADMIN, f"r{i}", f"rasa-{i}")
                await _ready_to_order(dialogue)
                dialogues.append(dialogue)
            noop = dialogues[0].body("action_bench_noop")
            validation = await _validation_call(server, core)
            orders = [d.body("action_place_order") for d in dialogues]
            figures = {}
            for name, bodies in (
                ("noop", [noop] * calls),
                ("validate_order_form", [validation] * calls),
                ("action_place_order", orders),
            ):
                start = time.perf_counter()
                for call in bodies:
                    reply = await server.post(call)
                    assert reply.status == 200, reply.body
                figures[name] = calls / (time.perf_counter() - start)
            return figures
        finally:
            stop_serving()
