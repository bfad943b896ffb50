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

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

from ..core.jsondata import Document, JsonObject

if TYPE_CHECKING:
    from .fixture import SmsEmulator
    from .receiver import CallbackReceiver
    from .server import EmulatorServer


EMULATORS = pytest.StashKey[list["SmsEmulator"]]()
"""The emulators a test uses (``sms_emulator``, ``make_sms_emulator``), kept on the test item
so that ``sms_callback_receiver`` can say why a wait for callbacks found nothing."""
FROZEN_HINT = (
    "the emulator's clock is manual and was not advanced while waiting: callbacks "
    "fall due only when you advance it, e.g. sms_emulator.advance(5)"
)


def _used(request: pytest.FixtureRequest, emulator: SmsEmulator) -> SmsEmulator:
    request.node.stash.setdefault(EMULATORS, []).append(emulator)
    return emulator


@pytest.fixture(scope="session")
def sms_emulator_settings() -> Document:
    """Settings for the session's emulator; override this fixture in your conftest.py, e.g.
    ``return {"clock": "manual", "delivery_delay": 0.1}``. Keys are the fields of
    :class:`emulator.config.Settings` (the port is always chosen free)."""
    return {}


@pytest.fixture(scope="session")
def sms_emulator_server(sms_emulator_settings: JsonObject) -> Iterator[EmulatorServer]:
    """The running emulator, one per session (one per xdist worker), on a free port."""
    from .server import EmulatorServer

    with EmulatorServer(**{**sms_emulator_settings, "port": 0}) as server:
        yield server


@pytest.fixture
def sms_emulator(
    request: pytest.FixtureRequest, sms_emulator_server: EmulatorServer
) -> SmsEmulator:
    """The session's emulator, reset for this test (messages, replies, callbacks, rules,
    faults, accounts back to their start-up state; the clock goes back to the configured
    mode)."""
    from .fixture import SmsEmulator

    emulator = SmsEmulator(sms_emulator_server)
    emulator.reset()
    emulator.set_clock(sms_emulator_server.settings.clock)
    return _used(request, emulator)


@pytest.fixture
def make_sms_emulator(request: pytest.FixtureRequest) -> Iterator[Callable[..., SmsEmulator]]:
    """Start a dedicated emulator with its own settings for this test, e.g.
    ``make_sms_emulator(strict_accounts=True)``; it stops when the test ends."""
    from .fixture import SmsEmulator
    from .server import EmulatorServer

    started: list[EmulatorServer] = []

    def make(**settings: Any) -> SmsEmulator:  # Any: each Settings field's own type
        server = EmulatorServer(**{**settings, "port": 0}).start()
        started.append(server)
        return _used(request, SmsEmulator(server))

    yield make
    for server in started:
        server.stop()


@pytest.fixture
def sms_callback_receiver(request: pytest.FixtureRequest) -> Iterator[CallbackReceiver]:
    """A real local HTTP server that records the callbacks the emulator makes:
    ``receiver.url``, ``receiver.wait_for(count)``, ``receiver.answer_with(503, times=2)``,
    ``receiver.go_down()`` / ``come_up()``. A wait that times out says so when the test's
    emulator has a manual clock that was not advanced meanwhile."""
    from .receiver import CallbackReceiver

    def hint(since: float) -> str | None:
        emulators = request.node.stash.get(EMULATORS, [])
        return FROZEN_HINT if any(e.frozen_since(since) for e in emulators) else None

    with CallbackReceiver() as receiver:
        receiver.timeout_hint = hint
        yield receiver
