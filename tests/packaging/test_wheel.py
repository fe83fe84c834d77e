"""The wheel, installed without editable mode, works outside the repository.

The module builds the wheel from a copy of the source tree (no build/ or *.egg-info left in
the repository), installs it with --no-deps into a new virtual environment and runs every
check from an empty directory without PYTHONPATH. The third-party libraries come from this
interpreter's site-packages through .pth lines, so nothing is downloaded. The editable
install's finder in those site-packages cannot leak in (a .pth file runs only in a site
directory, not in a path another .pth adds); the checks assert where the code came from.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import signal
import site
import socket
import sqlite3
import subprocess
import sys
import sysconfig
import time
import venv
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from bot.emulator import BotApiEmulator
from domain.catalogue import read_catalogue

pytestmark = pytest.mark.packaging

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT_S = 180  # a bound for a busy machine, not a speed check
TOKEN = "123456789:wheel-test-token"
NOT_COPIED = shutil.ignore_patterns(
    ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".*cache", ".hypothesis",
    "*.db", "*.db-*", ".env",
)  # fmt: skip


def _actions_in_domain() -> list[str]:
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    return sorted(domain["actions"])


def _third_party_paths() -> list[str]:
    """Where this interpreter finds libraries (its site-packages, what .pth lines add), except
    the repository itself (PYTHONPATH, pytest's rootdir)."""
    paths = [*site.getsitepackages(), *sys.path]
    environment = Path(sys.prefix).resolve()  # may lie inside the checkout (.venv)
    return [
        p
        for p in dict.fromkeys(paths)
        if p
        and Path(p).is_dir()
        and (
            not Path(p).resolve().is_relative_to(ROOT)
            or Path(p).resolve().is_relative_to(environment)
        )
    ]


def _check(command: list[str], **kwargs: Any) -> None:
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=TIMEOUT_S, check=False, **kwargs
    )
    assert done.returncode == 0, done.stdout + done.stderr


@dataclass(frozen=True)
class Installed:
    """The wheel, the environment it is installed in, and an empty working directory."""

    wheel: Path
    prefix: Path
    workdir: Path

    @property
    def bin(self) -> Path:
        return self.prefix / "bin"

    @property
    def site_packages(self) -> Path:
        return Path(
            sysconfig.get_path("purelib", vars={"base": str(self.prefix)}, scheme="venv")
        ).resolve()

    def database_url(self, name: str) -> str:
        return f"sqlite+aiosqlite:///{self.workdir / name}"

    def env(self, **overrides: str) -> dict[str, str]:
        env = {
            "PATH": f"{self.bin}{os.pathsep}/usr/bin{os.pathsep}/bin",
            "HOME": str(self.workdir),
            "LANG": "C.UTF-8",
            "DATABASE_URL": self.database_url("installed.db"),
        }
        env.update(overrides)
        return env

    def run(
        self, *command: str, stdin: str | None = None, env: Mapping[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [str(self.bin / command[0]), *command[1:]],
            input=stdin,
            capture_output=True,
            text=True,
            cwd=self.workdir,
            env=dict(env or self.env()),
            timeout=TIMEOUT_S,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return done

    def is_installed(self, path: str) -> bool:
        resolved = Path(path).resolve()
        return resolved.is_relative_to(self.site_packages) and not resolved.is_relative_to(ROOT)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    setuptools = tuple(int(p) for p in version("setuptools").split(".")[:2])
    assert setuptools >= (70, 1), "the dev extra brings setuptools>=70.1: pip install -e '.[dev]'"
    base = tmp_path_factory.mktemp("wheel")
    source, dist, prefix, workdir = (base / n for n in ("src", "dist", "env", "work"))
    shutil.copytree(ROOT, source, ignore=NOT_COPIED)
    quiet = ["--quiet", "--isolated", "--disable-pip-version-check", "--no-index", "--no-deps"]
    pip_wheel = ["wheel", *quiet, "--no-build-isolation", "--wheel-dir", str(dist), str(source)]
    _check([sys.executable, "-m", "pip", *pip_wheel])
    (wheel,) = dist.glob("licencebot-*.whl")

    venv.EnvBuilder(with_pip=False, symlinks=os.name != "nt").create(prefix)
    target = Installed(wheel, prefix, workdir)
    target.site_packages.joinpath("third-party.pth").write_text(
        "".join(f"{path}\n" for path in _third_party_paths()), encoding="utf-8"
    )
    # --ignore-installed: the editable install of the repository is visible through the .pth
    # line; pip must neither uninstall it nor count it as this environment's.
    pip_install = ["install", *quiet, "--ignore-installed", str(wheel)]
    _check(
        [str(target.bin / "python"), "-m", "pip", *pip_install],
        cwd=base,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(base)},
    )
    workdir.mkdir()
    return target


PROBE = """
import json, sys
import actions, bot, domain
from bot.nlu_cli import default_messages
from domain.datafiles import data_file, source_tree
from rasa_sdk.executor import ActionExecutor

executor = ActionExecutor()
executor.register_package("actions")
print(json.dumps({
    "modules": [bot.__file__, domain.__file__, actions.__file__],
    "data": [str(data_file("catalog.yaml")), str(data_file("nlu.yml"))],
    "source_tree": source_tree() is not None,
    "messages": default_messages() != [],
    "finders": [repr(finder) for finder in sys.meta_path],
    "actions": sorted(executor.actions),
}))
"""


def test_the_wheel_holds_the_packages_and_their_data(installed: Installed) -> None:
    with zipfile.ZipFile(installed.wheel) as wheel:
        names = set(wheel.namelist())
    assert {n.split("/")[0] for n in names if ".dist-info/" not in n} == {
        "actions",
        "bot",
        "domain",
    }
    assert {
        "domain/data/catalog.yaml",
        "domain/data/nlu.yml",
        "domain/texts/locales/de/LC_MESSAGES/messages.po",
        "domain/texts/locales/en/LC_MESSAGES/messages.po",
        # the Mini App's page, served by the bot itself (no CDN at run time)
        "bot/miniapp/static/index.html",
        "bot/miniapp/static/app.js",
        "bot/miniapp/static/app.css",
    } <= names
    assert "domain/storage/migrations/versions/0001_initial_schema.py" in names


def test_the_code_and_its_data_come_from_the_installed_package(installed: Installed) -> None:
    found = json.loads(installed.run("python", "-c", PROBE).stdout)
    assert all(installed.is_installed(p) for p in found["modules"]), found["modules"]
    shipped = installed.site_packages / "domain" / "data"
    assert [Path(p).resolve() for p in found["data"]] == [
        shipped / "catalog.yaml",
        shipped / "nlu.yml",
    ]
    assert not any("editable" in f.lower() for f in found["finders"]), found["finders"]
    assert (found["source_tree"], found["messages"]) == (False, False)
    assert found["actions"] == _actions_in_domain()


def test_help(installed: Installed) -> None:
    out = installed.run("licencebot", "--help").stdout
    assert "usage: licencebot" in out
    assert all(command in out for command in ("catalog", "run", "chat", "nlu"))


def test_nlu_parse_uses_the_packaged_training_data_and_catalogue(installed: Installed) -> None:
    out = installed.run(
        "licencebot", "nlu", "parse", "Wir brauchen 5 weitere E3-Lizenzen", "--json"
    )
    result = json.loads(out.stdout)
    assert (result["intent"], result["product_sku"]) == ("change_quantity", "M365-E3")
    assert (result["quantity"], result["quantity_relative"]) == (5, True)


def test_chat_seeds_the_demo_from_the_packaged_catalogue(installed: Installed) -> None:
    env = installed.env(DATABASE_URL=installed.database_url("chat.db"))
    chat = installed.run("licencebot", "chat", stdin="1\n/quit\n", env=env)  # [1] Produkte
    assert "Hauptmenü · Demo GmbH" in chat.stdout
    assert "Microsoft 365 E3" in chat.stdout
    assert "Auf Wiedersehen." in chat.stdout
    with contextlib.closing(sqlite3.connect(installed.workdir / "chat.db")) as db:
        loaded = {sku for (sku,) in db.execute("SELECT sku FROM products")}
    assert loaded == {p.sku for p in read_catalogue(ROOT / "data" / "catalog.yaml").products}


async def test_run_answers_through_the_bot_api(installed: Installed) -> None:
    """`licencebot run` (long polling) against the Bot API emulator, as the e2e tests do."""
    log_file = installed.workdir / "run.log"
    async with BotApiEmulator(token=TOKEN) as emu:
        env = installed.env(
            TELEGRAM_BOT_TOKEN=TOKEN,
            TELEGRAM_API_BASE_URL=emu.base_url,
            DATABASE_URL=installed.database_url("run.db"),
        )
        with log_file.open("wb") as output:
            process = await asyncio.create_subprocess_exec(
                str(installed.bin / "licencebot"),
                "run",
                cwd=installed.workdir,
                env=env,
                stdout=output,
                stderr=output,
            )
        ended = asyncio.ensure_future(process.wait())
        try:
            user = emu.user(7001)
            await user.send("/start")
            reply = asyncio.ensure_future(user.wait_reply(timeout=TIMEOUT_S))
            await asyncio.wait({reply, ended}, return_when=asyncio.FIRST_COMPLETED)
            assert not ended.done(), log_file.read_text(encoding="utf-8", errors="replace")
            answer = reply.result()
        finally:
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGTERM)
            await asyncio.wait_for(ended, TIMEOUT_S)
    log = log_file.read_text(encoding="utf-8", errors="replace")
    assert process.returncode == 0, log
    assert answer.plain_text.startswith("Willkommen beim Lizenz-Marketplace")
    catalogue = installed.site_packages / "domain" / "data" / "catalog.yaml"
    assert f"loaded the demo catalogue from {catalogue}" in log


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def _process_group(command: list[str], **kwargs: Any) -> Iterator[subprocess.Popen[bytes]]:
    """A process in a session of its own, killed with its group (Sanic's worker) at the end;
    the action server keeps no state, and a graceful stop of Sanic takes seconds."""
    process = subprocess.Popen(command, start_new_session=True, **kwargs)
    try:
        yield process
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)


def test_the_rasa_action_server_lists_the_domains_actions(installed: Installed) -> None:
    port = _free_port()
    command = [str(installed.bin / "python"), "-m", "rasa_sdk", "--actions", "actions"]
    log = installed.workdir / "action-server.log"
    with (
        log.open("wb") as output,
        _process_group(
            [*command, "--port", str(port)],
            cwd=installed.workdir,
            env=installed.env(SANIC_HOST="127.0.0.1"),
            stdout=output,
            stderr=subprocess.STDOUT,
        ) as server,
    ):
        deadline = time.monotonic() + TIMEOUT_S
        while True:
            assert server.poll() is None, log.read_text(encoding="utf-8", errors="replace")
            try:
                listed = httpx.get(f"http://127.0.0.1:{port}/actions", timeout=2).json()
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the action server did not answer"
                time.sleep(0.2)
    assert sorted(a["name"] for a in listed) == _actions_in_domain()
