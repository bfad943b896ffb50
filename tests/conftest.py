"""Shared fixtures: one real emulator per session (manual clock), reset before every test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests

from emulator.testing.client import EmulatorClient
from emulator.testing.receiver import CallbackReceiver
from emulator.testing.server import EmulatorServer
from emulator.validation import SchemaRegistry

collect_ignore = ["packaging/downstream"]  # a project of its own, run by test_wheel.py

FAST_CALLBACKS = {
    "callback_backoff": 0.05,
    "callback_backoff_max": 0.2,
    "callback_timeout": 2.0,
    "callback_attempts": 6,
}


@pytest.fixture(scope="session")
def schemas() -> SchemaRegistry:
    return SchemaRegistry()


@pytest.fixture(scope="session")
def server() -> Iterator[EmulatorServer]:
    with EmulatorServer(clock="manual", **FAST_CALLBACKS) as emulator:
        yield emulator


@pytest.fixture
def control(server: EmulatorServer) -> EmulatorClient:
    client = EmulatorClient(server.url)
    client.reset()
    client.set_clock("manual")
    return client


@pytest.fixture
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        yield session


@pytest.fixture
def s2s(
    server: EmulatorServer, control: EmulatorClient, http: requests.Session, schemas: SchemaRegistry
) -> Callable[..., dict[str, Any]]:
    """POST a server2sms method; the answer must be HTTP 200 and match its response schema."""

    def call(method: str, body: dict[str, Any] | None = None, **kw: Any) -> dict[str, Any]:
        answer = http.post(f"{server.url}/{method}", json=body or {}, **kw)
        assert answer.status_code == 200, answer.text
        data = answer.json()
        schemas.check("server2sms", method, "response", data)
        return data

    return call


@pytest.fixture
def receiver() -> Iterator[CallbackReceiver]:
    with CallbackReceiver() as sink:
        yield sink
