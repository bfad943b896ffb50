"""Callback deliveries per second: 20,000 delivery reports to a local receiver on the other
core, and a check that every one arrived exactly once."""

from __future__ import annotations

import json
import time
import urllib.request
from dataclasses import dataclass

from emulator.testing.client import EmulatorClient

from .harness import bare_command, emulator_command, server

CALLBACKS = 20_000


@dataclass
class CallbackResult:
    per_second: float
    delivered: int
    received: int
    distinct: int


def deliveries(count: int = CALLBACKS) -> CallbackResult:
    with server(emulator_command("--clock", "manual")) as url, server(bare_command()) as sink:
        control = EmulatorClient(url, timeout=600)
        control.account("serwersms", "callbacks", password="x", dlr_url=sink + "/cb/dlr")
        # Numbers ending in 0: the magic-number table delivers them all.
        numbers = [f"+485{i:07d}0" for i in range(count)]
        body = json.dumps(
            {"username": "callbacks", "password": "x", "phone": numbers, "text": "x"}
        ).encode()
        request = urllib.request.Request(
            url + "/messages/send_sms", data=body, headers={"Content-Type": "application/json"}
        )
        urllib.request.urlopen(request).read()
        control.advance(0.3)  # every message is "sent"; reports are due at 0.5 s
        started = time.perf_counter()
        control.advance(1)
        delivered = control.wait_for_callbacks(count, timeout=300, state="delivered")
        elapsed = time.perf_counter() - started
        with urllib.request.urlopen(sink + "/cb-count") as answer:
            tally = json.loads(answer.read())
    return CallbackResult(count / elapsed, len(delivered), tally["received"], tally["distinct"])
