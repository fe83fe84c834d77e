"""`licencebot actions` as operators start it: a real process on a real port."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.cli.support import LICENCEBOT, Cli, assert_refused, describe
from tests.rasa.action_server import body

TOKEN = "a-long-random-token-for-the-test"
START_TIMEOUT_S = 180  # a bound for a busy machine, not a speed check


def test_listening_on_all_interfaces_without_a_token_is_refused(tmp_path: Path) -> None:
    cli = Cli(tmp_path)
    refused = cli.run("actions", "--host", "0.0.0.0")
    assert_refused(refused, 1, says="refusing to listen on 0.0.0.0 without ACTION_SERVER_TOKEN")
    assert not cli.db_file.exists()  # refused before anything was opened

    short = cli.run("actions", "--host", "0.0.0.0", env={"ACTION_SERVER_TOKEN": "short"})
    assert_refused(short, 1, says="ACTION_SERVER_TOKEN is too short")
    assert_refused(cli.run("actions", "--port", "0"), 2, says="--port")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def running(tmp_path: Path) -> Iterator[str]:
    """`licencebot actions` with a token, on a free loopback port; its base URL."""
    cli = Cli(tmp_path, {"ACTION_SERVER_TOKEN": TOKEN})
    port = _free_port()
    process = subprocess.Popen(
        [str(LICENCEBOT), "actions", "--port", str(port)],
        cwd=tmp_path,
        env=cli.env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            assert process.poll() is None, process.communicate()[0]
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the action server did not start"
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=START_TIMEOUT_S)
        assert TOKEN not in output  # never logged
        assert "Traceback" not in output, output


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_the_server_wants_the_token_rasa_sends(running: str) -> None:
    call = body(
        "action_greet",
        sender_id="rasa-visitor",
        slots={"language": "en"},
        latest_message={"text": "hello", "intent": {"name": "greet", "confidence": 0.9}},
        events=[],
        active_loop=None,
    )
    without = httpx.post(f"{running}/webhook", json=call, timeout=10)
    assert (without.status_code, without.json()) == (401, {"error": "unauthorized"})
    with_token = httpx.post(f"{running}/webhook", params={"token": TOKEN}, json=call, timeout=10)
    assert with_token.status_code == 200, with_token.text
    assert with_token.json()["responses"][0]["text"].startswith("Welcome to the licence")
    ready = httpx.get(f"{running}/readyz", timeout=10)
    assert (ready.status_code, ready.json()) == (200, {"status": "ready", "reason": "ready"})
    metrics = httpx.get(f"{running}/metrics", timeout=10).text
    assert 'licencebot_action_calls_total{action="other",outcome="unauthorized"} 1.0' in metrics
    assert 'licencebot_action_calls_total{action="action_greet",outcome="ok"} 1.0' in metrics
    assert "rasa-visitor" not in metrics


def test_help_answers_without_starting_a_server(tmp_path: Path) -> None:
    """`licencebot actions --help` answers without starting anything."""
    done = Cli(tmp_path).run("actions", "--help")
    assert done.returncode == 0, describe(done)
    assert "--host" in done.stdout
