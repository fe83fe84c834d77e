"""Every document the code and the docs cite lives in the repository (issue 20, item 7)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CITED = re.compile(r"\bdocs/[\w./-]+?\.(?:md|txt|json|png)\b")
SOURCES = ("bot", "actions", "domain", "tests", "docs", "deploy", "data")


def citing_files() -> list[Path]:
    files = [ROOT / "README.md", ROOT / "Makefile", ROOT / "domain.yml", ROOT / "config.yml"]
    for folder in SOURCES:
        for path in (ROOT / folder).rglob("*"):
            if path.suffix in {".py", ".md", ".yml", ".yaml", ".txt"} and path.is_file():
                files.append(path)
    return files


def test_every_cited_doc_exists() -> None:
    missing = {
        f"{path.relative_to(ROOT)}: {cited}"
        for path in citing_files()
        for cited in CITED.findall(path.read_text(encoding="utf-8"))
        if not (ROOT / cited).exists()
    }
    assert missing == set()


def test_the_rules_ux_design_and_interfaces_are_in_the_repository() -> None:
    for name in ("rules.md", "ux.md", "design.md", "interfaces.md", "spec/marketplace-help.de.txt"):
        assert (ROOT / "docs" / name).is_file(), name
    rules = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert all(f"- R{n} " in rules for n in range(1, 27))  # R1-R26
