"""The Mini App's init data check against Telegram's documented algorithm (core.telegram.org,
"Validating data received via the Mini App"), written out here independently of the library:

    data_check_string = "\\n".join(sorted(f"{key}={value}" for every field except hash))
    secret_key = HMAC_SHA256(key="WebAppData", message=bot_token)
    hash = hex(HMAC_SHA256(key=secret_key, message=data_check_string))

and `auth_date` (Unix time) not older than one hour.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlencode

import pytest
from init_data_py.errors import InvalidInitDataError
from pydantic import SecretStr

from bot.miniapp.launch import Person, init_data, launch_url
from bot.miniapp.server import MAX_AGE, authenticate

TOKEN = "123456789:unit-test-token"
NOW = datetime(2026, 11, 24, 11, 0, tzinfo=UTC)


def telegram_hash(fields: dict[str, str], token: str) -> str:
    check = "\n".join(sorted(f"{k}={v}" for k, v in fields.items() if k != "hash"))
    secret = hmac.new(b"WebAppData", token.encode(), hashlib.sha256).digest()
    return hmac.new(secret, check.encode(), hashlib.sha256).hexdigest()


def as_telegram_signs(user: dict[str, object], at: datetime, token: str = TOKEN) -> str:
    fields = {
        "query_id": "AAHdF6IQAAAAAN0XohDhrOrc",
        "user": json.dumps(user, separators=(",", ":"), ensure_ascii=False),
        "auth_date": str(int(at.timestamp())),
    }
    return urlencode({**fields, "hash": telegram_hash(fields, token)})


def test_init_data_signed_as_telegram_documents_is_accepted() -> None:
    data = as_telegram_signs({"id": 42, "first_name": "Jörg", "language_code": "de"}, NOW)
    user = authenticate(f"tma {data}", SecretStr(TOKEN), NOW + timedelta(minutes=5))
    assert (user.id, user.first_name, user.language_code) == (42, "Jörg", "de")


def test_the_launch_links_init_data_verifies_with_the_documented_algorithm() -> None:
    signed = dict(parse_qsl(init_data(Person(7, "Anna", None, "en"), TOKEN, NOW)))
    assert signed["hash"] == telegram_hash(signed, TOKEN)
    assert signed["auth_date"] == str(int(NOW.timestamp()))
    assert json.loads(signed["user"])["id"] == 7
    # the page finds it where Telegram puts it: tgWebAppData in the URL's hash
    url = launch_url("http://127.0.0.1:1/app/", Person(7, "Anna"), TOKEN, NOW)
    fragment = dict(parse_qsl(url.split("#", 1)[1]))
    assert dict(parse_qsl(fragment["tgWebAppData"]))["hash"] == telegram_hash(
        dict(parse_qsl(fragment["tgWebAppData"])), TOKEN
    )


@pytest.mark.parametrize(
    "change",
    [
        "another user",
        "another token",
        "hash removed",
        "hash of another field set",
        "field added after signing",
    ],
)
def test_tampered_init_data_is_refused(change: str) -> None:
    user = {"id": 42, "first_name": "Anna"}
    data = dict(parse_qsl(as_telegram_signs(user, NOW)))
    if change == "another user":
        data["user"] = json.dumps({"id": 43, "first_name": "Anna"}, separators=(",", ":"))
    elif change == "another token":
        data = dict(parse_qsl(as_telegram_signs(user, NOW, token="987:other")))
    elif change == "hash removed":
        del data["hash"]
    elif change == "hash of another field set":
        data["hash"] = telegram_hash({"auth_date": data["auth_date"]}, TOKEN)
    else:
        data["start_param"] = "admin"
    with pytest.raises(InvalidInitDataError):
        authenticate(f"tma {urlencode(data)}", SecretStr(TOKEN), NOW)


def test_init_data_older_than_an_hour_is_refused() -> None:
    data = as_telegram_signs({"id": 42, "first_name": "Anna"}, NOW)
    assert timedelta(hours=1) == MAX_AGE
    assert authenticate(f"tma {data}", SecretStr(TOKEN), NOW + MAX_AGE).id == 42
    with pytest.raises(InvalidInitDataError):
        authenticate(f"tma {data}", SecretStr(TOKEN), NOW + MAX_AGE + timedelta(seconds=1))


@pytest.mark.parametrize("header", ["", "tma", "Bearer abc", "tma auth_date=1&hash=00"])
def test_a_header_without_tma_init_data_is_refused(header: str) -> None:
    with pytest.raises(InvalidInitDataError):
        authenticate(header, SecretStr(TOKEN), NOW)


def test_without_a_bot_token_nothing_is_accepted() -> None:
    data = as_telegram_signs({"id": 42, "first_name": "Anna"}, NOW)
    with pytest.raises(InvalidInitDataError):
        authenticate(f"tma {data}", None, NOW)


def test_init_data_without_a_user_is_refused() -> None:
    fields = {"auth_date": str(int(NOW.timestamp())), "query_id": "x"}
    data = urlencode({**fields, "hash": telegram_hash(fields, TOKEN)})
    with pytest.raises(InvalidInitDataError):
        authenticate(f"tma {data}", SecretStr(TOKEN), NOW)
