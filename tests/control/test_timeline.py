"""One timeline: every timed thing on one schedule, statuses that follow from time alone, and
what is observed (callbacks, waits, the event stream, clock advances, pruning) exactly as it
was. The reproductions of the race an earlier design had (messages that caught up with their
statuses only when read, one clock reading each) are here too.

The HTTP tests run the shared emulator on the real clock and move time with
``clock/advance``; a scenario rule with a long delivery delay keeps real time from racing the
test.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from test_control_api import read_events, s2s_send, sw_send

from emulator.clock import REAL, Clock
from emulator.core import events as ev
from emulator.core.events import Event
from emulator.core.gateway import Gateway, New, Watcher
from emulator.core.messages import Batch, Message
from emulator.core.outcomes import OutcomeTable
from emulator.core.store import MessageStore
from emulator.core.timeline import Timeline
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


def _gateway(now: Now, store: MessageStore | None = None, delay: float = 0.5) -> Gateway:
    outcomes = OutcomeTable.from_data(load_fixture("outcomes.json"))
    return Gateway(now, outcomes, delay, Timeline(), store=store)


def _send(
    gateway: Gateway, numbers: tuple[str, ...] = ("+48500600700",), start: float | None = None
) -> list[Message]:
    batch = gateway.new_batch("serwersms", "a", "sms", "", None)
    new: list[New] = []
    for number in numbers:
        outcome = gateway.decide("serwersms", "a", number, "hi").outcome
        new.append((number, "hi", 1, "gsm7", None, outcome, None, None))
    return gateway.add_messages(batch, new, start)


@pytest.mark.parametrize("start", [None, 1_003.0], ids=["now", "deferred"])
def test_statuses_follow_from_time_alone(start: float | None) -> None:
    """A message read at any time shows the history it has by then, whether or not anybody
    listened to its changes and whether or not the schedule has run them yet."""
    heard_now, quiet_now = Now(), Now()
    heard, quiet = _gateway(heard_now), _gateway(quiet_now)
    seen: list[Event] = []
    heard.hub.subscribe(seen.append, (ev.MESSAGE_STATUS,))
    [heard_message], [quiet_message] = _send(heard, start=start), _send(quiet, start=start)
    for moment in (1_000.0, 1_000.05, 1_000.1, 1_000.3, 1_003.0, 1_003.1, 1_003.5, 1_060.0):
        heard_now.now = quiet_now.now = moment
        heard.timeline.run_due(moment)  # the quiet one's schedule never runs
        assert heard_message.status == quiet_message.status, moment
        assert heard_message.reason == quiet_message.reason
        assert heard_message.history == quiet_message.history
    assert quiet_message.status == "delivered"
    assert [e.data["status"] for e in seen] == [h[1] for h in heard_message.history[1:]]


def test_one_entry_per_wave_of_a_batch_and_change() -> None:
    """A send to many numbers costs the schedule one entry per outcome it takes, not one per
    message; each entry tells about every member of its wave."""
    now = Now()
    gateway = _gateway(now)
    seen: list[Event] = []
    gateway.hub.subscribe(seen.append, (ev.MESSAGE_STATUS,))
    numbers = (*(f"+4850060{n:04d}" for n in range(100)), "+48500609991")
    messages = _send(gateway, numbers)
    assert len(gateway.timeline) == 2  # delivered ones, and the unknown subscriber
    now.now += 60
    gateway.timeline.run_due(now.now)
    assert gateway.changes == len([h for m in messages for h in m.history[1:]])
    assert {e.subject.id for e in seen} == {m.id for m in messages}


def test_a_wave_nobody_needs_sleeps_and_wakes_with_one_clock_reading() -> None:
    """With nobody listening and no callback URL, a send puts nothing on the schedule; a
    listener's arrival puts every wave's changes still to come on it, so every message of a
    wave is told the same: all the changes after that moment, none before."""
    now = Now()
    gateway = _gateway(now)
    first = _send(gateway, ("+48500600700", "+48500600701"))
    second = _send(gateway, ("+48500600702",))
    assert len(gateway.timeline) == 0
    now.now += 0.2  # "sent" is history for all of them
    seen: list[Event] = []
    gateway.hub.subscribe(seen.append, (ev.MESSAGE_STATUS,))
    assert len(gateway.timeline) == 2  # one entry per wave: delivered, still to come
    now.now += 10
    gateway.timeline.run_due(now.now)
    assert sorted((e.subject.id, e.data["status"]) for e in seen) == sorted(
        (m.id, "delivered") for m in first + second
    )


def test_sleeping_batches_of_a_load_test_are_bounded_by_the_store() -> None:
    """A load test with nobody listening puts one number per batch to sleep; the batches the
    store no longer keeps are forgotten as the list grows, so it never outgrows the store."""
    now = Now()
    gateway = _gateway(now, MessageStore(max_messages=100), delay=0.001)
    for n in range(3000):
        _send(gateway, (f"+485006{n:05d}",))
        now.now += 0.01
        gateway.timeline.run_due(now.now)  # pruning rounds
    asleep = gateway.timeline.asleep()[("serwersms", "a")]
    assert len(gateway.store) <= 100
    assert len(asleep) < 2 * len(gateway.store) + 1024  # not one per send
    assert set(asleep) >= {m.batch.id for m in gateway.store.messages.values()}


def test_a_watcher_is_asked_at_the_time_of_each_change() -> None:
    """What a provider wants (a dlr_url set or not) is asked when each change happens: a URL
    set after the send is used for the changes after it, none is missed or made twice."""
    now = Now()
    gateway = _gateway(now)
    wanted = False
    told: list[tuple[str, str]] = []

    def wants(batch: Batch, status: str) -> bool:
        return wanted

    def interested(batch: Batch) -> bool:
        return wanted

    gateway.watch(
        "serwersms",
        Watcher(interested, wants, lambda m, when, status, reason: told.append((m.id, status))),
    )
    [message] = _send(gateway)
    now.now += 0.15  # "sent" (at 0.1 s) with nobody wanting it
    gateway.timeline.run_due(now.now)
    wanted = True  # e.g. PATCH dlr_url
    gateway.reconsider("serwersms", "a")
    now.now += 10
    gateway.timeline.run_due(now.now)
    assert told == [(message.id, "delivered")]


@pytest.fixture
def real(control: EmulatorClient) -> Iterator[EmulatorClient]:
    control.set_clock("real")
    control.add_rule(recipient="+41790000000", outcome="delivered", delay=SLOW)
    control.add_rule(recipient="+48500600700", outcome="delivered", delay=SLOW)
    yield control
    control.set_clock("manual")


def test_advancing_a_real_clock_applies_and_counts_every_change(
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


def test_final_messages_are_pruned_without_anybody_looking(make_sms_emulator: Any) -> None:
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
    (nothing can be pruned yet): the store is pruned in rounds on the schedule, not after every
    send, and a round does not read the clock once per stored message. Counted in clock reads,
    the work grows with the sends; it grew with sends × messages in flight (a load test with
    a cap spent about a tenth of the server's time there)."""
    reads = 0

    def wall() -> float:
        nonlocal reads
        reads += 1
        return time.time()

    clock = Clock(REAL, wall=wall)
    timeline = Timeline()
    outcomes = OutcomeTable.from_data(load_fixture("outcomes.json"))
    gateway = Gateway(clock.now, outcomes, SLOW, timeline, store=MessageStore(100))

    async def settle(patience: float) -> int:
        return 0

    ticker = Ticker(clock, timeline, settle)
    ticker.start()
    sends = 2000
    try:
        for _ in range(sends):
            _send(gateway)
            await asyncio.sleep(0)  # as between two requests
    finally:
        ticker.stop()
    assert len(gateway.store) == sends  # all in flight: none could go
    assert reads < 5 * sends


def test_a_premium_reply_finishes_and_reports(
    server: EmulatorServer, control: EmulatorClient, receiver: CallbackReceiver
) -> None:
    """A premium/send reply had no outcome: it stayed queued for ever and its dlr_url was never
    called."""
    control.account("serwersms", "demo", dlr_url=receiver.url + "/dlr?id=#SMSID#&st=#STAN#")
    answer = requests.post(
        server.url + "/premium/send.json",
        json={
            "username": "demo",
            "password": "demo",
            "phone": "500600700",
            "text": "Dziekujemy",
            "gate": "71200",
            "id": 120270659,
        },
    )
    assert answer.json() == {"success": True}
    control.advance(5)
    [reply] = control.messages(kind="premium")
    assert reply["status"] == "delivered"
    [call] = receiver.wait_for(1)
    assert (call.query["id"], call.query["st"]) == (reply["id"], "delivered")


def test_messages_that_change_at_one_instant_are_told_together(
    make_sms_emulator: Any, receiver: CallbackReceiver
) -> None:
    """With 30,000 other messages in flight, a dlr_url set after a send was used for half of a
    group of messages that changed at one instant, an event stream showed half of it, and a
    wait that found every message it waited for still timed out. Now every change after the
    URL is set is called back, the stream shows all of them, and the wait answers."""
    from emulator.core.timefmt import local_datetime

    emulator = make_sms_emulator(clock="real", delivery_delay=0.5)
    shop = {"username": "tgt", "password": "x", "text": "t"}
    due = emulator.clock()["timestamp"] + 2
    numbers = [[f"5{j}0{k}9990" for j in range(10, 50)] for k in (1, 2)]
    requests.post(
        emulator.url + "/messages/send_sms.json",
        json={**shop, "phone": numbers[0], "date": local_datetime(due)},
    )
    fill = [str(n) for n in range(800_000_000, 800_030_000)]
    requests.post(
        emulator.url + "/messages/send_sms.json",
        json={
            "username": "fill",
            "password": "x",
            "text": "t",
            "phone": fill,
            "date": local_datetime(due + 60),
        },
    )
    requests.post(
        emulator.url + "/messages/send_sms.json",
        json={**shop, "phone": numbers[1], "date": local_datetime(due)},
    )
    emulator.account("serwersms", "tgt", dlr_url=receiver.url + "/dlr?id=#SMSID#")
    collected: list[dict[str, Any]] = []
    subscribed = threading.Event()
    reader = threading.Thread(
        target=lambda: collected.extend(
            read_events(emulator.server, 80 * 3, subscribed, types=ev.MESSAGE_STATUS)
        )
    )
    reader.start()
    assert subscribed.wait(10)
    waiting = emulator.wait_for_messages(
        count=80, timeout=10, account="tgt", provider="serwersms", status="delivered"
    )
    assert len(waiting) == 80
    assert len(receiver.wait_for(80)) == 80
    reader.join(10)
    delivered = [e for e in collected if e["data"]["status"] == "delivered"]
    assert len(delivered) == 80
