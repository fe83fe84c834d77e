"""`licencebot chat` end to end: a new user orders in the terminal without a token."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.emulator import EmulatedUser
from bot.emulator.terminal import Terminal
from domain.texts.i18n import Translator
from tests.cli.support import clock_env
from tests.e2e.harness import Bot

pytestmark = pytest.mark.real_clock  # processes of ours on the real clock (tests/dates.py)

# The checkout under test: the installed `licencebot` script may import another (editable) one.
ROOT = Path(__file__).resolve().parents[2]


def run_chat(tmp_path: Path, lines: list[str], language: str = "de") -> str:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(ROOT),
        "HOME": str(tmp_path),
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'chat.db'}",
        "DEFAULT_LANGUAGE": language,
        **clock_env(),
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
    # summary: [1] AGB [2] Microsoft-Konto [3] Bestellen (AGB lesen is a link)
    out = run_chat(tmp_path, ["1", "5", "1", "'3", "3", "1", "2", "3", "/quit"])
    assert "Hauptmenü · Demo GmbH" in out
    assert "[1] Produkte  [2] Meine Bestellungen" in out
    assert "Menge: 3 Nutzer" in out
    assert "\n  ⚠ Bitte haken Sie noch an: AGB und Lizenzbedingungen" in out
    assert "✅ Bestellung Nr. 1 ist eingegangen: 3 × Microsoft 365 E3" in out
    assert "Auf Wiedersehen." in out


def test_the_demo_is_ready_again_on_a_second_start(tmp_path: Path) -> None:
    run_chat(tmp_path, ["/quit"])
    out = run_chat(tmp_path, ["2", "/quit"], language="en")
    assert "Main menu · Demo GmbH" in out
    assert "My orders · Demo GmbH" in out
    assert "There is no such button" not in out


async def typed(terminal: Terminal, out: io.StringIO, line: str) -> str:
    """Type one line into the terminal; what it printed in answer."""
    start = len(out.getvalue())
    assert await terminal.handle(line)
    return out.getvalue()[start:]


async def test_the_terminal_shows_alerts_and_toasts(bot: Bot) -> None:
    user = await bot.linked_user(1001)
    assert bot.application is not None
    out = io.StringIO()
    terminal = Terminal(bot.emu, user, Translator("de"), out, [bot.application])
    terminal.show_new()
    # list: [5] Microsoft 365 E3; details: [1] Bestellen; summary: [1] AGB ... [3] Bestellen
    for line in ["/products", "5", "1", "'3"]:
        await typed(terminal, out, line)

    alert = await typed(terminal, out, "3")
    assert alert.startswith(
        "  ⚠ Bitte haken Sie noch an: AGB und Lizenzbedingungen, Anlage eines Microsoft-Kontos."
        "\n[1] ☐ AGB akzeptieren\n"
    )
    ticked = await typed(terminal, out, "1")  # answered without a text: nothing to show
    assert re.match(r"\n🤖 \d+ \(aktualisiert\)\n", ticked)

    await typed(terminal, out, "/language")
    toast = await typed(terminal, out, "2")  # English
    assert re.match(
        r"  ℹ The language is now English.\n\n🤖 \d+ \(aktualisiert\)\nMain menu", toast
    )


def test_the_service_desk_can_be_tried_in_the_terminal(tmp_path: Path) -> None:  # R26
    # admin: menu [4] Service Desk → concern → ticket; /as agent: the desk group's card with
    # [1] Übernehmen [2] Erledigt; the agent's text goes to the ticket's topic; /as admin: the
    # answer arrived in the admin's chat meanwhile.
    out = run_chat(
        tmp_path,
        ["4", "Bitte um Rückruf", "/as agent", "1", "Wir rufen gleich an.", "/as admin", "/quit"],
    )
    assert "Ticket Nr. 1" in out
    assert "👥 Service Desk · #1 · Demo GmbH" in out
    assert "— Sie sind jetzt Demo Service Desk. —" in out
    assert "Demo Service Desk vom Service Desk bearbeitet jetzt Ihr Ticket Nr. 1." in out
    assert "Service Desk · Demo Service Desk · Ticket Nr. 1:\nWir rufen gleich an." in out


def test_a_request_can_be_tried_in_the_terminal(tmp_path: Path) -> None:  # R23
    # member: products → Business Basic → order → 5 → "Anfrage senden"; /as admin: the card;
    # /as agent: /customer finds the customer, its card's buttons are pressable in the agent's
    # own chat (not the desk group), and "Anfrage vorbereiten" opens the choice of kinds.
    out = run_chat(
        tmp_path,
        [
            *("/as member", "/products", "1", "1", "2", "1", "/as admin"),
            *("/as agent", "/customer demo", "4", "/quit"),
        ],
    )
    assert "📨 Anfrage Nr. 1 ist bei Ihren Admins." in out
    assert "📨 Anfrage Nr. 1 von Demo Mitglied" in out
    assert "[1] Genehmigen  [2] Ablehnen" in out
    assert "Demo GmbH · Kundennummer demo" in out
    assert "[4] Anfrage vorbereiten" in out
    assert "[1] Neues Produkt  [2] Menge ändern  [3] Add-On" in out


def test_the_simulated_provisioning_is_the_chats_default(tmp_path: Path) -> None:
    from domain.settings import Settings

    assert Settings().provisioner == "manual"  # `licencebot run`: the service desk provisions
    out = run_chat(tmp_path, ["/as nobody", "/quit"])
    assert "/as und eine dieser Personen: admin, member, agent" in out


async def chat_language(bot: Bot, chat_id: int) -> str | None:
    async with bot.core.uow(write=False) as uow:
        return (await uow.chats.get(chat_id)).language


def terminal_for(bot: Bot, user: EmulatedUser, out: io.StringIO) -> Terminal:
    assert bot.application is not None
    return Terminal(
        bot.emu,
        user,
        Translator("de"),
        out,
        [bot.application],
        language=lambda chat_id: chat_language(bot, chat_id),
    )


async def test_every_message_shows_its_buttons_and_old_ones_can_be_pressed(bot: Bot) -> None:
    # issue 18: buttons under each message; `<message>.<n>` presses one of an older message
    user = await bot.linked_user(1002)
    out = io.StringIO()
    terminal = terminal_for(bot, user, out)
    terminal.show_new()
    listing = await typed(terminal, out, "/products")
    [products] = re.findall(r"🤖 (\d+)\nProduktübersicht", listing)
    assert "[1] Microsoft 365 Business Basic" in listing  # the current screen: plain numbers
    orders = await typed(terminal, out, "/orders")
    assert "Meine Bestellungen" in orders
    old = await typed(terminal, out, f"{products}.5")  # E3 on the older product list
    assert "Microsoft 365 E3" in old and "[1] Bestellen" in old
    missing = await typed(terminal, out, f"{products}.99")
    assert "Diesen Knopf gibt es nicht" in missing


async def test_a_link_button_is_a_link_and_not_numbered(bot: Bot) -> None:
    user = await bot.linked_user(1003)
    out = io.StringIO()
    terminal = terminal_for(bot, user, out)
    terminal.show_new()
    for line in ["/products", "5", "1"]:
        await typed(terminal, out, line)
    summary = await typed(terminal, out, "'3")
    assert "🔗 AGB lesen (Link): https://example.com/agb" in summary
    assert "[3] Bestellen" in summary


async def test_the_terminal_speaks_the_chats_language(bot: Bot) -> None:
    user = await bot.linked_user(1004)
    out = io.StringIO()
    terminal = terminal_for(bot, user, out)
    terminal.show_new()
    await typed(terminal, out, "/language")
    english = await typed(terminal, out, "2")
    assert "(updated)" in english and "(aktualisiert)" not in english
    assert terminal.tr("chat_cli.bye") == "Goodbye."
    missing = await typed(terminal, out, "99")
    assert "There is no such button" in missing


async def test_the_terminal_shows_the_costs_csv(bot: Bot) -> None:  # issue 21
    user = await bot.linked_user(1003)
    assert bot.application is not None
    out = io.StringIO()
    terminal = Terminal(bot.emu, user, Translator("de"), out, [bot.application])
    terminal.show_new()
    await typed(terminal, out, "/costs")
    shown = await typed(terminal, out, "1")  # [1] Als CSV-Datei
    assert "📎 costs-acme-2026-11.csv\n  Monat;Artikelnummer;Produkt;Menge;" in shown
