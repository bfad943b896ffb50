"""``SmsEmulator``: what the ``sms_emulator`` fixture gives a test.

It is an :class:`~emulator.testing.client.EmulatorClient` (every helper, sync and ``_async``,
typed and completed by IDEs) bound to a running :class:`~emulator.testing.server.EmulatorServer`,
with its control token and, under TLS, its CA.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .client import EmulatorClient

if TYPE_CHECKING:
    from .server import EmulatorServer


class SmsEmulator(EmulatorClient):
    def __init__(self, server: EmulatorServer) -> None:
        super().__init__(server.url, token=server.settings.control_token, ca_file=server.tls_ca)
        self.server = server
