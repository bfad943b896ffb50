"""Exact accounting under 200 concurrent clients; callbacks that survive a receiver that is down,
slow, then failing; a bounded store that prunes visibly; a shutdown that reports what is
pending."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import aiohttp
import pytest

from emulator.testing.client import EmulatorClient
from emulator.testing.receiver import CallbackReceiver
from emulator.testing.server import EmulatorServer

CLIENTS = 200


async def _send_all(url: str, receiver_url: str) -> list[dict[str, Any]]:
    async def one(session: aiohttp.ClientSession, i: int) -> dict[str, Any]:
        if i % 2:
            async with session.post(
                url + "/SendTextSMS",
                json={
                    "UserName": "load",
                    "Password": "pw",
                    "MessageText": "x" * 161,
                    "Recipients": [f"+4179{i:07d}:T{i}"],
                    "URLDeliveryNotification": receiver_url + "/s2s?trn=<TRN>",
                },
            ) as answer:
                return await answer.json()
        async with session.post(
            url + "/messages/send_sms.json",
            json={
                "username": "load",
                "password": "pw",
                "phone": f"+4850{i:07d}",
                "text": "y",
                "unique_id": f"u{i:05d}",
            },
        ) as answer:
            return await answer.json()

    connector = aiohttp.TCPConnector(limit=CLIENTS)
    async with aiohttp.ClientSession(connector=connector) as session:
        return await asyncio.gather(*(one(session, i) for i in range(CLIENTS)))


def test_200_concurrent_clients_with_exact_accounting(
    server: EmulatorServer, control: EmulatorClient, receiver: CallbackReceiver
) -> None:
    control.account(
        "serwersms", "load", password="pw", dlr_url=receiver.url + "/sw", limits={"eco": 1000}
    )
    control.account("server2sms", "load", password="pw", credits=1000)
    answers = asyncio.run(_send_all(server.url, receiver.url))
    assert sum(a.get("StatusCode") == "1" for a in answers) == CLIENTS // 2
    assert sum(a.get("queued") == 1 for a in answers) == CLIENTS // 2
    assert len(control.messages(provider="server2sms")) == CLIENTS // 2
    assert len(control.messages(provider="serwersms")) == CLIENTS // 2
    assert control.get_account("server2sms", "load")["credits"] == 1000 - 2 * CLIENTS // 2
    assert control.get_account("serwersms", "load")["limits"]["eco"] == 1000 - CLIENTS // 2
    control.advance(5)
    calls = receiver.wait_for(CLIENTS, timeout=30)
    assert len(calls) == CLIENTS
    per_message = Counter(c.query.get("trn") or c.query["smsid"] for c in calls)
    assert len(per_message) == CLIENTS and set(per_message.values()) == {1}
    assert len(control.callbacks(state="delivered", limit=1000)) == CLIENTS


def test_callbacks_outlive_a_receiver_that_is_down_slow_and_failing(make_sms_emulator: Any) -> None:
    emulator = make_sms_emulator(
        clock="manual",
        callback_timeout=0.3,
        callback_backoff=0.05,
        callback_backoff_max=0.2,
        callback_attempts=50,
    )
    with CallbackReceiver() as receiver:
        emulator.account("serwersms", "shop", password="pw", dlr_url=receiver.url + "/dlr")
        import requests

        numbers = [f"+48500{i:06d}" for i in range(20)]
        requests.post(
            emulator.url + "/messages/send_sms",
            json={"username": "shop", "password": "pw", "phone": numbers, "text": "x"},
        )
        receiver.go_down()
        emulator.advance(5)  # every first try meets a refused connection
        receiver.come_up()
        receiver.answer_with(200, "late", times=10, delay=0.6)  # slower than the timeout
        receiver.answer_with(500, "busy", times=15)
        emulator.advance(30)  # the retries fall due on the emulator's clock, within the span
        delivered = emulator.wait_for_callbacks(20, timeout=60, state="delivered")
    assert len(delivered) == 20
    assert {d["message_id"] for d in delivered} == {
        m["id"] for m in emulator.messages(status="delivered")
    }
    for job in delivered:
        outcomes = [a["outcome"] for a in job["attempts"]]
        assert outcomes[0] == "connection_error", "the first try met the receiver down"
        assert outcomes[-1] == "ok" and outcomes.count("ok") == 1, "delivered exactly once"
    everything = Counter(a["outcome"] for d in delivered for a in d["attempts"])
    assert everything["http_error"] == 15, "each 500 answer was recorded"
    assert everything["timeout"] >= 1, "answers slower than the timeout were recorded"
    answered = {c.query["smsid"] for c in receiver.calls if c.answered == 200}
    assert answered == {d["message_id"] for d in delivered}, "the receiver saw every report"


def test_the_store_is_bounded_and_says_what_it_pruned(make_sms_emulator: Any) -> None:
    import requests

    emulator = make_sms_emulator(clock="manual", max_messages=50)
    for batch in range(4):
        answer = requests.post(
            emulator.url + "/SendTextSMS",
            json={
                "UserName": "a",
                "Password": "b",
                "MessageText": "x",
                "Recipients": [f"+4179{batch}{i:06d}" for i in range(40)],
            },
        ).json()
        assert answer["StatusCode"] == "1"
        emulator.advance(5)
    health = emulator.health()
    assert health["messages"] <= 50 and health["pruned"] == 160 - health["messages"]
    listed = emulator.request("GET", "/_emulator/messages", query={"limit": 1000})
    assert listed["pruned"] == health["pruned"]
    assert [m["recipient"][:6] for m in listed["items"]][-1] == "+41793"
    requests.post(
        emulator.url + "/SendTextSMS",
        json={
            "UserName": "a",
            "Password": "b",
            "MessageText": "x",
            "Recipients": [f"+4179400{i:04d}" for i in range(60)],
        },
    )
    in_flight = emulator.messages(status="queued")
    assert len(in_flight) == 60, "messages still in flight are never pruned"


def test_shutdown_reports_pending_callbacks() -> None:
    server = EmulatorServer(clock="manual", callback_backoff=30, callback_backoff_max=30)
    with server:
        import requests

        requests.post(
            server.url + "/SendTextSMS",
            json={
                "UserName": "a",
                "Password": "b",
                "Recipients": ["+41790000000"],
                "MessageText": "x",
                "URLDeliveryNotification": "http://127.0.0.1:9/dlr?t=<TRN>",
            },
        )
        EmulatorClient(server.url).advance(1)
        context = server.context
    [job] = context.pending_at_shutdown
    assert job.url.startswith("http://127.0.0.1:9/dlr?t=")
    assert job.attempts[0].outcome == "connection_error"


@pytest.mark.parametrize(
    "path",
    [
        "/_emulator/ui/static/../../../../etc/passwd",
        "/_emulator/ui/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/_emulator/ui/static/..%2f..%2f..%2fresources.py",
        "/_emulator/ui/static/%2e%2e%2fui.py",
    ],
)
def test_static_files_cannot_escape_their_folder(server: EmulatorServer, path: str) -> None:
    import http.client

    connection = http.client.HTTPConnection(server.host, server.port, timeout=5)
    connection.request("GET", path)  # sent as is, no client-side normalisation
    answer = connection.getresponse()
    body = answer.read()
    assert answer.status in (403, 404), body
    assert b"root:" not in body and b"import" not in body


def test_the_emulator_listens_on_loopback_unless_told(server: EmulatorServer) -> None:
    from emulator.config import Settings

    assert Settings().host == "127.0.0.1"
    assert server.host == "127.0.0.1"


def test_secrets_never_reach_the_log(
    server: EmulatorServer, caplog: pytest.LogCaptureFixture, receiver: CallbackReceiver
) -> None:
    import logging

    import requests

    caplog.set_level(logging.DEBUG)
    requests.post(
        server.url + "/SendTextSMS",
        json={
            "UserName": "EMULATOR0001",
            "Password": "s3cr3t-pw",
            "Recipients": [],
            "MessageText": "x",
        },
    )
    requests.post(
        server.url + "/messages/send_sms?password=s3cr3t-q",
        json={"username": "x", "password": "s3cr3t-body", "phone": "1", "text": "x"},
        headers={"Authorization": "Bearer s3cr3t-token"},
    )
    requests.post(server.url + "/account/limits", headers={"Authorization": "Bearer s3cr3t-t2"})
    detail = EmulatorClient(server.url).messages()
    assert all("s3cr3t" not in str(m) for m in detail)
    logged = "\n".join(
        r.getMessage() for r in caplog.records if r.name.startswith(("emulator", "aiohttp"))
    )
    assert logged, "the requests were logged"
    assert "s3cr3t" not in logged
