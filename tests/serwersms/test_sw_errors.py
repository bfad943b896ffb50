"""Every error code the emulator can answer, in JSON and in XML, with HTTP 200."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from emulator.providers.serwersms.errors import ERRORS, RECIPIENT_ERRORS
from emulator.testing.client import EmulatorClient
from emulator.testing.server import EmulatorServer

LIMITED = {"eco": 1, "full": 1, "mms": 0, "voice": 0, "hlr": 0, "lookup": 0}
NONE_ALLOWED: dict[str, Any] = {}

CASES: list[tuple[int, str, dict[str, Any], dict[str, Any] | None]] = [
    (1000, "messages/fly", {}, None),
    (1000, "nothing/send_sms", {}, None),
    (1004, "contacts/view", {"id": 999}, None),
    (1004, "messages/view", {"id": "ffffffffff"}, None),
    (1004, "payments/invoice", {"id": 1}, None),
    (1005, "phones/check", {"phone": "500600700"}, NONE_ALLOWED),
    (1006, "messages/send_sms", {"phone": "500600700", "text": {"nested": "object"}}, None),
    (1006, "messages/send_sms", {"phone": "500600700", "text": "x", "date": "soon"}, None),
    (2000, "messages/send_sms", {"text": "no phone"}, None),
    (2000, "messages/send_sms", {"phone": "500600700"}, None),
    (2000, "messages/send_sms", {"phone": "500600700", "text": None}, None),
    (2000, "blacklist/add", {}, None),
    (2001, "blacklist/add", {"phone": "123"}, None),
    (2003, "messages/send_sms", {"phone": "500600700", "text": "x", "unique_id": "a"}, None),
    (3000, "messages/send_sms", {"phone": ["500600700", "600700800"], "text": "x"}, LIMITED),
    (3001, "messages/send_sms", {"phone": "500600700", "text": "x"}, NONE_ALLOWED),
    (3002, "messages/send_sms", {"phone": "500600700", "text": "x" * 161, "sender": "S"},
     LIMITED),
    (3003, "messages/send_sms", {"phone": "500600700", "text": "x", "sender": "S"},
     NONE_ALLOWED),
    (3004, "messages/send_mms", {"phone": "500600700", "title": "t", "file": "aGk="}, LIMITED),
    (3005, "messages/send_mms", {"phone": "500600700", "title": "t", "file": "aGk="},
     NONE_ALLOWED),
    (3006, "messages/send_voice", {"phone": "500600700", "text": "t"}, LIMITED),
    (3007, "messages/send_voice", {"phone": "500600700", "text": "t"}, NONE_ALLOWED),
    (3010, "messages/send_voice", {"phone": "500600700", "text": "t" * 161}, None),
    (3011, "messages/send_mms", {"phone": "500600700", "title": "t" * 41, "file": "aGk="},
     None),
    (3012, "messages/send_mms", {"phone": "500600700", "title": "t"}, None),
    (3012, "messages/send_voice", {"phone": "500600700", "file_id": "0000000000"}, None),
    (3013, "phones/check", {"phone": "500600700"}, LIMITED),
    (3014, "phones/lookup", {"phone": "500600700"}, LIMITED),
    (4201, "premium/send", {"phone": "500600700", "text": "x", "gate": "7", "id": 1}, None),
    (4407, "senders/add", {"name": "INFORMACJA"}, None),
    (4408, "senders/add", {"name": "TwelveLetter"}, None),
    (4500, "subaccounts/add", {"subaccount_username": "shop", "subaccount_password": "secret1"},
     None),
    (4502, "subaccounts/add", {"subaccount_username": "newsub", "subaccount_password": "pw1234",
                               "subaccount_id": 77}, None),
    (4600, "files/add", {"type": "video", "url": "https://x.example/a.mp4"}, None),
    (4600, "files/add", {"type": "mms", "url": "https://x.example/a.exe"}, None),
]


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize(("code", "path", "params", "limits"), CASES,
                         ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_error(sw: Any, control: EmulatorClient, code: int, path: str, params: dict[str, Any],
               limits: dict[str, Any] | None, fmt: str) -> None:
    if limits is not None:
        control.account("serwersms", "shop", password="secret", limits=limits)
    answer = sw(path, params, fmt=fmt)
    expected_type, expected_message = ERRORS[code]
    wanted = {"code": code if fmt == "json" else str(code), "type": expected_type,
              "message": expected_message}
    assert answer == {"error": wanted}


def test_bad_credentials_are_1001(server: EmulatorServer, control: EmulatorClient) -> None:
    control.account("serwersms", "shop", password="secret")
    for kwargs in ({"json": {"username": "shop", "password": "wrong"}},
                   {"data": {"username": "shop", "password": "wrong"}},
                   {"json": {}},
                   {"headers": {"Authorization": "Bearer "}}):
        answer = requests.post(server.url + "/account/limits", **kwargs)
        assert answer.status_code == 200
        assert answer.json()["error"]["code"] == 1001
    xml = requests.post(server.url + "/account/limits.xml", json={})
    assert b"<error><code>1001</code><type>InvalidUser</type>" in xml.content


def test_strict_accounts_refuse_unknown_logins_and_tokens(make_sms_emulator: Any) -> None:
    emulator = make_sms_emulator(strict_accounts=True)
    for kwargs in ({"json": {"username": "nobody", "password": "x"}},
                   {"headers": {"Authorization": "Bearer unknown-token"}}):
        answer = requests.post(emulator.url + "/account/limits", **kwargs).json()
        assert answer["error"]["code"] == 1001
    demo = requests.post(emulator.url + "/account/limits",
                         headers={"Authorization": "Bearer demo"}).json()
    assert demo["items"][0]["type"] == "eco"


def test_unknown_error_code_is_2002(sw: Any) -> None:
    assert sw("error/9999", {}, auth=None)["error"]["code"] == 2002
    assert sw("error/abc", {}, auth=None)["error"]["code"] == 2002


def test_every_per_recipient_error(sw: Any, control: EmulatorClient) -> None:
    control.account("serwersms", "shop", password="secret",
                    senders=[{"name": "Shop", "status": "authorized"}])
    sw("blacklist/add", {"phone": "600700800"})
    eco = sw("messages/send_sms", {"phone": ["12", "600700800", "+41790000000"], "text": "x",
                                   "details": 1})
    named = sw("messages/send_sms", {"phone": "500600700", "text": "x", "sender": "Nope",
                                     "details": 1})
    codes = {i["error_code"] for i in eco["items"] + named["items"]}
    expected = {code for code, _ in RECIPIENT_ERRORS.values()} - {2201}
    assert codes == expected
