"""Every control endpoint over real HTTP, each answer checked against its schema."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import requests

from emulator.testing.client import EmulatorClient
from emulator.testing.receiver import CallbackReceiver
from emulator.testing.server import EmulatorServer

Ctl = Callable[..., Any]


def s2s_send(
    server: EmulatorServer, user: str, recipients: list[str], text: str = "hi", **fields: Any
) -> dict[str, Any]:
    return requests.post(
        server.url + "/SendTextSMS",
        json={
            "UserName": user,
            "Password": "pw",
            "Recipients": recipients,
            "MessageText": text,
            **fields,
        },
    ).json()


def sw_send(
    server: EmulatorServer, user: str, phones: list[str], text: str = "hi", **fields: Any
) -> dict[str, Any]:
    return requests.post(
        server.url + "/messages/send_sms",
        json={"username": user, "password": "pw", "phone": phones, "text": text, **fields},
    ).json()


def test_health(ctl: Ctl) -> None:
    health = ctl("GET", "/_emulator/health", schema="health")
    assert health["ready"] is True and health["status"] == "ok"
    assert health["providers"] == ["server2sms", "serwersms"]


def test_list_and_filter_messages(
    ctl: Ctl, server: EmulatorServer, control: EmulatorClient
) -> None:
    s2s_send(server, "alice", ["+41790000000", "+41790000001"], "hello", Originator="Shop")
    control.advance(1)
    sw_send(server, "bob", ["500600700"], "cześć")
    control.advance(1)
    everything = ctl("GET", "/_emulator/messages", schema="messages.list")
    assert [m["seq"] for m in everything["items"]] == sorted(m["seq"] for m in everything["items"])
    assert [(m["provider"], m["account"]) for m in everything["items"]] == [
        ("server2sms", "alice"),
        ("server2sms", "alice"),
        ("serwersms", "bob"),
    ]

    def only(**query: Any) -> list[str]:
        return [
            m["recipient"]
            for m in ctl("GET", "/_emulator/messages", schema="messages.list", **query)["items"]
        ]

    assert only(provider="serwersms") == ["+48500600700"]
    assert only(account="alice") == ["+41790000000", "+41790000001"]
    assert only(recipient="0041790000001") == ["+41790000001"]
    assert only(recipient="+48 500 600 700") == ["+48500600700"]
    assert only(sender="Shop") == ["+41790000000", "+41790000001"]
    assert only(status="delivered", text="cze") == ["+48500600700"]
    assert only(since=everything["items"][2]["created"]) == ["+48500600700"]
    first = ctl("GET", "/_emulator/messages", schema="messages.list", limit=2)
    assert first["count"] == 2
    rest = ctl("GET", "/_emulator/messages", schema="messages.list", cursor=first["next_cursor"])
    assert [m["recipient"] for m in rest["items"]] == ["+48500600700"]
    bad = ctl("GET", "/_emulator/messages", schema="error", expect=400, limit="many")
    assert bad["error"]["field"] == "limit"


def test_message_detail(
    ctl: Ctl, server: EmulatorServer, control: EmulatorClient, receiver: CallbackReceiver
) -> None:
    s2s_send(server, "alice", ["+41790000000:T1"], URLDeliveryNotification=receiver.url + "/d")
    control.advance(1)
    [summary] = control.messages()
    detail = ctl("GET", f"/_emulator/messages/{summary['id']}", schema="message")
    assert detail["request"]["body"]["Password"] == "***"
    assert detail["request"]["path"] == "/SendTextSMS"
    assert [h["status"] for h in detail["history"]] == ["queued", "sent", "delivered"]
    assert detail["callbacks"][0]["attempts"][0]["status"] == 200
    missing = ctl("GET", "/_emulator/messages/nope", schema="error", expect=404)
    assert "nope" in missing["error"]["message"]


def test_wait_returns_as_soon_as_a_message_exists(ctl: Ctl, server: EmulatorServer) -> None:
    result: dict[str, Any] = {}
    waiting = threading.Event()

    def wait() -> None:
        waiting.set()
        result["answer"] = requests.get(
            server.url + "/_emulator/messages/wait",
            params={"recipient": "+41790000042", "timeout": 10},
        )

    thread = threading.Thread(target=wait)
    thread.start()
    waiting.wait()
    control = EmulatorClient(server.url)
    # Whether the waiter is parked yet or not, it must see the message.
    s2s_send(server, "alice", ["+41790000099"])
    s2s_send(server, "alice", ["+41790000042"], "the one")
    thread.join(10)
    answer = result["answer"]
    assert answer.status_code == 200
    assert answer.elapsed.total_seconds() < 9, "answered on the event, not at the timeout"
    assert [m["text"] for m in answer.json()["items"]] == ["the one"]
    assert control.health()["ready"]


def test_wait_times_out_with_a_clear_answer(ctl: Ctl) -> None:
    answer = ctl(
        "GET",
        "/_emulator/messages/wait",
        schema="messages.wait",
        expect=408,
        recipient="+41790000000",
        timeout=0.2,
        count=2,
    )
    assert answer["error"]["matched"] == 0
    assert answer["error"]["message"] == "timed out after 0.2 s: 0 of 2 messages matched"


def test_wait_for_a_status(ctl: Ctl, server: EmulatorServer, control: EmulatorClient) -> None:
    s2s_send(server, "alice", ["+41790000000"])
    pending = ctl(
        "GET",
        "/_emulator/messages/wait",
        schema="messages.wait",
        expect=408,
        status="delivered",
        timeout=0.1,
    )
    assert pending["items"] == []
    control.advance(1)
    done = ctl(
        "GET", "/_emulator/messages/wait", schema="messages.wait", timeout=1, status="delivered"
    )
    assert done["items"][0]["status"] == "delivered"


def read_events(
    server: EmulatorServer, stop_after: int, subscribed: threading.Event, types: str | None = None
) -> Iterator[dict[str, Any]]:
    """Events from the stream; ``subscribed`` is set once the server has registered us (its
    first comment line)."""
    with requests.get(
        server.url + "/_emulator/events",
        params={"types": types} if types else None,
        stream=True,
        timeout=10,
    ) as stream:
        assert stream.headers["Content-Type"].startswith("text/event-stream")
        event: dict[str, Any] = {}
        seen = 0
        for line in stream.iter_lines(decode_unicode=True):
            if line.startswith(":"):
                subscribed.set()
            elif line.startswith("id: "):
                event["id"] = int(line[4:])
            elif line.startswith("event: "):
                event["event"] = line[7:]
            elif line.startswith("data: "):
                event["data"] = json.loads(line[6:])
            elif line == "" and event:
                yield event
                seen += 1
                event = {}
                if seen >= stop_after:
                    return


@contextmanager
def events(
    server: EmulatorServer, count: int, types: str | None = None
) -> Iterator[list[dict[str, Any]]]:
    """The first ``count`` events (of ``types``) from a stream read in the background while
    the ``with`` block runs; they are all in the list after it."""
    got: list[dict[str, Any]] = []
    subscribed = threading.Event()
    thread = threading.Thread(
        target=lambda: got.extend(read_events(server, count, subscribed, types=types))
    )
    thread.start()
    assert subscribed.wait(10)
    yield got
    thread.join(10)


def test_event_stream_in_order(
    server: EmulatorServer, control: EmulatorClient, receiver: CallbackReceiver
) -> None:
    collected: list[dict[str, Any]] = []
    subscribed = threading.Event()
    thread = threading.Thread(target=lambda: collected.extend(read_events(server, 8, subscribed)))
    thread.start()
    assert subscribed.wait(10)
    s2s_send(
        server,
        "alice",
        ["+41790000000:E1", "+41790009991:E2"],
        URLDeliveryNotification=receiver.url + "/d?t=<TRN>",
        URLNonDeliveryNotification=receiver.url + "/n?t=<TRN>",
    )
    control.advance(1)
    thread.join(10)
    kinds = [e["event"] for e in collected]
    assert kinds[:2] == ["message.created", "message.created"]
    assert kinds.count("message.status") >= 4
    ids = [e["id"] for e in collected]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    statuses = [
        (e["data"]["message"]["ref"], e["data"]["status"])
        for e in collected
        if e["event"] == "message.status"
    ]
    assert statuses.index(("E1", "sent")) < statuses.index(("E1", "delivered"))


def test_event_stream_filter(
    server: EmulatorServer, control: EmulatorClient, receiver: CallbackReceiver
) -> None:
    with events(server, 1, "callback.attempt") as got:
        s2s_send(server, "alice", ["+41790000000:F1"], URLDeliveryNotification=receiver.url + "/d")
        control.advance(1)
    [event] = got
    assert event["event"] == "callback.attempt"
    assert event["data"]["attempt"]["status"] == 200
    assert event["data"]["callback"]["url"] == receiver.url + "/dF1"


def test_callbacks_journal_and_redeliver(
    ctl: Ctl, server: EmulatorServer, control: EmulatorClient, receiver: CallbackReceiver
) -> None:
    s2s_send(server, "alice", ["+41790000000:J1"], URLDeliveryNotification=receiver.url + "/d")
    control.advance(1)
    journal = ctl("GET", "/_emulator/callbacks", schema="callbacks.list", account="alice")
    [job] = journal["items"]
    assert (job["state"], job["kind"], job["url"]) == (
        "delivered",
        "delivery",
        receiver.url + "/dJ1",
    )
    again = ctl(
        "POST", f"/_emulator/callbacks/{job['id']}/redeliver", schema="callback", expect=202
    )
    assert again["id"] == job["id"]
    assert len(receiver.wait_for(2)) == 2
    ctl("POST", "/_emulator/callbacks/999/redeliver", schema="error", expect=404)
    assert (
        ctl("GET", "/_emulator/callbacks", schema="callbacks.list", state="failed")["items"] == []
    )


def test_reset_isolates_accounts(ctl: Ctl, server: EmulatorServer, control: EmulatorClient) -> None:
    s2s_send(server, "alice", ["+41790000000"])
    s2s_send(server, "bob", ["+41790000000"])
    sw_send(server, "alice", ["500600700"])
    cleared = ctl(
        "POST", "/_emulator/reset", {"provider": "server2sms", "account": "alice"}, schema="reset"
    )["cleared"]
    assert (cleared["messages"], cleared["accounts"]) == (1, 1)
    assert sorted((m["provider"], m["account"]) for m in control.messages()) == [
        ("server2sms", "bob"),
        ("serwersms", "alice"),
    ]
    everything = ctl("POST", "/_emulator/reset", {}, schema="reset")["cleared"]
    assert everything["messages"] == 2
    assert control.messages() == []
    ctl("POST", "/_emulator/reset", {"account": "bob"}, schema="error", expect=400)
    ctl("POST", "/_emulator/reset", {"provider": "other"}, schema="error", expect=400)


def test_reset_gives_back_credits_and_keeps_fixture_accounts(
    server: EmulatorServer, control: EmulatorClient
) -> None:
    requests.post(
        server.url + "/SendTextSMS",
        json={
            "UserName": "EMULATOR0001",
            "Password": "secret",
            "Recipients": ["+41790000000"],
            "MessageText": "x",
        },
    )
    assert control.get_account("server2sms", "EMULATOR0001")["credits"] == 99
    control.reset("server2sms", "EMULATOR0001")
    assert control.get_account("server2sms", "EMULATOR0001")["credits"] == 100


def test_accounts(ctl: Ctl, server: EmulatorServer) -> None:
    listed = ctl("GET", "/_emulator/accounts", schema="accounts.list", provider="serwersms")
    assert {"demo", "webapi_demo"} <= {a["username"] for a in listed["items"]}
    created = ctl(
        "POST",
        "/_emulator/accounts",
        {
            "provider": "serwersms",
            "username": "shop",
            "password": "s3cret",
            "tokens": ["tok"],
            "limits": {"eco": None, "full": "5"},
            "dlr_url": "http://127.0.0.1:9/dlr",
            "senders": [{"name": "Shop"}],
        },
        schema="account",
        expect=201,
    )
    assert created["password_enforced"] and created["limits"] == {"eco": None, "full": 5.0}
    answer = requests.post(
        server.url + "/account/limits", headers={"Authorization": "Bearer tok"}
    ).json()
    assert answer["items"][1]["value"] == "5"
    updated = ctl(
        "PATCH",
        "/_emulator/accounts/serwersms/shop",
        {"replies_url": "http://127.0.0.1:9/in", "limits": {"full": 7}},
        schema="account",
    )
    assert (updated["replies_url"], updated["limits"]) == ("http://127.0.0.1:9/in", {"full": 7.0})
    assert ctl("GET", "/_emulator/accounts/serwersms/shop", schema="account")["tokens"] == 1
    ctl("POST", "/_emulator/accounts", {"provider": "serwersms"}, schema="error", expect=400)
    bad = ctl(
        "POST",
        "/_emulator/accounts",
        {"provider": "server2sms", "username": "x", "credits": "lots"},
        schema="error",
        expect=400,
    )
    assert bad["error"]["field"] == "credits"
    foreign = ctl(
        "POST",
        "/_emulator/accounts",
        {"provider": "serwersms", "username": "x", "credits": 5},
        schema="error",
        expect=400,
    )
    assert foreign["error"]["field"] == "credits"
    assert "serwersms accounts have no credits" in foreign["error"]["message"]
    assert ctl("GET", "/_emulator/accounts/serwersms/x", schema="error", expect=404)
    ctl("DELETE", "/_emulator/accounts/serwersms/shop", schema="account.deleted")
    ctl("GET", "/_emulator/accounts/serwersms/shop", schema="error", expect=404)
    ctl("GET", "/_emulator/accounts/nope/shop", schema="error", expect=404)


def test_clock(ctl: Ctl) -> None:
    clock = ctl("GET", "/_emulator/clock", schema="clock")
    assert clock["mode"] == "manual"
    real = ctl("POST", "/_emulator/clock", {"mode": "real"}, schema="clock")
    assert real["mode"] == "real" and real["timestamp"] >= clock["timestamp"]
    manual = ctl("POST", "/_emulator/clock", {"mode": "manual"}, schema="clock")
    later = ctl("POST", "/_emulator/clock/advance", {"seconds": 3600}, schema="clock.advance")
    assert later["timestamp"] == pytest.approx(manual["timestamp"] + 3600)
    ctl("POST", "/_emulator/clock", {"mode": "fast"}, schema="error", expect=400)
    ctl("POST", "/_emulator/clock/advance", {"seconds": -1}, schema="error", expect=400)


def test_clock_advance_fires_a_deferred_message_and_its_callback(
    ctl: Ctl, server: EmulatorServer, control: EmulatorClient, receiver: CallbackReceiver
) -> None:
    from emulator.core.timefmt import iso_utc

    at = iso_utc(control.clock()["timestamp"] + 7200)
    s2s_send(
        server,
        "alice",
        ["+41790000000:DEF"],
        DeferredDeliveryTime=at,
        URLDeliveryNotification=receiver.url + "/d?trn=<TRN>",
    )
    assert (
        ctl("POST", "/_emulator/clock/advance", {"seconds": 3600}, schema="clock.advance")[
            "callbacks"
        ]
        == 0
    )
    assert receiver.calls == []
    advanced = ctl("POST", "/_emulator/clock/advance", {"seconds": 3601}, schema="clock.advance")
    assert (advanced["applied"], advanced["callbacks"], advanced["callbacks_attempted"]) == (
        3,
        1,
        True,
    )
    assert [c.query["trn"] for c in receiver.calls] == ["DEF"], "tried before the answer"


def test_rule_first_two_sends_fail_then_succeed(
    ctl: Ctl, server: EmulatorServer, control: EmulatorClient
) -> None:
    rule = ctl(
        "POST",
        "/_emulator/rules",
        {
            "provider": "server2sms",
            "recipient": "+41790000000",
            "reject": {"code": "24"},
            "times": 2,
        },
        schema="rule",
        expect=201,
    )
    codes = [s2s_send(server, "alice", ["+41790000000"])["StatusCode"] for _ in range(3)]
    assert codes == ["24", "24", "1"]
    assert len(control.messages()) == 1
    [listed] = ctl("GET", "/_emulator/rules", schema="rules.list")["items"]
    assert (listed["id"], listed["used"]) == (rule["id"], 2)
    sw_rule = ctl(
        "POST",
        "/_emulator/rules",
        {"provider": "serwersms", "reject": {"code": 3002}, "times": 1},
        schema="rule",
        expect=201,
    )
    assert sw_send(server, "bob", ["500600700"], sender="Shop")["error"]["code"] == 3002
    assert sw_send(server, "bob", ["500600700"])["queued"] == 1
    ctl("DELETE", f"/_emulator/rules/{sw_rule['id']}", schema="deleted")
    ctl("DELETE", "/_emulator/rules/999", schema="error", expect=404)
    assert ctl("DELETE", "/_emulator/rules", schema="deleted")["deleted"] == 1


def test_rule_outcomes_reasons_delays_and_matching(
    ctl: Ctl, server: EmulatorServer, control: EmulatorClient
) -> None:
    ctl(
        "POST",
        "/_emulator/rules",
        {"recipient": "+4179", "match": "prefix", "outcome": "unknown_subscriber", "reason": "115"},
        schema="rule",
        expect=201,
    )
    ctl(
        "POST",
        "/_emulator/rules",
        {"recipient": r"^\+4850\d+7$", "match": "regex", "outcome": "buffered_then_expired"},
        schema="rule",
        expect=201,
    )
    ctl("POST", "/_emulator/rules", {"text": "SLOW", "delay": 60}, schema="rule", expect=201)
    s2s_send(server, "alice", ["+41790000000"])
    sw_send(server, "bob", ["500600707", "500600700"])
    s2s_send(server, "alice", ["+41000000000"], "SLOW please")
    control.advance(5)
    statuses = {m["recipient"]: (m["status"], m["reason"]) for m in control.messages()}
    assert statuses == {
        "+41790000000": ("undelivered", "115"),
        "+48500600707": ("undelivered", "message_expired"),
        "+48500600700": ("delivered", None),
        "+41000000000": ("queued", None),
    }
    control.advance(60)
    assert control.sent_to("+41000000000")[0]["status"] == "delivered"
    ctl("POST", "/_emulator/rules", {"outcome": "no_such"}, schema="error", expect=400)
    ctl(
        "POST",
        "/_emulator/rules",
        {"recipient": "(", "match": "regex", "delay": 1},
        schema="error",
        expect=400,
    )
    ctl("POST", "/_emulator/rules", {"recipient": "+41"}, schema="error", expect=400)


def test_injected_reply_reaches_the_callback_receiver(
    ctl: Ctl, server: EmulatorServer, control: EmulatorClient, receiver: CallbackReceiver
) -> None:
    control.account(
        "serwersms",
        "bob",
        password="pw",
        replies_url=receiver.url + "/in?from=#NUMER#&text=#WIADOMOSC#",
    )
    reply = ctl(
        "POST",
        "/_emulator/replies",
        {
            "provider": "serwersms",
            "account": "bob",
            "phone": "500600700",
            "text": "STOP",
            "type": "2way",
        },
        schema="reply",
        expect=201,
    )
    [call] = receiver.wait_for(1)
    assert call.query == {"from": "+48500600700", "text": "STOP"}
    listed = ctl("GET", "/_emulator/replies", schema="replies.list", account="bob")
    assert [r["id"] for r in listed["items"]] == [reply["id"]]
    waited = ctl("GET", "/_emulator/replies/wait", schema="replies.list", phone="500600700")
    assert waited["count"] == 1
    ctl(
        "POST",
        "/_emulator/replies",
        {"provider": "server2sms", "account": "a", "phone": "+41790000000", "text": "x"},
        schema="error",
        expect=400,
    )
    ctl(
        "POST",
        "/_emulator/replies",
        {"provider": "serwersms", "account": "a"},
        schema="error",
        expect=400,
    )


def test_outcomes_and_unknown_endpoints(ctl: Ctl) -> None:
    table = ctl("GET", "/_emulator/outcomes", schema="outcomes")
    assert {"suffix": "9991", "outcome": "unknown_subscriber"} in table["numbers"]
    ctl("GET", "/_emulator/nothing", schema="error", expect=404)


def test_a_malformed_control_body_is_400(server: EmulatorServer) -> None:
    answer = requests.post(server.url + "/_emulator/rules", data=b"{not json")
    assert answer.status_code == 400
    assert "not valid JSON" in answer.json()["error"]["message"]


def test_a_full_reset_puts_the_clock_back(ctl: Ctl, control: EmulatorClient) -> None:
    before = control.clock()["timestamp"]
    control.advance(86_400)
    control.reset()
    after = control.clock()
    assert after["mode"] == "manual", "the suite's emulator is configured manual"
    assert after["timestamp"] < before + 86_400
