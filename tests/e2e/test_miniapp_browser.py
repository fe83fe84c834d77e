"""The Mini App in a real browser: Debian's headless Chromium (through chromium-driver and
Selenium; nothing is downloaded) opens the page with signed launch data, as Telegram does.

Checks that the figures on the page are the database's, that forged or expired init data
shows the error state (and the API answers 401), and saves screenshots in German and English,
light and dark: into the test's folder, and into `MINIAPP_SCREENSHOTS` when that names a
folder (`make screenshots` refreshes docs/images, which the README shows).

Skipped, with the reason, only where no Chromium is installed; `.ci/run` installs it and sets
LICENCEBOT_REQUIRE_BROWSER, which turns the skip into a failure.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.miniapp.launch import DARK, LIGHT, Person, launch_url
from domain.clock import FixedClock
from domain.model import Channel
from domain.services import accounts, orders, seats
from domain.texts.i18n import Translator
from tests.conftest import NOW
from tests.e2e.harness import TOKEN
from tests.e2e.miniapp import ADMIN, AGENT, MEMBER, MiniApp, acme_with_orders, miniapp

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.webdriver.chrome.options import Options  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

ENGLISH = 601  # an ACME admin who speaks English
WAIT_S = 60  # the page answers in well under a second; a busy machine may take long
PHONE = (430, 932)  # a large phone's screen (CSS pixels)


def _chromium() -> tuple[str, str]:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if browser is None or driver is None:
        reason = "no Chromium installed (apt-get install chromium chromium-driver)"
        if os.environ.get("LICENCEBOT_REQUIRE_BROWSER"):
            pytest.fail(reason)
        pytest.skip(reason)
    return browser, driver


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    binary, driver = _chromium()
    options = Options()
    options.binary_location = binary
    for argument in (
        "--headless=new",
        "--no-sandbox",  # CI runs as root
        "--disable-dev-shm-usage",
        "--disable-gpu",
        f"--window-size={PHONE[0]},{PHONE[1]}",
        "--force-device-scale-factor=1",
        "--hide-scrollbars",
    ):
        options.add_argument(argument)
    chrome = webdriver.Chrome(service=Service(executable_path=driver), options=options)
    try:
        yield chrome
    finally:
        chrome.quit()


@pytest.fixture
async def app(tmp_path: Path, clock: FixedClock) -> AsyncIterator[MiniApp]:
    async with miniapp(tmp_path, clock) as running:
        await acme_with_orders(running)
        yield running


async def open_page(chrome: Any, url: str, state: str) -> None:
    """Load `url` and wait (in a thread: the bot serves in this event loop) for the state."""

    def load() -> None:
        chrome.get("about:blank")  # a new hash alone would not reload the page
        chrome.get(url)
        WebDriverWait(chrome, WAIT_S).until(
            lambda c: c.find_element(By.ID, "app").get_attribute("data-state") == state
        )

    await asyncio.to_thread(load)


def screenshot(chrome: Any, folder: Path, name: str) -> Path:
    path = folder / f"miniapp-{name}.png"
    chrome.save_screenshot(str(path))
    assert path.stat().st_size > 5_000  # a rendered page, not an empty image
    wanted = os.environ.get("MINIAPP_SCREENSHOTS")
    if wanted:
        Path(wanted).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(wanted) / path.name)
    return path


AUDIT_ACTIONS = "return [...document.querySelectorAll('#audit li')].map(li => li.dataset.action)"
LISTED = "return [...document.querySelectorAll('#customer-list button')].map(b => b.textContent)"
AUDIT_TEXTS = "return [...document.querySelectorAll('#audit li')].map(li => li.innerText)"


def texts(chrome: Any, selector: str) -> list[str]:
    return [e.text for e in chrome.find_elements(By.CSS_SELECTOR, selector)]


async def test_the_page_shows_the_databases_figures(
    app: MiniApp, browser: Any, tmp_path: Path
) -> None:
    url = launch_url(app.page, Person(ADMIN, "Anna", None, "de"), TOKEN, NOW, LIGHT)
    await open_page(browser, url, "ready")
    actor = await accounts.resolve_actor(app.bot.core, Channel.TELEGRAM, str(ADMIN))
    stored = await orders.list_orders(app.bot.core, actor, "acme")
    costs = await seats.cost_overview(app.bot.core, actor, "acme")
    shown = {
        e.get_attribute("data-sku"): int(e.find_element(By.CSS_SELECTOR, "[data-field=paid]").text)
        for e in browser.find_elements(By.CSS_SELECTOR, ".seat")
    }
    assert shown == {s.product_sku: s.quantity for s in stored.running()}
    bars = {
        e.get_attribute("data-month"): e.get_attribute("data-total")
        for e in browser.find_elements(By.CSS_SELECTOR, "#chart rect.bar")
    }
    expected = {m.month.strftime("%Y-%m"): str(m.total) for m in (*costs.months, costs.next_month)}
    assert bars == expected and len(bars) == 13  # 12 months and next month's forecast
    assert browser.find_element(By.ID, "forecast").text.endswith(
        Translator("de").money(costs.next_month.total).replace("\xa0", " ")  # as .text reads it
    )
    usage = await seats.seat_overview(app.bot.core, actor, "acme")
    assigned = {
        e.get_attribute("data-sku"): e.find_element(By.CSS_SELECTOR, "[data-field=assigned]").text
        for e in browser.find_elements(By.CSS_SELECTOR, ".seat")
        if e.find_elements(By.CSS_SELECTOR, "[data-field=assigned]")
    }
    assert assigned == {line.sku: str(line.assigned) for line in usage.lines if line.assigned}
    assert browser.find_element(By.ID, "customer-name").text == "ACME GmbH"
    audit = texts(browser, "#audit li")
    assert any(line.startswith("Bestellt: Microsoft 365 E3, Menge 10") for line in audit)
    assert any("(Version 1)" in line for line in audit)  # the consents' terms version (R5)
    assert browser.find_element(By.TAG_NAME, "h1").text == "Übersicht"
    screenshot(browser, tmp_path, "de-light")

    # the audit filter: only the consents
    def only_consents() -> list[str]:
        from selenium.webdriver.support.select import Select

        Select(browser.find_element(By.NAME, "kind")).select_by_value("consents")
        WebDriverWait(browser, WAIT_S).until(
            lambda c: (
                (shown := c.execute_script(AUDIT_ACTIONS))
                and all(action.startswith("consent.") for action in shown)
            )
        )
        return list(browser.execute_script(AUDIT_TEXTS))

    consents = await asyncio.to_thread(only_consents)
    assert len(consents) == 4 and all("Version 1" in line for line in consents)


async def test_language_and_theme_follow_the_person_and_telegram(
    app: MiniApp, browser: Any, tmp_path: Path
) -> None:
    await app.bot.linked_user(ENGLISH, language="en", first_name="Emma")
    cases = (
        (ENGLISH, "en", LIGHT, "en-light", "Overview", "rgb(241, 241, 244)"),
        (ENGLISH, "en", DARK, "en-dark", "Overview", "rgb(24, 24, 24)"),
        (ADMIN, "de", DARK, "de-dark", "Übersicht", "rgb(24, 24, 24)"),
        # Anna chose German in the chat: that wins over her Telegram client's English
        (ADMIN, "en", LIGHT, "", "Übersicht", "rgb(241, 241, 244)"),
    )
    for user_id, language, theme, name, title, background in cases:
        url = launch_url(app.page, Person(user_id, "X", None, language), TOKEN, NOW, theme)
        await open_page(browser, url, "ready")
        assert browser.find_element(By.TAG_NAME, "h1").text == title
        shown = browser.execute_script("return getComputedStyle(document.body).backgroundColor")
        assert shown == background  # Telegram's secondary_bg_color of the theme
        if language == "en" and user_id == ENGLISH:
            assert any("€" in t for t in texts(browser, ".seat"))  # Babel, en_IE: "€…"
            assert "Licences per product" in browser.execute_script(
                "return document.querySelector('#seats-section h2').textContent"
            )
        if name:
            screenshot(browser, tmp_path, name)


async def test_forged_or_expired_init_data_shows_the_error_state(
    app: MiniApp, browser: Any, tmp_path: Path
) -> None:
    person = Person(ADMIN, "Anna", None, "de")
    good = launch_url(app.page, person, TOKEN, NOW, LIGHT)
    forged_data = app.signed(ADMIN, NOW).replace("Anna", "Mallory")
    expired_data = app.signed(ADMIN, NOW - timedelta(hours=2))
    for data in (forged_data, expired_data):
        url = launch_url(app.page, person, TOKEN, NOW, LIGHT, data=data)
        assert url != good
        await open_page(browser, url, "error")
        app_node = browser.find_element(By.ID, "app")
        assert app_node.get_attribute("data-error") == "auth"
        assert browser.find_element(By.ID, "status").text.startswith(
            "Die Anmeldung über Telegram ist ungültig oder abgelaufen."
        )
        assert not browser.find_element(By.ID, "board").is_displayed()
        assert (await app.get("overview", data)).status_code == 401
    screenshot(browser, tmp_path, "error")


async def test_the_desk_chooses_a_customer_and_a_member_sees_their_own(
    app: MiniApp, browser: Any
) -> None:  # R23, R24
    desk = launch_url(app.page, Person(AGENT, "Desk", None, "en"), TOKEN, NOW, LIGHT)
    await open_page(browser, desk, "choose")

    def choose(name: str) -> None:
        field = browser.find_element(By.ID, "customer-query")
        field.clear()
        field.send_keys("glob")
        WebDriverWait(browser, WAIT_S).until(
            lambda c: (
                c.find_elements(By.CSS_SELECTOR, "#customer-list button")
                and c.execute_script(LISTED) == [name]
            )
        )
        browser.find_element(By.CSS_SELECTOR, "#customer-list button").click()
        WebDriverWait(browser, WAIT_S).until(
            lambda c: c.find_element(By.ID, "app").get_attribute("data-state") == "ready"
        )

    await asyncio.to_thread(choose, "Globex AG")
    assert browser.find_element(By.ID, "customer-name").text == "Globex AG"
    assert texts(browser, ".seat [data-field=paid]") == ["99"]
    assert browser.find_element(By.ID, "change-customer").is_displayed()

    member = launch_url(app.page, Person(MEMBER, "Max", None, "de"), TOKEN, NOW, LIGHT)
    await open_page(browser, member, "ready")
    assert browser.find_element(By.ID, "member-note").is_displayed()
    for hidden in ("seats-section", "costs-section", "audit-section", "change-customer"):
        assert not browser.find_element(By.ID, hidden).is_displayed()
