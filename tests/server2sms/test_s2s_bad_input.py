"""Bad input gets a server2sms-format answer, never a 500, and the server keeps serving."""

from __future__ import annotations

import socket
from typing import Any

import pytest
import requests

from emulator.testing.client import EmulatorClient
from emulator.testing.server import EmulatorServer

ME = {"UserName": "ACME", "Password": "pw"}
INVALID = {"StatusCode": "11", "StatusInfo": "Invalid message date. Please verify the data."}


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"not json", "not valid JSON"),
        (b'{"UserName": ', "not valid JSON"),
        (b"[1, 2]", "must be a JSON object"),
        (b'"text"', "must be a JSON object"),
        (b"\xff\xfe{}", "not valid UTF-8"),
        (b'{"a": NaN}', "not valid JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (b'{"MessageText": "\\ud800"}', "surrogate"),
        (b'{"n": 1' + b"0" * 5000 + b"}", "not valid JSON"),
    ],
)
def test_malformed_bodies_get_400_in_server2sms_format(
    server: EmulatorServer, control: EmulatorClient, body: bytes, reason: str
) -> None:
    answer = requests.post(server.url + "/SendTextSMS", data=body)
    assert answer.status_code == 400
    assert answer.json() == INVALID
    assert reason in answer.headers["X-Emulator-Error"]
    assert control.health()["ready"] is True


def test_an_empty_body_is_an_empty_object(server: EmulatorServer) -> None:
    answer = requests.post(server.url + "/CheckCredits", data=b"")
    assert (answer.status_code, answer.json()["StatusCode"]) == (200, "3")


def test_a_body_with_a_bom_is_accepted(server: EmulatorServer) -> None:
    answer = requests.post(
        server.url + "/CheckCredits", data=b"\xef\xbb\xbf" + b'{"UserName":"ACME","Password":"pw"}'
    )
    assert answer.json()["Credits"] == "1000"


def test_a_huge_body_gets_413(make_sms_emulator: Any) -> None:
    emulator = make_sms_emulator(max_body_bytes=1000)
    answer = requests.post(
        emulator.url + "/SendTextSMS",
        json={**ME, "Recipients": ["+41790000000"], "MessageText": "x" * 5000},
    )
    assert answer.status_code == 413
    assert answer.json() == INVALID
    assert "larger than 1000 bytes" in answer.headers["X-Emulator-Error"]
    assert emulator.health()["ready"] is True


def test_unknown_method_gets_404(server: EmulatorServer) -> None:
    answer = requests.post(server.url + "/SendFax", json=ME)
    assert answer.status_code == 404
    assert answer.json() == {"StatusCode": "2", "StatusInfo": "Connect failed."}
    assert "SendFax" in answer.headers["X-Emulator-Error"]
    assert "SendTextSMS" in answer.headers["X-Emulator-Error"], "lists the methods there are"


def test_get_gets_405(server: EmulatorServer) -> None:
    answer = requests.get(server.url + "/CheckCredits")
    assert (answer.status_code, answer.json()) == (405, INVALID)


@pytest.mark.parametrize(
    "content_type",
    [
        None,
        "application/json",
        "text/json",
        "text/plain",
        "application/x-www-form-urlencoded; charset=UTF-8",
        "multipart/form-data; boundary=x",
    ],
)
def test_the_body_is_json_whatever_the_content_type(
    server: EmulatorServer, content_type: str | None
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    answer = requests.post(
        server.url + "/CheckCredits", data=b'{"UserName":"ACME","Password":"pw"}', headers=headers
    )
    assert answer.json()["Credits"] == "1000"


@pytest.mark.parametrize(
    "fields",
    [
        {"Recipients": [{"n": 1}]},
        {"Recipients": [None]},
        {"FlashingSMS": {"x": 1}},
        {"ForceGSM7bit": [1]},
        {"Originator": ["x"]},
        {"AffiliateID": {}},
        {"DeferredDeliveryTime": True},
    ],
)
def test_wrong_types_get_a_status_code(
    server: EmulatorServer, control: EmulatorClient, fields: dict[str, Any]
) -> None:
    body = {**ME, "Recipients": ["+41790000000"], "MessageText": "x", **fields}
    answer = requests.post(server.url + "/SendTextSMS", json=body)
    assert answer.status_code == 200
    assert answer.json()["StatusCode"] not in ("1", "")
    assert control.messages() == []


def test_values_of_other_json_types_are_read_leniently(
    server: EmulatorServer, control: EmulatorClient
) -> None:
    answer = requests.post(
        server.url + "/SendTextSMS",
        json={
            "UserName": 12345,
            "Password": 1,
            "Recipients": [41790000000, "+41790000001:7"],
            "MessageText": 42,
            "FlashingSMS": "",
            "ForceGSM7bit": "false",
            "AffiliateID": 259956,
            "URLDeliveryNotification": None,
            "DeferredDeliveryTime": None,
        },
    )
    assert answer.json()["StatusCode"] == "1"
    assert [m["recipient"] for m in control.messages()] == ["+41790000000", "+41790000001"]
    assert control.messages()[0]["text"] == "42"


def test_a_half_sent_request_does_not_stop_the_server(
    server: EmulatorServer, control: EmulatorClient
) -> None:
    with socket.create_connection((server.host, server.port)) as raw:
        raw.sendall(b'POST /SendTextSMS HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"a')
    with socket.create_connection((server.host, server.port)) as raw:
        raw.sendall(b"GARBAGE\r\n\r\n")
        raw.recv(1000)
    assert control.health()["ready"] is True


def test_invalid_recipient_numbers_are_accepted_and_not_delivered(
    server: EmulatorServer, control: EmulatorClient
) -> None:
    answer = requests.post(
        server.url + "/SendTextSMS",
        json={**ME, "Recipients": ["hello", "+41790000000"], "MessageText": "x"},
    ).json()
    assert answer["StatusCode"] == "1"
    control.advance(1)
    assert [(m["recipient"], m["status"]) for m in control.messages()] == [
        ("hello", "undelivered"),
        ("+41790000000", "delivered"),
    ]
