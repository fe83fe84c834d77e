"""Data files in a source tree: the repository's data/, whatever the working directory."""

from __future__ import annotations

from pathlib import Path
from typing import get_args

import pytest

from bot import nlu_cli
from domain.datafiles import DataFile, data_file, source_tree

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name", get_args(DataFile))
def test_a_source_tree_reads_the_repositorys_data_folder(
    name: DataFile, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert data_file(name) == ROOT / "data" / name
    assert data_file(name).is_file()


def test_the_repository_is_the_source_tree_and_has_the_nlu_messages() -> None:
    assert source_tree() == ROOT
    assert nlu_cli.default_messages() == [
        ROOT / "tests" / "nlu" / "messages.yml",
        ROOT / "tests" / "nlu" / "messages_v2.yml",
    ]
