"""What a new user hits in the first hour: filters that are checked, messages that guide."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from emulator.testing.client import ControlAPIError, EmulatorClient
from emulator.testing.server import EmulatorServer

FILTERED = ("messages", "messages/wait", "callbacks", "callbacks/wait", "replies",
            "replies/wait")


@pytest.mark.parametrize("path", FILTERED)
def test_an_unknown_filter_is_refused_naming_it_and_the_valid_ones(server: EmulatorServer,
                                                                  control: EmulatorClient,
                                                                  path: str) -> None:
    answer = requests.get(f"{server.url}/_emulator/{path}",
                          params={"stauts": "delivered", "timeout": 0})
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["field"] == "stauts"
    assert "'stauts'" in error["message"] and "provider, account" in error["message"]


@pytest.mark.parametrize(("path", "name", "value", "valid"), [
    ("messages", "status", "failed", "undelivered"),
    ("messages/wait", "status", "failed", "delivered"),
    ("messages", "provider", "serwer", "serwersms"),
    ("messages", "kind", "text", "personalized"),
    ("callbacks", "state", "done", "pending"),
    ("callbacks", "kind", "sms", "non_delivery"),
    ("replies", "provider", "serwer", "server2sms"),
])
def test_an_unknown_filter_value_is_refused_listing_the_valid_ones(
        server: EmulatorServer, control: EmulatorClient, path: str, name: str, value: str,
        valid: str) -> None:
    answer = requests.get(f"{server.url}/_emulator/{path}", params={name: value})
    assert answer.status_code == 400
    assert answer.json()["error"]["field"] == name
    assert repr(value) in answer.json()["error"]["message"]
    assert valid in answer.json()["error"]["message"]


def test_the_client_helpers_refuse_a_misspelt_filter(server: EmulatorServer,
                                                    control: EmulatorClient) -> None:
    """``wait_for_messages(stauts="delivered")`` returned a queued message at once, so a test
    passed for the wrong reason."""
    requests.post(server.url + "/messages/send_sms.json",
                  json={"username": "shop", "password": "x", "phone": "500600700", "text": "t"})
    with pytest.raises(ControlAPIError) as typo:
        control.wait_for_messages(stauts="delivered", timeout=1)
    assert typo.value.status == 400 and "'stauts'" in str(typo.value)
    with pytest.raises(ControlAPIError, match="undelivered"):
        control.messages(status="failed")
    with pytest.raises(ControlAPIError, match="serwersms"):
        control.callbacks(provider="serwer")
    assert [m["status"] for m in control.messages(status="queued")] == ["queued"]


def test_the_token_may_come_in_the_query_of_a_filtered_route(control: EmulatorClient,
                                                            server: EmulatorServer) -> None:
    answer = requests.get(server.url + "/_emulator/messages", params={"token": "anything"})
    assert answer.status_code == 200, answer.text


def test_openapi_documents_the_filter_choices(server: EmulatorServer, control: Any) -> None:
    document = requests.get(server.url + "/_emulator/openapi/control.json").json()
    parameters = {p["name"]: p["schema"] for p in
                  document["paths"]["/_emulator/messages"]["get"]["parameters"]}
    assert "undelivered" in parameters["status"]["enum"]
    assert parameters["provider"]["enum"] == ["server2sms", "serwersms"]
