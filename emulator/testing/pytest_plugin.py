"""pytest fixtures for projects that send SMS through server2sms or SerwerSMS.pl.

Installing ``sms-gateway-emulator`` registers this plugin; no conftest lines are needed::

    def test_order_confirmation_is_texted(sms_emulator):
        shop = Shop(sms_url=sms_emulator.url)          # point your code at the emulator
        shop.confirm_order(phone="+41790000000")
        [sms] = sms_emulator.wait_for_messages(recipient="+41790000000")
        assert "confirmed" in sms["text"]

One emulator runs per test session (per pytest-xdist worker) and is reset before each test,
so tests never see each other's messages. Imports are deferred to the first fixture use, so
the plugin costs nothing in sessions that do not use it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from .client import EmulatorClient
    from .receiver import CallbackReceiver
    from .server import EmulatorServer


class SmsEmulator:
    """What ``sms_emulator`` gives a test: the base URL and the control API's helpers.

    Every method of :class:`emulator.testing.client.EmulatorClient` is available directly:
    ``messages()``, ``sent_to(number)``, ``wait_for_messages(count, timeout, **filters)``,
    ``wait_for_callbacks(...)``, ``advance(seconds)``, ``set_clock(mode)``,
    ``add_rule(...)``, ``inject_reply(...)``, ``account(...)``, ``add_fault(...)``,
    ``reset(...)``.
    """

    def __init__(self, server: EmulatorServer, client: EmulatorClient) -> None:
        self.server = server
        self.client = client

    @property
    def url(self) -> str:
        """Base URL: server2sms at ``url + "/SendTextSMS"``, SerwerSMS at
        ``url + "/messages/send_sms.json"``."""
        return self.server.url

    def __getattr__(self, name: str) -> Any:
        return getattr(self.client, name)

    async def wait_for_messages_async(self, count: int = 1, timeout: float = 10.0,
                                      **filters: Any) -> list[dict[str, Any]]:
        """``wait_for_messages`` for async tests: waits without blocking the event loop."""
        return await asyncio.to_thread(self.client.wait_for_messages, count, timeout, **filters)

    async def wait_for_callbacks_async(self, count: int = 1, timeout: float = 10.0,
                                       **filters: Any) -> list[dict[str, Any]]:
        return await asyncio.to_thread(self.client.wait_for_callbacks, count, timeout,
                                       **filters)

    def assert_sent(self, number: str, count: int = 1, **filters: Any) -> list[dict[str, Any]]:
        """Exactly ``count`` messages went to ``number``; shows everything sent otherwise."""
        sent = self.client.sent_to(number, **filters)
        if len(sent) != count:
            everything = "\n  ".join(f"{m['recipient']}: {m['text']!r} ({m['status']})"
                                     for m in self.client.messages())
            raise AssertionError(f"expected {count} message(s) to {number}, found {len(sent)}."
                                 f" Sent in this test:\n  {everything or '(nothing)'}")
        return sent


@pytest.fixture(scope="session")
def sms_emulator_settings() -> dict[str, Any]:
    """Settings for the session's emulator; override this fixture in your conftest.py, e.g.
    ``return {"clock": "manual", "delivery_delay": 0.1}``. Keys are the fields of
    :class:`emulator.config.Settings` (the port is always chosen free)."""
    return {}


@pytest.fixture(scope="session")
def sms_emulator_server(sms_emulator_settings: dict[str, Any]) -> Iterator[EmulatorServer]:
    """The running emulator, one per session (one per xdist worker), on a free port."""
    from .server import EmulatorServer

    with EmulatorServer(**{**sms_emulator_settings, "port": 0}) as server:
        yield server


@pytest.fixture
def sms_emulator(sms_emulator_server: EmulatorServer) -> SmsEmulator:
    """The session's emulator, reset for this test (messages, replies, callbacks, rules,
    faults, accounts back to their start-up state; the clock goes back to the configured
    mode)."""
    from .client import EmulatorClient

    server = sms_emulator_server
    client = EmulatorClient(server.url, token=server.settings.control_token)
    client.reset()
    client.set_clock(server.settings.clock)
    return SmsEmulator(server, client)


@pytest.fixture
def make_sms_emulator() -> Iterator[Callable[..., SmsEmulator]]:
    """Start a dedicated emulator with its own settings for this test, e.g.
    ``make_sms_emulator(strict_accounts=True)``; it stops when the test ends."""
    from .client import EmulatorClient
    from .server import EmulatorServer

    started: list[EmulatorServer] = []

    def make(**settings: Any) -> SmsEmulator:
        server = EmulatorServer(**{**settings, "port": 0}).start()
        started.append(server)
        return SmsEmulator(server, EmulatorClient(server.url, token=server.settings.control_token))

    yield make
    for server in started:
        server.stop()


@pytest.fixture
def sms_callback_receiver() -> Iterator[CallbackReceiver]:
    """A real local HTTP server that records the callbacks the emulator makes:
    ``receiver.url``, ``receiver.wait_for(count)``, ``receiver.answer_with(503, times=2)``,
    ``receiver.go_down()`` / ``come_up()``."""
    from .receiver import CallbackReceiver

    with CallbackReceiver() as receiver:
        yield receiver
