"""A real Rasa 3.6 server and `licencebot actions`, started from the repository's files as
shipped, and a client of the JWT-vouched REST channel (rasa_channels/vouched_rest.py).

`make rasa-e2e` provides the Rasa environment (.rasa/venv, `LICENCEBOT_RASA_BIN`); without
it the suite is skipped, so `make test` never needs Rasa. The model is trained once per
content: its name is a hash of domain.yml, config.yml, the Rasa training files and the Rasa
version (.rasa/models/<hash>.tar.gz). Timings and transcripts go to .rasa/report.md.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
import secrets
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
RASA_DIR = ROOT / ".rasa"
MODELS = RASA_DIR / "models"
REPORT = RASA_DIR / "report.md"
RASA_VERSION = "3.6.21"
RASA_FILES = ("domain.yml", "config.yml", "data/nlu.yml", "data/rules.yml", "data/stories.yml")
ACTION_PORT = 5055  # endpoints.yml, as shipped, points at http://localhost:5055/webhook
START_TIMEOUT = 600.0  # seconds a server may take to answer (loading TensorFlow on a busy host)
TURN_TIMEOUT = 300.0

# Warnings of `rasa data validate` and `rasa train` that are intended (docs/rasa.md).
INTENDED_WARNINGS = (
    # payload-only intents: sent as `/link_account{...}` and `/cancel`, never typed
    re.compile(r"The intent 'link_account' is listed in the domain file, but is not found"),
    re.compile(r"The intent 'cancel' is listed in the domain file, but is not found"),
)
WARNING = re.compile(r"UserWarning: (.*)")


def rasa_bin() -> Path | None:
    value = os.environ.get("LICENCEBOT_RASA_BIN")
    return Path(value) if value else None


def unexpected_warnings(output: str) -> list[str]:
    found = [m.group(1).strip() for m in WARNING.finditer(output)]
    return [w for w in found if not any(p.search(w) for p in INTENDED_WARNINGS)]


def model_key() -> str:
    digest = hashlib.sha256(RASA_VERSION.encode())
    for name in RASA_FILES:
        digest.update(name.encode() + b"\0" + (ROOT / name).read_bytes() + b"\0")
    return digest.hexdigest()[:20]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def port_taken(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def sign_jwt(secret: str, subject: str) -> str:
    """An HS256 JWT for `subject`, as the front end that authenticated the person signs it."""
    header = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    claims = b64(json.dumps({"sub": subject, "exp": int(time.time()) + 3600}).encode())
    signed = f"{header}.{claims}".encode()
    signature = hmac.new(secret.encode(), signed, hashlib.sha256).digest()
    return f"{header}.{claims}.{b64(signature)}"


@dataclass
class Timings:
    entries: list[tuple[str, float]] = field(default_factory=list)
    turns: list[float] = field(default_factory=list)

    def add(self, what: str, seconds: float) -> None:
        self.entries.append((what, seconds))


@dataclass
class Report:
    timings: Timings = field(default_factory=Timings)
    transcripts: list[tuple[str, list[str]]] = field(default_factory=list)

    def write(self) -> None:
        lines = ["# Rasa end-to-end run", "", "| step | seconds |", "|---|---|"]
        lines += [f"| {what} | {seconds:.1f} |" for what, seconds in self.timings.entries]
        turns = sorted(self.timings.turns)
        if turns:
            median = turns[len(turns) // 2]
            lines.append(
                f"| turns: {len(turns)}, median / slowest | {median:.2f} / {turns[-1]:.2f} |"
            )
        for title, said in self.transcripts:
            lines += ["", f"## {title}", "", "```", *said, "```"]
        RASA_DIR.mkdir(exist_ok=True)
        REPORT.write_text("\n".join(lines) + "\n", encoding="utf-8")


def run_rasa(rasa: Path, *args: str, log: Path) -> str:
    """A rasa command in the repository's folder; its output (also in `log`)."""
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2"}
    done = subprocess.run(
        [str(rasa), *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    output = done.stdout + done.stderr
    log.write_text(output, encoding="utf-8")
    assert done.returncode == 0, f"rasa {' '.join(args)} failed, see {log}"
    return output


def validate(rasa: Path, report: Report) -> None:
    started = time.perf_counter()
    output = run_rasa(rasa, "data", "validate", log=RASA_DIR / "validate.log")
    report.timings.add("rasa data validate", time.perf_counter() - started)
    assert unexpected_warnings(output) == []


def trained_model(rasa: Path, report: Report) -> Path:
    MODELS.mkdir(parents=True, exist_ok=True)
    key = model_key()
    model = MODELS / f"{key}.tar.gz"
    if model.exists():
        report.timings.add("rasa train (cached model)", 0.0)
        return model
    started = time.perf_counter()
    output = run_rasa(
        rasa,
        "train",
        "--fixed-model-name",
        key,
        "--out",
        str(MODELS),
        log=RASA_DIR / "train.log",
    )
    report.timings.add("rasa train", time.perf_counter() - started)
    assert unexpected_warnings(output) == []
    assert model.exists(), output[-2000:]
    return model


def wait_for(url: str, process: subprocess.Popen[bytes], what: str, log: Path) -> None:
    """Until `url` answers 200 (the process is polled, so a crash fails at once)."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"{what} exited with {process.returncode}, see {log}")
        try:
            if httpx.get(url, timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)  # polling a starting server; not a wait for a result
    raise AssertionError(f"{what} did not answer within {START_TIMEOUT:.0f} s, see {log}")


@dataclass
class Stack:
    rasa_url: str
    database_url: str
    jwt_secret: str
    auth_token: str
    report: Report
    rasa_log: Path

    def token(self, sender: str) -> str:
        return sign_jwt(self.jwt_secret, sender)

    def post(self, text: str, *, bearer: str | None, sender: str | None = None) -> httpx.Response:
        body: dict[str, Any] = {"message": text}
        if sender is not None:
            body["sender"] = sender
        headers = {"Authorization": f"Bearer {bearer}"} if bearer else {}
        return httpx.post(
            f"{self.rasa_url}/webhooks/vouched_rest/webhook",
            json=body,
            headers=headers,
            timeout=TURN_TIMEOUT,
        )


@dataclass
class Chat:
    """One person's conversation: every turn must be answered."""

    stack: Stack
    sender: str
    title: str
    said: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.stack.report.transcripts.append((self.title, self.said))

    def say(self, text: str) -> str:
        started = time.perf_counter()
        reply = self.stack.post(text, bearer=self.stack.token(self.sender))
        self.stack.report.timings.turns.append(time.perf_counter() - started)
        assert reply.status_code == 200, reply.text
        answers = [str(m.get("text")) for m in reply.json() if m.get("text")]
        self.said.append(f"> {text}")
        self.said += [f"< {line}" for answer in answers for line in answer.splitlines()]
        assert answers, f"no reply to {text!r} (sender {self.sender})"
        log = self.stack.rasa_log.read_text(encoding="utf-8", errors="replace")
        assert "Circuit breaker tripped" not in log, f"after {text!r}: Rasa stopped predicting"
        return "\n".join(answers)


def _spawn(args: list[str], cwd: Path, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    out: IO[bytes] = log.open("wb")
    return subprocess.Popen(args, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def running_stack(rasa: Path, workdir: Path, report: Report) -> Iterator[Stack]:
    """Validate, train (or reuse), then `licencebot actions` and `rasa run`, as documented."""
    assert not port_taken(ACTION_PORT), f"port {ACTION_PORT} is in use (endpoints.yml needs it)"
    validate(rasa, report)
    model = trained_model(rasa, report)
    database_url = f"sqlite+aiosqlite:///{workdir / 'licencebot.db'}"
    action_token = secrets.token_hex(24)
    jwt_secret = secrets.token_hex(32)
    auth_token = secrets.token_hex(24)
    actions_env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "ACTION_SERVER_TOKEN": action_token,
        "SERVICE_DESK_CONTACT": "Service Desk: +49 30 555-0",
        "TERMS_URL": "https://example.com/agb",
    }
    actions_log = RASA_DIR / "actions.log"
    started = time.perf_counter()
    actions = _spawn(
        [str(ROOT / ".venv/bin/licencebot"), "actions", "--port", str(ACTION_PORT)],
        workdir,
        actions_env,
        actions_log,
    )
    rasa_log = RASA_DIR / "rasa.log"
    rasa_port = free_port()
    rasa_env = {
        **os.environ,
        "ACTION_SERVER_TOKEN": action_token,
        "RASA_REST_JWT_SECRET": jwt_secret,
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "2",
    }
    server = _spawn(
        [
            str(rasa),
            "run",
            "--model",
            str(model),
            "--port",
            str(rasa_port),
            "--enable-api",
            "--auth-token",
            auth_token,
            "--endpoints",
            "endpoints.yml",
            "--credentials",
            "credentials.yml",
        ],
        ROOT,
        rasa_env,
        rasa_log,
    )
    try:
        wait_for(
            f"http://127.0.0.1:{ACTION_PORT}/readyz", actions, "licencebot actions", actions_log
        )
        report.timings.add("licencebot actions ready", time.perf_counter() - started)
        rasa_url = f"http://127.0.0.1:{rasa_port}"
        wait_for(f"{rasa_url}/webhooks/vouched_rest/", server, "rasa run", rasa_log)
        status = f"{rasa_url}/status?token={auth_token}"
        wait_for(status, server, "rasa run (model)", rasa_log)
        report.timings.add("rasa run: model loaded, serving", time.perf_counter() - started)
        yield Stack(rasa_url, database_url, jwt_secret, auth_token, report, rasa_log)
    finally:
        _stop(server)
        _stop(actions)
        report.write()
