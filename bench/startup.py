"""What the pytest fixtures cost: importing the package, starting a ready server, resetting it
between tests; beside pytest-httpserver's import and start-up measured in the same run."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass

IMPORT_AND_START = {
    "emulator": (
        "from emulator.testing.server import EmulatorServer",
        "server = EmulatorServer(); server.start()",
        "server.stop()",
    ),
    "pytest-httpserver": (
        "from pytest_httpserver import HTTPServer",
        "server = HTTPServer(); server.start()",
        "server.stop()",
    ),
}

SCRIPT = """
import json, time
t0 = time.perf_counter()
{imp}
t1 = time.perf_counter()
{start}
t2 = time.perf_counter()
{stop}
print(json.dumps({{"import": t1 - t0, "ready": t2 - t1}}))
"""


@dataclass
class Startup:
    name: str
    import_ms: float
    ready_ms: float

    @property
    def total_ms(self) -> float:
        return self.import_ms + self.ready_ms


def startup(name: str, runs: int = 7) -> Startup:
    imp, start, stop = IMPORT_AND_START[name]
    imports, readies = [], []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", SCRIPT.format(imp=imp, start=start, stop=stop)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        data = json.loads(out.strip().splitlines()[-1])
        imports.append(data["import"] * 1000)
        readies.append(data["ready"] * 1000)
    return Startup(name, statistics.median(imports), statistics.median(readies))


def reset_ms(rounds: int = 200) -> tuple[float, float]:
    """Median milliseconds of ``POST /_emulator/reset`` (with 100 messages stored each time),
    and of everything the per-test fixture does (reset + clock mode)."""
    from emulator.testing.client import EmulatorClient
    from emulator.testing.server import EmulatorServer

    with EmulatorServer(clock="manual") as server:
        client = EmulatorClient(server.url)
        body = json.dumps(
            {
                "UserName": "bench",
                "Password": "x",
                "MessageText": "x",
                "Recipients": [f"+4179{i:07d}" for i in range(100)],
            }
        ).encode()
        resets, fixtures = [], []
        for i in range(rounds):
            urllib.request.urlopen(server.url + "/SendTextSMS", body).read()
            started = time.perf_counter()
            client.reset()
            if i % 2:
                client.set_clock("manual")
                fixtures.append((time.perf_counter() - started) * 1000)
            else:
                resets.append((time.perf_counter() - started) * 1000)
    return statistics.median(resets), statistics.median(fixtures)
