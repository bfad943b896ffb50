"""Where a send's time goes: a sampling profile (py-spy) of the emulator serving one send
endpoint under wrk load, grouped by part of the code.

    python -m bench.profile [--seconds 8] [--log] [--before REV]

``--before REV`` profiles that commit too (checked out into a temporary git worktree), in the
same run, so the table shows before and after side by side.

Each sample is charged to the innermost frame of the emulator's own code on the stack (or to
"aiohttp and asyncio" when there is none), and that file to a part. The server is busy all the
time under this load, so a part's share of the samples times the time per request (1 / the
requests per second of the same run) is its cost per request.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .harness import LOAD_CPU, _pin, emulator_command, post_json, server_process, wrk
from .throughput import BENCH_ACCOUNT, SENDS

# Part of the code → the emulator files (or file:function) charged to it, first match wins.
PARTS: list[tuple[str, tuple[str, ...]]] = [
    (
        "status changes and their events",
        (
            "ticker.py",
            "core/timeline.py",
            "core/events.py",
            "gateway.py:Gateway._change",
            "gateway.py:Gateway._tell",
            "gateway.py:Gateway._schedule",
            "gateway.py:Gateway._wake_batch",
            "gateway.py:Gateway.wake",
            "gateway.py:Gateway.reconsider",
            "messages.py:Wave.when",
            "messages.py:Wave.change",
            "messages.py:Wave.next_change",
            "notifications.py",
            "control/waits.py",
        ),
    ),
    ("storing the message", ("core/gateway.py", "core/store.py", "core/messages.py")),
    ("business rules", ("service.py", "models.py", "core/")),
    ("parsing and validating", ("handlers", "wire.py", "validation.py", "httpio.py")),
    (
        "request pipeline and answer",
        ("endpoint.py", "routes.py", "faults.py", "pipeline.py", "rendering.py", "paths.py"),
    ),
    ("request log", ("logs.py",)),
    ("garbage-collector care", ("memory.py",)),
]
OUTSIDE = "aiohttp and asyncio (as for any handler)"
BEFORE = "6dfa27f"  # the commit before the work on the request path (docs/benchmarks.md)
_FRAME = re.compile(r"^(?P<function>.+) \((?P<file>.+?):\d+\)$")


@dataclass
class Profile:
    name: str
    rps: float
    shares: dict[str, float]  # part → share of the samples

    def cost_us(self, part: str) -> float:
        return self.shares.get(part, 0.0) * 1e6 / self.rps


def part_of(stack: str) -> str:
    """The part the innermost emulator frame of a py-spy "raw" stack belongs to."""
    for frame in reversed(stack.split(";")):
        match = _FRAME.match(frame)
        if match is None or "emulator/" not in match["file"]:
            continue
        where = match["file"].split("emulator/", 1)[1]
        if where in ("cli.py", "__main__.py"):
            continue
        for part, places in PARTS:
            for place in places:
                file, _, function = place.partition(":")
                if file in where and (not function or match["function"] == function):
                    return part
        return "other emulator code"
    return OUTSIDE


def shares(raw: str) -> dict[str, float]:
    counts: collections.Counter[str] = collections.Counter()
    for line in raw.splitlines():
        stack, _, number = line.rpartition(" ")
        if stack and number.isdigit():
            counts[part_of(stack)] += int(number)
    total = sum(counts.values()) or 1
    return {part: n / total for part, n in counts.items()}


def profile(name: str, seconds: float, log: bool, tree: Path | None = None) -> Profile:
    """Profile the emulator's send ``name``; ``tree``: run that checkout's emulator instead."""
    if shutil.which("py-spy") is None:
        sys.exit("py-spy is not installed: pip install -e '.[bench]'")
    path, body = SENDS[name]
    # The working directory decides which checkout ``python -m emulator`` runs.
    with (
        server_process(emulator_command(default_log=log), cwd=tree) as (url, pid),
        tempfile.TemporaryDirectory() as tmp,
    ):
        post_json(url + "/_emulator/accounts", BENCH_ACCOUNT)
        wrk(url + path, body, 1)  # warm up
        out = Path(tmp) / "profile.txt"
        spy = subprocess.Popen(
            [
                "py-spy",
                "record",
                "--pid",
                str(pid),
                "--rate",
                "250",
                "--duration",
                str(max(1, round(seconds) - 1)),
                "--format",
                "raw",
                "--output",
                str(out),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=lambda: _pin(LOAD_CPU),
        )
        load: list[float] = []
        runner = threading.Thread(target=lambda: load.append(wrk(url + path, body, seconds).rps))
        runner.start()
        runner.join()
        spy.wait(60)
        return Profile(
            name if tree is None else f"{name}, before",
            load[0],
            shares(out.read_text(encoding="utf-8")),
        )


@contextlib.contextmanager
def checkout(rev: str) -> Iterator[Path]:
    """``rev`` checked out into a temporary git worktree."""
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp) / "tree"
        subprocess.run(
            ["git", "worktree", "add", "--detach", "--quiet", str(tree), rev], check=True
        )
        try:
            yield tree
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(tree)], check=False)


def table(profiles: list[Profile]) -> list[str]:
    parts = [part for part, _ in PARTS] + ["other emulator code", OUTSIDE]
    head = "| part | " + " | ".join(p.name for p in profiles) + " |"
    lines = [head, "|---|" + "---|" * len(profiles)]
    for part in parts:
        if any(p.shares.get(part) for p in profiles):
            lines.append(
                f"| {part} | "
                + " | ".join(
                    f"{p.cost_us(part):.0f} µs ({p.shares.get(part, 0.0):.0%})" for p in profiles
                )
                + " |"
            )
    lines.append(
        "| **per request** | "
        + " | ".join(f"**{1e6 / p.rps:.0f} µs** ({p.rps:,.0f} req/s)" for p in profiles)
        + " |"
    )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.profile")
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument(
        "--log", action="store_true", help="with the request log (default configuration)"
    )
    parser.add_argument("--before", metavar="REV", help="profile this commit too")
    args = parser.parse_args()
    print("\n".join(table(profiles(args.seconds, args.log, args.before))))


def profiles(seconds: float, log: bool, before: str | None) -> list[Profile]:
    """Each send profiled (after its ``before`` profile, when asked for)."""
    if before is None:
        return [profile(name, seconds, log) for name in SENDS]
    with checkout(before) as tree:
        return [
            p
            for name in SENDS
            for p in (profile(name, seconds, log, tree), profile(name, seconds, log))
        ]


if __name__ == "__main__":
    main()
