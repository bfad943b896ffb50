"""Send throughput: the emulator's send endpoints against the bare aiohttp handler, one core
each, 50 connections from wrk on the other core."""

from __future__ import annotations

import json
from dataclasses import dataclass

from .harness import Load, bare_command, emulator_command, median_load, post_json, server, wrk

BENCH_ACCOUNT = {"provider": "server2sms", "username": "bench", "password": "bench",
                 "credits": 10**12}
S2S_PATH = "/SendTextSMS"
S2S_BODY = {"UserName": "bench", "Password": "bench", "Originator": "Bench",
            "Recipients": ["+41790000000"], "MessageText": "hello from the benchmark"}


@dataclass
class Comparison:
    name: str
    subject: Load
    baseline: Load

    @property
    def ratio(self) -> float:
        return self.subject.rps / self.baseline.rps


def _measure(command: list[str], path: str, body: str, seconds: float, setup: bool) -> Load:
    with server(command) as url:
        if setup:
            post_json(url + "/_emulator/accounts", BENCH_ACCOUNT)
        wrk(url + path, body, 1)  # warm up
        return wrk(url + path, body, seconds)


def compare(name: str, path: str, body: dict, seconds: float, rounds: int) -> Comparison:
    text = json.dumps(body)
    subject, baseline = [], []
    for _ in range(rounds):
        baseline.append(_measure(bare_command(), path, text, seconds, setup=False))
        subject.append(_measure(emulator_command(), path, text, seconds, setup=True))
    return Comparison(name, median_load(subject), median_load(baseline))


def send_text_sms(seconds: float = 5, rounds: int = 3) -> Comparison:
    return compare("server2sms SendTextSMS", S2S_PATH, S2S_BODY, seconds, rounds)
