"""Promises that hold at the edges: numbers in any spelling, many pending waits, odd paths and
inputs, secrets, callback loops."""

from __future__ import annotations

import concurrent.futures
from typing import Any

import requests

from emulator.testing.client import EmulatorClient
from emulator.testing.server import EmulatorServer

SHOP = {"username": "shop", "password": "pw"}


def sw_send(server: EmulatorServer, phone: str, text: str = "x") -> dict[str, Any]:
    answer = requests.post(server.url + "/messages/send_sms.json",
                           json={**SHOP, "phone": phone, "text": text, "details": True})
    data: dict[str, Any] = answer.json()
    return data


def test_a_rule_matches_the_number_as_the_user_wrote_it(server: EmulatorServer,
                                                        control: EmulatorClient) -> None:
    control.add_rule(recipient="500600704", outcome="unknown_subscriber")
    control.add_rule(recipient="0048 500 600 705", match="exact", outcome="call_barred")
    sw_send(server, "500600704")
    sw_send(server, "+48500600705")
    sw_send(server, "500600706")
    control.advance(5)
    statuses = {m["recipient"]: (m["status"], m["reason"]) for m in control.messages()}
    assert statuses == {"+48500600704": ("undelivered", "wrong_number"),
                        "+48500600705": ("undelivered", "message_rejected"),
                        "+48500600706": ("delivered", None)}
    assert [m["recipient"] for m in control.sent_to("500600704")] == ["+48500600704"]


def test_many_pending_waits_are_each_answered_by_their_own_number(
        server: EmulatorServer, control: EmulatorClient) -> None:
    numbers = [f"5006{i:05d}" for i in range(40)]

    def wait(number: str) -> requests.Response:
        return requests.get(server.url + "/_emulator/messages/wait",
                            params={"recipient": number, "status": "delivered", "timeout": 20})

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
        assert requests.post(server.url + "/SendTextSMS", json={
            "UserName": "a", "Password": "b", "Recipients": ["0041 79 000 01 23"],
            "MessageText": "x"}).json()["StatusCode"] == "1"
        control.advance(5)
        assert idle.result(timeout=20).json()["items"][0]["recipient"] == "+41790000123"
