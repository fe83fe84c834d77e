"""What both command lines share (`licencebot` in bot/cli.py, the action server in
actions/server.py): one-line usage errors and argument types. Standard library only, so
`licencebot --help` stays fast."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, NoReturn

if TYPE_CHECKING:
    from pydantic import ValidationError


class Parser(argparse.ArgumentParser):
    """Exits with one line (and status 2) on bad arguments, pointing to --help."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see --help)\n")


def port(text: str) -> int:
    """A TCP port number, 1 to 65535."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"must be from 1 to 65535: {text!r}")
    return value


def configuration_error(exc: ValidationError) -> str:
    """The first invalid setting as one line: `configuration NAME: what is wrong`."""
    first = exc.errors()[0]
    field = ".".join(str(p) for p in first["loc"]).upper()
    return f"configuration {field}: {first['msg'].removeprefix('Value error, ')}"
