"""The emulated gateways, listed explicitly: each package exports one ``PROVIDER``
(emulator/providers/contract.py)."""

from __future__ import annotations

from . import server2sms, serwersms
from .contract import Provider

PROVIDERS: tuple[Provider, ...] = (server2sms.PROVIDER, serwersms.PROVIDER)
BY_NAME = {provider.name: provider for provider in PROVIDERS}
