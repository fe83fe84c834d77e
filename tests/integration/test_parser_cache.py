"""The trained parser on disk (issue 11, start-up): a restart loads it instead of training; new
training data is a new entry; a damaged or unwritable cache costs a training, never a start."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from domain.nlu import training_data
from domain.nlu.parser import Parser
from domain.services import understanding
from domain.services.context import Context
from tests.conftest import Seed

ORDER = "5 Lizenzen Microsoft 365 E3 bestellen"


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(understanding.CACHE_DIR_ENV, str(folder))
    monkeypatch.setattr(understanding, "_TRAINED", {})  # as in a new process
    return folder


def _entries(folder: Path, pattern: str = "parser-*") -> list[Path]:
    return list(folder.glob(pattern))


def _old_entries(folder: Path, count: int) -> None:
    folder.mkdir(parents=True)
    for number in range(count):
        old = folder / f"parser-old{number}"
        old.write_bytes(b"from an earlier version")
        os.utime(old, (1_000_000 + number, 1_000_000 + number))


def _no_training(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: object) -> Parser:
        raise AssertionError("trained although the cache had the parser")

    monkeypatch.setattr(Parser, "from_file", refuse)


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)
async def test_a_restart_loads_the_parser_and_new_training_data_trains_again(
    ctx: Context, seed: Seed, cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "nlu.yml"
    shutil.copyfile(training_data.DEFAULT_PATH, data)
    trained = await understanding.train_parser(ctx, data)
    assert len(_entries(cache)) == 1
    assert not _entries(cache, ".parser-*")  # no temporary file left behind

    with monkeypatch.context() as restarted:
        restarted.setattr(understanding, "_TRAINED", {})
        _no_training(restarted)
        loaded = await understanding.train_parser(ctx, data)
    assert loaded is not trained
    assert loaded.parse(ORDER) == trained.parse(ORDER)
    assert loaded.parse(ORDER).product_sku == "M365-E3"

    data.write_text(data.read_text(encoding="utf-8") + "\n", encoding="utf-8")  # other data
    monkeypatch.setattr(understanding, "_TRAINED", {})
    await understanding.train_parser(ctx, data)
    assert len(_entries(cache)) == 2


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)
async def test_a_damaged_cache_entry_is_trained_again_and_replaced(
    ctx: Context, seed: Seed, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = await understanding.train_parser(ctx)
    (entry,) = _entries(cache)
    entry.write_bytes(entry.read_bytes()[:1000])  # cut short, as by a full disk
    monkeypatch.setattr(understanding, "_TRAINED", {})
    again = await understanding.train_parser(ctx)
    read, before = again.parse(ORDER), first.parse(ORDER)
    # trained anew: the same reading (the SVM's solver may differ in the last digits)
    assert (read.intent, read.product_sku, read.quantity) == (
        before.intent,
        before.product_sku,
        before.quantity,
    )
    assert read.confidence == pytest.approx(before.confidence, abs=1e-3)
    monkeypatch.setattr(understanding, "_TRAINED", {})
    _no_training(monkeypatch)
    assert (await understanding.train_parser(ctx)).parse(ORDER) == read  # the replaced entry


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)
async def test_an_unwritable_cache_directory_still_gives_a_parser(
    ctx: Context, seed: Seed, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a directory")
    monkeypatch.setenv(understanding.CACHE_DIR_ENV, str(blocked / "cache"))
    monkeypatch.setattr(understanding, "_TRAINED", {})
    parser = await understanding.train_parser(ctx)
    assert parser.parse(ORDER).intent == "order_product"


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)
async def test_old_entries_are_pruned_to_the_newest_few(
    ctx: Context, seed: Seed, cache: Path
) -> None:
    _old_entries(cache, understanding.KEEP_ENTRIES + 3)
    await understanding.train_parser(ctx)
    kept = sorted(f.name for f in _entries(cache))
    assert len(kept) == understanding.KEEP_ENTRIES
    assert "parser-old0" not in kept  # the oldest went
    assert any(not name.startswith("parser-old") for name in kept)  # the new one stayed
