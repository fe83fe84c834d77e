"""The one translation of what the database driver raises into the domain's words
(`errors.Duplicate`, `errors.StaleWrite`), so the use cases import no SQLAlchemy."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from domain import errors


def raise_translated(exc: BaseException | None) -> None:
    """Raise `exc` in the domain's words if it is a driver error the domain names; anything
    else is left to the caller. Used where a unit flushes or commits (`translated`), for what
    escapes a unit (e.g. from a repository's statement), and by the repositories' saves."""
    if isinstance(exc, StaleDataError):  # a versioned UPDATE found no row (R13)
        raise errors.StaleWrite() from None
    if isinstance(exc, IntegrityError):
        raise errors.Duplicate(type(exc.orig).__name__) from None


@asynccontextmanager
async def translated() -> AsyncIterator[None]:
    try:
        yield
    except Exception as exc:
        raise_translated(exc)
        raise
