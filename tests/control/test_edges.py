"""Promises that hold at the edges: numbers in any spelling, many pending waits, odd paths and
inputs, secrets, callback loops."""

from __future__ import annotations

import concurrent.futures
import contextlib
import json
from typing import Any

import pytest
import requests

from emulator.testing.client import EmulatorClient
from emulator.testing.server import EmulatorServer

SHOP = {"username": "shop", "password": "pw"}


def sw_send(server: EmulatorServer, phone: str, text: str = "x") -> dict[str, Any]:
    answer = requests.post(
        server.url + "/messages/send_sms.json",
        json={**SHOP, "phone": phone, "text": text, "details": True},
    )
    data: dict[str, Any] = answer.json()
    return data


def test_a_rule_matches_the_number_as_the_user_wrote_it(
    server: EmulatorServer, control: EmulatorClient
) -> None:
    control.add_rule(recipient="500600704", outcome="unknown_subscriber")
    control.add_rule(recipient="0048 500 600 705", match="exact", outcome="call_barred")
    sw_send(server, "500600704")
    sw_send(server, "+48500600705")
    sw_send(server, "500600706")
    control.advance(5)
    statuses = {m["recipient"]: (m["status"], m["reason"]) for m in control.messages()}
    assert statuses == {
        "+48500600704": ("undelivered", "wrong_number"),
        "+48500600705": ("undelivered", "message_rejected"),
        "+48500600706": ("delivered", None),
    }
    assert [m["recipient"] for m in control.sent_to("500600704")] == ["+48500600704"]


def test_many_pending_waits_are_each_answered_by_their_own_number(
    server: EmulatorServer, control: EmulatorClient
) -> None:
    numbers = [f"5006{i:05d}" for i in range(40)]

    def wait(number: str) -> requests.Response:
        return requests.get(
            server.url + "/_emulator/messages/wait",
            params={"recipient": number, "status": "delivered", "timeout": 20},
        )

    with concurrent.futures.ThreadPoolExecutor(len(numbers) + 1) as pool:
        waits = {n: pool.submit(wait, n) for n in numbers}
        idle = pool.submit(wait, "+41790000123")  # a number nobody sends to
        while control.health()["message_waits"] < len(waits) + 1:
            pass  # the waits are on their way to the server
        for number in numbers:
            sw_send(server, number)
        assert not any(w.done() for w in waits.values()), "queued, not delivered yet"
        control.advance(5)
        for number, future in waits.items():
            answer = future.result(timeout=20)
            assert answer.status_code == 200
            [item] = answer.json()["items"]
            assert item["recipient"] == "+48" + number and item["status"] == "delivered"
        assert not idle.done()
        control.reset()
        assert (
            requests.post(
                server.url + "/SendTextSMS",
                json={
                    "UserName": "a",
                    "Password": "b",
                    "Recipients": ["0041 79 000 01 23"],
                    "MessageText": "x",
                },
            ).json()["StatusCode"]
            == "1"
        )
        control.advance(5)
        assert idle.result(timeout=20).json()["items"][0]["recipient"] == "+41790000123"


def raw_request(server: EmulatorServer, head: bytes) -> bytes:
    """Send bytes no HTTP library would, and read the whole answer."""
    import socket

    with socket.create_connection(("127.0.0.1", server.port or 0), timeout=10) as sock:
        sock.sendall(head)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("//SendSimpleTextSMS", 200, "20"),  # what pyaspsms builds from its default base URL
        ("/VersionInfo/", 200, "1"),
        ("//CheckCredits//", 200, "1"),
        ("/Check{Credits}", 404, "2"),
        ("/%7BMethod%7D", 404, "2"),
        ("/", 404, "2"),
    ],
)
def test_odd_server2sms_paths(server: EmulatorServer, path: str, status: int, code: str) -> None:
    answer = requests.post(server.url + path, json={"UserName": "a", "Password": "b"})
    assert answer.status_code == status
    assert answer.json()["StatusCode"] == code


@pytest.mark.parametrize(
    ("path", "code"),
    [
        ("//account//limits.json", None),
        ("/account/limits/", None),
        ("/account/{limits}", 1000),
        ("/a/b/c", 1000),
    ],
)
def test_odd_serwersms_paths(server: EmulatorServer, path: str, code: int | None) -> None:
    answer = requests.post(server.url + path, json=SHOP)
    assert answer.status_code == 200
    data = answer.json()
    assert (data.get("error") or {}).get("code") == code
    xml = requests.post(server.url + "//account//limits.xml", json=SHOP)
    assert xml.text.startswith("<?xml") and "<result>" in xml.text


def test_the_unknown_server2sms_method_code_is_written_down() -> None:
    from pathlib import Path

    decisions = (Path(__file__).resolve().parents[2] / "docs" / "decisions.md").read_text()
    assert "Unknown method" in decisions and '"2"' in decisions


def test_a_bearer_token_that_is_not_utf8_gets_an_answer(server: EmulatorServer) -> None:
    answer = raw_request(
        server,
        b"POST /account/limits HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Authorization: Bearer \xff\xfe\r\nContent-Length: 0\r\n"
        b"Connection: close\r\n\r\n",
    )
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200")
    assert isinstance(json.loads(body), dict), "a SerwerSMS answer, not a plain-text 500"
    control_answer = raw_request(
        server,
        b"GET /_emulator/messages HTTP/1.1\r\n"
        b"Host: 127.0.0.1\r\nAuthorization: Bearer \xff\r\n"
        b"Connection: close\r\n\r\n",
    )
    assert control_answer.startswith(b"HTTP/1.1 200")


@pytest.mark.parametrize("validity", [1e308, "9" * 400, -5, "1e400", 10**20])
def test_huge_token_validity_is_refused_in_format(server: EmulatorServer, validity: object) -> None:
    answer = requests.post(
        server.url + "/SendTokenSMS",
        json={
            "UserName": "a",
            "Password": "b",
            "Recipients": ["+41790000000"],
            "MessageText": "code <VERIFICATIONCODE>",
            "TokenValidity": validity,
        },
    )
    assert answer.status_code == 200
    assert answer.json()["StatusCode"] == "11"
    assert "TokenValidity" in answer.headers["X-Emulator-Error"]


def test_control_characters_never_reach_a_header(server: EmulatorServer) -> None:
    body = (
        b'{"username":"a","password":"b","subaccount_username":"x","subaccount_password"'
        b':"y","subaccount_id":"1\\r\\nX-Evil: 1\\u0000\\u001b"}'
    )
    answer = raw_request(
        server,
        b"POST /subaccounts/add.json HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
        b"application/json\r\nConnection: close\r\nContent-Length: "
        + str(len(body)).encode()
        + b"\r\n\r\n"
        + body,
    )
    head, _, answer_body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200"), answer
    assert b"\nX-Evil" not in head and b"\x00" not in head and b"\x1b" not in head
    assert b'"code":' in answer_body


def test_a_multipart_file_is_accepted_with_its_name(server: EmulatorServer) -> None:
    picture = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 4
    added = requests.post(
        server.url + "/files/add.json",
        data={**SHOP, "type": "mms"},
        files={"file": ("parcel.jpg", picture, "image/jpeg")},
    ).json()
    assert added["success"] is True
    [listed] = requests.post(server.url + "/files/index.json", data={**SHOP, "type": "mms"}).json()[
        "items"
    ]
    assert (listed["id"], listed["name"], listed["size"]) == (
        added["id"],
        "parcel.jpg",
        len(picture),
    )
    sent = requests.post(
        server.url + "/messages/send_mms.json",
        data={**SHOP, "phone": "500600700", "title": "Parcel"},
        files={"file": ("parcel.jpg", picture, "image/jpeg")},
    ).json()
    assert sent["success"] is True and sent["queued"] == 1


def test_a_secret_sent_as_an_object_is_never_echoed(
    server: EmulatorServer, control: EmulatorClient, caplog: pytest.LogCaptureFixture
) -> None:
    secret = {"p": "Hunter2-SECRET"}
    caplog.set_level("DEBUG")
    answers = [
        requests.post(server.url + "/CheckCredits", json={"UserName": "a", "Password": secret}),
        requests.post(
            server.url + "/account/limits.json", json={"username": "a", "password": secret}
        ),
        requests.post(
            server.url + "/_emulator/accounts",
            json={"provider": "serwersms", "username": "a", "password": secret},
        ),
        requests.post(
            server.url + "/SendTextSMS",
            json={
                "UserName": "a",
                "Password": "b",
                "Recipients": ["+41790000000"],
                "MessageText": "x",
                "Token": [secret],
            },
        ),
    ]
    shown = [(a.status_code, dict(a.headers), a.text) for a in answers]
    shown += [control.messages(), control.callbacks(), caplog.text]
    assert "Hunter2" not in repr(shown)
    assert "Password" in answers[0].headers["X-Emulator-Error"], "the field is still named"


def test_a_callback_into_the_emulator_is_refused_and_recorded(
    server: EmulatorServer, control: EmulatorClient
) -> None:
    control.account(
        "serwersms",
        "shop",
        password="pw",
        dlr_url=server.url + "/messages/send_sms.json?username=shop&password=pw"
        "&phone=500600799&text=loop",
    )
    sw_send(server, "500600700")
    advanced = control.advance(60)
    assert advanced["callback_attempts"] == 1, "not retried: a loop is no fault to retry"
    [job] = control.callbacks()
    assert job["state"] == "failed"
    [attempt] = job["attempts"]
    assert (attempt["outcome"], attempt["status"]) == ("loop", 508)
    assert '"code":1005' in attempt["body"]
    assert [m["recipient"] for m in control.messages()] == ["+48500600700"], "nothing sent"
    direct = requests.post(
        server.url + "/CheckCredits",
        json={"UserName": "a", "Password": "b"},
        headers={"X-Sms-Emulator-Callback": "1"},
    )
    assert (direct.status_code, direct.json()["StatusCode"]) == (508, "25")


def test_max_messages_bounds_the_journal_and_the_replies(make_sms_emulator: Any) -> None:
    from emulator.testing.receiver import CallbackReceiver

    emulator = make_sms_emulator(clock="manual", max_messages=30)
    with CallbackReceiver() as receiver:
        emulator.account(
            "serwersms",
            "shop",
            password="pw",
            dlr_url=receiver.url + "/dlr",
            replies_url=receiver.url + "/in",
        )
        for batch in range(4):
            numbers = [f"5006{batch}{i:04d}" for i in range(25)]
            assert (
                requests.post(
                    emulator.url + "/messages/send_sms.json",
                    json={**SHOP, "phone": numbers, "text": "x"},
                ).json()["queued"]
                == 25
            )
            emulator.advance(5)
        for i in range(40):
            emulator.inject_reply("serwersms", "shop", f"50070{i:04d}", "hi")
        emulator.advance(1)
        health = emulator.health()
        assert health["messages"] <= 30
        assert len(emulator.replies()) == 30
        journal = emulator.callbacks(limit=100_000)
        assert len(journal) <= 30 and health["callbacks_pruned"] == 140 - len(journal)
        assert len(receiver.calls) == 140, "every callback was made before it was pruned"
        assert emulator.reset()["callbacks"] == len(journal)


def test_an_event_reader_that_does_not_read_is_cut_off(
    server: EmulatorServer, control: EmulatorClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reader that stops reading is disconnected the moment it falls too far behind, and
    its backlog is dropped then (it held its whole backlog until it had read it)."""
    import socket
    import time

    from emulator.control import stream

    monkeypatch.setattr(stream, "QUEUE_BYTES", 64 * 1024)
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # a small window
        sock.connect(("127.0.0.1", server.port or 0))
        sock.sendall(
            b"GET /_emulator/events HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        )
        deadline = time.monotonic() + 5
        while not server.context.streams and time.monotonic() < deadline:
            time.sleep(0.01)
        assert server.context.streams, "the stream is open"
        # One send's 1,000 message.created events at once: far more than 64 KB, none read yet.
        requests.post(
            server.url + "/SendTextSMS",
            json={
                "UserName": "a",
                "Password": "b",
                "MessageText": "x" * 100,
                "Recipients": [f"+4179{i:07d}" for i in range(1000)],
            },
        )
        deadline = time.monotonic() + 5
        while server.context.streams and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(server.context.streams) == 0, "the reader was let go before it read"
        received = b""
        sock.settimeout(10)
        with contextlib.suppress(ConnectionResetError):
            while chunk := sock.recv(1 << 20):
                received += chunk
    assert len(received) < 2 * 64 * 1024 + 100_000, "the backlog was dropped, not sent"
