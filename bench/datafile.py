"""``--data FILE``: what keeping the state in SQLite costs, each against a baseline of the
same run. ``python -m bench.datafile`` runs these rows alone.

* send throughput with ``--data`` against memory only (wrk, 50 connections);
* the file's size under steady load with a cap: 200,000 messages under ``--max-messages
  1000``, sizes after the first 20,000 and at the end;
* how soon an emulator whose file holds 100,000 messages (one per send) is ready, against
  one with an empty file.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from .harness import (
    Load,
    emulator_command,
    free_port,
    median_load,
    post_json,
    server,
    verdict,
    wrk,
)
from .throughput import BENCH_ACCOUNT, SENDS

SEND = "SerwerSMS messages/send_sms"
CAP = 1_000
STEADY = 200_000
WARM = 20_000
PER_REQUEST = 100  # recipients per send in the steady-load run
STORED = 100_000


@dataclass
class Throughput:
    memory: Load
    data: Load

    @property
    def ratio(self) -> float:
        return self.data.rps / self.memory.rps


def throughput(seconds: float, rounds: int) -> Throughput:
    path, body = SENDS[SEND]
    memory, data = [], []
    for _ in range(rounds):
        for extra, loads in (((), memory), (("--data", "{file}"), data)):
            with tempfile.TemporaryDirectory() as folder:
                file = str(Path(folder) / "emulator.db")
                command = emulator_command(*(a.replace("{file}", file) for a in extra))
                with server(command) as url:
                    post_json(url + "/_emulator/accounts", BENCH_ACCOUNT)
                    wrk(url + path, body, 1)  # warm up
                    loads.append(wrk(url + path, body, seconds))
    return Throughput(median_load(memory), median_load(data))


def _size(file: Path) -> int:
    return sum(os.stat(f"{file}{s}").st_size for s in ("", "-wal") if os.path.exists(f"{file}{s}"))


@dataclass
class Steady:
    warm_bytes: int
    end_bytes: int

    @property
    def growth(self) -> float:
        return self.end_bytes / self.warm_bytes - 1


def steady() -> Steady:
    """200,000 messages, 100 to a send, under a cap of 1,000."""
    with tempfile.TemporaryDirectory() as folder:
        file = Path(folder) / "emulator.db"
        command = emulator_command(
            "--data", str(file), "--max-messages", str(CAP), "--delivery-delay", "0.001"
        )
        with server(command) as url:
            phones = ",".join(f"5006{n:05d}" for n in range(PER_REQUEST))
            body = {"username": "bench", "password": "bench", "phone": phones, "text": "hi"}
            sizes = {}
            for sent in range(0, STEADY, PER_REQUEST):
                post_json(url + "/messages/send_sms.json", body)
                if sent + PER_REQUEST in (WARM, STEADY):
                    time.sleep(0.1)  # the last ones final, a pruning round run
                    post_json(url + "/messages/send_sms.json", body)
                    sizes[sent + PER_REQUEST] = _size(file)
    return Steady(sizes[WARM], sizes[STEADY])


def _ready_seconds(file: Path) -> float:
    """From starting ``serve --data file`` to its health check answering 200."""
    port = free_port()
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "emulator", "serve", "--port", str(port), "--data", str(file),
         "--log-level", "warning"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        while True:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/_emulator/health", timeout=1
                ) as answer:
                    if answer.status == 200:
                        return time.perf_counter() - started
            except OSError:
                time.sleep(0.01)
    finally:
        proc.terminate()
        proc.wait()


@dataclass
class Ready:
    empty_s: float
    full_s: float


def ready(runs: int = 3) -> Ready:
    """A file holding 100,000 messages, one per send, made by putting a state document with
    them; then restarts of it and of an empty one, alternating."""
    with tempfile.TemporaryDirectory() as folder:
        full, empty = Path(folder) / "full.db", Path(folder) / "empty.db"
        big = {**os.environ, "SMS_EMULATOR_MAX_BODY_BYTES": str(10**9)}  # the document
        with server(emulator_command("--clock", "manual", "--data", str(full)), env=big) as url:
            post_json(url + "/messages/send_sms.json",
                      {"username": "bench", "password": "bench", "phone": "500600700",
                       "text": "hello"})  # fmt: skip
            with urllib.request.urlopen(url + "/_emulator/state") as answer:
                document = json.load(answer)
            [one] = document["gateway"]["batches"]
            batches = []
            for n in range(1, STORED + 1):
                each = copy.deepcopy(one)
                each["batch"].update(id=n, first=n)
                each["messages"][0].update(id=f"m{n:09d}", seq=n)
                batches.append(each)
            document["gateway"]["batches"] = batches
            document["gateway"]["messages"] = STORED + 1
            document["gateway"]["batch_ids"]["upcoming"] = STORED + 1
            put = urllib.request.Request(
                url + "/_emulator/state", data=json.dumps(document).encode(), method="PUT"
            )
            with urllib.request.urlopen(put, timeout=600) as answer:
                assert answer.status == 200
        with server(emulator_command("--data", str(empty))):
            pass
        empties, fulls = [], []
        for _ in range(runs):
            empties.append(_ready_seconds(empty))
            fulls.append(_ready_seconds(full))
    return Ready(statistics.median(empties), statistics.median(fulls))


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.datafile")
    parser.add_argument("--seconds", type=float, default=5, help="seconds per load run")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds (median)")
    args = parser.parse_args()
    for row in rows(args.seconds, args.rounds):
        print(" | ".join(row))


def rows(seconds: float, rounds: int) -> list[tuple[str, str, str, str]]:
    """The rows of docs/benchmarks.md."""
    done = throughput(seconds, rounds)
    flat = steady()
    up = ready()
    return [
        (
            f"{SEND} with --data: requests/s at 50 connections, request log off",
            f"{done.data.rps:,.0f} (p50 {done.data.p50_ms:.1f} ms, p99 {done.data.p99_ms:.1f} "
            f"ms); memory only {done.memory.rps:,.0f} (p50 {done.memory.p50_ms:.1f} ms, p99 "
            f"{done.memory.p99_ms:.1f} ms)",
            f"{done.ratio:.2f} of memory only",
            f">= 0.80: {verdict(done.ratio >= 0.8)}",
        ),
        (
            f"--data file under --max-messages {CAP:,}",
            f"{WARM:,} messages: {flat.warm_bytes / 1e6:.2f} MB; {STEADY:,}: "
            f"{flat.end_bytes / 1e6:.2f} MB (file and its log)",
            f"{flat.growth:+.1%}",
            f"flat (within 10 %): {verdict(abs(flat.growth) <= 0.10)}",
        ),
        (
            f"ready after a restart on a --data file of {STORED:,} messages",
            f"{up.full_s:.2f} s; on an empty file {up.empty_s:.2f} s",
            f"{up.full_s:.2f} s",
            f"< 2 s: {verdict(up.full_s < 2)}",
        ),
    ]


if __name__ == "__main__":
    main()
