"""deploy/compose.yaml: valid Compose, and the services the issue asks for, wired safely.

`docker compose config` validates it where the Compose plugin is installed; everywhere the
file is checked against the Compose Specification's JSON schema (the copy vendored by
check-jsonschema) and against what licencebot reads.
"""

from __future__ import annotations

import importlib.resources
import json
import re
import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from domain.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
COMPOSE = DEPLOY / "compose.yaml"
INTERFACES = ROOT / "docs" / "interfaces.md"
LICENCEBOT_SERVICES = ("bot", "actions")


@cache
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    return loaded


def service(name: str) -> dict[str, Any]:
    found: dict[str, Any] = compose()["services"][name]
    return found


def required_variables() -> set[str]:
    """Variables the file needs from `.env`: `${NAME:?message}`."""
    return set(re.findall(r"\$\{(\w+):\?", COMPOSE.read_text(encoding="utf-8")))


def example_values() -> dict[str, str]:
    values = {}
    for line in (DEPLOY / "env.example").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            values[name] = value
    return values


def test_the_file_follows_the_compose_specification() -> None:
    schema_file = importlib.resources.files("check_jsonschema.builtin_schemas.vendor").joinpath(
        "compose-spec.json"
    )
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(schema)(schema)
    errors = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator.iter_errors(compose())
    ]
    assert errors == []


DOCKER = shutil.which("docker")


def _compose_plugin() -> bool:
    if DOCKER is None:
        return False
    probe = subprocess.run([DOCKER, "compose", "version"], capture_output=True, check=False)
    return probe.returncode == 0


@pytest.mark.skipif(
    not _compose_plugin(),
    reason="the Docker Compose plugin is not installed here (the schema test covers the file)",
)
def test_docker_compose_config_accepts_it(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text(
        "\n".join(f"{name}=x" for name in sorted(required_variables())) + "\n", encoding="utf-8"
    )
    done = subprocess.run(
        [str(DOCKER), "compose", "-f", str(COMPOSE), "--env-file", str(env), "config", "--quiet"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def test_postgresql_two_webhook_workers_the_action_server_and_a_proxy() -> None:
    assert set(compose()["services"]) == {"postgres", "redis", "bot", "actions", "proxy", "rasa"}
    bot = service("bot")
    assert bot["command"] == ["run", "--workers", "2"]
    assert bot["environment"]["WEBHOOK_LISTEN"] == "0.0.0.0"
    assert bot["environment"]["WEBHOOK_PORT"] == "8443"
    for variable in ("WEBHOOK_URL", "WEBHOOK_SECRET", "TELEGRAM_BOT_TOKEN"):
        assert bot["environment"][variable].startswith(f"${{{variable}:?"), variable
    actions = service("actions")
    assert actions["command"] == ["actions", "--host", "0.0.0.0", "--port", "5055"]
    assert actions["environment"]["ACTION_SERVER_TOKEN"].startswith("${ACTION_SERVER_TOKEN:?")
    for name in LICENCEBOT_SERVICES:
        built = service(name)
        assert built["build"] == {"context": "..", "dockerfile": "Dockerfile"}
        assert (DEPLOY / built["build"]["context"] / built["build"]["dockerfile"]).is_file()
        url = built["environment"]["DATABASE_URL"]
        assert url.startswith("postgresql+asyncpg://licencebot:${POSTGRES_PASSWORD:?")
        assert url.endswith("@postgres:5432/licencebot")  # one PostgreSQL for every process
        assert built["depends_on"]["postgres"] == {"condition": "service_healthy"}
    assert service("postgres")["image"].startswith("postgres:")
    # issue 19: the workers share the token's Bot API limits through Redis
    assert bot["depends_on"]["redis"] == {"condition": "service_healthy"}
    assert (
        bot["environment"]["RATE_LIMIT_REDIS_URL"]
        == "${RATE_LIMIT_REDIS_URL:-redis://redis:6379/0}"
    )
    assert service("redis")["image"].startswith("redis:")
    assert "ports" not in service("redis")
    assert service("proxy")["depends_on"] == {"bot": {"condition": "service_healthy"}}


def test_only_the_proxy_is_published_and_the_action_server_on_loopback() -> None:
    assert service("proxy")["ports"] == ["80:80", "443:443"]
    assert service("actions")["ports"] == ["127.0.0.1:5055:5055", "127.0.0.1:5005:5005"]
    assert "ports" not in service("bot")
    assert "ports" not in service("postgres")
    caddyfile = (DEPLOY / "Caddyfile").read_text(encoding="utf-8")
    assert "reverse_proxy bot:8443" in caddyfile
    assert re.search(r"@internal path /healthz /readyz /metrics\s+respond @internal 404", caddyfile)
    mounted = service("proxy")["volumes"][0]
    assert mounted == "./Caddyfile:/etc/caddy/Caddyfile:ro"


def test_rasa_runs_the_shipped_files_with_vouched_senders_only() -> None:  # issue 17
    rasa = service("rasa")
    assert rasa["profiles"] == ["rasa"]
    assert rasa["network_mode"] == "service:actions"  # endpoints.yml's localhost:5055
    assert "--enable-api" not in rasa["command"]
    assert rasa["command"][:5] == [
        "run",
        "--credentials",
        "credentials.yml",
        "--endpoints",
        "endpoints.yml",
    ]
    assert rasa["environment"]["RASA_REST_JWT_SECRET"] == "${RASA_REST_JWT_SECRET:-}"
    mounted = {volume.split(":")[0] for volume in rasa["volumes"]}
    assert {"../credentials.yml", "../endpoints.yml", "../rasa_channels"} <= mounted


def test_every_service_has_a_healthcheck_on_its_own_port() -> None:
    for name, spec in compose()["services"].items():
        assert spec["healthcheck"]["test"][0] == "CMD", name
    assert "http://127.0.0.1:8443/healthz" in " ".join(service("bot")["healthcheck"]["test"])
    assert "http://127.0.0.1:5055/healthz" in " ".join(service("actions")["healthcheck"]["test"])
    assert service("postgres")["healthcheck"]["test"][1] == "pg_isready"


def test_licencebot_gets_only_variables_it_reads() -> None:
    known = {name.upper() for name in Settings.model_fields}
    known |= set(re.findall(r"`([A-Z][A-Z_]+)`", INTERFACES.read_text(encoding="utf-8")))
    for name in LICENCEBOT_SERVICES:
        unknown = set(service(name)["environment"]) - known
        assert unknown == set(), name


def test_the_example_environment_names_every_required_variable() -> None:
    example = example_values()
    assert required_variables() <= set(example)
    secrets = ("POSTGRES_PASSWORD", "TELEGRAM_BOT_TOKEN", "WEBHOOK_SECRET", "ACTION_SERVER_TOKEN")
    assert all(example[name] == "" for name in secrets)  # no sample secret to forget to change


def interpolate(value: str, env: dict[str, str]) -> str:
    """Compose's `${NAME}`, `${NAME:-default}` and `${NAME:?message}`."""

    def one(match: re.Match[str]) -> str:
        name, operator, rest = match.group(1), match.group(2), match.group(3)
        found = env.get(name, "")
        if operator == "-" and not found:
            return rest
        if operator == "?":
            assert found, f"{name} is required: {rest}"
        return found

    return re.sub(r"\$\{(\w+)(?::([-?])([^}]*))?\}", one, value)


@pytest.mark.parametrize("name", LICENCEBOT_SERVICES)
def test_the_containers_environment_is_valid_configuration(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With deploy/env.example's values (and dummies for its empty secrets), every value the
    container gets is accepted, optional ones left empty included."""
    env = {k: v or f"dummy-secret-value-{k.lower()}" for k, v in example_values().items()}
    for optional in ("SERVICE_DESK_CHAT_ID", "TELEGRAM_BOT_USERNAME"):
        env[optional] = ""
    for variable, value in service(name)["environment"].items():
        monkeypatch.setenv(variable, interpolate(str(value), env))
    settings = Settings(_env_file=None)
    assert settings.database_url.startswith("postgresql+asyncpg://licencebot:dummy-secret-value-")
    assert settings.service_desk_chat_id is None
    assert settings.terms_url == "https://example.com/agb-lizenzbedingungen"
    if name == "bot":
        assert settings.webhook_url == "https://bot.example.com/telegram"
        assert settings.webhook_listen == "0.0.0.0"
    else:
        assert settings.action_server_token is not None
