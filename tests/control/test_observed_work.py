"""Status changes nobody observes cost nothing until someone reads them, and everything that is
observed — callbacks, waits, the event stream, clock advances, pruning — stays exactly as it was.

The HTTP tests run the shared emulator on the real clock (where messages are lazy) and move
time with ``clock/advance``; a scenario rule with a long delivery delay keeps real time from
racing the test.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from test_control_api import read_events, s2s_send, sw_send

from emulator.callbacks import CallbackDispatcher
from emulator.clock import REAL, Clock
from emulator.core import events as ev
from emulator.core.events import Event, EventHub
from emulator.core.gateway import Gateway
from emulator.core.messages import Message
from emulator.core.outcomes import OutcomeTable
from emulator.core.store import MessageStore
from emulator.resources import load_fixture
from emulator.testing.client import EmulatorClient
from emulator.testing.receiver import CallbackReceiver
from emulator.testing.server import EmulatorServer
from emulator.ticker import Ticker

SLOW = 20.0  # seconds per outcome step unit: "sent" 4 s, "delivered" 20 s after the send


class Now:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def _gateway(now: Now, *, follow: bool) -> Gateway:
    return Gateway(
        now, OutcomeTable.from_data(load_fixture("outcomes.json")), 0.5, follow=lambda: follow
    )


def _send(gateway: Gateway, number: str = "+48500600700", start: float | None = None) -> Message:
    batch = gateway.new_batch("serwersms", "a", "sms", "", None)
    outcome = gateway.decide("serwersms", "a", number, "hi").outcome
    return gateway.add_message(batch, number, "hi", 1, "gsm7", start=start, outcome=outcome)


@pytest.mark.parametrize("start", [None, 1_003.0], ids=["now", "deferred"])
def test_a_lazy_message_reads_exactly_as_a_scheduled_one(start: float | None) -> None:
    lazy_now, eager_now = Now(), Now()
    lazy, eager = _gateway(lazy_now, follow=False), _gateway(eager_now, follow=True)
    lazy_message, eager_message = _send(lazy, start=start), _send(eager, start=start)
    assert len(lazy.schedule) == 0 and len(eager.schedule) == 1  # no work until it is read
    for moment in (1_000.0, 1_000.05, 1_000.1, 1_000.3, 1_003.0, 1_003.1, 1_003.5, 1_060.0):
        lazy_now.now = eager_now.now = moment
        eager.run_due()
        assert lazy_message.status == eager_message.status, moment
        assert lazy_message.reason == eager_message.reason
        assert lazy_message.history == eager_message.history
        assert lazy_message.due == eager_message.due
    assert lazy_message.status == "delivered" and len(lazy.schedule) == 0


def test_an_observer_gets_every_change_after_it_arrives() -> None:
    now = Now()
    gateway = _gateway(now, follow=False)
    message = _send(gateway)
    now.now += 0.15  # "sent" (0.1 s) fell due while nobody was looking
    seen: list[Event] = []
    gateway.hub.subscribe(seen.append, (ev.MESSAGE_STATUS,))
    assert len(gateway.schedule) == 1  # handed over when the observer came
    now.now += 10
    assert gateway.run_due() == 1
    assert [(e.data["status"], e.time) for e in seen] == [("delivered", 1_000.5)]
    assert [status for _, status, _ in message.history] == ["queued", "sent", "delivered"]


def test_listeners_of_marked_messages_only_do_not_make_every_message_observed() -> None:
    hub = EventHub()
    calls: list[str] = []
    hub.when_observed(ev.MESSAGE_STATUS, lambda: calls.append("observed"))
    unsubscribe = hub.subscribe(lambda e: None, (ev.MESSAGE_STATUS,), every=False)
    assert not hub.observed(ev.MESSAGE_STATUS) and calls == []
    unsubscribe()
    stop = hub.subscribe(lambda e: None)  # everything
    assert hub.observed(ev.MESSAGE_STATUS) and calls == ["observed"]
    stop()
    stop()  # twice is harmless
    assert not hub.observed(ev.MESSAGE_STATUS)


@pytest.fixture
def real(control: EmulatorClient) -> Iterator[EmulatorClient]:
    control.set_clock("real")
    control.add_rule(recipient="+41790000000", outcome="delivered", delay=SLOW)
    control.add_rule(recipient="+48500600700", outcome="delivered", delay=SLOW)
    yield control
    control.set_clock("manual")


def test_advancing_a_real_clock_applies_and_counts_every_lazy_change(
    server: EmulatorServer, real: EmulatorClient
) -> None:
    real.account("server2sms", "alice", password="pw")
    assert s2s_send(server, "alice", ["+41790000000"])["StatusCode"] == "1"
    advanced = real.advance(60)
    assert advanced["applied"] == 2  # sent, delivered: as when every message was scheduled
    [listed] = real.messages()
    message = real.message(listed["id"])
    assert [h["status"] for h in message["history"]] == ["queued", "sent", "delivered"]


def test_a_stream_that_connects_later_sees_the_rest_of_a_message(
    server: EmulatorServer, real: EmulatorClient
) -> None:
    real.account("server2sms", "alice", password="pw")
    assert s2s_send(server, "alice", ["+41790000000"])["StatusCode"] == "1"
    collected: list[dict[str, Any]] = []
    subscribed = threading.Event()
    thread = threading.Thread(
        target=lambda: collected.extend(read_events(server, 2, subscribed, types=ev.MESSAGE_STATUS))
    )
    thread.start()
    assert subscribed.wait(10)
    real.advance(60)
    thread.join(10)
    assert [e["data"]["status"] for e in collected] == ["sent", "delivered"]


def test_a_dlr_url_set_after_the_send_still_gets_the_report(
    server: EmulatorServer, real: EmulatorClient, receiver: CallbackReceiver
) -> None:
    real.account("serwersms", "shop", password="pw")
    assert sw_send(server, "shop", ["500600700"])["success"] is True
    real.account("serwersms", "shop", dlr_url=receiver.url + "/dlr?id=#SMSID#&st=#STATUS#")
    real.advance(60)
    [call] = receiver.wait_for(1, timeout=10)
    assert call.query["st"] == "delivered"


def test_final_lazy_messages_are_pruned_without_anybody_looking(make_sms_emulator: Any) -> None:
    emulator = make_sms_emulator(clock="real", max_messages=3, delivery_delay=0.01)
    for number in range(8):
        answer = requests.post(
            emulator.url + "/SendTextSMS",
            json={
                "UserName": "anyone",
                "Password": "pw",
                "Recipients": [f"+4179000000{number}"],
                "MessageText": "hi",
            },
        ).json()
        assert answer["StatusCode"] == "1"
    deadline = time.monotonic() + 5  # the runner looks again every 20 ms while over the cap
    while len(stored := emulator.messages()) > 3 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert [m["recipient"] for m in stored] == [f"+4179000000{n}" for n in (5, 6, 7)]


@pytest.mark.asyncio
async def test_keeping_a_store_under_its_cap_costs_per_send_not_per_message_in_flight() -> None:
    """Sends into a store over its ``--max-messages`` cap, with every message still in flight
    (nothing can be pruned yet): the ticker looks for final messages in rounds, not after every
    send, and a round does not read the clock once per stored message. Counted in clock reads,
    the work grows with the sends; it grew with sends × messages in flight (a load test with
    a cap spent about a tenth of the server's time there)."""
    reads = 0

    def wall() -> float:
        nonlocal reads
        reads += 1
        return time.time()

    clock = Clock(REAL, wall=wall)
    gateway = Gateway(
        clock.now,
        OutcomeTable.from_data(load_fixture("outcomes.json")),
        SLOW,
        store=MessageStore(100),
    )
    dispatcher = CallbackDispatcher(
        gateway.hub, clock, timeout=1, attempts=1, backoff=1, backoff_max=1, concurrency=1
    )
    ticker = Ticker(clock, gateway, dispatcher)
    task = asyncio.create_task(ticker.run())
    sends = 2000
    try:
        for _ in range(sends):
            _send(gateway)
            await asyncio.sleep(0)  # as between two requests
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    assert len(gateway.store) == sends  # all in flight: none could go
    assert reads < 5 * sends
