"""One SerwerSMS send_sms to 100,000 numbers: how long it takes to answer, how much memory the
stored recipients take, and that every recipient is stored."""

from __future__ import annotations

import json
import statistics
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from .harness import emulator_command, server

NUMBERS = 100_000


@dataclass
class BulkResult:
    seconds: float
    stored: int
    rss_per_message: float


def rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def _server_pid(port: str) -> int:
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                cmd = (proc / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"emulator" in cmd and port.encode() in cmd:
                return int(proc.name)
    raise RuntimeError("emulator process not found")


def send_100k(rounds: int = 3) -> BulkResult:
    numbers = [f"+4850{i:07d}" for i in range(NUMBERS)]
    body = json.dumps(
        {
            "username": "bulk",
            "password": "bulk",
            "phone": numbers,
            "text": "One of a hundred thousand",
        }
    ).encode()
    times = []
    with server(emulator_command("--clock", "manual")) as url:
        pid = _server_pid(url.rsplit(":", 1)[1])
        before = rss_bytes(pid)
        for _ in range(rounds):
            request = urllib.request.Request(
                url + "/messages/send_sms", data=body, headers={"Content-Type": "application/json"}
            )
            started = time.perf_counter()
            with urllib.request.urlopen(request, timeout=120) as answer:
                result = json.loads(answer.read())
            times.append(time.perf_counter() - started)
            assert result["queued"] == NUMBERS, result
        grown = rss_bytes(pid) - before
        with urllib.request.urlopen(url + "/_emulator/health") as answer:
            stored = json.loads(answer.read())["messages"]
    return BulkResult(statistics.median(times), stored, grown / (NUMBERS * rounds))
