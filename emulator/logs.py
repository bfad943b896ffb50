"""Readable logs: one line per request, with secrets masked.

Passwords and tokens never reach the log: query parameters named like secrets are masked, and
headers are not logged at all.
"""

from __future__ import annotations

import logging
from urllib.parse import parse_qsl, urlencode

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

from .httpio import REDACTED, SECRET_KEYS

ACCESS = logging.getLogger("emulator.access")


def redact_query(query: str) -> str:
    if not query:
        return ""
    pairs = parse_qsl(query, keep_blank_values=True)
    return urlencode([(k, REDACTED if k.lower() in SECRET_KEYS else v) for k, v in pairs])


class AccessLogger(AbstractAccessLogger):
    """``127.0.0.1 POST /messages/send_sms.json?username=shop&password=*** -> 200 (1.4 ms)``"""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        query = redact_query(request.query_string)
        self.logger.info("%s %s %s%s -> %d (%.1f ms)", request.remote, request.method,
                         request.path, f"?{query}" if query else "", response.status,
                         time * 1000)

    @property
    def enabled(self) -> bool:
        return self.logger.isEnabledFor(logging.INFO)
