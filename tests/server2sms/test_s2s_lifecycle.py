"""Delivery lifecycle on the emulator's clock: magic numbers, deferred delivery, inquiry."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
import requests

from emulator.core.timefmt import central_zone
from emulator.testing.client import EmulatorClient

Call = Callable[..., dict[str, Any]]
ME = {"UserName": "ACME", "Password": "pw"}


def send(s2s: Call, recipients: list[str], **fields: Any) -> None:
    answer = s2s("SendTextSMS", {**ME, "Recipients": recipients, "MessageText": "hi", **fields})
    assert answer["StatusCode"] == "1", answer


def inquire(s2s: Call, trns: str) -> dict[str, dict[str, str]]:
    answer = s2s("InquireDeliveryNotifications", {**ME, "TransactionReferenceNumbers": trns})
    assert answer["StatusCode"] == "1"
    return {n["TransactionReferenceNumber"]: n for n in answer["DeliveryNotifications"]}


@pytest.mark.parametrize(
    ("suffix", "dst", "reason", "status"),
    [
        ("0000", "0", "000", "delivered"),
        ("9990", "0", "000", "delivered"),
        ("9991", "2", "101", "undelivered"),
        ("9992", "2", "103", "undelivered"),
        ("9993", "2", "206", "undelivered"),
        ("9994", "2", "118", "undelivered"),
        ("9995", "0", "000", "delivered"),
        ("9996", "2", "108", "undelivered"),
        ("9997", "-1", "", "sent"),
    ],
)
def test_magic_numbers_decide_the_outcome(
    s2s: Call, control: EmulatorClient, suffix: str, dst: str, reason: str, status: str
) -> None:
    send(s2s, [f"+4179000{suffix}:T{suffix}"])
    before = inquire(s2s, f"T{suffix}")[f"T{suffix}"]
    assert (before["DeliveryStatus"], before["NotificationDate"], before["Reasoncode"]) == (
        "-1",
        "",
        "",
    )
    control.advance(5)
    after = inquire(s2s, f"T{suffix}")[f"T{suffix}"]
    assert (after["DeliveryStatus"], after["Reasoncode"]) == (dst, reason)
    [message] = control.messages()
    assert message["status"] == status


def test_buffered_is_reported_before_the_final_status(s2s: Call, control: EmulatorClient) -> None:
    send(s2s, ["+41790009995:B1", "+41790009996:B2"])
    control.advance(0.35)
    now = inquire(s2s, "B1;B2")
    assert [
        (n["DeliveryStatus"], n["Reasoncode"], n["ReasoncodeDescription"]) for n in now.values()
    ] == [("1", "107", "Absent subscriber")] * 2
    assert now["B1"]["DeliveryStatusDescription"] == "Buffered"
    control.advance(1)
    final = inquire(s2s, "B1;B2")
    assert (final["B1"]["DeliveryStatus"], final["B2"]["DeliveryStatus"]) == ("0", "2")
    assert final["B2"]["ReasoncodeDescription"] == "Delivery fail"
    statuses = [h["status"] for h in control.message(control.messages()[0]["id"])["history"]]
    assert statuses == ["queued", "sent", "buffered", "delivered"]


def test_inquiry_dates_and_unknown_trns(s2s: Call, control: EmulatorClient) -> None:
    send(s2s, ["+41790000000:A", "+41790000001:B"])
    control.advance(1)
    found = inquire(s2s, "A; B ;UNKNOWN;A")
    assert list(found) == ["A", "B"]
    sent = datetime.fromisoformat(found["A"]["SubmissionDate"].replace("Z", "+00:00"))
    notified = datetime.fromisoformat(found["A"]["NotificationDate"].replace("Z", "+00:00"))
    assert timedelta(0) <= notified - sent <= timedelta(seconds=1)
    assert found["A"]["SubmissionDate"].endswith("Z")


def test_inquiry_reports_the_newest_message_of_a_reused_trn(
    s2s: Call, control: EmulatorClient
) -> None:
    send(s2s, ["+41790009991:SAME"])
    control.advance(1)
    send(s2s, ["+41790000000:SAME"])
    assert inquire(s2s, "SAME")["SAME"]["DeliveryStatus"] == "-1"


def test_inquiry_needs_trns(s2s: Call) -> None:
    answer = s2s("InquireDeliveryNotifications", {**ME, "TransactionReferenceNumbers": " ; "})
    assert answer["StatusCode"] == "23"
    assert s2s("InquireDeliveryNotifications", ME)["StatusCode"] == "23"
    assert (
        s2s("InquireDeliveryNotifications", {**ME, "TransactionReferenceNumbers": ["A"]})[
            "StatusCode"
        ]
        == "1"
    )


def _at(control: EmulatorClient, seconds: float) -> datetime:
    return datetime.fromtimestamp(control.clock()["timestamp"] + seconds, UTC)


@pytest.mark.parametrize("form", ["utc", "offset", "fraction", "legacy", "naive"])
def test_deferred_message_waits_for_its_time(s2s: Call, control: EmulatorClient, form: str) -> None:
    when = _at(control, 3600).replace(microsecond=0)
    value = {
        "utc": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "offset": when.astimezone(timezone(timedelta(hours=2))).isoformat(),
        "fraction": when.strftime("%Y-%m-%dT%H:%M:%S.123Z"),
        # The legacy and zone-less forms are Central European time.
        "legacy": when.astimezone(_central(when)).strftime("%d%m%Y%H%M%S"),
        "naive": when.astimezone(_central(when)).strftime("%Y-%m-%dT%H:%M:%S"),
    }[form]
    send(s2s, ["+41790000000:D1"], DeferredDeliveryTime=value)
    [message] = control.messages()
    assert message["status"] == "scheduled"
    assert message["scheduled_for"].startswith(when.strftime("%Y-%m-%dT%H:%M:%S"))
    control.advance(3590)
    assert inquire(s2s, "D1")["D1"]["DeliveryStatus"] == "-1"
    assert control.messages()[0]["status"] == "scheduled"
    control.advance(11)
    assert inquire(s2s, "D1")["D1"]["DeliveryStatus"] == "0"
    history = control.message(message["id"])["history"]
    assert [h["status"] for h in history] == ["scheduled", "queued", "sent", "delivered"]
    assert history[1]["time"].startswith(when.strftime("%Y-%m-%dT%H:%M:%S"))


def _central(moment: datetime) -> timezone:
    return central_zone(moment)


def test_deferred_time_in_the_past_sends_now(s2s: Call, control: EmulatorClient) -> None:
    send(s2s, ["+41790000000"], DeferredDeliveryTime="2001-01-01T00:00:00Z")
    assert control.messages()[0]["status"] == "queued"


def test_real_clock_delivers_within_about_a_second(make_sms_emulator: Any) -> None:
    emulator = make_sms_emulator(clock="real")
    answer = requests.post(
        emulator.url + "/SendTextSMS",
        json={**ME, "Recipients": ["+41790000000"], "MessageText": "now"},
    ).json()
    assert answer["StatusCode"] == "1"
    [message] = emulator.wait_for_messages(status="delivered", timeout=3)
    delivered = datetime.fromisoformat(message["updated"].replace("Z", "+00:00"))
    created = datetime.fromisoformat(message["created"].replace("Z", "+00:00"))
    assert timedelta(seconds=0.2) < delivered - created <= timedelta(seconds=1.5)
