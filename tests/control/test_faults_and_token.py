"""Faults on provider endpoints (off by default, by rule or by seeded rate) and the optional
control token."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import requests

from emulator.testing.client import EmulatorClient
from emulator.testing.server import EmulatorServer

Ctl = Callable[..., Any]
CHECK = {"UserName": "alice", "Password": "pw"}


def credits(server: EmulatorServer) -> requests.Response:
    return requests.post(server.url + "/CheckCredits", json=CHECK)


def test_status_fault_by_path_and_times(ctl: Ctl, server: EmulatorServer) -> None:
    fault = ctl(
        "POST",
        "/_emulator/faults",
        {"kind": "status", "status": 503, "path": "checkcredits", "times": 2},
        schema="fault",
        expect=201,
    )
    assert [credits(server).status_code for _ in range(3)] == [503, 503, 200]
    assert requests.post(server.url + "/VersionInfo", json={}).status_code == 200
    [listed] = ctl("GET", "/_emulator/faults", schema="faults.list")["items"]
    assert (listed["id"], listed["used"]) == (fault["id"], 2)
    assert ctl("GET", "/_emulator/health", schema="health")["ready"], "control is never faulted"


def test_faults_are_per_provider(ctl: Ctl, server: EmulatorServer) -> None:
    ctl(
        "POST",
        "/_emulator/faults",
        {"kind": "status", "status": 500, "provider": "serwersms"},
        schema="fault",
        expect=201,
    )
    assert credits(server).status_code == 200
    answer = requests.post(server.url + "/account/limits", json={"username": "a", "password": "b"})
    assert (answer.status_code, answer.text) == (500, "500 Internal Server Error\n")


def test_faults_follow_the_gateway_that_answers_whatever_the_path(
    ctl: Ctl, server: EmulatorServer
) -> None:
    """A fault belongs to the gateway whose route answers: odd spellings of its paths too, and
    a server2sms method name that merely starts like the control API's prefix."""
    ctl(
        "POST",
        "/_emulator/faults",
        {"kind": "status", "status": 503, "provider": "server2sms"},
        schema="fault",
        expect=201,
    )
    for path in ("/CheckCredits", "//CheckCredits", "/CheckCredits/", "/_emulatorCheck"):
        assert requests.post(server.url + path, json=CHECK).status_code == 503, path
    login = {"username": "a", "password": "b"}
    for path in ("/account/limits", "/account//limits/"):
        assert requests.post(server.url + path, json=login).status_code == 200, path
    ctl("DELETE", "/_emulator/faults", schema="deleted")
    ctl(
        "POST",
        "/_emulator/faults",
        {"kind": "status", "status": 502, "provider": "serwersms"},
        schema="fault",
        expect=201,
    )
    assert requests.post(server.url + "/account//limits/", json=login).status_code == 502
    assert requests.post(server.url + "//CheckCredits", json=CHECK).status_code == 200


def test_seeded_rate_repeats_exactly(
    ctl: Ctl, server: EmulatorServer, control: EmulatorClient
) -> None:
    def pattern() -> list[int]:
        control.clear_faults()
        ctl(
            "POST",
            "/_emulator/faults",
            {"kind": "status", "status": 500, "rate": 0.5, "seed": 42},
            schema="fault",
            expect=201,
        )
        return [credits(server).status_code for _ in range(20)]

    first, second = pattern(), pattern()
    assert first == second
    assert 0 < first.count(500) < 20


def test_drop_closes_the_connection_and_processes_nothing(
    ctl: Ctl, server: EmulatorServer, control: EmulatorClient
) -> None:
    ctl("POST", "/_emulator/faults", {"kind": "drop", "times": 1}, schema="fault", expect=201)
    with pytest.raises(requests.ConnectionError):
        requests.post(
            server.url + "/SendTextSMS",
            json={**CHECK, "Recipients": ["+41790000000"], "MessageText": "x"},
        )
    assert control.messages() == []
    assert credits(server).status_code == 200


def test_truncate_processes_then_cuts_the_answer(
    ctl: Ctl, server: EmulatorServer, control: EmulatorClient
) -> None:
    ctl("POST", "/_emulator/faults", {"kind": "truncate", "times": 1}, schema="fault", expect=201)
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        requests.post(
            server.url + "/SendTextSMS",
            json={**CHECK, "Recipients": ["+41790000000"], "MessageText": "x"},
        )
    assert len(control.messages()) == 1, "the request was processed"


def test_latency_fault_still_answers(ctl: Ctl, server: EmulatorServer) -> None:
    ctl(
        "POST",
        "/_emulator/faults",
        {"kind": "latency", "latency_ms": 50, "times": 1},
        schema="fault",
        expect=201,
    )
    answer = credits(server)
    assert answer.json()["Credits"] == "1000"
    assert answer.elapsed.total_seconds() >= 0.05
    assert ctl("GET", "/_emulator/faults", schema="faults.list")["items"][0]["used"] == 1


def test_fault_validation_and_removal(ctl: Ctl, control: EmulatorClient) -> None:
    ctl("POST", "/_emulator/faults", {"kind": "explode"}, schema="error", expect=400)
    ctl("POST", "/_emulator/faults", {"kind": "status", "rate": 2}, schema="error", expect=400)
    fault = ctl("POST", "/_emulator/faults", {"kind": "status"}, schema="fault", expect=201)
    ctl("DELETE", f"/_emulator/faults/{fault['id']}", schema="deleted")
    ctl("DELETE", "/_emulator/faults/999", schema="error", expect=404)
    control.add_fault(kind="status")
    assert control.reset()["faults"] == 1


def test_control_token(make_sms_emulator: Any) -> None:
    emulator = make_sms_emulator(control_token="s3cret")
    url = emulator.url
    refused = requests.get(url + "/_emulator/messages")
    assert refused.status_code == 401 and "token" in refused.json()["error"]["message"]
    assert (
        requests.get(
            url + "/_emulator/messages", headers={"Authorization": "Bearer s3cret"}
        ).status_code
        == 200
    )
    assert requests.get(url + "/_emulator/messages", params={"token": "s3cret"}).ok
    assert requests.get(url + "/_emulator/messages", params={"token": "wrong"}).status_code == 401
    assert requests.post(url + "/CheckCredits", json=CHECK).json()["StatusCode"] == "1"
    assert requests.get(url + "/_emulator/health").json()["ready"], "probes need no token"
    assert emulator.messages() == [], "the fixture's client carries the token"
