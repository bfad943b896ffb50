"""``GET /_emulator/metrics``: how the emulator is doing, in the Prometheus text format.

Counted as they happen (cheap: one dictionary entry per request, see ``Tally``): provider
requests by provider, operation and result, with a latency histogram per provider, and
callback attempts by outcome. Read when scraped: messages by provider and status, the store,
open waits and event streams, uptime. Every label takes a bounded set of values (provider
names, the operations of the route tables, statuses, outcomes): never a phone number or a
text.
"""

from __future__ import annotations

import time
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable

from aiohttp import web

# Seconds: a request's time in the emulator (the gate to the answer), as histogram buckets.
BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)
OPERATION = web.RequestKey("operation", str)  # request[OPERATION]: what the endpoint found
UNKNOWN = "unknown"  # an operation no route table has (its name is not a label: unbounded)
MEDIA_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class Tally:
    """One gateway's requests, counted by the gate as they are answered. One dictionary entry
    per request: (operation, result, latency bucket) → count; the rest is summed when scraped."""

    __slots__ = ("counts", "seconds")

    def __init__(self) -> None:
        self.counts: dict[tuple[str, str, int], int] = {}
        self.seconds = 0.0

    def count(self, operation: str, result: str, seconds: float) -> None:
        """A request was answered (``result``: ok, error, refused, fault)."""
        key = (operation, result, bisect_left(BUCKETS, seconds))
        self.counts[key] = self.counts.get(key, 0) + 1
        self.seconds += seconds


class Metrics:
    def __init__(self) -> None:
        self.started = time.time()
        self.tallies: dict[str, Tally] = {}  # by provider

    def tally(self, provider: str) -> Tally:
        return self.tallies.setdefault(provider, Tally())

    def requests(self) -> dict[tuple[str, str, str], int]:
        """(provider, operation, result) → requests answered."""
        out: Counter[tuple[str, str, str]] = Counter()
        for provider, tally in self.tallies.items():
            for (operation, result, _), n in tally.counts.items():
                out[(provider, operation, result)] += n
        return dict(sorted(out.items()))


def labels(**labels: str) -> str:
    def escaped(value: str) -> str:
        return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")

    return "{" + ",".join(f'{k}="{escaped(v)}"' for k, v in labels.items()) + "}"


class Exposition:
    """The text format: ``# HELP``, ``# TYPE`` and the samples of each family in turn."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def family(
        self, name: str, kind: str, help_text: str, samples: Iterable[tuple[str, float]]
    ) -> None:
        """``samples``: (the label part, with any suffix of the name before it, value)."""
        self.lines.append(f"# HELP {name} {help_text}")
        self.lines.append(f"# TYPE {name} {kind}")
        for labels, value in samples:
            self.lines.append(f"{name}{labels} {_number(value)}")

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def histogram(metrics: Metrics) -> Iterable[tuple[str, float]]:
    """The request latency histogram's samples (cumulative buckets, sum, count)."""
    for provider, tally in sorted(metrics.tallies.items()):
        counts = [0] * (len(BUCKETS) + 1)
        for (_, _, bucket), n in tally.counts.items():
            counts[bucket] += n
        running = 0
        for bound, count in zip((*BUCKETS, float("inf")), counts, strict=True):
            running += count
            le = "+Inf" if bound == float("inf") else repr(bound)
            yield "_bucket" + labels(provider=provider, le=le), running
        yield "_sum" + labels(provider=provider), tally.seconds
        yield "_count" + labels(provider=provider), running
