"""`licencebot nlu parse|evaluate`: the free-text parser on the command line."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from domain.catalogue import read_catalogue
from domain.datafiles import data_file, source_tree
from domain.nlu import evaluation, training_data
from domain.nlu import parser as parser_module
from domain.nlu.classifier import DEFAULT_MODEL, MODELS, Model
from domain.nlu.parser import Parser
from domain.services.context import Context
from domain.services.understanding import train_parser

# The labelled message sets in the repository: the first (issues #7, #10) and the second,
# written for issue 18 before its tuning (docs/nlu.md).
MESSAGE_SETS = ("messages.yml", "messages_v2.yml")


def default_messages() -> list[Path]:
    """The repository's tests/nlu message sets; an installed package ships no tests."""
    root = source_tree()
    paths = [root / "tests" / "nlu" / name for name in MESSAGE_SETS] if root else []
    return [path for path in paths if path.is_file()]


async def parser_for(ctx: Context) -> Parser:
    """Trained with the live catalogue's names (the demo catalogue while the store is empty)."""
    async with ctx.uow(write=False) as uow:
        empty = await uow.catalogue.is_empty()
    if not empty:
        return await train_parser(ctx)
    catalogue = read_catalogue(data_file("catalog.yaml")).to_catalogue()
    return Parser.from_file(
        {sku: p.name for sku, p in catalogue.products.items()},
        {sku: a.name for sku, a in catalogue.addons.items()},
    )


def parse(parser: Parser, text: str, as_json: bool, out: TextIO = sys.stdout) -> None:
    texts = (line.rstrip("\n") for line in sys.stdin) if text == "-" else iter([text])
    for message in texts:
        result = parser.parse(message)
        if as_json:
            print(json.dumps(result.as_json(), ensure_ascii=False), file=out, flush=True)
        else:
            print(
                f"{result.intent} ({result.confidence:.2f}) product={result.product_sku} "
                f"addon={result.addon_sku} quantity={result.quantity}"
                f"{' (relative)' if result.quantity_relative else ''}",
                file=out,
                flush=True,
            )


def evaluate(
    parser: Parser,
    messages: Sequence[Path] | Path | None,
    as_json: bool,
    out: TextIO = sys.stdout,
    err: TextIO = sys.stderr,
    compare: bool = False,
) -> None:
    """Held-out split and cross-validation of data/nlu.yml (whose validation folds choose the
    thresholds), then the realistic messages (trained on everything). `compare` adds the
    cross-validation of every other intent model, with its training time."""
    data = training_data.load()
    products = {
        sku: name for name, (kind, sku) in parser.matcher.forms.items() if kind == "product"
    }
    addons = {sku: name for name, (kind, sku) in parser.matcher.forms.items() if kind == "addon"}
    cv = evaluation.cross_validation(data, products, addons)
    reports = [evaluation.held_out(data, products, addons), cv]
    if isinstance(messages, Path):
        messages = [messages]
    if not messages:
        print(
            "licencebot: no tests/nlu/messages.yml outside the repository: judging the "
            "held-out split of data/nlu.yml only (--messages FILE adds labelled messages)",
            file=err,
        )
    for path in messages or []:
        reports.append(
            evaluation.judge(
                f"messages in {path.name}", parser.parse, evaluation.load_messages(path)
            )
        )
    chosen = evaluation.choose_thresholds(cv.outcomes)
    in_use = evaluation.threshold_outcome(
        cv.outcomes, parser_module.CONFIDENCE_THRESHOLD, parser_module.MARGIN_THRESHOLD
    )
    timings = {DEFAULT_MODEL: _training_seconds(data, products, addons, DEFAULT_MODEL)}
    if compare:
        for model in MODELS:
            if model != DEFAULT_MODEL:
                reports.append(evaluation.cross_validation(data, products, addons, model))
                timings[model] = _training_seconds(data, products, addons, model)
    if as_json:
        document = [r.as_json() for r in reports]
        document[1]["thresholds"] = {"chosen": chosen.as_json(), "in_use": in_use.as_json()}
        document[1]["training_seconds"] = {k: round(v, 3) for k, v in timings.items()}
        print(json.dumps(document, ensure_ascii=False, indent=2), file=out)
        return
    for report in reports:
        _print_report(report, out)
    print("\nthresholds (chosen on the validation folds of the cross-validation)", file=out)
    for label, choice in (("chosen", chosen), ("in use", in_use)):
        print(
            f"  {label:<6} confidence < {choice.confidence:.2f} or margin < {choice.margin:.2f}: "
            f"acts right {choice.acted_right}, acts wrong {choice.acted_wrong}, "
            f"asks needlessly {choice.asked_needlessly}, asks rightly {choice.asked_rightly} "
            f"of {choice.cases} (cost {choice.cost:g})",
            file=out,
        )
    if (chosen.confidence, chosen.margin) != (in_use.confidence, in_use.margin):
        print("  the parser's thresholds are not the chosen ones (domain/nlu/parser.py)", file=out)
    for model, seconds in timings.items():
        print(f"  training on data/nlu.yml ({model}): {seconds:.2f} s", file=out)


def _training_seconds(
    data: training_data.TrainingData,
    products: dict[str, str],
    addons: dict[str, str],
    model: Model,
) -> float:
    start = time.perf_counter()
    Parser.train(data, products, addons, model=model)
    return time.perf_counter() - start


def _print_report(report: evaluation.Report, out: TextIO) -> None:
    print(f"\n{report.name}", file=out)
    print(
        f"  intent accuracy {report.intent_accuracy:6.1%}   "
        f"entity accuracy {report.entity_accuracy:6.1%}   "
        f"macro-F1 {report.macro_f1:6.1%}   "
        f"asked {report.asked}/{len(report.outcomes)}   "
        f"unsafe writes {len(report.unsafe_writes)}",
        file=out,
    )
    for name, score in sorted(report.intents.items()):
        print(
            f"  intent {name:<16} precision {report.precision(name):6.1%}  "
            f"recall {score.accuracy:6.1%}  ({score.right}/{score.total})",
            file=out,
        )
    for (want, got), count in report.confusions.most_common():
        print(f"  confused {want} → {got}: {count}", file=out)
    for name, score in sorted(report.entities.items()):
        print(
            f"  entity {name:<16} {score.accuracy:6.1%}  ({score.right}/{score.total})",
            file=out,
        )
    for unsafe in report.unsafe_writes:
        print(f"  ✗✗ unsafe write: {unsafe}", file=out)
    for mistake in report.mistakes:
        print(f"  ✗ {mistake}", file=out)
