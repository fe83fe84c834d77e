"""The catalogue file (`data/catalog.yaml`): strict validation with line numbers.

Each mistake is reported as `line N: products[2].price: <reason>` so an operator can fix the
file without reading code.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
)

from domain.model import Addon, Catalogue, Product, SeatCap

_SKU = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9][A-Z0-9-]{0,31}$")]  # fits callback data
_CAP_ID = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")]
_NAME = Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]
_PRICE = re.compile(r"^-?\d{1,7}\.\d{2}$")


class CatalogueFileError(Exception):
    """The file is unreadable or invalid; `problems` lists one line per mistake."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Texts(_Strict):
    de: Annotated[str, StringConstraints(min_length=1, max_length=1000)]
    en: Annotated[str, StringConstraints(min_length=1, max_length=1000)]


def _price(value: Any) -> Decimal:
    if not isinstance(value, str) or not _PRICE.match(value):
        raise ValueError('write the price as a quoted string with two decimals, e.g. "13.92"')
    price = Decimal(value)
    if price <= 0:
        raise ValueError("the price must be greater than 0")
    return price


class SeatCapSpec(_Strict):
    id: _CAP_ID
    name: _NAME
    max_quantity: int = Field(ge=1, le=100_000, strict=True)


class AddonSpec(_Strict):
    sku: _SKU
    name: _NAME
    description: Texts
    price: Decimal

    _check_price = field_validator("price", mode="before")(_price)


class ProductSpec(_Strict):
    sku: _SKU
    name: _NAME
    description: Texts
    price: Decimal
    max_quantity: int | None = Field(default=None, ge=1, le=100_000, strict=True)
    seat_cap: _CAP_ID | None = None
    addons: list[_SKU] = Field(default_factory=list)

    _check_price = field_validator("price", mode="before")(_price)


class CatalogueSpec(_Strict):
    version: int = Field(ge=1, strict=True)
    currency: str
    seat_caps: list[SeatCapSpec] = Field(default_factory=list)
    addons: list[AddonSpec] = Field(default_factory=list)
    products: list[ProductSpec] = Field(min_length=1)

    @field_validator("currency")
    @classmethod
    def _eur_only(cls, value: str) -> str:
        if value != "EUR":
            raise ValueError("only EUR is supported")
        return value

    def to_catalogue(self) -> Catalogue:
        caps = {c.id: SeatCap(c.id, c.name, c.max_quantity) for c in self.seat_caps}
        addons = {
            a.sku: Addon(a.sku, a.name, a.description.model_dump(), a.price) for a in self.addons
        }
        products = {
            p.sku: Product(
                sku=p.sku,
                name=p.name,
                description=p.description.model_dump(),
                list_price=p.price,
                addon_skus=tuple(p.addons),
                max_quantity=p.max_quantity,
                seat_cap=caps[p.seat_cap] if p.seat_cap else None,
                position=index,
            )
            for index, p in enumerate(self.products)
        }
        return Catalogue(products=products, addons=addons)


def _cross_check(spec: CatalogueSpec) -> list[tuple[tuple[Any, ...], str]]:
    """Mistakes that span entries: duplicates and dangling references."""
    problems: list[tuple[tuple[Any, ...], str]] = []
    seen: dict[str, tuple[Any, ...]] = {}
    skus = [("addons", i, a.sku) for i, a in enumerate(spec.addons)] + [
        ("products", i, p.sku) for i, p in enumerate(spec.products)
    ]
    for kind, i, sku in skus:
        if sku in seen:
            problems.append(((kind, i, "sku"), f"SKU {sku} is used twice"))
        seen[sku] = (kind, i)
    cap_ids = [c.id for c in spec.seat_caps]
    for i, cap in enumerate(spec.seat_caps):
        if cap_ids.index(cap.id) != i:
            problems.append((("seat_caps", i, "id"), f"seat cap {cap.id} is defined twice"))
    addon_skus = {a.sku for a in spec.addons}
    for i, product in enumerate(spec.products):
        if product.seat_cap is not None and product.seat_cap not in cap_ids:
            problems.append((("products", i, "seat_cap"), f"unknown seat cap {product.seat_cap}"))
        for j, sku in enumerate(product.addons):
            if sku not in addon_skus:
                problems.append((("products", i, "addons", j), f"unknown add-on {sku}"))
            elif product.addons.index(sku) != j:
                problems.append((("products", i, "addons", j), f"add-on {sku} listed twice"))
    return problems


def _line_of(root: yaml.Node | None, loc: tuple[Any, ...]) -> int | None:
    """1-based line of the deepest node along `loc` that exists in the file."""
    node = root
    line = node.start_mark.line + 1 if node is not None else None
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if k.value == key), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int):
            node = node.value[key] if key < len(node.value) else None
        else:
            node = None
        if node is None:
            break
        line = node.start_mark.line + 1
    return line


def _duplicate_keys(node: yaml.Node | None) -> list[tuple[int, str]]:
    """(line, key) of every key that appears twice in one mapping (YAML would keep the last)."""
    found: list[tuple[int, str]] = []
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            if key.value in seen:
                found.append((key.start_mark.line + 1, str(key.value)))
            seen.add(key.value)
            found.extend(_duplicate_keys(value))
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            found.extend(_duplicate_keys(item))
    return found


def _path(loc: tuple[Any, ...]) -> str:
    text = ""
    for key in loc:
        text += f"[{key}]" if isinstance(key, int) else (f".{key}" if text else str(key))
    return text or "(file)"


def parse_catalogue(text: str, source: str = "catalogue") -> CatalogueSpec:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        reason = getattr(exc, "problem", None) or str(exc)
        raise CatalogueFileError([f"{source}: {where}not valid YAML ({reason})"]) from None
    if not isinstance(data, dict):
        raise CatalogueFileError([f"{source}: the file must be a mapping with products: ..."])
    duplicates = _duplicate_keys(root)
    if duplicates:
        raise CatalogueFileError(
            [f"{source}: line {line}: {key}: given twice; keep one" for line, key in duplicates]
        )

    def report(items: list[tuple[tuple[Any, ...], str]]) -> CatalogueFileError:
        lines = []
        for loc, message in items:
            line = _line_of(root, loc)
            prefix = f"line {line}: " if line is not None else ""
            lines.append(f"{source}: {prefix}{_path(loc)}: {message}")
        return CatalogueFileError(lines)

    try:
        spec = CatalogueSpec.model_validate(data)
    except ValidationError as exc:
        raise report(
            [(tuple(e["loc"]), e["msg"].removeprefix("Value error, ")) for e in exc.errors()]
        ) from None
    problems = _cross_check(spec)
    if problems:
        raise report(problems)
    return spec


def read_catalogue(path: Path) -> CatalogueSpec:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CatalogueFileError([f"{path}: cannot read the file ({exc.strerror})"]) from None
    except UnicodeDecodeError:
        raise CatalogueFileError([f"{path}: the file is not UTF-8 text"]) from None
    return parse_catalogue(text, str(path))
