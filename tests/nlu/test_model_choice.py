"""Issue #10: the intent model and the thresholds of asking are chosen on data/nlu.yml."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from domain.catalogue import read_catalogue
from domain.nlu import evaluation, training_data
from domain.nlu import parser as parser_module
from domain.nlu.classifier import DEFAULT_MODEL, MODELS, IntentClassifier, features_text
from domain.nlu.evaluation import Expected
from domain.nlu.parser import Parser, ParseResult

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = read_catalogue(ROOT / "data" / "catalog.yaml").to_catalogue()
PRODUCTS = {sku: p.name for sku, p in CATALOGUE.products.items()}
ADDONS = {sku: a.name for sku, a in CATALOGUE.addons.items()}


def _outcome(want: str, got: str, confidence: float, second: float) -> tuple[Expected, ParseResult]:
    other = "help" if got != "help" else "greet"
    readings = ((got, confidence), (other, second))
    return Expected("text", want), ParseResult(got, confidence, None, None, None, readings=readings)


def test_the_default_model_is_the_calibrated_svm() -> None:
    assert DEFAULT_MODEL == "svm"
    assert set(MODELS) == {"svm", "logreg"}
    with pytest.raises(ValueError, match="unknown intent model"):
        IntentClassifier("bert")  # type: ignore[arg-type]


@pytest.mark.parametrize("model", MODELS)
def test_each_models_fast_path_computes_what_scikit_learn_computes(model: str) -> None:
    data = training_data.load()
    parser = Parser.train(data, PRODUCTS, ADDONS, model=model)  # type: ignore[arg-type]
    assert parser.classifier.model == model
    for example in data.examples[::25]:
        text = features_text(example.text.lower())
        ours = parser.classifier.probabilities(text)
        theirs = parser.classifier.pipeline.predict_proba([text])[0]
        assert np.allclose(ours, theirs, atol=1e-12)
        assert abs(ours.sum() - 1.0) < 1e-9


def test_a_wrong_action_costs_more_than_a_needless_question() -> None:
    sure_right = [_outcome("greet", "greet", 0.9, 0.05)] * 10
    unsure_right = [_outcome("help", "help", 0.5, 0.2)] * 2  # right, but not sure
    unsure_wrong = [_outcome("help", "list_products", 0.5, 0.2)]  # wrong and not sure
    # (both 0.3 ahead of their second reading: only the confidence tells them from the sure)
    outcomes = sure_right + unsure_right + unsure_wrong
    acting = evaluation.threshold_outcome(outcomes, 0.2, 0.0)
    assert (acting.acted_wrong, acting.asked_needlessly, acting.cost) == (1, 0, 3.0)
    asking = evaluation.threshold_outcome(outcomes, 0.55, 0.0)
    assert (asking.acted_wrong, asking.asked_needlessly, asking.asked_rightly) == (0, 2, 1)
    assert asking.cost == 2.0
    chosen = evaluation.choose_thresholds(outcomes)
    assert chosen.cost == 2.0 and chosen.acted_wrong == 0
    # of the pairs that cost the same, the lowest (which asks least)
    assert (chosen.confidence, chosen.margin) == (0.55, 0.0)


def test_with_nothing_wrong_the_bot_never_asks() -> None:
    outcomes = [_outcome("greet", "greet", 0.3, 0.25)] * 5
    chosen = evaluation.choose_thresholds(outcomes)
    assert (chosen.confidence, chosen.margin, chosen.asked_needlessly) == (0.2, 0.0, 0)


def test_the_parsers_thresholds_are_the_ones_chosen_on_the_validation_folds() -> None:
    """Changing data/nlu.yml means choosing them again (`licencebot nlu evaluate`)."""
    report = evaluation.cross_validation(training_data.load(), PRODUCTS, ADDONS)
    chosen = evaluation.choose_thresholds(report.outcomes)
    assert (chosen.confidence, chosen.margin) == (
        parser_module.CONFIDENCE_THRESHOLD,
        parser_module.MARGIN_THRESHOLD,
    )
    assert chosen.acted_wrong < 0.06 * chosen.cases  # what the bot still gets wrong unasked
