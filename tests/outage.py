"""A database that goes away and comes back: a TCP forwarder on 127.0.0.1 in front of the test
server. `cut()` closes the port and every open connection (the server "is down"), `restore()`
listens on the same port again."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.engine import make_url


class Switch:
    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.port = 0
        self._server: asyncio.Server | None = None
        self._pipes: set[asyncio.Task[None]] = set()
        self._writers: set[asyncio.StreamWriter] = set()

    async def restore(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def cut(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        for writer in list(self._writers):
            writer.close()
        for pipe in list(self._pipes):
            pipe.cancel()
        await asyncio.gather(*self._pipes, return_exceptions=True)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.close()
            return
        self._writers |= {writer, up_writer}
        pipes = {
            asyncio.create_task(self._pipe(reader, up_writer)),
            asyncio.create_task(self._pipe(up_reader, writer)),
        }
        self._pipes |= pipes
        await asyncio.gather(*pipes, return_exceptions=True)
        self._pipes -= pipes
        self._writers -= {writer, up_writer}

    @staticmethod
    async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()


@asynccontextmanager
async def switched(url: str) -> AsyncIterator[tuple[Switch, str]]:
    """A switch in front of the server of `url`, and the URL that goes through it."""
    parsed = make_url(url)
    switch = Switch(parsed.host or "127.0.0.1", parsed.port or 5432)
    await switch.restore()
    try:
        yield (
            switch,
            parsed.set(host="127.0.0.1", port=switch.port).render_as_string(hide_password=False),
        )
    finally:
        with contextlib.suppress(Exception):
            await switch.cut()
