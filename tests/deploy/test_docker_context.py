"""The Dockerfile copies only what the build context (after .dockerignore) holds, and that
is enough for a complete, non-editable install."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from docker.utils.build import exclude_paths

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    text = re.sub(r"\\\n\s*", " ", DOCKERFILE.read_text(encoding="utf-8"))
    found = []
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            keyword, _, rest = line.strip().partition(" ")
            found.append((keyword.upper(), rest.strip()))
    return found


def copied_sources() -> list[str]:
    """Sources of COPY/ADD from the build context (not `--from=` another stage)."""
    sources: list[str] = []
    for keyword, rest in instructions():
        if keyword in ("COPY", "ADD"):
            words = rest.split()
            if any(w.startswith("--from") for w in words):
                continue
            sources.extend(w for w in words[:-1] if not w.startswith("--"))
    return sources


def context_files() -> set[str]:
    lines = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    patterns = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    included: set[str] = exclude_paths(str(ROOT), patterns)
    return included


def test_every_copied_source_is_in_the_build_context() -> None:
    sources = copied_sources()
    assert sources == [
        "pyproject.toml",
        "setup.py",
        "README.md",
        "bot",
        "domain",
        "actions",
        "data",
    ]
    included = context_files()
    for source in sources:
        path = ROOT / source
        assert path.exists(), source
        assert source in included, f"{source} is excluded by .dockerignore"
        if path.is_dir():
            for file in path.rglob("*"):
                relative = file.relative_to(ROOT).as_posix()
                if file.is_file() and "__pycache__" not in file.parts:
                    assert relative in included, f"{relative} is excluded by .dockerignore"


def test_nothing_secret_or_local_reaches_the_build_context(tmp_path: Path) -> None:
    included = context_files()
    tops = {path.split("/")[0] for path in included}
    assert tops <= {"pyproject.toml", "setup.py", "README.md", "bot", "domain", "actions", "data",
                    "Dockerfile", ".dockerignore"}  # fmt: skip
    assert not [p for p in included if p.endswith((".db", ".db-wal", ".pyc", ".env"))]


def test_the_image_runs_the_non_editable_install_as_a_user_with_a_healthcheck() -> None:
    steps = instructions()
    froms = [rest for keyword, rest in steps if keyword == "FROM"]
    assert all(base.startswith("python:3.11-slim") for base in froms), froms
    runs = " ".join(rest for keyword, rest in steps if keyword == "RUN")
    assert "pip install --no-index --find-links /wheels licencebot" in runs
    assert " -e " not in runs and "--editable" not in runs
    (user,) = [rest for keyword, rest in steps if keyword == "USER"]
    assert user.split(":")[0] not in ("root", "0")
    (healthcheck,) = [rest for keyword, rest in steps if keyword == "HEALTHCHECK"]
    assert "/healthz" in healthcheck
    assert ("ENTRYPOINT", '["licencebot"]') in steps
    assert ("CMD", '["run"]') in steps


@pytest.mark.packaging
def test_the_build_context_makes_a_complete_wheel(tmp_path: Path) -> None:
    """What `pip wheel .` gets inside the image: migrations, catalogues, data, every module."""
    context = tmp_path / "context"
    for relative in context_files():
        source = ROOT / relative
        if source.is_file():
            target = context / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "--wheel-dir", str(tmp_path / "wheels"), str(context)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    (wheel,) = (tmp_path / "wheels").glob("licencebot-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for expected in (
        "actions/server.py",
        "bot/cli.py",
        "domain/storage/backup.py",
        "domain/storage/migrations/versions/0001_initial_schema.py",
        "domain/texts/locales/de/LC_MESSAGES/messages.po",
        "domain/texts/locales/en/LC_MESSAGES/messages.po",
        "domain/data/catalog.yaml",
        "domain/data/nlu.yml",
    ):
        assert expected in names, expected
