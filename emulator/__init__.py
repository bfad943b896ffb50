"""sms-gateway-emulator: a local, faithful emulator of the server2sms JSON API and the
SerwerSMS.pl HTTPS API v2.

The public API, imported on first use so that ``import emulator`` stays cheap::

    from emulator import EmulatorServer, EmulatorClient, SmsEmulator, CallbackReceiver, Settings
    from emulator import create_app
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "create_app": "emulator.app",
    "Settings": "emulator.config",
    "EmulatorServer": "emulator.testing.server",
    "EmulatorClient": "emulator.testing.client",
    "SmsEmulator": "emulator.testing.fixture",
    "CallbackReceiver": "emulator.testing.receiver",
}
__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:  # Any: one of the names in _EXPORTS, imported lazily
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'emulator' has no attribute {name!r}")
