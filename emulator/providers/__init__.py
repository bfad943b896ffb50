"""The emulated gateways, listed explicitly: each has ``NAME`` and ``install(app, ctx)``."""

from __future__ import annotations

from . import server2sms, serwersms

PROVIDERS = (server2sms, serwersms)
