"""Delivery outcomes and the table of magic recipient numbers that selects them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from .jsondata import JsonObject
from .plain import one_of

# Statuses every provider's wire vocabulary is mapped from.
SCHEDULED = "scheduled"  # waiting for its deferred delivery time
QUEUED = "queued"  # accepted, not yet handed to the network
SENT = "sent"  # handed to the network, no report yet
BUFFERED = "buffered"  # the network keeps it for a phone that is off
DELIVERED = "delivered"
UNDELIVERED = "undelivered"
UNSENT = "unsent"  # refused at submission
CANCELLED = "cancelled"  # a scheduled message that was deleted

FINAL = frozenset({DELIVERED, UNDELIVERED, UNSENT, CANCELLED})
STATUSES = (SCHEDULED, QUEUED, SENT, BUFFERED, DELIVERED, UNDELIVERED, UNSENT, CANCELLED)


@dataclass(frozen=True, slots=True)
class Step:
    """One status change, ``at`` delivery-delay units after the message was queued."""

    status: str = field(metadata=one_of(STATUSES))
    at: float
    reason: Mapping[str, str | None]

    def reason_for(self, provider: str) -> str | None:
        return self.reason.get(provider)


@dataclass(frozen=True, slots=True)
class Outcome:
    name: str
    description: str
    steps: tuple[Step, ...]


class OutcomeTable:
    """Named outcomes plus the recipient suffixes that select them (longest suffix wins)."""

    def __init__(self, outcomes: Mapping[str, Outcome], numbers: Mapping[str, str], default: str):
        self.outcomes = dict(outcomes)
        self.numbers = dict(numbers)
        self.default = self.outcomes[default]
        self._lengths = sorted({len(s) for s in self.numbers}, reverse=True)

    @classmethod
    def from_data(cls, data: JsonObject) -> OutcomeTable:
        outcomes = {
            name: Outcome(
                name,
                spec["description"],
                tuple(
                    Step(s["status"], float(s["at"]), s.get("reason", {})) for s in spec["steps"]
                ),
            )
            for name, spec in data["outcomes"].items()
        }
        numbers = {entry["suffix"]: entry["outcome"] for entry in data["numbers"]}
        unknown = set(numbers.values()) - set(outcomes)
        if unknown:
            raise ValueError(f"outcome table names unknown outcomes: {sorted(unknown)}")
        return cls(outcomes, numbers, data["default"])

    def for_recipient(self, number: str) -> Outcome:
        for length in self._lengths:
            name = self.numbers.get(number[-length:])
            if name is not None:
                return self.outcomes[name]
        return self.default

    def get(self, name: str) -> Outcome:
        return self.outcomes[name]
