"""What a new user hits in the first hour: filters that are checked, messages that guide."""

from __future__ import annotations

import socket
import threading
from typing import Any

import pytest
import requests

from emulator.testing.client import ControlAPIError, EmulatorClient
from emulator.testing.server import EmulatorServer

FILTERED = ("messages", "messages/wait", "callbacks", "callbacks/wait", "replies", "replies/wait")


@pytest.mark.parametrize("path", FILTERED)
def test_an_unknown_filter_is_refused_naming_it_and_the_valid_ones(
    server: EmulatorServer, control: EmulatorClient, path: str
) -> None:
    answer = requests.get(
        f"{server.url}/_emulator/{path}", params={"stauts": "delivered", "timeout": 0}
    )
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["field"] == "stauts"
    assert "'stauts'" in error["message"] and "provider, account" in error["message"]


@pytest.mark.parametrize(
    ("path", "name", "value", "valid"),
    [
        ("messages", "status", "failed", "undelivered"),
        ("messages/wait", "status", "failed", "delivered"),
        ("messages", "provider", "serwer", "serwersms"),
        ("messages", "kind", "text", "personalized"),
        ("callbacks", "state", "done", "pending"),
        ("callbacks", "kind", "sms", "non_delivery"),
        ("replies", "provider", "serwer", "server2sms"),
    ],
)
def test_an_unknown_filter_value_is_refused_listing_the_valid_ones(
    server: EmulatorServer, control: EmulatorClient, path: str, name: str, value: str, valid: str
) -> None:
    answer = requests.get(f"{server.url}/_emulator/{path}", params={name: value})
    assert answer.status_code == 400
    assert answer.json()["error"]["field"] == name
    assert repr(value) in answer.json()["error"]["message"]
    assert valid in answer.json()["error"]["message"]


def test_the_client_helpers_refuse_a_misspelt_filter(
    server: EmulatorServer, control: EmulatorClient
) -> None:
    """``wait_for_messages(stauts="delivered")`` returned a queued message at once, so a test
    passed for the wrong reason."""
    requests.post(
        server.url + "/messages/send_sms.json",
        json={"username": "shop", "password": "x", "phone": "500600700", "text": "t"},
    )
    with pytest.raises(ControlAPIError) as typo:
        control.wait_for_messages(stauts="delivered", timeout=1)
    assert typo.value.status == 400 and "'stauts'" in str(typo.value)
    with pytest.raises(ControlAPIError, match="undelivered"):
        control.messages(status="failed")
    with pytest.raises(ControlAPIError, match="serwersms"):
        control.callbacks(provider="serwer")
    assert [m["status"] for m in control.messages(status="queued")] == ["queued"]


def test_the_token_may_come_in_the_query_of_a_filtered_route(
    control: EmulatorClient, server: EmulatorServer
) -> None:
    answer = requests.get(server.url + "/_emulator/messages", params={"token": "anything"})
    assert answer.status_code == 200, answer.text


def test_openapi_documents_the_filter_choices(server: EmulatorServer, control: Any) -> None:
    document = requests.get(server.url + "/_emulator/openapi/control.json").json()
    parameters = {
        p["name"]: p["schema"]
        for p in document["paths"]["/_emulator/messages"]["get"]["parameters"]
    }
    assert "undelivered" in parameters["status"]["enum"]
    assert parameters["provider"]["enum"] == ["server2sms", "serwersms"]


def test_a_long_poll_under_a_frozen_clock_says_so(
    server: EmulatorServer, control: EmulatorClient
) -> None:
    requests.post(
        server.url + "/messages/send_sms.json",
        json={"username": "shop", "password": "x", "phone": "500600700", "text": "t"},
    )
    answer = requests.get(
        server.url + "/_emulator/messages/wait", params={"status": "delivered", "timeout": 0.2}
    )
    assert answer.status_code == 408
    assert "manual and was not advanced" in answer.json()["error"]["hint"]
    with pytest.raises(AssertionError, match="manual and was not advanced"):
        control.wait_for_messages(status="delivered", timeout=0.2)
    control.set_clock("real")
    answer = requests.get(server.url + "/_emulator/callbacks/wait", params={"timeout": 0.1})
    assert answer.status_code == 408 and "hint" not in answer.json()["error"]


def test_the_callback_receiver_says_when_the_clock_is_frozen(
    sms_emulator: Any, sms_callback_receiver: Any
) -> None:
    sms_emulator.set_clock("manual")
    sms_emulator.account(
        "serwersms", "shop", password="pw", dlr_url=sms_callback_receiver.url + "/dlr"
    )
    requests.post(
        sms_emulator.url + "/messages/send_sms.json",
        json={"username": "shop", "password": "pw", "phone": "500600700", "text": "t"},
    )
    with pytest.raises(AssertionError, match="manual and was not advanced") as frozen:
        sms_callback_receiver.wait_for(1, timeout=0.2)
    assert "sms_emulator.advance" in str(frozen.value)
    mover = threading.Timer(0.05, sms_emulator.advance, [5])  # advanced during the wait
    mover.start()
    with pytest.raises(AssertionError) as advanced:
        sms_callback_receiver.wait_for(2, timeout=1)
    mover.join()
    assert "manual" not in str(advanced.value), "it was advanced: no such hint"
    assert len(sms_callback_receiver.wait_for(1)) == 1


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("POST", "/_emulator/messages", "GET, HEAD"),
        ("DELETE", "/_emulator/messages/abc", "GET, HEAD"),
        ("GET", "/_emulator/reset", "POST"),
        ("PUT", "/_emulator/accounts/serwersms/shop", "DELETE, GET, PATCH, HEAD"),
    ],
)
def test_a_control_path_with_another_method_is_405_with_allow(
    server: EmulatorServer, control: EmulatorClient, method: str, path: str, allow: str
) -> None:
    answer = requests.request(method, server.url + path)
    assert answer.status_code == 405
    assert answer.headers["Allow"] == allow
    assert method in answer.json()["error"]["message"]
    assert requests.get(server.url + "/_emulator/nothing").status_code == 404


def test_a_callback_error_for_plain_http_is_plain(
    server: EmulatorServer, control: EmulatorClient
) -> None:
    """No ``ssl:default`` in the error of an http:// callback that met a closed port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    control.account("serwersms", "shop", password="pw", dlr_url=f"http://127.0.0.1:{closed}/dlr")
    requests.post(
        server.url + "/messages/send_sms.json",
        json={"username": "shop", "password": "pw", "phone": "500600700", "text": "t"},
    )
    control.advance(1)
    [job] = control.callbacks()
    error = job["attempts"][0]["error"]
    assert error == f"cannot connect to 127.0.0.1:{closed}: Connection refused"


def test_a_request_at_the_wrong_gateway_gets_a_hint(
    server: EmulatorServer, control: EmulatorClient
) -> None:
    s2s_body = {
        "UserName": "shop",
        "Password": "pw",
        "Recipients": ["+41790000000"],
        "MessageText": "hi",
    }
    at_serwersms = requests.post(server.url + "/messages/send_sms.json", json=s2s_body)
    assert at_serwersms.json()["error"]["code"] == 1001, "the gateway's own answer stays"
    assert "looks like a server2sms request" in at_serwersms.headers["X-Emulator-Error"]
    assert "/SendTextSMS" in at_serwersms.headers["X-Emulator-Error"]
    form = requests.post(
        server.url + "/SendTextSMS",
        data={"username": "shop", "password": "pw", "phone": "500600700", "text": "hi"},
    )
    assert form.status_code == 400 and form.json()["StatusCode"] == "11"
    assert "looks like a SerwerSMS request" in form.headers["X-Emulator-Error"]
    json_keys = requests.post(
        server.url + "/SendTextSMS",
        json={"username": "shop", "password": "pw", "phone": "500600700"},
    )
    assert json_keys.json()["StatusCode"] == "3"
    assert "/messages/send_sms" in json_keys.headers["X-Emulator-Error"]
    no_group = requests.post(server.url + "/send_sms.json", data="username=shop")
    assert no_group.status_code == 404 and no_group.json()["StatusCode"] == "2"
    assert "its path is /messages/send_sms" in no_group.headers["X-Emulator-Error"]
    grouped = requests.post(server.url + "/messages/SendTextSMS", json=s2s_body)
    assert grouped.json()["error"]["code"] == 1000
    assert "POST /SendTextSMS" in grouped.headers["X-Emulator-Error"]
    plain = requests.post(server.url + "/SendTextSMS", data="UserName=shop&Password=pw")
    assert "take a JSON object" in plain.headers["X-Emulator-Error"]
