"""Delivery notifications reach a real local HTTP server, every tag filled in, with retries."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from emulator.core import timefmt
from emulator.testing.client import EmulatorClient
from emulator.testing.receiver import CallbackReceiver

Call = Callable[..., dict[str, Any]]
ME = {"UserName": "ACME", "Password": "pw"}
ALL_TAGS = (
    "RCPNT={RCPNT}&SCTSUTC=<SCTSUTC>&DSCTSUTC=<DSCTSUTC>&SCTSCET=<SCTSCET>&"
    "DSCTSCET=<DSCTSCET>&SCTS=<SCTS>&DSCTS=<DSCTS>&RSN=<RSN>&DST=<DST>&TRN=<TRN>"
)


def tagged(receiver: CallbackReceiver, path: str) -> str:
    return f"{receiver.url}/{path}?" + ALL_TAGS.replace("{RCPNT}", "<RCPNT>")


def ts(iso: str) -> float:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


def test_every_tag_is_substituted(
    s2s: Call, control: EmulatorClient, receiver: CallbackReceiver
) -> None:
    answer = s2s(
        "SendTextSMS",
        {
            **ME,
            "Recipients": ["+41790000000:76532"],
            "MessageText": "hi",
            "URLDeliveryNotification": tagged(receiver, "delivered"),
            "URLNonDeliveryNotification": tagged(receiver, "failed"),
            "URLBufferedMessageNotification": tagged(receiver, "buffered"),
        },
    )
    assert answer["StatusCode"] == "1"
    control.advance(1)
    [call] = receiver.wait_for(1)
    assert (call.method, call.path) == ("GET", "/delivered")
    message = control.message(control.messages()[0]["id"])
    submitted = ts(message["created"])
    delivered = ts(message["history"][-1]["time"])
    assert call.query == {
        "RCPNT": "+41790000000",
        "SCTSUTC": timefmt.iso_utc(submitted),
        "DSCTSUTC": timefmt.iso_utc(delivered),
        "SCTSCET": timefmt.iso_central(submitted),
        "DSCTSCET": timefmt.iso_central(delivered),
        "SCTS": timefmt.ddmmyyyyhhmmss(submitted),
        "DSCTS": timefmt.ddmmyyyyhhmmss(delivered),
        "RSN": "000",
        "DST": "0",
        "TRN": "76532",
    }
    # Formats, independently of the emulator's own formatting functions:
    utc = datetime.strptime(call.query["SCTSUTC"], "%Y-%m-%dT%H:%M:%SZ")
    cet = datetime.fromisoformat(call.query["SCTSCET"])
    assert cet.utcoffset() in (timedelta(hours=1), timedelta(hours=2))
    assert cet.replace(tzinfo=None) - cet.utcoffset() == utc
    assert datetime.strptime(call.query["SCTS"], "%d%m%Y%H%M%S") == cet.replace(tzinfo=None)
    assert "%2B41790000000" in call.raw_query, "values are URL-encoded"
    [job] = message["callbacks"]
    assert job["state"] == "delivered"
    assert job["attempts"][0]["status"] == 200


def test_buffered_then_delivered_calls_two_urls_in_order(
    s2s: Call, control: EmulatorClient, receiver: CallbackReceiver
) -> None:
    s2s(
        "SendTextSMS",
        {
            **ME,
            "Recipients": ["+41790009995:77"],
            "MessageText": "hi",
            "URLDeliveryNotification": tagged(receiver, "delivered"),
            "URLBufferedMessageNotification": tagged(receiver, "buffered"),
        },
    )
    control.advance(0.35)
    [buffered] = receiver.wait_for(1)
    assert (buffered.path, buffered.query["DST"], buffered.query["RSN"]) == (
        "/buffered",
        "1",
        "107",
    )
    control.advance(1)
    calls = receiver.wait_for(2)
    assert [c.path for c in calls] == ["/buffered", "/delivered"]
    assert calls[1].query["DST"] == "0"


def test_non_delivery_url_gets_the_reason(
    s2s: Call, control: EmulatorClient, receiver: CallbackReceiver
) -> None:
    s2s(
        "SendTextSMS",
        {
            **ME,
            "Recipients": ["+41790009991:88", "+41790009996:99"],
            "MessageText": "hi",
            "URLNonDeliveryNotification": tagged(receiver, "failed"),
            "URLDeliveryNotification": tagged(receiver, "delivered"),
        },
    )
    control.advance(2)
    calls = receiver.wait_for(2)
    assert sorted((c.path, c.query["TRN"], c.query["DST"], c.query["RSN"]) for c in calls) == [
        ("/failed", "88", "2", "101"),
        ("/failed", "99", "2", "108"),
    ]


def test_simple_mode_appends_the_trn(
    s2s: Call, control: EmulatorClient, receiver: CallbackReceiver
) -> None:
    s2s("SendSimpleTextSMS", {**ME, "Recipients": ["+41790000000"], "MessageText": "x"})
    s2s(
        "SendTextSMS",
        {
            **ME,
            "Recipients": ["+41790000000:A b"],
            "MessageText": "hi",
            "URLDeliveryNotification": f"{receiver.url}/sms/delivered.asp?ID=",
        },
    )
    control.advance(1)
    [call] = receiver.wait_for(1)
    assert call.raw_query == "ID=" + quote("A b", safe="")


def test_same_url_for_all_three_and_tags_anywhere(
    s2s: Call, control: EmulatorClient, receiver: CallbackReceiver
) -> None:
    url = f"{receiver.url}/n/<TRN>/<DST>?r=<rsn>"
    s2s(
        "SendTextSMS",
        {
            **ME,
            "Recipients": ["+41790009995:T1"],
            "MessageText": "hi",
            "URLDeliveryNotification": url,
            "URLBufferedMessageNotification": url,
            "URLNonDeliveryNotification": url,
        },
    )
    control.advance(2)
    calls = receiver.wait_for(2)
    assert [c.url for c in calls] == ["/n/T1/1?r=107", "/n/T1/0?r=000"]


def test_token_sms_notifications(
    s2s: Call, control: EmulatorClient, receiver: CallbackReceiver
) -> None:
    s2s(
        "SendTokenSMS",
        {
            **ME,
            "Recipients": "+41790000000:TOK",
            "VerificationCode": "1234",
            "URLDeliveryNotification": tagged(receiver, "tok"),
        },
    )
    control.advance(1)
    [call] = receiver.wait_for(1)
    assert (call.path, call.query["TRN"], call.query["DST"]) == ("/tok", "TOK", "0")


def test_retries_after_the_receiver_was_down(
    s2s: Call, control: EmulatorClient, receiver: CallbackReceiver
) -> None:
    receiver.go_down()
    s2s(
        "SendTextSMS",
        {
            **ME,
            "Recipients": ["+41790000000:R1"],
            "MessageText": "hi",
            "URLDeliveryNotification": tagged(receiver, "d"),
        },
    )
    advanced = control.advance(1)
    assert advanced["callbacks"] == 1 and advanced["callbacks_attempted"] is True
    [job] = control.callbacks()
    assert job["state"] == "pending"
    assert job["attempts"][0]["outcome"] == "connection_error"
    assert job["attempts"][0]["error"]
    receiver.come_up()
    assert control.callbacks()[0]["state"] == "pending", "manual clock: no retry on its own"
    control.advance(1)  # the retries are due on the emulator's clock
    [done] = control.wait_for_callbacks(state="delivered", timeout=10)
    [call] = receiver.wait_for(1)
    assert call.query["TRN"] == "R1"
    outcomes = [a["outcome"] for a in done["attempts"]]
    assert outcomes[-1] == "ok" and set(outcomes[:-1]) == {"connection_error"}
    assert len(outcomes) >= 2


def test_retries_after_server_errors(
    s2s: Call, control: EmulatorClient, receiver: CallbackReceiver
) -> None:
    receiver.answer_with(503, times=2)
    s2s(
        "SendTextSMS",
        {
            **ME,
            "Recipients": ["+41790000000:R2"],
            "MessageText": "hi",
            "URLDeliveryNotification": tagged(receiver, "d"),
        },
    )
    control.advance(1)
    [done] = control.wait_for_callbacks(state="delivered", timeout=10)
    assert [a["status"] for a in done["attempts"]] == [503, 503, 200]
    assert [c.answered for c in receiver.wait_for(3)] == [503, 503, 200]
    assert all(a["latency_ms"] >= 0 for a in done["attempts"])


def test_callback_gives_up_after_its_attempts_and_can_be_redelivered(
    s2s: Call, control: EmulatorClient, receiver: CallbackReceiver
) -> None:
    receiver.answer_with(500, times=6)  # the suite's emulator tries 6 times
    s2s(
        "SendTextSMS",
        {
            **ME,
            "Recipients": ["+41790000000:R3"],
            "MessageText": "hi",
            "URLDeliveryNotification": tagged(receiver, "d"),
        },
    )
    control.advance(2)  # delivered at 0.5 s, then 6 tries 0.05-0.2 s apart
    [failed] = control.wait_for_callbacks(state="failed", timeout=10)
    assert len(failed["attempts"]) == 6
    control.post(f"/_emulator/callbacks/{failed['id']}/redeliver")
    [done] = control.wait_for_callbacks(state="delivered", timeout=10)
    assert len(done["attempts"]) == 7
    assert len(receiver.wait_for(7)) == 7
