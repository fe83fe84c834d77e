"""Benchmark: parsing a message vs. PTB's own dispatch of an update, in the same run.

Run: `.venv/bin/python -m tests.bench.bench_nlu` (prints figures; asserts nothing).
"""

from __future__ import annotations

import asyncio
import statistics
import time
from pathlib import Path

from telegram import Bot, Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters

from bot.emulator import BotApiEmulator
from domain.catalogue import read_catalogue
from domain.nlu import evaluation, training_data
from domain.nlu.parser import Parser

ROOT = Path(__file__).resolve().parents[2]
ROUNDS = 5
TOKEN = "1:bench"


async def _dispatch_timings(texts: list[str]) -> list[float]:
    """Update.de_json + Application.process_update through a text handler.

    The handler sends nothing; the local emulator only answers getMe at initialisation.
    """
    async with BotApiEmulator(token=TOKEN) as emu:
        application = (
            Application.builder().token(TOKEN).base_url(emu.base_url).updater(None).build()
        )
        async with application:
            return await _dispatch(application, texts)


async def _dispatch(application: Application, texts: list[str]) -> list[float]:  # type: ignore[type-arg]
    seen: list[str] = []

    async def record(update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        if update.effective_message and update.effective_message.text:
            seen.append(update.effective_message.text)

    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, record))
    bot: Bot = application.bot
    timings = []
    for update_id, text in enumerate(texts * ROUNDS):
        payload = {
            "update_id": update_id,
            "message": {
                "message_id": update_id,
                "date": 0,
                "text": text,
                "chat": {"id": 1, "type": "private"},
                "from": {"id": 1, "is_bot": False, "first_name": "Bench"},
            },
        }
        start = time.perf_counter()
        await application.process_update(Update.de_json(payload, bot))
        timings.append(time.perf_counter() - start)
    assert len(seen) == len(texts) * ROUNDS
    return timings


def _summary(name: str, timings: list[float]) -> tuple[float, float]:
    timings = sorted(timings)
    median = statistics.median(timings) * 1000
    p99 = timings[min(len(timings) - 1, int(len(timings) * 0.99))] * 1000
    print(f"{name:<38} median {median:7.3f} ms   p99 {p99:7.3f} ms   n={len(timings)}")
    return median, p99


def main() -> None:
    catalogue = read_catalogue(ROOT / "data" / "catalog.yaml").to_catalogue()
    products = {sku: p.name for sku, p in catalogue.products.items()}
    addons = {sku: a.name for sku, a in catalogue.addons.items()}
    start = time.perf_counter()
    parser = Parser.train(training_data.load(), products, addons)
    print(f"training on data/nlu.yml: {time.perf_counter() - start:.2f} s")
    texts = [m.text for m in evaluation.load_messages(ROOT / "tests" / "nlu" / "messages.yml")]
    for text in texts:  # warm-up
        parser.parse(text)
    dispatch = asyncio.run(_dispatch_timings(texts))
    parse = []
    for text in texts * ROUNDS:
        start = time.perf_counter()
        parser.parse(text)
        parse.append(time.perf_counter() - start)
    d_median, d_p99 = _summary("PTB dispatch of an update (baseline)", dispatch)
    p_median, p_p99 = _summary("licencebot parse of the same text", parse)
    print(f"ratio parse/dispatch: median {p_median / d_median:.2f}, p99 {p_p99 / d_p99:.2f}")


if __name__ == "__main__":
    main()
