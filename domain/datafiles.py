"""The data files the code reads: the demo catalogue and the NLU training data.

Both stay in the repository's `data/` folder, where Rasa's project layout wants them. A wheel
carries them as `domain/data/` (setup.py maps the package `domain.data` onto `data/`); a source
tree — a checkout on `sys.path`, or the editable install `make test` uses — has no such folder
inside `domain/` and reads `data/` beside it. Nothing depends on the working directory.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Literal

DataFile = Literal["catalog.yaml", "nlu.yml"]

_SOURCE_ROOT = Path(__file__).resolve().parent.parent


def data_file(name: DataFile) -> Path:
    """`data/<name>`: the installed package's copy if there is one, else the source tree's."""
    shipped = resources.files("domain") / "data" / name
    if isinstance(shipped, Path) and shipped.is_file():
        return shipped
    return _SOURCE_ROOT / "data" / name


def source_tree() -> Path | None:
    """The repository root when the code runs from one; None when it runs from a wheel."""
    return _SOURCE_ROOT if data_file("nlu.yml").parent == _SOURCE_ROOT / "data" else None
