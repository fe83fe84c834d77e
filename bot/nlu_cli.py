"""`licencebot nlu parse|evaluate`: the free-text parser on the command line."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TextIO

from domain.catalog import read_catalog
from domain.datafiles import data_file, source_tree
from domain.nlu import evaluation, training_data
from domain.nlu.parser import Parser
from domain.services.context import Context
from domain.services.understanding import train_parser


def default_messages() -> Path | None:
    """The repository's tests/nlu/messages.yml; an installed package ships no tests."""
    root = source_tree()
    path = root / "tests" / "nlu" / "messages.yml" if root else None
    return path if path and path.is_file() else None


async def parser_for(ctx: Context) -> Parser:
    """Trained with the live catalogue's names (the demo catalogue while the store is empty)."""
    async with ctx.uow(write=False) as uow:
        empty = await uow.catalog.is_empty()
    if not empty:
        return await train_parser(ctx)
    catalog = read_catalog(data_file("catalog.yaml")).to_catalog()
    return Parser.from_file(
        {sku: p.name for sku, p in catalog.products.items()},
        {sku: a.name for sku, a in catalog.addons.items()},
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
    messages: Path | None,
    as_json: bool,
    out: TextIO = sys.stdout,
    err: TextIO = sys.stderr,
) -> None:
    """Held-out split of data/nlu.yml, then the realistic messages (trained on everything)."""
    data = training_data.load()
    products = {
        sku: name for name, (kind, sku) in parser.matcher.forms.items() if kind == "product"
    }
    addons = {sku: name for name, (kind, sku) in parser.matcher.forms.items() if kind == "addon"}
    reports = [
        evaluation.held_out(data, products, addons),
        evaluation.cross_validation(data, products, addons),
    ]
    if messages is None:
        print(
            "licencebot: no tests/nlu/messages.yml outside the repository: judging the "
            "held-out split of data/nlu.yml only (--messages FILE adds labelled messages)",
            file=err,
        )
    else:
        reports.append(
            evaluation.judge(
                f"messages in {messages.name}", parser.parse, evaluation.load_messages(messages)
            )
        )
    if as_json:
        print(json.dumps([r.as_json() for r in reports], ensure_ascii=False, indent=2), file=out)
        return
    for report in reports:
        print(f"\n{report.name}", file=out)
        print(
            f"  intent accuracy {report.intent_accuracy:6.1%}   "
            f"entity accuracy {report.entity_accuracy:6.1%}   "
            f"macro-F1 {report.macro_f1:6.1%}",
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
        for mistake in report.mistakes:
            print(f"  ✗ {mistake}", file=out)
