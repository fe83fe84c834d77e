"""`make test-dates`: the tests whose processes read the real clock, run at instants that break
date code (issue 16): the turn of the year in Berlin, the end of February in a common and a leap
year, both daylight-saving switches and a day a year from now.

Every other test runs on the fixed clock of tests/conftest.py and cannot depend on the day. The
tests marked `real_clock` start processes of ours (the command line, `licencebot run`, `chat`,
the action server), which read the real clock; here libfaketime (Debian's `faketime` package)
moves that clock for pytest and, through the inherited environment, for every process it
starts. The offset is relative (`FAKETIME=+N` seconds), so all of them read the same instant
and the clock keeps running, and each run first checks that the clock really moved.

    python -m tests.dates [pytest args...]

`TEST_DATES="new year,leap day"` runs only the instants so named (`.ci/run` runs four of the
seven to stay within CI's time; `make test-dates` runs all).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

BERLIN = ZoneInfo("Europe/Berlin")
LIBFAKETIME = next(iter(sorted(Path("/usr/lib").glob("*/faketime/libfaketime.so.1"))), None)
PROBE = "import datetime; print(datetime.datetime.now(datetime.UTC).timestamp())"
SLACK_S = 120  # the probe may start a little after the offset was computed


def instants(now: datetime) -> list[tuple[str, datetime]]:
    """The instants the issue names; Berlin wall times (02:30 on the spring switch does not
    exist and reads as 03:30 CEST; the autumn one is the first 02:30, CEST)."""
    wall = [
        ("new year's eve", datetime(2026, 12, 31, 23, 30, tzinfo=BERLIN)),
        ("new year", datetime(2027, 1, 1, 0, 10, tzinfo=BERLIN)),
        ("end of February", datetime(2027, 2, 28, 23, 59, tzinfo=BERLIN)),
        ("leap day", datetime(2028, 2, 29, 12, 0, tzinfo=BERLIN)),
        ("spring switch", datetime(2027, 3, 28, 2, 30, tzinfo=BERLIN)),
        ("autumn switch", datetime(2027, 10, 31, 2, 30, tzinfo=BERLIN)),
        ("a year from now", now + timedelta(days=365)),
    ]
    return [(name, at.astimezone(UTC)) for name, at in wall]


def faked_env(at: datetime, library: Path) -> dict[str, str]:
    offset = round(at.timestamp() - time.time())
    # Only the real-clock tests run here, and they use SQLite: the CI's demand that PostgreSQL
    # tests ran belongs to the full suite.
    inherited = {k: v for k, v in os.environ.items() if k != "LICENCEBOT_REQUIRE_POSTGRES"}
    return {
        **inherited,
        "LD_PRELOAD": str(library),
        "FAKETIME": f"{offset:+d}",
        "FAKETIME_NO_CACHE": "1",
    }


def check_clock(env: dict[str, str], at: datetime) -> None:
    """The faked clock must really read `at`, or the run would prove nothing."""
    probe = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True
    )
    seen = float(probe.stdout)
    if not -1 <= seen - at.timestamp() < SLACK_S:  # the offset is rounded to a second
        raise SystemExit(f"libfaketime did not move the clock to {at:%Y-%m-%d %H:%M} UTC")


def main(args: list[str]) -> int:
    if LIBFAKETIME is None:
        print("libfaketime is missing: apt-get install faketime", file=sys.stderr)
        return 2
    chosen = [n.strip() for n in os.environ.get("TEST_DATES", "").split(",") if n.strip()]
    every = instants(datetime.now(UTC))
    unknown = set(chosen) - {name for name, _ in every}
    if unknown:
        print(f"TEST_DATES names no instant: {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    runs = [(name, at) for name, at in every if not chosen or name in chosen]
    failed: list[str] = []
    for name, at in runs:
        env = faked_env(at, LIBFAKETIME)
        check_clock(env, at)
        local = at.astimezone(BERLIN)
        print(f"\n=== {name}: {local:%Y-%m-%d %H:%M %Z} ({at:%Y-%m-%d %H:%M} UTC)", flush=True)
        command = [sys.executable, "-m", "pytest", "-m", "real_clock", "-q", *args]
        if subprocess.run(command, env=env, check=False).returncode != 0:
            failed.append(name)
    print(f"\ninstants held: {len(runs) - len(failed)} of {len(runs)}")
    for name in failed:
        print(f"  failed at: {name}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
