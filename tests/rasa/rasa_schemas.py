"""Rasa 3.6's own pykwalify schemas, fetched at test time and never committed.

Rasa cannot be installed next to licencebot (it needs Python < 3.11), but its wheel is pure
Python: `pip download` it (no dependencies, no install) into `<repo>/.cache/rasa-<version>/`,
take the schema files and Rasa's pykwalify extension module out of the zip, and validate our
project files exactly the way Rasa 3.6 does in `rasa/shared/utils/validation.py`
(`validate_yaml_schema`): read the YAML with ruamel (YAML 1.2, "safe"+"rt"), merge the file's
schema with the shared `responses.yml` schema, and run pykwalify's `Core` with Rasa's
extension file.

Which schema Rasa applies to which file:
- `domain.yml`: `rasa/shared/utils/schemas/domain.yml` (`Domain.from_yaml`)
- `config.yml`: `rasa/shared/utils/schemas/model_config.yml` (`read_model_configuration`)
- `endpoints.yml`, `credentials.yml`: `rasa/shared/utils/schemas/config.yml` (`read_config_file`)
- training data: a file with a `stories` or `rules` key against `stories.yml` (YAMLStoryReader),
  a file with an `nlu` or `responses` key against `nlu.yml` (RasaYAMLReader); a file with both
  goes through both.
"""

from __future__ import annotations

import functools
import logging
import subprocess
import sys
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from ruamel.yaml import YAML

RASA_VERSION = "3.6.21"
ROOT = Path(__file__).resolve().parents[2]
CACHE_DIR = ROOT / ".cache" / f"rasa-{RASA_VERSION}"
WHEEL_NAME = f"rasa-{RASA_VERSION}-py3-none-any.whl"

# Rasa's `rasa.shared.utils.io.YAML_VERSION` and `LATEST_TRAINING_DATA_FORMAT_VERSION`.
YAML_VERSION = (1, 2)
LATEST_TRAINING_DATA_FORMAT_VERSION = "3.1"

_SCHEMA_DIRS = ("rasa/shared/utils/schemas/", "rasa/shared/nlu/training_data/schemas/")
_EXTENSIONS = "rasa/shared/utils/pykwalify_extensions.py"
_PIP_TIMEOUT_SECONDS = 300


class SchemasUnavailableError(RuntimeError):
    """Rasa's wheel could not be obtained (typically: no network and no cached wheel)."""


@dataclass(frozen=True)
class RasaSchemas:
    """Paths of the extracted schema files."""

    root: Path

    def _path(self, member: str) -> Path:
        return self.root.joinpath(*PurePosixPath(member).parts)

    @property
    def domain(self) -> Path:
        return self._path("rasa/shared/utils/schemas/domain.yml")

    @property
    def stories(self) -> Path:
        return self._path("rasa/shared/utils/schemas/stories.yml")

    @property
    def nlu(self) -> Path:
        return self._path("rasa/shared/nlu/training_data/schemas/nlu.yml")

    @property
    def responses(self) -> Path:
        return self._path("rasa/shared/nlu/training_data/schemas/responses.yml")

    @property
    def model_config(self) -> Path:
        return self._path("rasa/shared/utils/schemas/model_config.yml")

    @property
    def config(self) -> Path:
        return self._path("rasa/shared/utils/schemas/config.yml")

    @property
    def extensions(self) -> Path:
        return self._path(_EXTENSIONS)


def download_wheel(cache_dir: Path = CACHE_DIR) -> Path:
    """The Rasa wheel in `cache_dir`, downloaded with pip unless it is there already."""
    wheel = cache_dir / WHEEL_NAME
    if wheel.is_file():
        if zipfile.is_zipfile(wheel):
            return wheel
        wheel.unlink()  # a broken earlier download
    cache_dir.mkdir(parents=True, exist_ok=True)
    command = [
        sys.executable,
        "-m",
        "pip",
        "download",
        f"rasa=={RASA_VERSION}",
        "--no-deps",
        "--only-binary=:all:",
        "--python-version",
        "3.10",
        "--dest",
        str(cache_dir),
        "--disable-pip-version-check",
        "--no-input",
        "--quiet",
        "--retries",
        "1",
        "--timeout",
        "20",
    ]
    try:
        result = subprocess.run(
            command, capture_output=True, text=True, timeout=_PIP_TIMEOUT_SECONDS, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SchemasUnavailableError(
            f"could not run pip to download rasa=={RASA_VERSION}: {exc}"
        ) from exc
    if result.returncode != 0 or not wheel.is_file():
        output = (result.stderr or result.stdout).strip().splitlines()
        errors = [line for line in output if line.startswith("ERROR")] or output[-1:]
        raise SchemasUnavailableError(
            f"pip could not download rasa=={RASA_VERSION} into {cache_dir} (offline? put "
            f"{WHEEL_NAME} there by hand): " + " | ".join(errors)
        )
    return wheel


def extract_schemas(wheel: Path, dest: Path) -> RasaSchemas:
    """Copy Rasa's schema files and pykwalify extension module out of the wheel."""
    wanted: list[str] = []
    with zipfile.ZipFile(wheel) as archive:
        for member in archive.namelist():
            directory, _, name = member.rpartition("/")
            is_schema = directory + "/" in _SCHEMA_DIRS and name.endswith(".yml")
            if is_schema or member == _EXTENSIONS:
                wanted.append(member)
        for member in wanted:
            target = dest.joinpath(*PurePosixPath(member).parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(archive.read(member))
    schemas = RasaSchemas(dest)
    expected = (
        schemas.domain,
        schemas.stories,
        schemas.nlu,
        schemas.responses,
        schemas.model_config,
        schemas.config,
        schemas.extensions,
    )
    missing = [str(path.relative_to(dest)) for path in expected if not path.is_file()]
    if missing:
        raise SchemasUnavailableError(f"{wheel.name} lacks {', '.join(missing)}")
    return schemas


@functools.cache
def _load_schemas() -> RasaSchemas | SchemasUnavailableError:
    try:
        wheel = download_wheel()
        return extract_schemas(wheel, CACHE_DIR / "extracted")
    except (SchemasUnavailableError, zipfile.BadZipFile, OSError) as exc:
        if isinstance(exc, SchemasUnavailableError):
            return exc
        return SchemasUnavailableError(f"could not read the Rasa wheel: {exc}")


def rasa_schemas() -> RasaSchemas:
    """Rasa's schemas: downloaded once per cache directory, extracted once per process.

    A failure is remembered too, so that an offline run tries pip only once.
    """
    loaded = _load_schemas()
    if isinstance(loaded, SchemasUnavailableError):
        raise loaded
    return loaded


def _is_ascii(text: str) -> bool:
    return all(ord(character) < 128 for character in text)


def read_yaml(content: str, reader_type: str | list[str] = "safe") -> Any:
    """`rasa.shared.utils.io.read_yaml`: ruamel, YAML 1.2, quotes kept, `{}` for empty."""
    if _is_ascii(content):
        # Rasa's own quirk for emojis: in pure-ASCII text, backslash escapes are decoded.
        content = (
            content.encode("utf-8")
            .decode("raw_unicode_escape")
            .encode("utf-16", "surrogatepass")
            .decode("utf-16")
        )
    parser = YAML(typ=reader_type)
    parser.version = YAML_VERSION
    parser.preserve_quotes = True
    return parser.load(content) or {}


def read_yaml_file(path: Path) -> Any:
    """A project file as Rasa reads it (plain Python types)."""
    return read_yaml(path.read_text(encoding="utf-8"))


def validate_yaml_schema(content: str, schema: Path, schemas: RasaSchemas) -> None:
    """`rasa.shared.utils.validation.validate_yaml_schema`; raises pykwalify's SchemaError.

    The error's message lists every violation with its path in the document.
    """
    from pykwalify.core import Core

    # Rasa silences pykwalify's logger the same way; the errors are in the exception.
    logging.getLogger("pykwalify").setLevel(logging.CRITICAL)
    source_data = read_yaml(content, reader_type=["safe", "rt"])
    with warnings.catch_warnings():
        # pykwalify loads extension files with the deprecated `load_module()`.
        warnings.simplefilter("ignore", DeprecationWarning)
        core = Core(
            source_data=source_data,
            # Rasa merges the file's schema with the shared responses schema (`include:
            # responses` in domain.yml and nlu.yml); pykwalify merges schema files the same way.
            schema_files=[str(schema), str(schemas.responses)],
            extensions=[str(schemas.extensions)],
        )
        core.validate(raise_exception=True)


def training_data_schemas(data: Any, schemas: RasaSchemas) -> list[Path]:
    """The schemas Rasa's readers apply to a training data file, by its top-level keys."""
    if not isinstance(data, dict):
        return []
    found: list[Path] = []
    if "stories" in data or "rules" in data:
        found.append(schemas.stories)
    if "nlu" in data or "responses" in data:
        found.append(schemas.nlu)
    return found


def format_version_is_supported(data: Any) -> bool:
    """`validate_training_data_format_version`: a newer `version` makes Rasa skip the file."""
    version = data.get("version") if isinstance(data, dict) else None
    if not version:
        return True  # Rasa reads it as the latest version
    if not isinstance(version, str):
        return False  # stricter than Rasa, which only warns that it must be a string

    def parsed(text: str) -> tuple[int, ...]:
        return tuple(int(part) for part in text.strip("\"'").split("."))

    try:
        return parsed(version) <= parsed(LATEST_TRAINING_DATA_FORMAT_VERSION)
    except ValueError:
        return False
