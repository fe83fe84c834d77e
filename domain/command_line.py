"""What both command lines share (`licencebot` in bot/cli.py, the action server in
actions/server.py): one-line usage errors and argument types. Standard library only, so
`licencebot --help` stays fast."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING, NoReturn

if TYPE_CHECKING:
    from pydantic import ValidationError


class Parser(argparse.ArgumentParser):
    """Exits with one line (and status 2) on bad arguments, pointing to --help."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see --help)\n")


def whole_number(low: int, high: int, what: str = "a whole number") -> Callable[[str], int]:
    """An argument type: a whole number from `low` to `high`; `what` names it when the text
    is no number at all."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not {what}: {text!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be from {low} to {high}: {text!r}")
        return value

    return parse


port = whole_number(1, 65535, "a port number")
"""A TCP port number, 1 to 65535."""


def configuration_error(exc: ValidationError) -> str:
    """The first invalid setting as one line: `configuration NAME: what is wrong`."""
    first = exc.errors()[0]
    field = ".".join(str(p) for p in first["loc"]).upper()
    return f"configuration {field}: {first['msg'].removeprefix('Value error, ')}"
