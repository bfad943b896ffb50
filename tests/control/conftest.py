"""``ctl``: call the control API and check the answer against its schema."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import requests

from emulator.testing.server import EmulatorServer
from emulator.validation import SchemaRegistry


@pytest.fixture
def ctl(
    server: EmulatorServer, control: Any, http: requests.Session, schemas: SchemaRegistry
) -> Callable[..., Any]:
    def call(
        method: str, path: str, body: Any = None, *, schema: str, expect: int = 200, **query: Any
    ) -> Any:
        answer = http.request(
            method,
            server.url + path,
            json=body,
            params={k: v for k, v in query.items() if v is not None},
        )
        assert answer.status_code == expect, answer.text
        data = answer.json()
        schemas.check(
            "control", "error" if expect >= 400 and expect != 408 else schema, "response", data
        )
        return data

    return call
