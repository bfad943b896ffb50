"""The schemathesis counts, printed at the end of the run."""

from __future__ import annotations

import pytest
from schemathesis_run import COUNTS


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not COUNTS:
        return
    terminalreporter.section("schemathesis against the emulator's OpenAPI documents")
    for counts in COUNTS:
        terminalreporter.write_line(
            f"{counts.document}: {counts.operations} operations, {counts.requests} requests, "
            f"{len(counts.failures)} failures"
        )
