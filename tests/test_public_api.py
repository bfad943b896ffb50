"""The small public API: every name in ``emulator.__all__`` is there, and importing the
package does not drag the server in."""

from __future__ import annotations

import subprocess
import sys

import emulator


def test_every_public_name_resolves() -> None:
    assert emulator.__all__ == [
        "__version__",
        "create_app",
        "Settings",
        "EmulatorServer",
        "EmulatorClient",
        "SmsEmulator",
        "CallbackReceiver",
    ]
    for name in emulator.__all__:
        assert getattr(emulator, name) is not None


def test_importing_the_package_is_cheap() -> None:
    code = "import sys, emulator; print('aiohttp' in sys.modules)"
    assert (
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout.strip()
        == "False"
    )
