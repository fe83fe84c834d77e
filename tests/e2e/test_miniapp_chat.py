"""`licencebot chat` prints a local link to the Mini App with launch data signed for the current
demo person; the link works (the page's API answers for that person), `/app` gives a fresh one."""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import httpx

from tests.e2e.miniapp import free_port
from tests.e2e.test_chat_cli import ROOT

WAIT_S = 120


class Chat:
    """`licencebot chat` in a subprocess, its output read line by line."""

    def __init__(self, tmp_path: Path, port: int) -> None:
        env = {
            "PATH": os.environ.get("PATH", ""),
            "PYTHONPATH": str(ROOT),
            "HOME": str(tmp_path),
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'chat.db'}",
            "WEBAPP_PORT": str(port),
            "PYTHONUNBUFFERED": "1",  # each line as soon as it is printed
        }
        self.process = subprocess.Popen(
            [str(Path(sys.executable).with_name("licencebot")), "chat"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            cwd=tmp_path,
            env=env,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)

    def type(self, line: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()

    def next_link(self) -> str:
        while True:
            line = self.lines.get(timeout=WAIT_S)
            if "/app/#tgWebAppData=" in line:
                return line.strip()

    def close(self) -> None:
        self.type("/quit")
        assert self.process.wait(WAIT_S) == 0


def overview(link: str) -> httpx.Response:
    page, fragment = link.split("#", 1)
    data = dict(parse_qsl(fragment))["tgWebAppData"]
    return httpx.get(f"{page}api/overview", headers={"Authorization": f"tma {data}"}, timeout=30)


def test_the_chat_prints_a_working_link_for_the_current_person(tmp_path: Path) -> None:
    port = free_port()
    chat = Chat(tmp_path, port)
    try:
        admin_link = chat.next_link()
        assert urlsplit(admin_link).netloc == f"127.0.0.1:{port}"
        as_admin = overview(admin_link)
        assert as_admin.status_code == 200
        assert as_admin.json()["customer"]["name"] == "Demo GmbH"
        assert as_admin.json()["full"] is True
        chat.type("/as member")
        chat.type("/app")
        as_member = overview(chat.next_link())
        assert as_member.status_code == 200
        assert as_member.json()["full"] is False  # a member sees their own requests only
        page = httpx.get(admin_link.split("#")[0], timeout=30)
        assert page.status_code == 200 and "app.js" in page.text
    finally:
        chat.close()
