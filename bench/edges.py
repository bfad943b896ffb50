"""The promises at the edges, measured: memory stays flat under ``--max-messages`` while
callbacks fire, and 10,000 pending ``messages/wait`` long polls do not slow a send down."""

from __future__ import annotations

import asyncio
import http.client
import json
import statistics
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import aiohttp

from emulator.testing.client import EmulatorClient

from .bulk import _server_pid, rss_bytes
from .harness import LOAD_CPU, _pin, bare_command, emulator_command, server

CAP = 1_000
BATCH = 5_000
CHECKPOINTS = (50_000, 200_000)
WAITS = 10_000
SENDS = 2_000


@dataclass
class MemoryResult:
    rss_mb: dict[int, float]  # resident memory after that many sends
    delivered: int  # callbacks delivered in all
    journal: int  # callbacks still in the journal at the end

    @property
    def growth(self) -> float:
        first, last = (self.rss_mb[n] for n in CHECKPOINTS)
        return last / first - 1


def memory_under_cap() -> MemoryResult:
    """Sends with a delivery-report URL under ``--max-messages 1000``, in batches that are
    delivered (and their callbacks made) by advancing the clock."""
    rss: dict[int, float] = {}
    with (
        server(
            emulator_command("--clock", "manual", "--max-messages", str(CAP), "--no-access-log")
        ) as url,
        server(bare_command()) as sink,
    ):
        pid = _server_pid(url.rsplit(":", 1)[1])
        control = EmulatorClient(url, timeout=600)
        control.account("serwersms", "capped", password="x", dlr_url=sink + "/cb/dlr")
        sent = delivered = 0
        while sent < CHECKPOINTS[-1]:
            numbers = [f"+485{(sent + i) % 10_000_000:07d}0" for i in range(BATCH)]
            body = json.dumps(
                {"username": "capped", "password": "x", "phone": numbers, "text": "x"}
            ).encode()
            _post(url + "/messages/send_sms", body)
            sent += BATCH
            advanced = control.advance(1)
            delivered += advanced["callback_attempts"]
            if sent in CHECKPOINTS:
                rss[sent] = rss_bytes(pid) / 2**20
        journal = len(control.callbacks(limit=1_000_000))
    return MemoryResult(rss, delivered, journal)


def _post(url: str, body: bytes) -> dict[str, object]:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.netloc, timeout=120)
    connection.request("POST", parts.path, body, {"Content-Type": "application/json"})
    data: dict[str, object] = json.loads(connection.getresponse().read())
    connection.close()
    return data


@dataclass
class WaitResult:
    p50_without_ms: float
    p50_with_ms: float
    waits: int

    @property
    def added_ms(self) -> float:
        return self.p50_with_ms - self.p50_without_ms


def _send_latencies(url: str, count: int) -> list[float]:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.netloc, timeout=30)
    body = json.dumps(
        {"UserName": "latency", "Password": "x", "Recipients": ["+41790000000"], "MessageText": "x"}
    )
    times = []
    for _ in range(count):
        started = time.perf_counter()
        connection.request("POST", "/SendTextSMS", body, {"Content-Type": "application/json"})
        connection.getresponse().read()
        times.append((time.perf_counter() - started) * 1000)
    connection.close()
    return times


async def _with_waits(url: str, count: int) -> tuple[list[float], int]:
    connector = aiohttp.TCPConnector(limit=0)
    timeout = aiohttp.ClientTimeout(total=None, sock_connect=60)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        waits = [
            asyncio.ensure_future(
                session.get(
                    url + "/_emulator/messages/wait",
                    params={"recipient": f"+4860{i:07d}", "timeout": "300"},
                )
            )
            for i in range(count)
        ]
        control = EmulatorClient(url)
        while (pending := (await asyncio.to_thread(control.health))["message_waits"]) < count:
            failed = next((w for w in waits if w.done()), None)
            if failed is not None:
                raise RuntimeError(f"a wait ended early: {failed.exception() or failed.result()}")
            await asyncio.sleep(0.2)  # the waits are still connecting
        latencies = await asyncio.to_thread(_send_latencies, url, SENDS)
        for wait in waits:
            wait.cancel()
        await asyncio.gather(*waits, return_exceptions=True)
    return latencies, pending


def send_latency_with_waits() -> WaitResult:
    """The median SendTextSMS latency (one connection, one request at a time) without any
    pending wait, then with 10,000 waits for other numbers pending."""
    _pin(LOAD_CPU)
    with server(emulator_command("--clock", "manual", "--no-access-log")) as url:
        _send_latencies(url, 200)  # warm up
        with_waits, pending = asyncio.run(_with_waits(url, WAITS))
        without = _send_latencies(url, SENDS)  # the same server, once the waits are gone
    return WaitResult(statistics.median(without), statistics.median(with_waits), pending)
