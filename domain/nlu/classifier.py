"""Intent classifier over character and word n-grams (scikit-learn).

Two models are known, both on the same TF-IDF features:

- `svm` (the default since issue #10): a linear SVM whose scores are turned into
  probabilities by sigmoid calibration on 3-fold cross-validated scores (`CalibratedClassifierCV`,
  one SVM trained on everything). About as accurate as the logistic regression and trained
  several times faster (docs/nlu.md, "Classifier").
- `logreg`: the logistic regression used before, kept so that `licencebot nlu evaluate
  --compare` measures the default against it.

Training uses scikit-learn's pipeline. Predicting one message through that pipeline costs
~4 ms of per-call overhead, so `probabilities` applies the fitted vocabularies, idf weights,
coefficients and calibrators directly (same analyzers, same arithmetic; a test checks it
against `predict_proba`), which takes a fraction of that.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.svm import LinearSVC

_DIGITS = re.compile(r"\d+")
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)

Model = Literal["svm", "logreg"]
MODELS: tuple[Model, ...] = ("svm", "logreg")
DEFAULT_MODEL: Model = "svm"
SVM_C = 1.0
CALIBRATION_FOLDS = 3


def features_text(masked: str) -> str:
    """What the classifier sees: lower case, names masked, numbers as one symbol."""
    return _DIGITS.sub(" NUM ", masked).lower()


@dataclass(frozen=True)
class _Block:
    """One fitted TF-IDF vectorizer's part of the feature vector."""

    analyze: Callable[[str], list[str]]
    vocabulary: dict[str, int]
    idf: NDArray[np.float64]
    offset: int


def _features() -> FeatureUnion:
    return FeatureUnion(
        [
            (
                "chars",
                TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True),
            ),
            (
                "words",
                TfidfVectorizer(
                    analyzer="word",
                    ngram_range=(1, 2),
                    sublinear_tf=True,
                    token_pattern=r"(?u)\b\w+\b",  # noqa: S106 - not a password
                ),
            ),
        ]
    )


def _estimator(model: Model) -> LogisticRegression | CalibratedClassifierCV:
    if model == "logreg":
        return LogisticRegression(C=5.0, max_iter=3000)
    return CalibratedClassifierCV(
        LinearSVC(C=SVM_C, random_state=0), method="sigmoid", cv=CALIBRATION_FOLDS, ensemble=False
    )


class IntentClassifier:
    def __init__(self, model: Model = DEFAULT_MODEL) -> None:
        if model not in MODELS:
            raise ValueError(f"unknown intent model {model!r} (known: {', '.join(MODELS)})")
        self.model: Model = model
        self.pipeline = Pipeline([("features", _features()), ("model", _estimator(model))])
        self._blocks: list[_Block] = []
        self._coef: NDArray[np.float64] = np.zeros((0, 0))
        self._intercept: NDArray[np.float64] = np.zeros(0)
        # Sigmoid calibration per class (svm): p = 1 / (1 + exp(a·score + b)), then normalised.
        self._sigmoid_a: NDArray[np.float64] | None = None
        self._sigmoid_b: NDArray[np.float64] | None = None
        self.classes: list[str] = []

    def fit(self, texts: Sequence[str], intents: Sequence[str]) -> IntentClassifier:
        self.pipeline.fit(list(texts), list(intents))
        offset = 0
        self._blocks = []
        for _, vectorizer in self.pipeline.named_steps["features"].transformer_list:
            self._blocks.append(
                _Block(vectorizer.build_analyzer(), vectorizer.vocabulary_, vectorizer.idf_, offset)
            )
            offset += len(vectorizer.vocabulary_)
        model = self.pipeline.named_steps["model"]
        if isinstance(model, CalibratedClassifierCV):
            (calibrated,) = model.calibrated_classifiers_  # ensemble=False: one SVM
            svm: LinearSVC = calibrated.estimator
            self._coef, self._intercept = svm.coef_, svm.intercept_
            self._sigmoid_a = np.array([c.a_ for c in calibrated.calibrators], dtype=np.float64)
            self._sigmoid_b = np.array([c.b_ for c in calibrated.calibrators], dtype=np.float64)
        else:
            self._coef, self._intercept = model.coef_, model.intercept_
            self._sigmoid_a = self._sigmoid_b = None
        self.classes = [str(c) for c in model.classes_]
        return self

    def probabilities(self, text: str) -> NDArray[np.float64]:
        """Class probabilities, as `pipeline.predict_proba([text])[0]` computes them."""
        parts_index: list[NDArray[np.int64]] = []
        parts_value: list[NDArray[np.float64]] = []
        for block in self._blocks:
            lookup = block.vocabulary.get
            counts = Counter(i for i in map(lookup, block.analyze(text)) if i is not None)
            if not counts:
                continue
            index = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
            tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
            weight = (1.0 + np.log(tf)) * block.idf[index]  # sublinear tf × idf
            parts_index.append(index + block.offset)
            parts_value.append(weight / (np.sqrt(weight @ weight) or 1.0))  # l2 per block
        scores = self._intercept.copy()
        if parts_index:
            scores += self._coef[:, np.concatenate(parts_index)] @ np.concatenate(parts_value)
        if self._sigmoid_a is not None and self._sigmoid_b is not None:
            calibrated = 1.0 / (1.0 + np.exp(self._sigmoid_a * scores + self._sigmoid_b))
            total = calibrated.sum()
            if total == 0.0:  # as scikit-learn: every calibrator said zero → uniform
                return np.full(len(calibrated), 1.0 / len(calibrated))
            return np.asarray(calibrated / total, dtype=np.float64)
        scores = np.exp(scores - scores.max())
        result: NDArray[np.float64] = scores / scores.sum()
        return result

    def known_share(self, masked: str) -> float:
        """The share of the message's character trigrams (and longer n-grams) that occur in
        the training data: high for real words, even unseen ones ("Kostenaufstellung"), low
        for keyboard mashing ("asdfgh"); 0.0 without any."""
        block = self._blocks[0]
        grams = [g for g in block.analyze(features_text(masked)) if len(g.strip()) >= 3]
        known = sum(g in block.vocabulary for g in grams)
        return known / len(grams) if grams else 0.0

    def knows_a_word(self, masked: str) -> bool:
        """Whether a word of the message occurs in the training data as it is."""
        words = self._blocks[1].vocabulary
        return any(w in words for w in _WORD.findall(features_text(masked)))
