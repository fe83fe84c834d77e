"""The catalogue, read from the database at most once per `ttl` seconds per process.

Screens and use cases need the whole catalogue on most updates; reading it cost four statements
each time (issue 11, benchmark 1). It changes only through `catalog load`, usually in another
process (the command line) than the bot's workers, so a change reaches every process within
`ttl` seconds; the process that changes it (and commits) forgets its copy at once. A unit of
work that changed the catalogue reads its own, uncommitted version, never the cached one.
docs/decisions.md, "Benchmarks and faults".
"""

from __future__ import annotations

import time
from collections.abc import Callable

from domain.model import Catalogue

CATALOGUE_TTL_SECONDS = 10.0
CHANGED = "licencebot.catalogue_changed"  # session.info key: this transaction wrote the catalogue


class CatalogueCache:
    def __init__(
        self, ttl: float = CATALOGUE_TTL_SECONDS, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.ttl = ttl
        self._clock = clock
        self._catalogue: Catalogue | None = None
        self._read_at = 0.0
        self.generation = 0  # bumped by every invalidation

    def get(self) -> Catalogue | None:
        """The cached catalogue while it is younger than `ttl`, else None."""
        if self._catalogue is not None and self._clock() - self._read_at < self.ttl:
            return self._catalogue
        return None

    def put(self, catalogue: Catalogue, generation: int, read_at: float) -> None:
        """Keep a catalogue read at `read_at` unless it was invalidated since its read began
        (`generation`): a read that raced a change must not outlive it."""
        if generation == self.generation:
            self._catalogue, self._read_at = catalogue, read_at

    def now(self) -> float:
        return self._clock()

    def invalidate(self) -> None:
        self._catalogue = None
        self.generation += 1
