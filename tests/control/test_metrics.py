"""``GET /_emulator/metrics``, read with prometheus_client's parser (the format's reference
implementation)."""

from __future__ import annotations

from typing import Any

import requests
from prometheus_client.parser import text_string_to_metric_families
from test_control_api import s2s_send, sw_send

from emulator.testing.client import EmulatorClient
from emulator.testing.receiver import CallbackReceiver
from emulator.testing.server import EmulatorServer


def _scrape(server: EmulatorServer, **headers: str) -> dict[str, Any]:
    answer = requests.get(server.url + "/_emulator/metrics", headers=headers, timeout=10)
    assert answer.status_code == 200, answer.text
    assert answer.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    return {f.name: f for f in text_string_to_metric_families(answer.text)}


def _value(family: Any, suffix: str = "", **labels: str) -> float:
    for sample in family.samples:
        if sample.name == family.name + suffix and all(
            sample.labels.get(k) == v for k, v in labels.items()
        ):
            return float(sample.value)
    raise AssertionError(f"no {family.name}{suffix} {labels} in {family.samples}")


def test_requests_messages_and_callbacks_are_counted(
    server: EmulatorServer, control: EmulatorClient, receiver: CallbackReceiver
) -> None:
    before = _scrape(server)
    ok_before = (
        _value(before["sms_emulator_requests"], "_total", operation="SendTextSMS", result="ok")
        if any(
            s.labels.get("operation") == "SendTextSMS"
            for s in before["sms_emulator_requests"].samples
        )
        else 0.0
    )
    s2s_send(
        server,
        "alice",
        ["+41790000000", "+41790009991"],
        URLDeliveryNotification=receiver.url + "/d",
    )
    sw_send(server, "shop", ["500600700"])
    requests.post(server.url + "/NoSuchMethod", json={}, timeout=10)
    requests.post(server.url + "/CheckCredits", json={"UserName": "alice"}, timeout=10)
    control.advance(5)
    got = _scrape(server)
    asked = got["sms_emulator_requests"]
    assert asked.type == "counter"
    assert (
        _value(asked, "_total", provider="server2sms", operation="SendTextSMS", result="ok")
        == ok_before + 1
    )
    assert (
        _value(asked, "_total", provider="serwersms", operation="messages/send_sms", result="ok")
        >= 1
    )
    assert _value(asked, "_total", provider="server2sms", operation="unknown", result="error") >= 1
    assert (
        _value(asked, "_total", provider="server2sms", operation="CheckCredits", result="error")
        >= 1
    )
    labels = {value for sample in asked.samples for value in sample.labels.values()}
    assert "NoSuchMethod" not in labels  # a path is no label: its values are unbounded
    latency = got["sms_emulator_request_duration_seconds"]
    assert latency.type == "histogram"
    assert _value(latency, "_count", provider="server2sms") >= 3
    assert _value(latency, "_bucket", provider="server2sms", le="+Inf") == _value(
        latency, "_count", provider="server2sms"
    )
    messages = got["sms_emulator_messages"]
    assert _value(messages, provider="server2sms", status="delivered") == 1
    assert _value(messages, provider="server2sms", status="undelivered") == 1
    assert _value(messages, provider="serwersms", status="delivered") == 1
    for sample in messages.samples:
        assert set(sample.labels) == {"provider", "status"}  # no phone numbers, no texts
    assert _value(got["sms_emulator_callback_attempts"], "_total", outcome="ok") >= 1
    assert _value(got["sms_emulator_store_messages"]) == 3
    assert _value(got["sms_emulator_uptime_seconds"]) > 0


def test_metrics_obey_the_control_apis_access_rules(make_sms_emulator: Any) -> None:
    emulator = make_sms_emulator(control_token="s3cret")
    server = emulator.server
    assert requests.get(server.url + "/_emulator/metrics", timeout=10).status_code == 401
    assert "sms_emulator_requests" in _scrape(server, Authorization="Bearer s3cret")
