"""The action server's HTTP contract as Rasa sees it, and how the domain context comes to be."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import inspect

from actions import runtime
from actions.conversation import Texts
from domain.settings import Settings
from tests.rasa.action_server import (
    QUIET,
    ROOT,
    TEST_SETTINGS,
    ActionServer,
    Dialogue,
    domain,
)
from tests.storage import sql

pytestmark = QUIET


@pytest.fixture
def server() -> Iterator[ActionServer]:
    """A server that must not reach the database (these calls stop before any action runs)."""
    runtime.use_context(
        None, TEST_SETTINGS.model_copy(update={"database_url": "sqlite+aiosqlite:///"})
    )
    yield ActionServer()
    runtime.use_context(None)


async def test_every_action_of_the_domain_is_registered(server: ActionServer) -> None:
    _, response = await server.app.asgi_client.get("/actions")
    assert response.status == 200
    assert sorted(a["name"] for a in response.json) == sorted(domain()["actions"])


async def test_an_unknown_action_is_404(server: ActionServer) -> None:
    dialogue = Dialogue(server, "someone")
    dialogue.user("hallo", "greet")
    reply = await server.post(dialogue.body("action_does_not_exist"))
    assert reply.status == 404
    assert reply.body["action_name"] == "action_does_not_exist"


async def test_a_form_validation_without_domain_is_449(server: ActionServer) -> None:
    dialogue = Dialogue(server, "someone")
    dialogue.user("5 E3 bestellen", "order_product", sets={"quantity": "5"})
    dialogue.active_loop = "order_form"
    reply = await server.post(dialogue.body("validate_order_form", with_domain=False))
    assert reply.status == 449
    assert reply.body["action_name"] == "validate_order_form"


async def test_validating_a_form_that_is_not_running_is_rejected_with_400(
    server: ActionServer,
) -> None:
    """ActionExecutionRejection: Rasa lets its policies pick another action instead."""
    dialogue = Dialogue(server, "someone")
    dialogue.user("5", "inform", sets={"quantity": "5"})
    dialogue.active_loop = "cancel_form"
    reply = await server.post(dialogue.body("validate_order_form"))
    assert reply.status == 400
    assert reply.body == {
        "error": "order_form is not running",
        "action_name": "validate_order_form",
    }


def test_importing_the_actions_creates_no_context() -> None:
    """No engine at import time: `python -m rasa_sdk --actions actions` starts without one."""
    env = {**os.environ, "DATABASE_URL": "sqlite+aiosqlite:////nonexistent/dir/x.db"}
    probe = (
        "import actions, actions.runtime as r; "
        "from rasa_sdk.executor import ActionExecutor; "
        "e = ActionExecutor(); e.register_package('actions'); "
        "assert r._STATE.context is None and r._STATE.settings is None; "
        "print(len(e.actions))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(len(domain()["actions"]))


async def test_the_context_is_created_and_migrated_on_first_use(tmp_path: Path) -> None:
    database = tmp_path / "lazy.db"
    settings = Settings(
        _env_file=None,  # no .env: the tests do not depend on the machine
        database_url=f"sqlite+aiosqlite:///{database}",
        service_desk_contact="Service Desk: 0800 1",
    )
    runtime.use_context(None, settings)
    try:
        server = ActionServer()
        dialogue = Dialogue(server, "first-visitor")
        dialogue.user("hallo", "greet")
        reply = await server.post(dialogue.body("action_greet"))
        assert reply.status == 200
        assert reply.texts == [Texts("de")("start.unknown", contact="Service Desk: 0800 1")]
        ctx = await runtime.context()
        assert ctx is await runtime.context()
        async with sql(ctx.db).engine.connect() as conn:
            tables = await conn.run_sync(lambda sync: inspect(sync).get_table_names())
        assert {"subscriptions", "users", "alembic_version"} <= set(tables)
        await ctx.db.dispose()
    finally:
        runtime.use_context(None)
