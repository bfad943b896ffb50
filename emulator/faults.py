"""Faults injected into provider endpoints, off until asked for.

A fault matches a provider and, optionally, a path substring; it fires on every match or, with
``rate``, on a seeded random share of them, so the same sequence of requests fails the same way
every run. ``times`` limits how often it fires.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

KINDS = ("latency", "status", "drop", "truncate")


def provider_of(path: str) -> str | None:
    """Which emulated gateway a path belongs to (None for the emulator's own API)."""
    if path.startswith("/_emulator"):
        return None
    return "serwersms" if path.strip("/").count("/") >= 1 else "server2sms"


@dataclass(slots=True)
class Fault:
    id: int
    kind: str
    provider: str | None = None
    path: str | None = None
    status: int = 500
    latency_ms: float = 0.0
    rate: float = 1.0
    seed: int = 0
    times: int | None = None
    used: int = 0
    _rng: random.Random = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}")
        self._rng = random.Random(self.seed)

    def fires(self, provider: str, path: str) -> bool:
        if self.times is not None and self.used >= self.times:
            return False
        if self.provider is not None and self.provider != provider:
            return False
        if self.path is not None and self.path.lower() not in path.lower():
            return False
        if self.rate < 1.0 and self._rng.random() >= self.rate:
            return False
        self.used += 1
        return True

    def view(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "provider": self.provider, "path": self.path,
                "status": self.status, "latency_ms": self.latency_ms, "rate": self.rate,
                "seed": self.seed, "times": self.times, "used": self.used}


class FaultBook:
    def __init__(self) -> None:
        self._faults: dict[int, Fault] = {}
        self._next_id = 1

    def __bool__(self) -> bool:
        return bool(self._faults)

    def __iter__(self) -> Iterator[Fault]:
        return iter(list(self._faults.values()))

    def add(self, **fields: Any) -> Fault:
        fault = Fault(id=self._next_id, **fields)
        self._next_id += 1
        self._faults[fault.id] = fault
        return fault

    def remove(self, fault_id: int) -> bool:
        return self._faults.pop(fault_id, None) is not None

    def clear(self) -> int:
        count = len(self._faults)
        self._faults.clear()
        return count

    def pick(self, path: str) -> Fault | None:
        provider = provider_of(path)
        if provider is None:
            return None
        for fault in self._faults.values():
            if fault.fires(provider, path):
                return fault
        return None
