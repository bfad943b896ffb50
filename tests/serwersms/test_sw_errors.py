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
    (1006, "messages/send_sms", {"phone": "500600700", "text": {"nested": "object"}}, None),
    (1006, "messages/send_sms", {"phone": "500600700", "text": "x", "date": "soon"}, None),
    (2000, "messages/send_sms", {"text": "no phone"}, None),
    (2000, "messages/send_sms", {"phone": "500600700"}, None),
    (2000, "messages/send_sms", {"phone": "500600700", "text": None}, None),
    (2000, "blacklist/add", {}, None),
    (2001, "blacklist/add", {"phone": "123"}, None),
    (3200, "messages/send_sms", {"phone": "500600700", "text": "x", "unique_id": "a"}, None),
    (
        3201,
        "messages/send_sms",
        {"phone": ["500600700", "600700800"], "text": "x", "unique_id": ["abc1", "abc1"]},
        None,
    ),
    (
        3202,
        "messages/send_sms",
        {"phone": "500600700", "text": "x", "unique_id": ["abc1", "abc2"]},
        None,
    ),
    (3000, "messages/send_sms", {"phone": ["500600700", "600700800"], "text": "x"}, LIMITED),
    (3001, "messages/send_sms", {"phone": "500600700", "text": "x"}, NONE_ALLOWED),
    (3002, "messages/send_sms", {"phone": "500600700", "text": "x" * 161, "sender": "S"}, LIMITED),
    (3003, "messages/send_sms", {"phone": "500600700", "text": "x", "sender": "S"}, NONE_ALLOWED),
    (3004, "messages/send_mms", {"phone": "500600700", "title": "t", "file": "aGk="}, LIMITED),
    (3005, "messages/send_mms", {"phone": "500600700", "title": "t", "file": "aGk="}, NONE_ALLOWED),
    (3006, "messages/send_voice", {"phone": "500600700", "text": "t"}, LIMITED),
    (3007, "messages/send_voice", {"phone": "500600700", "text": "t"}, NONE_ALLOWED),
    (3102, "messages/send_sms", {"phone": "500600700", "text": "x" * 919}, None),
    (3102, "messages/send_voice", {"phone": "500600700", "text": "t" * 161}, None),
    (3102, "messages/send_mms", {"phone": "500600700", "title": "t" * 41, "file": "aGk="}, None),
    (3109, "messages/send_mms", {"phone": "500600700", "title": "t"}, None),
    (4001, "messages/send_voice", {"phone": "500600700", "file_id": "0000000000"}, None),
    (
        4001,
        "messages/send_mms",
        {"phone": "500600700", "title": "t", "file_id": "0000000000"},
        None,
    ),
    (4102, "phones/check", {"phone": "500600700"}, NONE_ALLOWED),
    (4103, "phones/check", {"phone": "500600700"}, LIMITED),
    (4103, "phones/lookup", {"phone": "500600700"}, LIMITED),
    (4201, "premium/send", {"phone": "500600700", "text": "x", "gate": "7", "id": 1}, None),
    (4400, "senders/add", {"name": "INFORMACJA"}, None),
    (4401, "senders/add", {"name": "48500600700"}, None),
    (4402, "senders/add", {"name": "TwelveLetter"}, None),
    (
        4502,
        "subaccounts/add",
        {"subaccount_username": "shop", "subaccount_password": "secret1"},
        None,
    ),
    (
        4503,
        "subaccounts/add",
        {"subaccount_username": "newsub", "subaccount_password": "pw1234", "subaccount_id": 77},
        None,
    ),
    (4504, "subaccounts/add", {"subaccount_username": "ab", "subaccount_password": "pw1234"}, None),
    (4002, "files/add", {"type": "video", "url": "https://x.example/a.mp4"}, None),
    (4002, "files/add", {"type": "mms", "url": "https://x.example/a.exe"}, None),
]


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize(
    ("code", "path", "params", "limits"), CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES]
)
def test_error(
    sw: Any,
    control: EmulatorClient,
    code: int,
    path: str,
    params: dict[str, Any],
    limits: dict[str, Any] | None,
    fmt: str,
) -> None:
    if limits is not None:
        control.account("serwersms", "shop", password="secret", limits=limits)
    answer = sw(path, params, fmt=fmt)
    expected_type, expected_message = ERRORS[code]
    wanted = {
        "code": code if fmt == "json" else str(code),
        "type": expected_type,
        "message": expected_message,
    }
    assert answer == {"error": wanted}


def test_bad_credentials_are_1001(server: EmulatorServer, control: EmulatorClient) -> None:
    control.account("serwersms", "shop", password="secret")
    for kwargs in (
        {"json": {"username": "shop", "password": "wrong"}},
        {"data": {"username": "shop", "password": "wrong"}},
        {"json": {}},
        {"headers": {"Authorization": "Bearer "}},
    ):
        answer = requests.post(server.url + "/account/limits", **kwargs)
        assert answer.status_code == 200
        assert answer.json()["error"]["code"] == 1001
    xml = requests.post(server.url + "/account/limits.xml", json={})
    assert b"<error><code>1001</code><type>InvalidUser</type>" in xml.content


def test_strict_accounts_refuse_unknown_logins_and_tokens(make_sms_emulator: Any) -> None:
    """A user name the emulator does not know is 1001 InvalidUser; a Bearer token it does not
    accept is 1012 InvalidToken, as the gateway answers it (official Java client 2.0.0)."""
    emulator = make_sms_emulator(strict_accounts=True)
    for kwargs, code, type_ in (
        ({"json": {"username": "nobody", "password": "x"}}, 1001, "InvalidUser"),
        ({"headers": {"Authorization": "Bearer unknown-token"}}, 1012, "InvalidToken"),
        ({"headers": {"Authorization": "bearer unknown-token"}}, 1012, "InvalidToken"),
    ):
        answer = requests.post(emulator.url + "/account/limits", **kwargs).json()
        assert (answer["error"]["code"], answer["error"]["type"]) == (code, type_)
    xml = requests.post(
        emulator.url + "/account/limits.xml", headers={"Authorization": "Bearer unknown-token"}
    )
    assert b"<error><code>1012</code><type>InvalidToken</type>" in xml.content
    demo = requests.post(
        emulator.url + "/account/limits", headers={"Authorization": "Bearer demo"}
    ).json()
    assert demo["items"][0]["type"] == "eco"


# The gateway's table of general messages (shared/specs/serwersms-api-v2.md §3.2a): code → type.
TABLE: dict[int, str] = {
    1000: "InvalidAction",
    1001: "InvalidUser",
    1002: "InvalidRole",
    1003: "InvalidIP",
    1004: "InvalidID",
    1005: "InvalidRole",
    1006: "InvalidData",
    1007: "InvalidRole",
    1008: "InvalidRole",
    1009: "InvalidIP",
    1010: "SystemError",
    1011: "InvalidToken",
    1012: "InvalidToken",
    2000: "ValidationRequiredError",
    2001: "ValidationPhoneError",
    2002: "ValidationCodeError",
    **{code: "SendError" for code in (*range(3000, 3010), *range(3100, 3112), 3200, 3201, 3202)},
    3330: "MessageError",
    3331: "MessageError",
    4000: "FileError",
    4001: "FileError",
    4002: "FileInvalid",
    **{code: "PhoneError" for code in range(4100, 4107)},
    4200: "PremiumError",
    4201: "PremiumError",
    **{code: "AccountError" for code in (*range(4300, 4314), *range(4320, 4326))},
    4400: "SenderExists",
    4401: "SenderError",
    4402: "SenderInvalid",
    **{code: "SenderError" for code in range(4403, 4408)},
    **{code: "SubaccountError" for code in range(4500, 4505)},
    4600: "BlacklistError",
    4601: "BlacklistPhoneExists",
    4602: "BlacklistError",
}


def test_the_error_table_is_the_gateways(sw: Any) -> None:
    """Every code of the gateway's table, and no other, with its type; ``error/<code>``
    answers each of them."""
    assert {code: type_ for code, (type_, _) in ERRORS.items()} == TABLE
    for code, type_ in TABLE.items():
        answer = sw(f"error/{code}", {}, auth=None)
        assert (answer["error"]["code"], answer["error"]["type"]) == (code, type_)


def test_a_subaccount_cannot_make_subaccounts(sw: Any, control: EmulatorClient) -> None:
    made = sw("subaccounts/add", {"subaccount_username": "team1", "subaccount_password": "pw1234"})
    assert made["success"] is True
    again = sw(
        "subaccounts/add",
        {"subaccount_username": "team2", "subaccount_password": "pw1234"},
        auth=("team1", "pw1234"),
    )
    assert again["error"]["code"] == 4501
    demo = sw(
        "subaccounts/add",
        {"subaccount_username": "team3", "subaccount_password": "pw1234"},
        auth=("demo", "demo"),
    )
    assert demo["error"]["code"] == 4500
    assert sw("senders/add", {"name": "Mine"}, auth=("demo", "demo"))["error"]["code"] == 4406


def test_unknown_error_code_is_2002(sw: Any) -> None:
    assert sw("error/9999", {}, auth=None)["error"]["code"] == 2002
    assert sw("error/abc", {}, auth=None)["error"]["code"] == 2002


def test_every_per_recipient_error(sw: Any, control: EmulatorClient) -> None:
    control.account(
        "serwersms", "shop", password="secret", senders=[{"name": "Shop", "status": "authorized"}]
    )
    sw("blacklist/add", {"phone": "600700800"})
    eco = sw(
        "messages/send_sms",
        {"phone": ["12", "600700800", "+41790000000"], "text": "x", "details": 1},
    )
    named = sw(
        "messages/send_sms", {"phone": "500600700", "text": "x", "sender": "Nope", "details": 1}
    )
    codes = {i["error_code"] for i in eco["items"] + named["items"]}
    expected = {code for code, _ in RECIPIENT_ERRORS.values()} - {2201}
    assert codes == expected
