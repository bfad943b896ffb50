"""A batch nobody needs as it happens sleeps in the timeline (emulator/core/timeline.py): the
only lazy work there is. This checks that nobody can tell: one scenario table runs twice, once
with an event stream open from the start (every batch goes on the schedule when it is sent)
and once without (batches sleep until a listener, a callback URL or a clock advance wakes
them), and every history, advance, wait, event and callback of the two runs is the same.

Times are compared relative to each run's start (two emulators never start at the same
instant); the manual clock is aligned to a whole second first, as SerwerSMS dates have no
fractions.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import requests

from emulator.core import events as ev
from emulator.core.timefmt import from_central, local_datetime
from emulator.testing.fixture import SmsEmulator
from emulator.testing.receiver import CallbackReceiver

R = "@receiver@"  # the run's callback receiver
SW_DLR = R + "/sw/%s?id=#SMSID#&st=#STATUS#&to=#PHONE#&why=#REASON#"
S2S_DLR = R + "/s2s?trn=<TRN>&st=<DST>&to=<RCPNT>&why=<RSN>"

Step = tuple[Any, ...]
SCENARIO: list[Step] = [
    # both gateways; a callback URL set before the send, one set after, one in the request
    ("account", "serwersms", "early", {"dlr_url": SW_DLR % "early"}),
    ("sw", "early", ["500600700", "500600701", "500600702"], None),
    ("s2s", "bob", ["+41790000000", "+41790000001"], None, S2S_DLR),
    ("sw", "late", ["500600710", "500600711"], None),
    ("s2s", "carol", ["+41790000010"], None, None),
    ("advance", 1.5),
    ("account", "serwersms", "late", {"dlr_url": SW_DLR % "late"}),
    # batches of several accounts that change at the same instants: told in the order sent
    ("sw", "early", ["500600704"], None),
    ("sw", "quiet", ["500600723"], None),
    ("sw", "early", ["500600705"], None),
    # deferred sends, of both gateways
    ("sw", "early", ["500600703"], 30),
    ("s2s", "bob", ["+41790000002"], 20, S2S_DLR),
    ("sw", "quiet", ["500600720", "500600721"], 25),
    # an event stream for a while, and long polls
    ("stream", "open"),
    ("advance", 3),
    ("wait", {"provider": "serwersms", "status": "delivered"}, 2),
    ("sw", "quiet", ["500600722"], None),
    ("advance", 0.5),
    ("stream", "close"),
    # a reset of one account while its messages are in flight
    ("reset", "serwersms", "late"),
    ("sw", "late", ["500600712"], None),
    ("advance", 40),
    ("wait", {"provider": "server2sms"}, 3),
    # past the store's cap (--max-messages): the oldest final messages go
    *[("sw", "bulk", [f"5006008{n:02d}"], None) for n in range(8)],
    ("advance", 2),
    ("stream", "open"),
    ("s2s", "carol", ["+41790000011", "+41790000012"], 5, None),
    ("advance", 60),
    ("stream", "close"),
]
MAX_MESSAGES = 20
REAL_DELAY = 1.5  # seconds per outcome step unit: "sent" 0.3 s after the send, "delivered" 1.5 s
REAL_SCENARIO: list[Step] = [
    # On the real clock nothing wakes a sleeping batch but a listener or a callback URL set for
    # its account (no clock advance here): the URL set after the send must still be used, and
    # a listener that comes later must see what is still to come, and nothing that is past.
    ("sw", "late", ["500600730", "500600731"], None),
    ("account", "serwersms", "late", {"dlr_url": SW_DLR % "late"}),
    ("s2s", "bob", ["+41790000030"], None, S2S_DLR),
    ("sw", "quiet", ["500600732"], None),
    ("callbacks", 3),
    ("stream", "open"),
    ("sw", "quiet", ["500600733"], None),
    ("wait", {"account": "quiet", "status": "delivered"}, 2),
    ("stream", "close"),
]


class Stream:
    """An event stream read in a thread until closed; ``sync`` waits until it has seen every
    event published so far (by moving the clock by nothing: the clock event comes last)."""

    def __init__(self, url: str) -> None:
        self.events: list[dict[str, Any]] = []
        self._seen = threading.Condition()
        self._open = threading.Event()
        self._stopping = False
        self._response = requests.get(url + "/_emulator/events", stream=True, timeout=30)
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()
        assert self._open.wait(10)

    def _read(self) -> None:
        event: dict[str, Any] = {}
        try:
            for line in self._response.iter_lines(decode_unicode=True):
                if line.startswith(":"):
                    self._open.set()
                elif line.startswith("event: "):
                    event["event"] = line[7:]
                elif line.startswith("data: "):
                    event["data"] = requests.models.complexjson.loads(line[6:])
                elif line == "" and event:
                    with self._seen:
                        self.events.append(event)
                        self._seen.notify_all()
                    event = {}
                    if self._stopping:
                        break
        finally:
            self._response.close()

    def sync(self, emulator: SmsEmulator) -> None:
        clock_events = sum(e["event"] == ev.CLOCK_CHANGED for e in self.events)
        emulator.advance(0)
        with self._seen:
            assert self._seen.wait_for(
                lambda: sum(e["event"] == ev.CLOCK_CHANGED for e in self.events) > clock_events,
                timeout=10,
            )

    def close(self, emulator: SmsEmulator) -> list[dict[str, Any]]:
        self.sync(emulator)
        self._stopping = True
        emulator.advance(0)  # one more event: the reader wakes and stops
        self._thread.join(10)
        assert not self._thread.is_alive()
        # An event's number counts the events somebody heard, so it depends on who listened:
        # the events themselves must not.
        return [
            {"event": e["event"], "data": {k: v for k, v in e["data"].items() if k != "seq"}}
            for e in self.events
            if e["event"] != ev.CLOCK_CHANGED
        ]


def _relative(value: Any, start: float | None, receiver: str) -> Any:
    """``value`` with every time in it counted from ``start``, the receiver's address as
    ``R``, and without what the network decides (how long a callback took)."""
    if isinstance(value, dict):
        return {k: _relative(v, start, receiver) for k, v in value.items() if k != "latency_ms"}
    if isinstance(value, list):
        return [_relative(v, start, receiver) for v in value]
    if isinstance(value, str) and receiver in value:
        return value.replace(receiver, R)
    if isinstance(value, str) and len(value) >= 20 and value[4] == "-" and value[10] == "T":
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
        if start is None:
            return "<time>"
        return round(moment.astimezone(UTC).timestamp() - start, 6)
    if isinstance(value, str) and len(value) == 19 and value[4] == "-" and value[10] == " ":
        moment = datetime.strptime(value, "%Y-%m-%d %H:%M:%S")
        return (
            "<time>" if start is None else round(from_central(moment) - start, 6)
        )  # SerwerSMS: Central European time
    if isinstance(value, float) and start is None:
        return "<time>"
    return value


def _run(
    emulator: SmsEmulator, receiver: CallbackReceiver, scenario: list[Step], observed: bool
) -> dict[str, Any]:
    """Run ``scenario``; what came of it, with times from the start on the manual clock and
    without times on the real one (where the test's own pace shows in them)."""
    url = emulator.url
    start: float | None = None
    if emulator.clock()["mode"] == "manual":
        now = emulator.clock()["timestamp"]
        emulator.advance(math.ceil(now) - now + 1)  # whole seconds: SerwerSMS dates
        start = emulator.clock()["timestamp"]
    record: dict[str, Any] = {"advances": [], "waits": [], "streams": []}
    observer = Stream(url) if observed else None
    stream: Stream | None = None

    def callback_url(template: str | None) -> str | None:
        return None if template is None else template.replace(R, receiver.url)

    steps: dict[str, Callable[..., None]] = {}

    def account(provider: str, name: str, fields: dict[str, Any]) -> None:
        fields = {k: callback_url(v) if k == "dlr_url" else v for k, v in fields.items()}
        emulator.account(provider, name, password="x", **fields)

    def sw(name: str, phones: list[str], later: float | None) -> None:
        body: dict[str, Any] = {"username": name, "password": "x", "phone": phones, "text": "t"}
        if later is not None:
            body["date"] = local_datetime(emulator.clock()["timestamp"] + later)
        answer = requests.post(url + "/messages/send_sms.json", json=body, timeout=10).json()
        assert answer["success"] is True, answer

    def s2s(name: str, phones: list[str], later: float | None, dlr: str | None) -> None:
        body: dict[str, Any] = {
            "UserName": name,
            "Password": "x",
            "Recipients": phones,
            "MessageText": "t",
            "Originator": "Shop",
        }
        if later is not None:
            moment = datetime.fromtimestamp(emulator.clock()["timestamp"] + later, UTC)
            body["DeferredDeliveryTime"] = moment.isoformat().replace("+00:00", "Z")
        if dlr is not None:
            body["URLDeliveryNotification"] = callback_url(dlr)
        answer = requests.post(url + "/SendTextSMS", json=body, timeout=10).json()
        assert answer["StatusCode"] == "1", answer

    def advance(seconds: float) -> None:
        answer = emulator.advance(seconds)
        record["advances"].append(
            {k: answer[k] for k in ("applied", "callbacks", "callbacks_attempted")}
        )

    def wait(filters: dict[str, str], count: int) -> None:
        found = emulator.wait_for_messages(count=count, timeout=10, **filters)
        record["waits"].append(sorted((m["id"], m["status"]) for m in found))

    def callbacks(count: int) -> None:
        receiver.wait_for(count, timeout=REAL_DELAY * 4)
        # The receiver has answered; the emulator records the attempt when the answer reaches
        # it, a moment later: a stream opened in between would see that event in one run only.
        emulator.wait_for_callbacks(count=count, timeout=REAL_DELAY * 4, state="delivered")

    def reset(provider: str, name: str) -> None:
        emulator.reset(provider=provider, account=name)

    def stream_step(what: str) -> None:
        nonlocal stream
        if what == "open":
            stream = Stream(url)
        else:
            assert stream is not None
            record["streams"].append(_relative(stream.close(emulator), start, receiver.url))
            stream = None

    steps.update(
        account=account, sw=sw, s2s=s2s, advance=advance, wait=wait, reset=reset,
        stream=stream_step, callbacks=callbacks,
    )  # fmt: skip
    for name, *args in scenario:
        steps[name](*args)

    messages = emulator.messages(limit=1000)
    record["messages"] = [
        _relative(emulator.message(m["id"]), start, receiver.url) for m in messages
    ]
    record["callbacks"] = sorted(
        (c.path, tuple(sorted(c.query.items())), c.answered) for c in receiver.calls
    )
    record["journal"] = sorted(
        (job["url"].replace(receiver.url, R), job["state"], len(job["attempts"]))
        for job in emulator.callbacks(limit=1000)
    )
    if observer is not None:
        observer.close(emulator)
    return record


@pytest.fixture
def runs(make_sms_emulator: Any) -> Iterator[Callable[[str, bool], dict[str, Any]]]:
    receivers: list[CallbackReceiver] = []

    def run(clock: str, observed: bool) -> dict[str, Any]:
        manual = clock == "manual"
        emulator = make_sms_emulator(
            clock=clock,
            delivery_delay=1.0 if manual else REAL_DELAY,
            max_messages=MAX_MESSAGES,
        )
        receiver = CallbackReceiver().start()
        receivers.append(receiver)
        return _run(emulator, receiver, SCENARIO if manual else REAL_SCENARIO, observed)

    yield run
    for receiver in receivers:
        receiver.stop()


def test_sleeping_batches_are_not_told_apart_from_scheduled_ones(
    runs: Callable[[str, bool], dict[str, Any]],
) -> None:
    observed, unobserved = runs("manual", True), runs("manual", False)
    assert len(observed["messages"]) == MAX_MESSAGES  # the cap was reached: pruning happened
    assert observed["callbacks"] and observed["waits"] and all(observed["streams"])
    for part in ("messages", "advances", "waits", "streams", "callbacks", "journal"):
        assert unobserved[part] == observed[part], part


def test_on_the_real_clock_too(runs: Callable[[str, bool], dict[str, Any]]) -> None:
    observed, unobserved = runs("real", True), runs("real", False)
    assert [m["status"] for m in observed["messages"]] == ["delivered"] * 5
    assert [e["data"]["status"] for e in observed["streams"][0][1:]] == ["sent", "delivered"]
    for part in ("messages", "waits", "streams", "callbacks", "journal"):
        assert unobserved[part] == observed[part], part
