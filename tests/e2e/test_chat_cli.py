"""`licencebot chat` end to end: a new user orders in the terminal without a token."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

# The checkout under test: the installed `licencebot` script may import another (editable) one.
ROOT = Path(__file__).resolve().parents[2]


def run_chat(tmp_path: Path, lines: list[str], language: str = "de") -> str:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(ROOT),
        "HOME": str(tmp_path),
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'chat.db'}",
        "DEFAULT_LANGUAGE": language,
    }
    done = subprocess.run(
        [str(Path(sys.executable).with_name("licencebot")), "chat"],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_new_user_orders_in_the_terminal(tmp_path: Path) -> None:
    # menu: [1] Produkte; list: [5] Microsoft 365 E3; details: [1] Bestellen;
    # summary: [1] AGB [2] Microsoft-Konto [3] AGB lesen (link) [4] Bestellen
    out = run_chat(tmp_path, ["1", "5", "1", "'3", "1", "2", "4", "/quit"])
    assert "Hauptmenü · Demo GmbH" in out
    assert "[1] Produkte  [2] Meine Bestellungen" in out
    assert "Menge: 3 Nutzer" in out
    assert "✅ Bestellung Nr. 1 ist eingegangen: 3 × Microsoft 365 E3" in out
    assert "Auf Wiedersehen." in out


def test_the_demo_is_ready_again_on_a_second_start(tmp_path: Path) -> None:
    run_chat(tmp_path, ["/quit"])
    out = run_chat(tmp_path, ["2", "/quit"], language="en")
    assert "Main menu · Demo GmbH" in out
    assert "My orders · Demo GmbH" in out
    assert "There is no such button" not in out
