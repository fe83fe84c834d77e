"""Run the bot: prepare the database, then poll or serve webhooks (one or more workers)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import signal
import tempfile
from collections.abc import Callable, Iterator

from telegram import Update

from bot import health, notifier
from bot.app import LicenceApplication, build_application, quiet_http_logs, run_post_init
from bot.miniapp.server import MiniAppServer
from bot.miniapp.server import routes as miniapp_routes
from bot.webhook import WebhookServer, webhook_path
from domain import logs, metrics
from domain.bootstrap import context_from
from domain.catalogue import read_catalogue
from domain.datafiles import data_file
from domain.services import catalogue
from domain.services.accounts import OPERATOR
from domain.services.context import Context
from domain.services.understanding import train_parser
from domain.settings import Settings
from domain.storage.migrate import upgrade

log = logging.getLogger(__name__)
DEMO_CATALOGUE = data_file("catalog.yaml")


async def prepare(core: Context) -> None:
    """Migrate, and load the demo catalogue when the catalogue is empty."""
    await upgrade(core.db)
    async with core.uow(write=False) as uow:
        empty = await uow.catalogue.is_empty()
    if empty and DEMO_CATALOGUE.exists():
        await catalogue.load_catalogue(core, OPERATOR, read_catalogue(DEMO_CATALOGUE))
        log.info("loaded the demo catalogue from %s", DEMO_CATALOGUE)


def _notify(
    application: LicenceApplication, core: Context, settings: Settings, stop: asyncio.Event
) -> asyncio.Task[None]:
    """The outbox delivery loop beside the bot (every worker; each message goes out once)."""
    return asyncio.create_task(
        notifier.run(
            application,
            core,
            settings.default_language,
            settings.notify_interval_seconds,
            stop,
            core.provisioner,
        )
    )


def _stop_on_signals(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)


async def poll(
    settings: Settings,
    stop: asyncio.Event | None = None,
    core: Context | None = None,
    on_ready: Callable[[LicenceApplication], None] | None = None,
) -> None:
    """Long polling (one process per token: Telegram allows only one poller); with
    HEALTH_PORT, `/healthz`, `/readyz` and `/metrics` on 127.0.0.1 from the start; with
    WEBAPP_PORT, the Mini App on WEBAPP_LISTEN:WEBAPP_PORT."""
    owned, core = core is None, core or context_from(settings)
    checks = None
    if settings.health_port is not None:
        checks = health.HealthServer(core, settings.health_port)
        log.info("/healthz, /readyz, /metrics on 127.0.0.1:%s", checks.port)
    app = None
    if settings.webapp_port is not None:
        app = MiniAppServer(core, settings, settings.webapp_port, settings.webapp_listen)
        log.info("the Mini App on %s:%s/app/", settings.webapp_listen, app.port)
    try:
        await _poll(settings, core, stop, on_ready)
    finally:
        if app is not None:
            await app.stop()
        if checks is not None:
            await checks.stop()
        if owned:
            await core.db.dispose()


async def _poll(
    settings: Settings,
    core: Context,
    stop: asyncio.Event | None,
    on_ready: Callable[[LicenceApplication], None] | None,
) -> None:
    await prepare(core)
    application = build_application(settings, core, parser=await train_parser(core))
    if stop is None:
        stop = asyncio.Event()
        _stop_on_signals(stop)
    async with application:
        await run_post_init(application)
        await application.bot.delete_webhook()
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(allowed_updates=Update.ALL_TYPES)
        log.info("polling for updates")
        notifying = _notify(application, core, settings, stop)
        if on_ready is not None:
            on_ready(application)
        await stop.wait()
        await notifying
        await application.updater.stop()
        await application.stop()


async def serve_webhook(
    settings: Settings,
    *,
    register: bool,
    stop: asyncio.Event | None = None,
    core: Context | None = None,
    on_ready: Callable[[LicenceApplication], None] | None = None,
    share: int = 1,
) -> None:
    """One webhook worker; `register` sets the webhook and the commands (one worker does);
    `share`: how many workers split Telegram's per-token limits."""
    assert settings.webhook_url is not None
    assert settings.webhook_secret is not None
    owned, core = core is None, core or context_from(settings)
    application = build_application(
        settings, core, updater=False, parser=await train_parser(core), share=share
    )
    if stop is None:
        stop = asyncio.Event()
        _stop_on_signals(stop)
    secret = settings.webhook_secret.get_secret_value()
    async with application:
        if register:
            await run_post_init(application)
            await application.bot.set_webhook(
                settings.webhook_url, secret_token=secret, allowed_updates=Update.ALL_TYPES
            )
        await application.start()
        server = WebhookServer(
            application,
            listen=settings.webhook_listen,
            port=settings.webhook_port,
            path=webhook_path(settings.webhook_url),
            secret=secret,
            extra=[*health.routes(core), *miniapp_routes(core, settings)],
        )
        log.info("webhook worker listening on %s:%s", settings.webhook_listen, server.port)
        notifying = _notify(application, core, settings, stop)
        if on_ready is not None:
            on_ready(application)
        await stop.wait()
        await notifying
        await server.stop()
        await application.stop()
    if owned:
        await core.db.dispose()


def _worker(register: bool, workers: int) -> None:
    settings = Settings()
    logs.configure_for(settings)
    quiet_http_logs()
    asyncio.run(serve_webhook(settings, register=register, share=workers))


def run(settings: Settings, workers: int) -> None:
    """`licencebot run`: polling, or webhook mode with `workers` processes on one port."""
    if settings.webhook_url is None:
        asyncio.run(poll(settings))
        return
    core = context_from(settings)
    asyncio.run(_prepare_and_dispose(core))
    if workers == 1:
        asyncio.run(serve_webhook(settings, register=True))
        return
    with _shared_metrics():
        spawn = multiprocessing.get_context("spawn")
        processes = [spawn.Process(target=_worker, args=(i == 0, workers)) for i in range(workers)]
        for process in processes:
            process.start()
        try:
            for process in processes:
                process.join()
        except KeyboardInterrupt:
            pass
        finally:
            for process in processes:
                if process.is_alive():
                    process.terminate()
                    process.join(10)


@contextlib.contextmanager
def _shared_metrics() -> Iterator[None]:
    """Several workers answer `/metrics` in turn (SO_REUSEPORT): prometheus-client's
    multiprocess mode adds their counters up, in a folder of this run (or the operator's
    PROMETHEUS_MULTIPROC_DIR, which must be empty at start)."""
    if os.environ.get(metrics.MULTIPROC_ENV):
        yield
        return
    with tempfile.TemporaryDirectory(prefix="licencebot-metrics-") as folder:
        os.environ[metrics.MULTIPROC_ENV] = folder  # inherited by the spawned workers
        try:
            yield
        finally:
            del os.environ[metrics.MULTIPROC_ENV]


async def _prepare_and_dispose(core: Context) -> None:
    try:
        await prepare(core)
    finally:
        await core.db.dispose()
