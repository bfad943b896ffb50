"""Callback retries run on the emulator's clock, and a redeliver never starts a second try
beside one that is pending or in flight."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
import requests

from emulator.testing.client import EmulatorClient
from emulator.testing.receiver import CallbackReceiver


def iso(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def send_with_notification(emulator: Any, receiver: CallbackReceiver) -> None:
    answer = requests.post(
        emulator.url + "/SendTextSMS",
        json={
            "UserName": "a",
            "Password": "b",
            "Recipients": ["+41790000000:T1"],
            "MessageText": "x",
            "URLDeliveryNotification": receiver.url + "/dlr?trn=<TRN>",
        },
    )
    assert answer.json()["StatusCode"] == "1"


def test_manual_clock_retries_only_when_advanced_each_at_its_backoff(
    make_sms_emulator: Any,
) -> None:
    emulator = make_sms_emulator(
        clock="manual",
        callback_backoff=1,
        callback_backoff_max=8,
        callback_attempts=6,
        delivery_delay=0.5,
    )
    with CallbackReceiver() as receiver:
        receiver.go_down()
        send_with_notification(emulator, receiver)
        first = emulator.advance(0.5)
        assert (first["callbacks"], first["callback_attempts"]) == (1, 1)
        [job] = emulator.callbacks()
        tried = iso(job["attempts"][0]["time"])
        assert iso(job["next_attempt"]) == pytest.approx(tried + 1), "emulator time of the next"
        with pytest.raises(AssertionError):  # an event wait, not a sleep: nothing moves
            emulator.wait_for_callbacks(state="failed", timeout=1.5)
        assert len(emulator.callbacks()[0]["attempts"]) == 1
        advanced = emulator.advance(60)
        assert advanced["callback_attempts"] == 5
        [job] = emulator.callbacks()
        times = [iso(a["time"]) - tried for a in job["attempts"]]
        assert times == pytest.approx([0, 1, 3, 7, 15, 23]), "backoff 1, 2, 4, 8, 8 s"
        assert [a["number"] for a in job["attempts"]] == [1, 2, 3, 4, 5, 6]
        assert job["state"] == "failed" and job["next_attempt"] is None


def test_advance_delivers_a_retry_that_falls_due_within_the_span(make_sms_emulator: Any) -> None:
    emulator = make_sms_emulator(clock="manual", callback_backoff=2, delivery_delay=0.5)
    with CallbackReceiver() as receiver:
        receiver.answer_with(503, times=1)
        send_with_notification(emulator, receiver)
        advanced = emulator.advance(1)  # delivered at 0.5, tried at 0.5; retry due at 2.5
        assert advanced["callback_attempts"] == 1
        assert emulator.callbacks()[0]["state"] == "pending"
        assert emulator.advance(1.4)["callback_attempts"] == 0
        assert emulator.advance(0.1)["callback_attempts"] == 1
        [job] = emulator.callbacks()
        assert job["state"] == "delivered"
        assert [a["outcome"] for a in job["attempts"]] == ["http_error", "ok"]
        assert len(receiver.wait_for(2)) == 2


def test_real_mode_retries_on_their_own(make_sms_emulator: Any) -> None:
    emulator = make_sms_emulator(clock="real", callback_backoff=0.05, delivery_delay=0.05)
    with CallbackReceiver() as receiver:
        receiver.answer_with(500, times=2)
        send_with_notification(emulator, receiver)
        [job] = emulator.wait_for_callbacks(state="delivered", timeout=10)
        assert [a["number"] for a in job["attempts"]] == [1, 2, 3]


def test_redeliver_of_a_pending_job_brings_its_next_try_forward_once(
    make_sms_emulator: Any,
) -> None:
    emulator = make_sms_emulator(clock="manual", callback_backoff=30, delivery_delay=0.5)
    with CallbackReceiver() as receiver:
        receiver.answer_with(500, times=1)
        send_with_notification(emulator, receiver)
        emulator.advance(1)
        [job] = emulator.callbacks()
        assert job["state"] == "pending" and len(job["attempts"]) == 1
        emulator.post(f"/_emulator/callbacks/{job['id']}/redeliver")
        [done] = emulator.wait_for_callbacks(state="delivered", timeout=10)
        assert [a["number"] for a in done["attempts"]] == [1, 2], "brought forward, not added"
        assert emulator.advance(120)["callback_attempts"] == 0, "the old retry is gone"
        for _ in range(3):
            emulator.post(f"/_emulator/callbacks/{job['id']}/redeliver")
        [done] = emulator.wait_for_callbacks(state="delivered", timeout=10)
        numbers = [a["number"] for a in done["attempts"]]
        assert numbers == list(range(1, len(numbers) + 1)), "unique and increasing"
        assert len(receiver.calls) == len(numbers), "one try at a time: no parallel duplicates"


def test_redeliver_while_a_try_is_in_flight_adds_no_second_one(
    make_sms_emulator: Any, control: EmulatorClient
) -> None:
    emulator = make_sms_emulator(clock="manual", delivery_delay=0.5, callback_timeout=5)
    with CallbackReceiver() as receiver:
        receiver.answer_with(200, "slow", delay=1.0)
        answer = requests.post(
            emulator.url + "/_emulator/accounts",
            json={
                "provider": "serwersms",
                "username": "shop",
                "password": "pw",
                "replies_url": receiver.url + "/in",
            },
        )
        assert answer.ok
        reply = emulator.inject_reply("serwersms", "shop", "500600700", "hi")
        [job] = emulator.callbacks(reply_id=reply["id"])
        for _ in range(3):
            emulator.post(f"/_emulator/callbacks/{job['id']}/redeliver")
        [done] = emulator.wait_for_callbacks(state="delivered", timeout=10)
        assert [a["number"] for a in done["attempts"]] == [1]
        assert len(receiver.calls) == 1
