"""Understanding typed text: the free-text parser trained on data/nlu.yml, and the names of
the live catalogue (both front ends resolve products and add-ons through them)."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import pickle
import sys
import tempfile
from importlib import metadata
from pathlib import Path

from domain import nlu
from domain.nlu import training_data
from domain.nlu.names import CatalogueNames
from domain.nlu.parser import Parser
from domain.private_files import private_folder
from domain.services.context import Context

log = logging.getLogger(__name__)

# Trained parsers by (training data, catalogue names): a worker or test that starts the bot
# again with the same inputs reuses the model instead of training for another second.
_TRAINED: dict[str, Parser] = {}


async def train_parser(ctx: Context, path: Path = training_data.DEFAULT_PATH) -> Parser:
    """Training takes about a second; it runs in a worker thread, off the event loop."""
    async with ctx.uow(write=False) as uow:
        catalogue = await uow.catalogue.load()
    products = {sku: p.name for sku, p in catalogue.products.items()}
    addons = {sku: a.name for sku, a in catalogue.addons.items()}
    data = await asyncio.to_thread(path.read_bytes)
    names = repr(sorted(products.items()) + sorted(addons.items())).encode()
    key = hashlib.sha256(data + names).hexdigest()
    if key not in _TRAINED:
        _TRAINED[key] = await asyncio.to_thread(_cached, key, products, addons, path)
    return _TRAINED[key]


# -- the trained parser on disk, so that a restart loads it in milliseconds (issue 11, 7)
CACHE_DIR_ENV = "LICENCEBOT_CACHE_DIR"


def cache_dir() -> Path:
    """LICENCEBOT_CACHE_DIR, else the user's cache directory (XDG): ~/.cache/licencebot."""
    configured = os.environ.get(CACHE_DIR_ENV)
    if configured:
        return Path(configured)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "licencebot"


def _code_version() -> bytes:
    """The parser's code and the libraries whose objects are stored: a change to either is a
    new cache entry (never an old model read by new code)."""
    digest = hashlib.sha256(sys.version.encode())
    for library in ("scikit-learn", "numpy", "scipy", "rapidfuzz"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            digest.update(f"{library}={metadata.version(library)}".encode())
    for source in sorted(Path(nlu.__file__).parent.glob("*.py")):
        digest.update(source.name.encode() + source.read_bytes())
    return digest.digest()


def _cached(key: str, products: dict[str, str], addons: dict[str, str], path: Path) -> Parser:
    """The parser from the disk cache, or trained and stored there (written atomically). A
    cache that cannot be read or written is passed by: the parser is trained as before."""
    try:
        folder = cache_dir()
    except (RuntimeError, KeyError):  # no home directory and no LICENCEBOT_CACHE_DIR
        return Parser.from_file(products, addons, path)
    file = folder / f"parser-{hashlib.sha256(key.encode() + _code_version()).hexdigest()}"
    try:
        with file.open("rb") as stored:
            parser = pickle.load(stored)  # noqa: S301 - our own file in our own cache directory
        if isinstance(parser, Parser):
            return parser
        log.info("parser cache %s holds something else; training", file)
    except FileNotFoundError:
        pass
    except Exception as exc:  # unreadable, truncated, from another version: train again
        log.info("parser cache %s not usable (%s); training", file, type(exc).__name__)
    parser = Parser.from_file(products, addons, path)
    try:
        _store(parser, file)
    except OSError as exc:  # a read-only or full disk: next start trains again
        log.info("parser cache %s not written (%s)", file.parent, type(exc).__name__)
    return parser


def _store(parser: Parser, file: Path) -> None:
    """Write beside the target, then rename: a reader sees the whole file or none."""
    private_folder(file.parent)  # the parser holds catalogue and training data: ours only
    descriptor, temporary = tempfile.mkstemp(dir=file.parent, prefix=".parser-")
    try:
        with os.fdopen(descriptor, "wb") as out:
            pickle.dump(parser, out, protocol=pickle.HIGHEST_PROTOCOL)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, file)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    _prune(file.parent)


KEEP_ENTRIES = 8  # several catalogues or versions side by side; older entries go


def _prune(folder: Path) -> None:
    entries = sorted(folder.glob("parser-*"), key=lambda f: f.stat().st_mtime, reverse=True)
    for old in entries[KEEP_ENTRIES:]:
        with contextlib.suppress(OSError):
            old.unlink()


async def catalogue_names(ctx: Context) -> CatalogueNames:
    """Products and add-ons of the catalogue as it is now, by every name users type."""
    async with ctx.uow(write=False) as uow:
        catalogue = await uow.catalogue.load()
    return CatalogueNames.of(catalogue)
