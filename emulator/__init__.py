"""sms-gateway-emulator: a local, faithful emulator of the server2sms JSON API and the
SerwerSMS.pl HTTPS API v2."""

from __future__ import annotations

__version__ = "0.1.0"
