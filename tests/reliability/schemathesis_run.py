"""Running schemathesis over one OpenAPI document of the live emulator, and keeping count."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import checks

SEED = 20261122
COUNTS: list[Counts] = []  # printed at the end of the session (conftest.py)


@dataclass
class Counts:
    document: str
    operations: int = 0
    requests: int = 0
    failures: list[str] = field(default_factory=list)


STREAMS = "text/event-stream"


def _streams(operation: Any) -> bool:
    """An endless answer (the event stream) cannot be read to its end; it has tests of its
    own (tests/control)."""
    return all(
        STREAMS in (answer.get("content") or {})
        for status, answer in operation.definition.raw.get("responses", {}).items()
        if status.startswith("2")
    )


def run(
    document: dict[str, Any],
    base_url: str,
    name: str,
    examples: int,
    adjust: Callable[[Any], list[Any]] | None = None,
) -> Counts:
    """Every operation of ``document``, ``examples`` generated cases each (plus the documented
    examples), with a fixed seed; every answer checked by schemathesis's checks. ``adjust``
    may change a case and names the checks that do not apply to it."""
    schema = schemathesis.openapi.from_dict(document)
    counts = Counts(name)
    COUNTS.append(counts)
    for result in schema.get_all_operations():
        operation = result.ok()
        if _streams(operation):
            continue
        counts.operations += 1

        @settings(
            max_examples=examples,
            derandomize=True,
            deadline=None,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def check(case: Any) -> None:
            excluded = [checks.ignored_auth, *(adjust(case) if adjust else [])]
            counts.requests += 1
            case.call_and_validate(base_url=base_url, excluded_checks=excluded, timeout=30)

        try:
            check()
        except BaseException as exc:  # every failure is reported, not only the first
            if isinstance(exc, KeyboardInterrupt):
                raise
            counts.failures.append(f"{operation.label}: {exc}"[:2000])
    return counts
