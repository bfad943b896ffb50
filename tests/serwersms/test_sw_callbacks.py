"""Delivery reports and incoming messages reach a real HTTP server, with retries."""

from __future__ import annotations

from typing import Any

from emulator.testing.client import EmulatorClient
from emulator.testing.receiver import CallbackReceiver


def test_delivery_reports_with_default_parameters(
    sw: Any, control: EmulatorClient, receiver: CallbackReceiver
) -> None:
    control.account("serwersms", "shop", password="secret", dlr_url=receiver.url + "/dlr")
    sent = sw(
        "messages/send_sms",
        {
            "phone": ["500600700", "500609991"],
            "text": "x",
            "unique_id": ["u001", "u002"],
            "details": True,
        },
    )
    control.advance(1)
    calls = sorted(receiver.wait_for(2), key=lambda c: c.query["numer"])
    ok, failed = calls
    assert ok.path == "/dlr"
    assert ok.query == {
        "smsid": sent["items"][0]["id"],
        "usmsid": "u001",
        "stan": "delivered",
        "numer": "+48500600700",
        "data": ok.query["data"],
        "przyczyna": "",
        "typ": "eco",
    }
    report = sw("messages/view", {"id": sent["items"][0]["id"]})
    assert ok.query["data"] == report["delivered"]
    assert (failed.query["stan"], failed.query["przyczyna"]) == ("undelivered", "wrong_number")


def test_delivery_report_template(
    sw: Any, control: EmulatorClient, receiver: CallbackReceiver
) -> None:
    control.account(
        "serwersms",
        "shop",
        password="secret",
        dlr_url=receiver.url + "/r/#SMSID#?status=#STATUS#&to=#PHONE#&x=1",
    )
    sent = sw("messages/send_sms", {"phone": "500600700", "text": "x", "details": True})
    control.advance(1)
    [call] = receiver.wait_for(1)
    assert call.path == "/r/" + sent["items"][0]["id"]
    assert call.query == {"status": "delivered", "to": "+48500600700", "x": "1"}


def test_replies_callback(sw: Any, control: EmulatorClient, receiver: CallbackReceiver) -> None:
    control.account(
        "serwersms",
        "shop",
        password="secret",
        replies_url=receiver.url + "/in?from=#NUMER#&text=#WIADOMOSC#&type=#TYP#",
    )
    sw("messages/send_nd", {"phone": "+48600700800", "text": "Zażółć & co"})
    [call] = receiver.wait_for(1)
    assert call.query == {"from": "+48600700800", "text": "Zażółć & co", "type": "nd"}


def test_reply_callback_default_parameters_and_retries(
    sw: Any, control: EmulatorClient, receiver: CallbackReceiver
) -> None:
    control.account("serwersms", "shop", password="secret", replies_url=receiver.url + "/in")
    sent = sw("messages/send_sms", {"phone": "500600700", "text": "Question?", "details": 1})
    receiver.go_down()
    reply = control.inject_reply("serwersms", "shop", "500600700", "Answer")
    [pending] = control.wait_for_callbacks(kind="reply", timeout=5)
    assert pending["attempts"] == [] or pending["attempts"][0]["outcome"] == "connection_error"
    control.wait_for_callbacks(kind="reply", state="pending", timeout=5)
    failed_once = control.callbacks(kind="reply")[0]
    receiver.come_up()
    control.advance(1)  # the retries are due on the emulator's clock
    [done] = control.wait_for_callbacks(kind="reply", state="delivered", timeout=10)
    assert done["reply_id"] == reply["id"]
    [call] = receiver.wait_for(1)
    assert call.query == {
        "id": str(reply["id"]),
        "numer": "+48500600700",
        "na_numer": "",
        "wiadomosc": "Answer",
        "data": call.query["data"],
        "typ": "eco",
        "smsid": sent["items"][0]["id"],
    }
    assert failed_once["state"] in ("pending", "delivered")
    assert done["attempts"][0]["outcome"] == "connection_error"


def test_delivery_report_retries_after_500(
    sw: Any, control: EmulatorClient, receiver: CallbackReceiver
) -> None:
    control.account("serwersms", "shop", password="secret", dlr_url=receiver.url + "/dlr")
    receiver.answer_with(500, "ERROR", times=2)
    sw("messages/send_sms", {"phone": "500600700", "text": "x"})
    control.advance(1)
    [done] = control.wait_for_callbacks(state="delivered", timeout=10)
    assert [a["status"] for a in done["attempts"]] == [500, 500, 200]
    assert [a["body"] for a in done["attempts"]] == ["ERROR", "ERROR", "OK"]
