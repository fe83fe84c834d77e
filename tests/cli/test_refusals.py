"""Every refusal: a non-zero exit, exactly one line on stderr, no traceback, no secrets.

Exit 2 is for arguments the parser rejects, 1 for a command that was understood but refused.
The commands below change nothing, so they run side by side on one prepared database and
each test checks one result.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.cli.conftest import Template
from tests.cli.support import Cli, Result, assert_refused, copy_database, describe

PASSWORD = "s3cretpw"
NOT_YAML = "broken.yaml"  # written into the working directory by `results`


@dataclass(frozen=True)
class Case:
    name: str
    args: tuple[str, ...]
    code: int | None  # None: any non-zero exit
    says: str | None = None
    env: Mapping[str, str] = field(default_factory=dict)


def _url(url: str) -> dict[str, str]:
    return {"DATABASE_URL": url}


CASES = [
    # the parser
    Case("no-subcommand", (), 2, "required"),
    Case("unknown-subcommand", ("frobnicate",), 2, "invalid choice"),
    Case("catalog-without-subcommand", ("catalog",), 2),
    Case("orders-without-customer", ("orders", "--json"), 2, "--customer"),
    # customers
    Case("customer-id-with-space", ("customer", "add", "--id", "a b", "--name", "N"), 2, "ids"),
    Case("customer-id-empty", ("customer", "add", "--id", "", "--name", "N"), 2, "ids"),
    Case("customer-id-slash", ("customer", "add", "--id", "a/b", "--name", "N"), 2, "ids"),
    Case("customer-id-too-long", ("customer", "add", "--id", "x" * 65, "--name", "N"), 2, "ids"),
    Case("customer-exists", ("customer", "add", "--id", "acme", "--name", "A"), 1, "already"),
    Case("customer-blank-name", ("customer", "add", "--id", "neu", "--name", "  "), 1, "name"),
    Case(
        "customer-discount-100",
        ("customer", "add", "--id", "neu", "--name", "N", "--discount", "100"),
        2,
        "below 100",
    ),
    # invites
    Case(
        "invite-agent-with-customer",
        ("invite", "--role", "agent", "--customer", "acme"),
        None,
        "leave out --customer",
    ),
    Case("invite-admin-without-customer", ("invite", "--role", "admin"), None, "--customer"),
    Case(
        "invite-unknown-customer",
        ("invite", "--role", "admin", "--customer", "nobody"),
        1,
        "not known",
    ),
    Case("invite-unknown-role", ("invite", "--role", "boss", "--customer", "acme"), 2, "boss"),
    Case(
        "invite-too-many-days",
        ("invite", "--role", "member", "--customer", "acme", "--days", "91"),
        None,
    ),
    # orders and the catalogue
    Case("orders-unknown-customer", ("orders", "--customer", "nobody", "--json"), 1, "not known"),
    Case("catalog-show-unknown-customer", ("catalog", "show", "--customer", "nobody"), 1),
    Case("catalog-load-not-yaml", ("catalog", "load", NOT_YAML), 1, "not valid YAML"),
    Case("catalog-load-missing-file", ("catalog", "load", "no-such.yaml"), 1, "cannot read"),
    # provisioning
    Case("provision-unknown-id", ("provision", "--subscription", "999"), 1, "not found"),
    Case("provision-id-abc", ("provision", "--subscription", "abc"), None, "abc"),
    Case("provision-id-zero", ("provision", "--subscription", "0"), None),
    Case("provision-id-negative", ("provision", "--subscription", "-5"), None),
    Case("provision-id-huge", ("provision", "--subscription", "1000000000000"), None),
    Case("provision-id-beyond-64-bit", ("provision", "--subscription", str(2**63)), None),
    # prices
    Case(
        "price-unknown-customer",
        ("price", "set", "--customer", "nobody", "--sku", "M365-E3", "--price", "1.00"),
        1,
        "not known",
    ),
    Case(
        "price-three-decimals",
        ("price", "set", "--customer", "acme", "--sku", "M365-E3", "--price", "1.234"),
        2,
    ),
    Case(
        "price-and-clear",
        ("price", "set", "--customer", "acme", "--sku", "M365-E3", "--price", "1", "--clear"),
        2,
    ),
    Case(
        "price-absurdly-large",
        ("price", "set", "--customer", "acme", "--sku", "M365-E3", "--price", "1e30"),
        None,
    ),
    # configuration
    Case(
        "unknown-time-zone",
        ("orders", "--customer", "acme"),
        None,
        "TIMEZONE",
        {"TIMEZONE": "Mars/Olympus"},
    ),
    Case(
        "unreachable-postgres",
        ("orders", "--customer", "acme"),
        1,
        "DATABASE_URL",
        _url(f"postgresql+asyncpg://user:{PASSWORD}@127.0.0.1:9/x"),
    ),
    Case(
        "database-url-not-a-url",
        ("orders", "--customer", "acme"),
        None,
        "DATABASE_URL",
        _url("not a database url"),
    ),
    Case(
        "database-url-bad-port",
        ("orders", "--customer", "acme"),
        None,
        "DATABASE_URL",
        _url(f"postgresql+asyncpg://user:{PASSWORD}@127.0.0.1:notaport/x"),
    ),
    Case(
        "database-url-without-async-driver",
        ("orders", "--customer", "acme"),
        None,
        "DATABASE_URL",
        _url(f"postgresql://user:{PASSWORD}@127.0.0.1:9/x"),
    ),
    # issue 19 (6): Telegram's alphabet, at least 16 characters, the value never echoed
    Case(
        "webhook-secret-too-short",
        ("orders", "--customer", "acme"),
        None,
        "WEBHOOK_SECRET: use 16-256 characters",
        {"WEBHOOK_SECRET": PASSWORD},
    ),
    Case(
        "webhook-secret-outside-telegrams-alphabet",
        ("orders", "--customer", "acme"),
        None,
        "WEBHOOK_SECRET: use 16-256 characters",
        {"WEBHOOK_SECRET": f"{PASSWORD} with spaces/and+more"},
    ),
]


@pytest.fixture(scope="module")
def results(
    prepared_template: Template, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Result]:
    directory: Path = tmp_path_factory.mktemp("refusals")
    copy_database(prepared_template.directory, directory)
    (directory / NOT_YAML).write_text("version: 1\nproducts: [\n", encoding="utf-8")
    cli = Cli(directory)
    done = cli.run_many([(case.args, case.env) for case in CASES])
    return {case.name: result for case, result in zip(CASES, done, strict=True)}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_a_refused_command_exits_non_zero_with_one_line_and_no_traceback(
    case: Case, results: dict[str, Result]
) -> None:
    result = results[case.name]

    assert_refused(result, case.code, says=case.says)
    assert PASSWORD not in result.stdout + result.stderr, describe(result)
    assert result.stderr.startswith("licencebot"), describe(result)
