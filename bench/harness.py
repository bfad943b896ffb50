"""Running servers and load for the benchmarks: servers pinned to one core, wrk on another."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

SERVER_CPU = 0
LOAD_CPU = 1


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _pin(cpu: int) -> None:
    if hasattr(os, "sched_setaffinity") and os.cpu_count() and os.cpu_count() > cpu:
        os.sched_setaffinity(0, {cpu})


def wait_ready(url: str, timeout: float = 30.0, path: str = "/_emulator/health") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), urllib.request.urlopen(url + path, timeout=1) as answer:
            if answer.status == 200:
                return
        time.sleep(0.05)
    raise RuntimeError(f"{url} did not become ready")


@contextlib.contextmanager
def server(
    args: list[str], ready_path: str = "/_emulator/health", env: dict[str, str] | None = None
) -> Iterator[str]:
    """Run a server command (``{port}`` is replaced) pinned to SERVER_CPU; yield its URL."""
    with server_process(args, ready_path, env) as (url, _):
        yield url


@contextlib.contextmanager
def server_process(
    args: list[str],
    ready_path: str = "/_emulator/health",
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
) -> Iterator[tuple[str, int]]:
    """Like ``server``; yields the URL and the server's process id. ``cwd``: run it there
    (``python -m`` puts the working directory first on the module path)."""
    port = free_port()
    command = [a.replace("{port}", str(port)) for a in args]
    # What CI does with a server's log: a file, read later (a pipe nobody reads would block).
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(
            command,
            stdout=subprocess.DEVNULL,
            stderr=log,
            preexec_fn=lambda: _pin(SERVER_CPU),
            cwd=cwd,
            env={**os.environ, **(env or {})},
        )
        url = f"http://127.0.0.1:{port}"
        try:
            wait_ready(url, path=ready_path)
            yield url, proc.pid
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()


def post_json(url: str, body: object) -> object:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as answer:
        return json.loads(answer.read())


@dataclass
class Load:
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(
    url: str,
    body: str,
    seconds: float,
    connections: int = 50,
    content_type: str = "application/json",
    headers: dict[str, str] | None = None,
) -> Load:
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install wrk (bash bench/run does it)")
    script = (
        "wrk.method = 'POST'\n"
        f"wrk.body = {json.dumps(body)}\n"
        f"wrk.headers['Content-Type'] = '{content_type}'\n"
        + "".join(
            f"wrk.headers[{json.dumps(k)}] = {json.dumps(v)}\n" for k, v in (headers or {}).items()
        )
    )
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    try:
        out = subprocess.run(
            [
                "wrk",
                "-t1",
                f"-c{connections}",
                f"-d{max(1, round(seconds))}s",
                "--latency",
                "-s",
                handle.name,
                url,
            ],
            capture_output=True,
            text=True,
            check=True,
            preexec_fn=lambda: _pin(LOAD_CPU),
        ).stdout
    finally:
        Path(handle.name).unlink()
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:.*", out)
    return Load(rps, p50, p99, int(bad.group(1)) if bad else 0 + (1 if errors else 0))


def median_load(loads: list[Load]) -> Load:
    return Load(
        statistics.median(x.rps for x in loads),
        statistics.median(x.p50_ms for x in loads),
        statistics.median(x.p99_ms for x in loads),
        sum(x.errors for x in loads),
    )


def emulator_command(*extra: str, default_log: bool = False) -> list[str]:
    """The emulator's serve command; with the request log off unless ``default_log`` (the
    configuration CI users run)."""
    log = [] if default_log else ["--log-level", "warning"]
    return [sys.executable, "-m", "emulator", "serve", "--port", "{port}", *log, *extra]


def bare_command() -> list[str]:
    return [sys.executable, "-m", "bench.bare", "{port}"]


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"
