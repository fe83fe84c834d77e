"""The free-text parser: intents, products, add-ons and quantities in German and English."""

from __future__ import annotations

import io
import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from bot import cli, nlu_cli
from domain.catalogue import read_catalogue
from domain.nlu import evaluation, training_data
from domain.nlu.classifier import features_text
from domain.nlu.numbers import find_quantity, normalise_numbers
from domain.nlu.parser import Parser, ParseResult

ROOT = Path(__file__).resolve().parents[2]
MESSAGES = ROOT / "tests" / "nlu" / "messages.yml"
MESSAGES_V2 = ROOT / "tests" / "nlu" / "messages_v2.yml"


@pytest.fixture(scope="module")
def parser() -> Parser:
    catalogue = read_catalogue(ROOT / "data" / "catalog.yaml").to_catalogue()
    return Parser.from_file(
        {sku: p.name for sku, p in catalogue.products.items()},
        {sku: a.name for sku, a in catalogue.addons.items()},
    )


@pytest.mark.parametrize(
    ("text", "intent", "product", "addon", "quantity", "relative"),
    [
        ("Wir brauchen 5 weitere E3-Lizenzen", "change_quantity", "M365-E3", None, 5, True),
        (
            "how many business premium licences do we have?",
            "order_status",
            "M365-BUSINESS-PREMIUM",
            None,
            None,
            False,
        ),
        ("kündige teams essentials", "cancel_product", "TEAMS-ESSENTIALS", None, None, False),
        ("ich will mit einem menschen sprechen", "handoff", None, None, None, False),
        (
            "40 statt 18 Business Standard bitte",
            "change_quantity",
            "M365-BUSINESS-STANDARD",
            None,
            40,
            False,
        ),
        ("buche Copilot für zehn Nutzer", "book_addon", None, "COPILOT", 10, False),
        ("please reduce our E5 by two", "change_quantity", "M365-E5", None, -2, True),
        ("one more E3 please", "change_quantity", "M365-E3", None, 1, True),
        (
            "Microsoft 365 Buisness Premium bestellen, zwölf Stück",
            "order_product",
            "M365-BUSINESS-PREMIUM",
            None,
            12,
            False,
        ),
        ("kündige Exchange Onlne Plan 2", "cancel_product", "EXO-P2", None, None, False),
    ],
)
def test_the_sentences_customers_type_are_understood(
    parser: Parser,
    text: str,
    intent: str,
    product: str | None,
    addon: str | None,
    quantity: int | None,
    relative: bool,
) -> None:
    result = parser.parse(text)
    assert (result.intent, result.product_sku, result.addon_sku) == (intent, product, addon)
    assert (result.quantity, result.quantity_relative) == (quantity, relative)
    assert result.confidence >= 0.45


@pytest.mark.parametrize(
    ("text", "quantity", "relative"),
    [
        ("auf 40 erhöhen", 40, False),
        ("von 18 auf 40", 40, False),
        ("to 25 please", 25, False),
        ("5 more", 5, True),
        ("noch 3", 3, True),
        ("2 weniger", -2, True),
        ("insgesamt 30", 30, False),
        ("bitte zwei PRODUCT mehr", 2, True),
    ],
)
def test_relative_changes_and_new_totals_are_told_apart(
    text: str, quantity: int, relative: bool
) -> None:
    found = find_quantity(normalise_numbers(text, "de"))
    assert found is not None
    assert (found.value, found.relative) == (quantity, relative)


def test_a_relative_change_turns_into_the_new_total() -> None:  # R11
    more = ParseResult("change_quantity", 0.9, "M365-E3", None, 5, quantity_relative=True)
    fewer = ParseResult("change_quantity", 0.9, "M365-E3", None, -2, quantity_relative=True)
    total = ParseResult("change_quantity", 0.9, "M365-E3", None, 40)
    assert (more.new_total(18), fewer.new_total(18), total.new_total(18)) == (23, 16, 40)


def test_brand_numbers_are_not_quantities(parser: Parser) -> None:
    assert parser.parse("Was kostet Microsoft 365 E3?").quantity is None
    assert parser.parse("Bitte 2 Exchange Online Plan 2 Postfächer bestellen").quantity == 2


def test_the_fast_path_computes_what_scikit_learn_computes(parser: Parser) -> None:
    for case in evaluation.load_messages(MESSAGES)[:60]:
        text = features_text(case.text.lower())
        ours = parser.classifier.probabilities(text)
        theirs = parser.classifier.pipeline.predict_proba([text])[0]
        assert np.allclose(ours, theirs, atol=1e-12)


def test_unseen_realistic_messages_meet_the_accuracy_targets(parser: Parser) -> None:
    report = evaluation.judge("messages", parser.parse, evaluation.load_messages(MESSAGES))
    # Issue #10's targets (docs/nlu.md), and no write flow for the wrong product or direction
    assert report.intent_accuracy >= 0.98, report.mistakes
    assert report.entity_accuracy >= 0.99, report.mistakes
    assert report.unsafe_writes == []


def test_the_second_independent_set_meets_issue_18s_targets(parser: Parser) -> None:
    """Withdrawals, costs, problems, complaints, nonsense, add-on changes, member wording."""
    report = evaluation.judge("messages_v2", parser.parse, evaluation.load_messages(MESSAGES_V2))
    assert len(report.outcomes) >= 100
    assert report.intent_accuracy >= 0.98, report.mistakes
    # no write flow for a message that asks for none, for the wrong product or direction, and
    # never a cancellation for a withdrawal (or the other way round)
    assert report.unsafe_writes == []
    assert report.entities["nonsense"].accuracy == 1.0, report.mistakes


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("Kündigung von E1 zurücknehmen", "withdraw_cancellation"),  # issue 18, finding 2
        ("withdraw the cancellation for teams essentials", "withdraw_cancellation"),
        ("Was zahlen wir monatlich insgesamt?", "show_costs"),  # finding 7
        ("Wir haben ein Problem mit Outlook und brauchen Hilfe", "handoff"),
        ("Wir nehmen die Kündigung von Teams Essentials zurück", "withdraw_cancellation"),
        ("Bitte die Kündigung des Add-ons Teams Phone aufheben", "withdraw_cancellation"),
    ],
)
def test_issue_18s_sentences_are_understood(parser: Parser, text: str, intent: str) -> None:
    result = parser.parse(text)
    assert (result.intent, result.uncertain) == (intent, False)


@pytest.mark.parametrize(
    "text",
    [
        "kündigung für exchange online plan 2 bitte",
        "we no longer need Exchange Online Plan 1, cancel it",
        "Ich habe es mir anders überlegt",
    ],
)
def test_without_a_word_that_takes_back_there_is_no_withdrawal(parser: Parser, text: str) -> None:
    assert parser.parse(text).intent != "withdraw_cancellation"


@pytest.mark.parametrize("text", ["asdfgh", "?!?", "jjjjjjj", "qwertz uiop"])
def test_nonsense_is_told_apart(parser: Parser, text: str) -> None:
    result = parser.parse(text)
    assert (result.intent, result.nonsense) == ("out_of_scope", True)


def test_misspelt_and_unseen_words_are_not_nonsense(parser: Parser) -> None:
    for text in ("halo zusammn", "Kostenaufstellung", "Rechnungsübersicht bitte", "ok"):
        assert not parser.parse(text).nonsense, text


def test_the_held_out_split_is_reported_per_intent(parser: Parser) -> None:
    data = training_data.load()
    products = {sku: n for n, (k, sku) in parser.matcher.forms.items() if k == "product"}
    addons = {sku: n for n, (k, sku) in parser.matcher.forms.items() if k == "addon"}
    report = evaluation.held_out(data, products, addons)
    assert set(report.intents) == set(data.intents)
    assert sum(s.total for s in report.intents.values()) == math.ceil(len(data.examples) * 0.2)
    assert report.entity_accuracy >= 0.9


def _cli(tmp_path: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(Path(sys.executable).with_name("licencebot")), "nlu", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
        check=False,
        env={"PATH": "/usr/bin:/bin", "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'n.db'}"},
    )


def test_nlu_parse_prints_the_documented_json(tmp_path: Path) -> None:
    done = _cli(tmp_path, "parse", "kündige teams essentials", "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert {"intent", "confidence", "product_sku", "addon_sku", "quantity"} <= set(data)
    assert (data["intent"], data["product_sku"]) == ("cancel_product", "TEAMS-ESSENTIALS")
    assert 0 <= data["confidence"] <= 1


def test_nlu_parse_reads_one_message_per_line_from_stdin(tmp_path: Path) -> None:
    done = _cli(tmp_path, "parse", "-", "--json", stdin="hallo\nmy orders please\n")
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [line["intent"] for line in lines] == ["greet", "show_orders"]


def test_nlu_evaluate_reports_accuracy(tmp_path: Path) -> None:
    done = _cli(tmp_path, "evaluate", "--json")
    assert done.returncode == 0, done.stderr
    reports = json.loads(done.stdout)
    assert reports[0]["name"] == "held-out 20 % of data/nlu.yml"
    assert [r["name"] for r in reports[2:]] == [
        "messages in messages.yml",
        "messages in messages_v2.yml",
    ]
    assert all(0 <= r["intent_accuracy"] <= 1 for r in reports)
    assert "change_quantity" in reports[0]["intents"]


def test_nlu_evaluate_refuses_a_missing_messages_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'n.db'}")
    assert cli.main(["nlu", "evaluate", "--messages", "nowhere.yml"]) == 1
    assert capsys.readouterr().err == "licencebot: --messages: no such file: nowhere.yml\n"


def test_evaluate_without_messages_judges_the_held_out_split_and_says_so(parser: Parser) -> None:
    """An installed package has no tests/nlu/messages.yml (default_messages() is [])."""
    out, err = io.StringIO(), io.StringIO()
    nlu_cli.evaluate(parser, None, as_json=True, out=out, err=err)
    reports = json.loads(out.getvalue())
    assert [r["name"] for r in reports] == [
        "held-out 20 % of data/nlu.yml",
        "5-fold cross-validation of data/nlu.yml",
    ]
    assert 0 <= reports[1]["macro_f1"] <= 1
    assert "precision" in reports[1]["intents"]["change_quantity"]
    assert len(err.getvalue().splitlines()) == 1
    assert "--messages" in err.getvalue()
