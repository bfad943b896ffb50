"""Every body encoding the official clients send gives the same result (the spec's table)."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests

from emulator.testing.client import EmulatorClient
from emulator.testing.server import EmulatorServer

PHONES = ["+48500600700", "+48600700800"]


def post(
    server: EmulatorServer,
    path: str,
    body: bytes | str,
    content_type: str | None,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    all_headers = dict(headers or {})
    if content_type:
        all_headers["Content-Type"] = content_type
    answer = requests.post(f"{server.url}/{path}", data=body, headers=all_headers)
    assert answer.status_code == 200
    return answer.json()


SEND_SMS_BODIES = {
    "python (JSON, arrays, 'true' strings, Bearer)": (
        json.dumps(
            {
                "phone": ["500600700", "600700800"],
                "text": "Hi",
                "sender": "",
                "details": "true",
                "system": "client_python",
            }
        ),
        "application/json",
        {"Authorization": "Bearer shop-token"},
    ),
    "php (JSON, booleans, nulls)": (
        json.dumps(
            {
                "phone": ["500600700", "600700800"],
                "text": "Hi",
                "sender": None,
                "details": True,
                "flash": False,
                "unique_id": None,
                "system": "client_php",
            }
        ),
        "application/json",
        {"Authorization": "Bearer shop-token"},
    ),
    "old php (form, PHP brackets, 1/0)": (
        "username=shop&password=secret&phone%5B0%5D=500600700&phone%5B1%5D=600700800"
        "&text=Hi&details=1&flash=0",
        "application/x-www-form-urlencoded",
        None,
    ),
    "node (form, empty values, 'true')": (
        "username=shop&password=secret&phone%5B0%5D=500600700&phone%5B1%5D=600700800"
        "&text=Hi&sender=&details=true&system=client_nodejs",
        "application/x-www-form-urlencoded",
        None,
    ),
    "java (JSON, every value a string, comma list)": (
        json.dumps(
            {
                "phone": "500600700,600700800",
                "text": "Hi",
                "details": "true",
                "system": "client_java",
            }
        ),
        "application/json",
        {"Authorization": "Bearer shop-token"},
    ),
    "c# (JSON strings, '1', charset)": (
        json.dumps(
            {
                "username": "shop",
                "password": "secret",
                "phone": "500600700,600700800",
                "text": "Hi",
                "details": "1",
                "sender": None,
                "system": "client_csharp",
            }
        ),
        "application/json; charset=utf-8",
        None,
    ),
    "perl (JSON, 1)": (
        json.dumps(
            {
                "username": "shop",
                "password": "secret",
                "phone": ["500600700", "600700800"],
                "text": "Hi",
                "details": 1,
            }
        ),
        "application/json",
        None,
    ),
    "bash (form, '+' arrives as a space, only text encoded)": (
        "username=shop&password=secret&phone=+48500600700,+48600700800&text=Hi&details=true",
        "application/x-www-form-urlencoded",
        None,
    ),
    "delphi (JSON strings, 'on')": (
        json.dumps(
            {
                "username": "shop",
                "password": "secret",
                "phone": "500600700, 600700800",
                "text": "Hi",
                "details": "on",
            }
        ),
        "application/json",
        None,
    ),
    "no content type (JSON)": (
        json.dumps(
            {
                "username": "shop",
                "password": "secret",
                "phone": ["500600700", "600700800"],
                "text": "Hi",
                "details": True,
            }
        ),
        None,
        None,
    ),
}


@pytest.fixture
def shop(control: EmulatorClient) -> None:
    control.account("serwersms", "shop", password="secret", tokens=["shop-token"])


@pytest.mark.parametrize("client", list(SEND_SMS_BODIES))
def test_send_sms_bodies(
    server: EmulatorServer, control: EmulatorClient, shop: None, client: str
) -> None:
    body, content_type, headers = SEND_SMS_BODIES[client]
    answer = post(server, "messages/send_sms", body, content_type, headers)
    assert (answer["success"], answer["queued"], answer["unsent"]) == (True, 2, 0), answer
    assert [i["phone"] for i in answer["items"]] == PHONES
    assert [(m["recipient"], m["text"]) for m in control.messages()] == [(p, "Hi") for p in PHONES]


def test_query_string_parameters(
    server: EmulatorServer, control: EmulatorClient, shop: None
) -> None:
    answer = requests.get(
        f"{server.url}/messages/send_sms",
        params={
            "username": "shop",
            "password": "secret",
            "phone": "500600700,600700800",
            "text": "Hi",
            "details": "true",
        },
    ).json()
    assert answer["queued"] == 2


PERSONALIZED = {
    "json array of objects (PHP, Ruby)": {
        "messages": [
            {"phone": "500600700", "text": "First"},
            {"phone": "600700800", "text": "Second"},
        ]
    },
    "form array (Node, old PHP)": "messages%5B0%5D%5Bphone%5D=500600700"
    "&messages%5B0%5D%5Btext%5D=First"
    "&messages%5B1%5D%5Bphone%5D=600700800"
    "&messages%5B1%5D%5Btext%5D=Second",
    "delimited string (Java, bash)": {"messages": "500600700:First]|[600700800:Second"},
    "delimited, trailing separator (C#, Perl)": {
        "messages": "500600700:First]|[600700800:Second]|["
    },
    "python on GitHub (quotes in the string)": {"messages": '500600700:First]|["600700800:Second'},
    "json string of the array": {
        "messages": json.dumps(
            [{"phone": "500600700", "text": "First"}, {"phone": "600700800", "text": "Second"}]
        )
    },
}


@pytest.mark.parametrize("shape", list(PERSONALIZED))
def test_personalized_message_shapes(
    server: EmulatorServer, control: EmulatorClient, shop: None, shape: str
) -> None:
    body = PERSONALIZED[shape]
    if isinstance(body, str):
        answer = post(
            server,
            "messages/send_personalized",
            "username=shop&password=secret&details=1&" + body,
            "application/x-www-form-urlencoded",
        )
    else:
        answer = post(
            server,
            "messages/send_personalized",
            json.dumps({"username": "shop", "password": "secret", "details": True, **body}),
            "application/json",
        )
    assert answer["queued"] == 2, answer
    assert [(m["recipient"], m["text"]) for m in control.messages()] == [
        ("+48500600700", "First"),
        ("+48600700800", "Second"),
    ]


@pytest.mark.parametrize(
    "contact",
    [
        [{"phone": "500600700", "first_name": "A"}, {"phone": "600700800", "first_name": "B"}],
        json.dumps(
            [{"phone": "500600700", "first_name": "A"}, {"phone": "600700800", "first_name": "B"}]
        ),
    ],
)
def test_contacts_import_as_array_or_json_string(
    server: EmulatorServer, shop: None, contact: Any
) -> None:
    answer = post(
        server,
        "contacts/import",
        json.dumps(
            {"username": "shop", "password": "secret", "group_name": "Imported", "contact": contact}
        ),
        "application/json",
    )
    assert (answer["success"], answer["correct"], answer["failed"]) == (True, 2, 0)
    listed = post(
        server,
        "contacts/index",
        json.dumps({"username": "shop", "password": "secret", "group_id": answer["id"]}),
        "application/json",
    )
    assert [c["first_name"] for c in listed["items"]] == ["A", "B"]


@pytest.mark.parametrize("spelling", [True, "true", "True", 1, "1", "on", "yes"])
def test_every_boolean_spelling(server: EmulatorServer, shop: None, spelling: Any) -> None:
    answer = post(
        server,
        "messages/send_sms",
        json.dumps(
            {
                "username": "shop",
                "password": "secret",
                "phone": "500600700",
                "text": "x",
                "details": spelling,
                "test": spelling,
            }
        ),
        "application/json",
    )
    assert "items" in answer and answer["queued"] == 1


@pytest.mark.parametrize("spelling", [False, "false", 0, "0", "off", None, ""])
def test_every_false_spelling(
    server: EmulatorServer, control: EmulatorClient, shop: None, spelling: Any
) -> None:
    answer = post(
        server,
        "messages/send_sms",
        json.dumps(
            {
                "username": "shop",
                "password": "secret",
                "phone": "500600700",
                "text": "x",
                "details": spelling,
                "test": spelling,
            }
        ),
        "application/json",
    )
    assert "items" not in answer
    assert len(control.messages()) == 1, "test=false sends for real"


def test_nulls_are_absent(server: EmulatorServer, control: EmulatorClient, shop: None) -> None:
    answer = post(
        server,
        "messages/send_sms",
        json.dumps(
            {
                "username": "shop",
                "password": "secret",
                "phone": "500600700",
                "text": "x",
                "sender": None,
                "unique_id": None,
                "date": None,
                "group_id": None,
            }
        ),
        "application/json",
    )
    assert answer["queued"] == 1
    assert control.messages()[0]["ref"] is None


def test_a_json_array_body_or_broken_json_is_1006(server: EmulatorServer) -> None:
    for body in (b"[1,2]", b'{"username": ', b"\xff{}"):
        answer = post(server, "messages/send_sms", body, "application/json")
        assert answer["error"]["code"] == 1006
