"""Reading request bodies defensively; both providers and the control API use it.

Whatever a client sends (a body too large, not UTF-8, not JSON, nested a thousand levels deep)
ends up as a :class:`BodyError` with an HTTP status and a sentence for the developer; the
provider then answers in its own error format.
"""

from __future__ import annotations

import json
import re
from typing import Any

from aiohttp import web

BOM = b"\xef\xbb\xbf"
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


class BodyError(Exception):
    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


async def read_body(request: web.Request) -> bytes:
    try:
        return await request.read()
    except web.HTTPRequestEntityTooLarge as exc:
        raise BodyError(413, f"request body is larger than {request.client_max_size} bytes") \
            from exc


def decode_text(raw: bytes) -> str:
    if raw.startswith(BOM):
        raw = raw[len(BOM):]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BodyError(400, f"request body is not valid UTF-8 (byte {exc.start})") from None


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def loads(text: str) -> Any:
    try:
        return json.loads(text, parse_constant=_no_constants)
    except RecursionError:
        raise BodyError(400, "request body is nested too deeply") from None
    except ValueError as exc:
        raise BodyError(400, f"request body is not valid JSON: {exc}") from None


def json_object(raw: bytes, empty: dict[str, Any] | None = None) -> dict[str, Any]:
    """Parse a body as a JSON object (an empty body gives ``empty`` or ``{}``)."""
    text = decode_text(raw)
    if not text.strip():
        return dict(empty or {})
    data = loads(text)
    if _SURROGATE_ESCAPE.search(text) and not no_surrogates(data):
        raise BodyError(400, "request body holds a lone UTF-16 surrogate (an invalid \\u escape)")
    if not isinstance(data, dict):
        raise BodyError(400, f"request body must be a JSON object, not {type(data).__name__}")
    return data


def no_surrogates(value: Any) -> bool:
    """True when no string in ``value`` holds a lone surrogate (JSON can smuggle them in with
    ``\\ud800`` escapes; they cannot be encoded again)."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return False
        return True
    if isinstance(value, dict):
        return all(no_surrogates(k) and no_surrogates(v) for k, v in value.items())
    if isinstance(value, list):
        return all(no_surrogates(v) for v in value)
    return True


SECRET_KEYS = frozenset({"password", "subaccount_password", "token"})
REDACTED = "***"


def redact(body: dict[str, Any]) -> dict[str, Any]:
    """A copy of a request body safe to show and log: passwords and tokens masked."""
    if not any(key.lower() in SECRET_KEYS for key in body):
        return body
    return {k: (REDACTED if k.lower() in SECRET_KEYS and v not in (None, "") else v)
            for k, v in body.items()}


def request_record(request: web.Request, body: dict[str, Any]) -> dict[str, Any]:
    """What the control API shows as "the raw request" of a message."""
    return {
        "method": request.method,
        "path": request.path,
        "query": redact(dict(request.query)) if request.query else {},
        "content_type": request.headers.get("Content-Type", ""),
        "body": redact(body),
    }
