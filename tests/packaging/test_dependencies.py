"""Every third-party import is a declared dependency: the code's in `dependencies`, the
tests' in `dependencies` or the `dev` extra (a transitive install is not a promise)."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
OURS = {"actions", "bot", "domain", "tests"}

pytestmark = pytest.mark.packaging


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared(requirements: list[str]) -> set[str]:
    names = (re.match(r"[A-Za-z0-9._-]+", r) for r in requirements)
    return {_normalise(m.group()) for m in names if m}


def _imports(folder: str) -> set[str]:
    found: set[str] = set()
    for path in (ROOT / folder).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return found - OURS - set(sys.stdlib_module_names)


PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
RUNTIME = _declared(PROJECT["dependencies"])
DEV = _declared(PROJECT["optional-dependencies"]["dev"])


@pytest.mark.parametrize(
    ("folders", "allowed"),
    [(("bot", "domain", "actions"), RUNTIME), (("tests",), RUNTIME | DEV)],
    ids=["code", "tests"],
)
def test_every_imported_library_is_declared(folders: tuple[str, ...], allowed: set[str]) -> None:
    providers = packages_distributions()
    missing = {}
    for module in set().union(*(_imports(f) for f in folders)):
        distributions = {_normalise(d) for d in providers.get(module, [])}
        assert distributions, f"{module} is imported but not installed"
        if not distributions & allowed:
            missing[module] = sorted(distributions)
    assert not missing, f"imported but not declared in pyproject.toml: {missing}"
