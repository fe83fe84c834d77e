"""Drive the real rasa-sdk app with requests shaped exactly like Rasa 3.6's.

`ActionServer` is `rasa_sdk.endpoint.create_app` over an `ActionExecutor` that registered the
`actions` package, called through sanic-testing's ASGI client. `Dialogue` keeps one sender's
tracker the way Rasa does (`tracker.current_state(EventVerbosity.ALL)`): a user turn is a
`user` event followed by the `slot` events of `action_extract_slots`; a form activation is an
`active_loop` event; a form's validation call carries `requested_slot`, an `action` event of the
form and the slot candidates at the very end (`FormAction._temporary_tracker`).
"""

from __future__ import annotations

import copy
import functools
import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk.endpoint import create_app
from rasa_sdk.executor import ActionExecutor

from actions import runtime
from domain.commands import CreateInvite
from domain.model import Role
from domain.services import accounts
from domain.services.accounts import OPERATOR
from domain.services.context import Context
from domain.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
RASA_VERSION = "3.6.21"
START = 1_795_000_000.0  # event timestamps: 2026-11-18, before the tests' fixed clock
# Rasa 3.6 talks to rasa-sdk 3.21 (the SDK warns about the version gap on every call), and
# sanic-testing imports the legacy websockets module.
QUIET = [
    pytest.mark.filterwarnings(
        "ignore:Your versions of rasa and rasa_sdk might not be compatible:UserWarning"
    ),
    pytest.mark.filterwarnings("ignore:websockets.legacy is deprecated:DeprecationWarning"),
]
TEST_SETTINGS = Settings(
    _env_file=None,  # no .env: the tests do not depend on the machine
    database_url="sqlite+aiosqlite:///unused.db",
    service_desk_contact="Service Desk: +49 30 555-0",
    terms_url="https://example.com/agb",
    default_language="de",
)

Event = dict[str, Any]


@functools.cache
def _domain() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    return loaded


def domain() -> dict[str, Any]:
    """domain.yml as the dict Rasa sends (`Domain.as_dict()` keeps the same sections)."""
    return copy.deepcopy(_domain())


def required_slots(form: str) -> list[str]:
    slots: list[str] = domain()["forms"][form]["required_slots"]
    return slots


def initial_slots() -> dict[str, Any]:
    """Every domain slot at its initial value, plus Rasa's own `requested_slot`."""
    slots = {name: spec.get("initial_value") for name, spec in domain()["slots"].items()}
    return {**slots, "requested_slot": None}


@dataclass
class Reply:
    status: int
    body: Any

    @property
    def events(self) -> list[Event]:
        events: list[Event] = self.body.get("events", []) if isinstance(self.body, dict) else []
        return events

    @property
    def texts(self) -> list[str]:
        responses = self.body.get("responses", []) if isinstance(self.body, dict) else []
        return [str(r.get("text")) for r in responses]

    @property
    def text(self) -> str:
        return "\n".join(self.texts)

    def slots(self) -> dict[str, Any]:
        """The slot values this reply sets (the last one per slot)."""
        return {e["name"]: e["value"] for e in self.events if e.get("event") == "slot"}

    def slot(self, name: str) -> Any:
        return self.slots()[name]


class ActionServer:
    """The rasa-sdk Sanic app with every action of the `actions` package registered."""

    def __init__(self) -> None:
        executor = ActionExecutor()
        executor.register_package("actions")
        self.executor = executor
        self.app = create_app(executor)
        # Sanic rewrites its request handling ("touch-up") on every start; the ASGI test
        # client starts the app for each request, which would cost ~40 ms a call.
        self.app.config.TOUCHUP = False

    async def post(self, body: Mapping[str, Any]) -> Reply:
        _, response = await self.app.asgi_client.post("/webhook", json=body)
        return Reply(response.status, response.json)


def serve(ctx: Context) -> ActionServer:
    """A server whose actions use `ctx` (the tests' database and fixed clock)."""
    runtime.use_context(ctx, TEST_SETTINGS)
    return ActionServer()


def stop_serving() -> None:
    runtime.use_context(None)


async def invite(ctx: Context, role: Role, customer_id: str | None) -> str:
    issued = await accounts.create_invite(ctx, OPERATOR, CreateInvite(role, customer_id))
    return issued.code


def body(
    action: str,
    *,
    sender_id: str,
    slots: Mapping[str, Any],
    latest_message: Mapping[str, Any],
    events: Iterable[Event],
    active_loop: str | None,
    with_domain: bool = True,
) -> dict[str, Any]:
    """One action call as Rasa 3.6's RemoteAction posts it."""
    event_list = list(events)
    tracker = {
        "sender_id": sender_id,
        "slots": dict(slots),
        "latest_message": dict(latest_message),
        "latest_event_time": event_list[-1]["timestamp"] if event_list else None,
        "followup_action": None,
        "paused": False,
        "events": event_list,
        "latest_input_channel": "rest",
        "active_loop": (
            {"name": active_loop, "is_interrupted": False, "rejected": False} if active_loop else {}
        ),
        "latest_action": {"action_name": "action_listen"},
        "latest_action_name": "action_listen",
    }
    call: dict[str, Any] = {
        "next_action": action,
        "sender_id": sender_id,
        "tracker": tracker,
        "version": RASA_VERSION,
    }
    if with_domain:
        call["domain"] = domain()
    return call


@dataclass
class Dialogue:
    """One sender's conversation as Rasa would keep it, talking to the action server."""

    server: ActionServer
    sender_id: str
    language: str = "de"
    slots: dict[str, Any] = field(default_factory=initial_slots)
    events: list[Event] = field(default_factory=list)
    latest_message: dict[str, Any] = field(default_factory=dict)
    active_loop: str | None = None
    _clock: itertools.count[int] = field(default_factory=itertools.count)

    def __post_init__(self) -> None:
        self.slots["language"] = self.language

    def _stamp(self) -> float:
        return START + next(self._clock)

    def _slot_event(self, name: str, value: Any) -> Event:
        return {"event": "slot", "timestamp": self._stamp(), "name": name, "value": value}

    # -- what Rasa records
    def user(
        self,
        text: str,
        intent: str,
        entities: Mapping[str, Any] | None = None,
        sets: Mapping[str, Any] | None = None,
        confidence: float = 0.97,
    ) -> None:
        """A user message; `sets`: the slots `action_extract_slots` fills from it."""
        parse = {
            "text": text,
            "intent": {"name": intent, "confidence": confidence},
            "entities": [
                {"entity": name, "value": value, "start": 0, "end": len(text), "confidence": 0.9}
                for name, value in (entities or {}).items()
            ],
            "intent_ranking": [{"name": intent, "confidence": confidence}],
        }
        self.latest_message = parse
        self.events.append(
            {
                "event": "user",
                "timestamp": self._stamp(),
                "text": text,
                "parse_data": parse,
                "input_channel": "rest",
                "message_id": f"m{len(self.events)}",
                "metadata": {},
            }
        )
        for name, value in (sets or {}).items():
            self.events.append(self._slot_event(name, value))
            self.slots[name] = value

    def record(self, action: str, reply: Reply) -> None:
        """Log an action and its events on the tracker (`_log_action_on_tracker`)."""
        self.events.append({"event": "action", "timestamp": self._stamp(), "name": action})
        for event in reply.events:
            self.events.append({**event, "timestamp": self._stamp()})
            if event.get("event") == "slot":
                self.slots[event["name"]] = event["value"]
            elif event.get("event") == "active_loop":
                self.active_loop = event.get("name")

    def body(self, action: str, *, with_domain: bool = True) -> dict[str, Any]:
        return body(
            action,
            sender_id=self.sender_id,
            slots=self.slots,
            latest_message=self.latest_message,
            events=self.events,
            active_loop=self.active_loop,
            with_domain=with_domain,
        )

    # -- calls
    async def run(self, action: str) -> Reply:
        """Call an action with the tracker as it stands; record it when it succeeded."""
        reply = await self.server.post(self.body(action))
        if reply.status == 200:
            self.record(action, reply)
        return reply

    async def activate(self, form: str) -> Reply:
        """The form starts: `active_loop`, then the prefilled slots are validated."""
        self.events.append({"event": "active_loop", "timestamp": self._stamp(), "name": form})
        self.active_loop = form
        prefilled = {s: self.slots[s] for s in required_slots(form) if self.slots[s] is not None}
        return await self.validate(form, prefilled)

    async def validate(self, form: str, candidates: Mapping[str, Any]) -> Reply:
        """`validate_<form>` on the candidates, then the next requested slot as Rasa picks it."""
        events = [
            *self.events,
            self._slot_event("requested_slot", self.slots["requested_slot"]),
            {"event": "action", "timestamp": self._stamp(), "name": form},
            *(self._slot_event(name, value) for name, value in candidates.items()),
        ]
        call = body(
            f"validate_{form}",
            sender_id=self.sender_id,
            slots={**self.slots, **candidates},
            latest_message=self.latest_message,
            events=events,
            active_loop=self.active_loop,
        )
        reply = await self.server.post(call)
        if reply.status != 200:
            return reply
        self.record(form, reply)
        self._request_next_slot(form, reply)
        return reply

    def _request_next_slot(self, form: str, reply: Reply) -> None:
        if self.active_loop != form:
            return
        requested = reply.slots().get("requested_slot", ...)
        if requested is ...:
            missing = (s for s in required_slots(form) if self.slots.get(s) is None)
            requested = next(missing, None)
        self.slots["requested_slot"] = requested
        self.events.append(self._slot_event("requested_slot", requested))
        if requested is None:
            self.events.append({"event": "active_loop", "timestamp": self._stamp(), "name": None})
            self.active_loop = None

    async def answer(
        self,
        text: str,
        intent: str,
        sets: Mapping[str, Any] | None = None,
        entities: Mapping[str, Any] | None = None,
        confidence: float = 0.97,
    ) -> Reply:
        """The user answers the active form's question; the form validates what was set."""
        form = self.active_loop
        assert form is not None, "no active form"
        self.user(text, intent, entities, sets, confidence)
        return await self.validate(form, dict(sets or {}))

    @property
    def requested_slot(self) -> Any:
        return self.slots["requested_slot"]


async def linked(
    server: ActionServer, ctx: Context, role: Role, customer_id: str | None, sender_id: str
) -> Dialogue:
    """A dialogue whose sender redeemed an invite through `action_link_account`."""
    dialogue = Dialogue(server, sender_id)
    code = await invite(ctx, role, customer_id)
    dialogue.user(
        f'/link_account{{"invite_code": "{code}"}}',
        "link_account",
        entities={"invite_code": code},
        sets={"invite_code": code},
    )
    reply = await dialogue.run("action_link_account")
    assert reply.status == 200, reply.body
    return dialogue
