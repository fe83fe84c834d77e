"""The Mini App's JSON API over plain HTTP, beside the running bot (docs/miniapp.md).

Init data is signed as Telegram signs it (the bot token, `auth_date` from the tests' clock, the
same clock the bot checks with); the figures are compared with what the use cases read from the
database; rights follow R23/R24: an admin their customer's, a member their own requests, the
service desk a customer chosen in the app, nobody another customer's.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from bot.miniapp.launch import Person, init_data
from domain import metrics
from domain.clock import FixedClock
from domain.commands import CreateInvite, LinkUser
from domain.model import Channel, Role
from domain.services import accounts, orders, seats
from domain.services.accounts import OPERATOR
from tests.conftest import NOW
from tests.e2e.harness import say
from tests.e2e.miniapp import (
    ADMIN,
    AGENT,
    MEMBER,
    OTHER_ADMIN,
    MiniApp,
    acme_with_orders,
    miniapp,
)
from tests.e2e.test_monitoring import samples, value
from tests.e2e.test_request_flow import member_orders
from tests.e2e.test_transport import webhook_workers


def scraped_401() -> float:
    page, _ = metrics.exposition(metrics.Figures(up=True, tickets={}, requests={}))
    return value(
        samples(page.decode()),
        "licencebot_miniapp_requests_total",
        endpoint="overview",
        status="401",
    )


@pytest.fixture(params=["sqlite", "postgresql"])
async def app(
    request: pytest.FixtureRequest, tmp_path: Path, clock: FixedClock
) -> AsyncIterator[MiniApp]:
    async with miniapp(tmp_path, clock, request.param) as running:
        await acme_with_orders(running)
        yield running


async def test_an_admin_sees_their_customers_seats_and_audit_as_stored(app: MiniApp) -> None:
    body = await app.json("overview", app.signed(ADMIN, NOW))
    actor = await accounts.resolve_actor(app.bot.core, Channel.TELEGRAM, str(ADMIN))
    stored = await orders.list_orders(app.bot.core, actor, "acme")
    assert body["customer"] == {"id": "acme", "name": "ACME GmbH"}
    assert body["full"] is True and body["can_choose"] is False
    assert {(s["sku"], s["paid"]) for s in body["seats"]} == {
        (s.product_sku, s.quantity) for s in stored.running()
    }
    assert sorted(s["paid"] for s in body["seats"]) == [4, 10]
    [e3] = [s for s in body["seats"] if s["sku"] == "M365-E3"]
    assert (e3["assigned"], e3["unassigned"]) == (7, 3)  # as the service desk reported
    assert (e3["scheduled_quantity"], e3["scheduled_for"]) == (8, "2026-11-30")
    assert e3["scheduled_text"] == "Zum 30.11.2026 auf 8"
    # the months as the seats helper's cost overview reads the quantity history (issue 21)
    costs = await seats.cost_overview(app.bot.core, actor, "acme")
    assert [(m["month"], m["total"]) for m in body["months"]] == [
        (m.month.strftime("%Y-%m"), str(m.total)) for m in costs.months
    ]
    assert body["forecast"]["total"] == str(costs.next_month.total)
    by_month = {m["month"]: Decimal(m["total"]) for m in body["months"]}
    assert len(by_month) == 12 and by_month["2026-02"] == 0
    assert by_month["2026-07"] == by_month["2026-06"] * Decimal("1.5")  # 15 instead of 10
    # R25: who, what, when; R5: the consents with the terms version
    whats = [line["what"] for line in body["audit"]]
    assert "Bestellt: Microsoft 365 E3, Menge 10" in whats
    assert "AGB und Lizenzbedingungen akzeptiert (Version 1): Microsoft 365 E3" in whats
    assert {line["who"] for line in body["audit"] if line["action"] == "order.place"} == {"Anna"}
    assert "Menge geändert: Microsoft 365 E3, 10 → 15" in whats
    assert "99" not in str(body["seats"])  # Globex's order is not there (R24)


async def test_bad_missing_or_expired_init_data_is_refused_with_401(app: MiniApp) -> None:
    before = scraped_401()
    good = app.signed(ADMIN, NOW)
    forged = good.replace("Anna", "Mallory")  # the user changed, the hash not
    assert "Mallory" in forged
    other_token = init_data(Person(ADMIN, "Anna"), "987654321:another-bots-token", NOW)
    expired = app.signed(ADMIN, NOW - timedelta(hours=1, seconds=1))
    for init in (None, forged, other_token, expired, "garbage"):
        response = await app.get("overview", init)
        assert response.status_code == 401, init
        assert response.json() == {"error": "unauthorized"}
    async with httpx.AsyncClient() as client:  # the right data under another scheme
        response = await client.get(
            f"{app.page}api/overview", headers={"Authorization": f"Bearer {good}"}, timeout=20
        )
    assert response.status_code == 401
    assert scraped_401() - before == 6  # counted for the operators (/metrics)
    response = await app.get("overview", None)
    assert response.headers["Cache-Control"] == "no-store"
    # exactly one hour old is still fine
    assert (await app.get("overview", app.signed(ADMIN, NOW - timedelta(hours=1)))).is_success


async def test_an_unlinked_person_or_another_customer_gets_403(app: MiniApp) -> None:  # R24
    response = await app.get("overview", app.signed(999, NOW))
    assert response.status_code == 403
    assert response.json() == {"error": "forbidden"}
    for customer in ("globex", "no-such-customer"):  # the same answer: existence not told
        response = await app.get("overview", app.signed(ADMIN, NOW), {"customer": customer})
        assert response.status_code == 403
        assert "Globex" not in response.text
    response = await app.get("audit", app.signed(ADMIN, NOW), {"customer": "globex"})
    assert response.status_code == 403
    response = await app.get("customers", app.signed(ADMIN, NOW), {"q": "glo"})
    assert response.status_code == 403  # only the service desk searches customers


async def test_a_member_sees_only_their_own_requests(app: MiniApp) -> None:  # R23
    await member_orders(app.bot, app.bot.emu.user(MEMBER), "Office 365 E1", "3")
    body = await app.json("overview", app.signed(MEMBER, NOW))
    assert body["full"] is False
    assert body["seats"] == [] and body["months"] == [] and body["audit"] == []
    assert [r["text"] for r in body["requests"]] == ["Bestellung: Office 365 E1, 3"]
    assert (await app.get("audit", app.signed(MEMBER, NOW))).status_code == 403
    # the admin sees the member's request among the customer's open requests
    admin_view = await app.json("overview", app.signed(ADMIN, NOW))
    assert [r["requested_by"] for r in admin_view["requests"]] == ["Max"]


async def test_the_service_desk_chooses_a_customer_in_the_app(app: MiniApp) -> None:  # R23
    init = app.signed(AGENT, NOW, "en")
    first = await app.json("overview", init)
    assert first["customer"] is None and first["choose_customer"] is True
    found = await app.json("customers", init, q="acme")
    assert found["customers"] == [{"id": "acme", "name": "ACME GmbH"}]
    body = await app.json("overview", init, customer="globex")
    assert body["customer"]["name"] == "Globex AG" and body["can_choose"] is True
    assert [s["paid"] for s in body["seats"]] == [99]
    assert body["texts"]["labels"]["seats"] == "Licences per product"
    assert any(line["what"] == "Ordered: Microsoft 365 E3, quantity 99" for line in body["audit"])


async def test_the_audit_trail_filters_by_who_what_and_when(app: MiniApp) -> None:
    init = app.signed(ADMIN, NOW)
    everything = await app.json("audit", init)
    assert "Anna" in everything["people"] and "Olga" not in everything["people"]
    consents = await app.json("audit", init, kind="consents")
    assert consents["lines"] and {line["kind"] for line in consents["lines"]} == {"consents"}
    assert all("Version 1" in line["what"] for line in consents["lines"])
    assert consents["matching"] == 4  # two orders, two consents each (R5)
    by_anna = await app.json("audit", init, who="Anna")
    assert {line["who"] for line in by_anna["lines"]} == {"Anna"}
    later = await app.json("audit", init, since="2026-11-25")
    assert later["lines"] == [] and later["matching"] == 0
    march = await app.json("audit", init, since="2026-03-01", until="2026-03-31")
    assert {line["what"] for line in march["lines"]} == {
        "Bestellt: Microsoft 365 E3, Menge 10",
        "AGB und Lizenzbedingungen akzeptiert (Version 1): Microsoft 365 E3",
        "Zustimmung zum Microsoft-Konto (Version 1): Microsoft 365 E3",
        "Bereitgestellt: Microsoft 365 E3",
    }
    changes = await app.json("audit", init, kind="changes")
    assert [line["what"] for line in changes["lines"]] == [
        "Reduzierung geplant: Microsoft 365 E3 zum 30.11.2026 auf 8",
        "Menge geändert: Microsoft 365 E3, 15 → 10",
        "Menge geändert: Microsoft 365 E3, 10 → 15",
    ]
    assert (await app.get("audit", init, {"since": "yesterday"})).status_code == 400


async def test_the_page_and_its_assets_are_served_without_a_cdn(app: MiniApp) -> None:
    async with httpx.AsyncClient() as client:
        page = await client.get(app.page, timeout=20)
        assert page.status_code == 200
        assert "app.js" in page.text and "http" not in page.text.split("<body>")[0].replace(
            'name="viewport"', ""
        )
        assert "default-src 'none'" in page.headers["Content-Security-Policy"]
        script = await client.get(f"{app.page}app.js", timeout=20)
        assert script.status_code == 200 and "tgWebAppData" in script.text
        texts = await client.get(f"{app.page}api/texts", params={"lang": "en"}, timeout=20)
        assert texts.json()["labels"]["title"] == "Overview"


async def test_status_offers_the_overview_and_admins_get_the_menu_button(app: MiniApp) -> None:
    admin = app.bot.emu.user(ADMIN)
    status = await say(app.bot, admin, "/status")
    assert status.buttons() == ["📊 Übersicht"]
    assert [status.button("📊 Übersicht")["web_app"]["url"]] == ["https://example.com/app/"]
    costs = await say(app.bot, admin, "/costs")
    assert costs.button("📊 Übersicht")["web_app"]["url"] == "https://example.com/app/"
    calls = [c for c in app.bot.emu.calls if c.method == "setChatMenuButton"]
    assert {int(c.params["chat_id"]) for c in calls} == {ADMIN, OTHER_ADMIN}  # no member, agent
    assert {c.params["menu_button"]["web_app"]["url"] for c in calls} == {
        "https://example.com/app/"
    }


async def test_webhook_mode_serves_the_app_on_the_webhook_port(
    tmp_path: Path, clock: FixedClock
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'hook.db'}"
    async with webhook_workers(url, clock, 1) as (_, bot, _apps):
        port = bot.settings.webhook_port
        invite = await accounts.create_invite(bot.core, OPERATOR, CreateInvite(Role.ADMIN, "acme"))
        await accounts.link_user(
            bot.core, Channel.TELEGRAM, LinkUser(str(ADMIN), invite.code, "Anna")
        )
        page = f"http://127.0.0.1:{port}/app/"
        hook = MiniApp(bot, port, clock)
        assert hook.page == page
        async with httpx.AsyncClient() as client:
            assert (await client.get(page, timeout=20)).status_code == 200
        assert (await hook.json("overview", hook.signed(ADMIN, NOW)))["customer"]["id"] == "acme"
        assert (await hook.get("overview", hook.signed(999, NOW))).status_code == 403
        assert (await hook.get("overview", "auth_date=1&hash=00")).status_code == 401
