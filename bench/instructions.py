"""Instructions per request: the CPU instructions a server executes to answer one send, counted
by valgrind (cachegrind without cache simulation) for the emulator and bare aiohttp in the same
run.

    python -m bench.instructions

Requests per second on a shared machine move by tens of per cent between identical runs; an
instruction count hardly moves at all, so a change of a few per cent in the work a request
costs shows here first. It leaves out what the count cannot see (waiting for memory, the
kernel's share of socket writes), which is why the throughput rows stay the measure the
targets are set on. Each server answers two numbers of requests, one after the other on one
keep-alive connection; the difference divided by the difference in requests removes the
start-up and shutdown.
"""

from __future__ import annotations

import argparse
import http.client
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .harness import bare_command, emulator_command, free_port, post_json, wait_ready
from .throughput import BENCH_ACCOUNT, SENDS

FEW, MANY = 200, 1200  # requests in the two runs of each server


def _instructions(command: list[str], path: str, body: str, requests: int, setup: bool) -> int:
    """Instructions the server process executed from start to exit, serving ``requests``."""
    port = free_port()
    with tempfile.TemporaryDirectory() as work:
        report = Path(work, "valgrind.txt")
        args = [a.replace("{port}", str(port)) for a in command]
        with open(Path(work, "server.log"), "wb") as log:
            proc = subprocess.Popen(
                [
                    "valgrind",
                    "--tool=cachegrind",
                    "--cache-sim=no",
                    f"--cachegrind-out-file={Path(work, 'out')}",
                    f"--log-file={report}",
                    *args,
                ],
                stdout=subprocess.DEVNULL,
                stderr=log,
            )
            try:
                url = f"http://127.0.0.1:{port}"
                wait_ready(url, timeout=300)
                if setup:
                    post_json(url + "/_emulator/accounts", BENCH_ACCOUNT)
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                for _ in range(requests):
                    connection.request(
                        "POST", path, body=body, headers={"Content-Type": "application/json"}
                    )
                    answer = connection.getresponse()
                    answer.read()
                    if answer.status != 200:
                        raise RuntimeError(f"{path} answered {answer.status}")
                connection.close()
                proc.send_signal(signal.SIGINT)
                proc.wait(300)
            finally:
                if proc.poll() is None:
                    proc.kill()
        found = re.search(r"I\s+refs:\s+([\d,]+)", report.read_text())
        if found is None:
            raise RuntimeError(f"valgrind gave no count:\n{report.read_text()}")
        return int(found.group(1).replace(",", ""))


def per_request(command: list[str], path: str, body: str, setup: bool) -> float:
    few = _instructions(command, path, body, FEW, setup)
    many = _instructions(command, path, body, MANY, setup)
    return (many - few) / (MANY - FEW)


@dataclass
class Counts:
    name: str
    bare: float
    log_off: float
    default: float

    @property
    def ratio(self) -> float:
        """Bare aiohttp's instructions per request over the emulator's (log off)."""
        return self.bare / self.log_off

    @property
    def log_share(self) -> float:
        return 1 - self.log_off / self.default


def available() -> bool:
    return shutil.which("valgrind") is not None


def counts(name: str) -> Counts:
    path, body = SENDS[name]
    return Counts(
        name,
        per_request(bare_command(), path, body, setup=False),
        per_request(emulator_command(), path, body, setup=True),
        per_request(emulator_command(default_log=True), path, body, setup=True),
    )


def main() -> None:
    argparse.ArgumentParser(
        prog="python -m bench.instructions", description=__doc__.split("\n\n")[0]
    ).parse_args()
    if not available():
        sys.exit("valgrind is not installed: apt-get install valgrind (bash bench/run does it)")
    for name in SENDS:
        found = counts(name)
        print(
            f"{name}: bare aiohttp {found.bare / 1000:,.0f}k, emulator log off "
            f"{found.log_off / 1000:,.0f}k (bare / emulator {found.ratio:.2f}), default "
            f"{found.default / 1000:,.0f}k (the log {found.log_share:.0%}) instructions "
            "per request",
            flush=True,
        )


if __name__ == "__main__":
    main()
