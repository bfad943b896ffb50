"""Reading request bodies defensively; both providers and the control API use it.

Whatever a client sends (a body too large, not UTF-8, not JSON, nested a thousand levels deep)
ends up as a :class:`BodyError` with an HTTP status and a sentence for the developer; the
provider then answers in its own error format.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urlsplit, urlunsplit

import orjson
from aiohttp import hdrs, web

from .core.jsondata import Document, JsonObject
from .core.messages import RequestRecord

BOM = b"\xef\xbb\xbf"


class BodyError(Exception):
    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


async def read_body(request: web.Request) -> bytes:
    try:
        return await request.read()
    except web.HTTPRequestEntityTooLarge as exc:
        raise BodyError(
            413, f"request body is larger than {request.client_max_size} bytes"
        ) from exc


def decode_text(raw: bytes) -> str:
    if raw.startswith(BOM):
        raw = raw[len(BOM) :]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BodyError(400, f"request body is not valid UTF-8 (byte {exc.start})") from None


def loads(raw: bytes | str) -> Any:  # Any: JSON, whatever the sender sent
    """Strict JSON: invalid UTF-8, lone surrogates, NaN, numbers beyond a double and nesting
    deeper than 1024 levels are all refused."""
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        message = str(exc)
        if "depth limit" in message:
            raise BodyError(400, "request body is nested too deeply") from None
        if "not valid UTF-8" in message:
            raise BodyError(400, f"request body is not valid UTF-8: {message}") from None
        if "surrogate" in message:
            raise BodyError(400, f"request body holds a lone UTF-16 surrogate: {message}") from None
        raise BodyError(400, f"request body is not valid JSON: {message}") from None


def json_object(raw: bytes) -> Document:
    """Parse a body as a JSON object (an empty body is ``{}``)."""
    if raw.startswith(BOM):
        raw = raw[len(BOM) :]
    if not raw.strip():
        return {}
    data = loads(raw)
    if type(data) is not dict:
        raise BodyError(400, f"request body must be a JSON object, not {type(data).__name__}")
    return data


def header_safe(detail: str, limit: int = 500) -> str:
    """Text that can stand in an HTTP header (``X-Emulator-Error``): printable ASCII only,
    anything else (control characters, non-ASCII, bytes that were not UTF-8) as ``?``."""
    return "".join(ch if " " <= ch <= "~" else "?" for ch in detail[:limit])


CALLBACK_HEADER = "X-Sms-Emulator-Callback"
"""Sent with every callback the emulator makes. A provider endpoint that receives it refuses
to act (a callback URL pointing back at the emulator would loop for ever) and answers with it,
so the dispatcher ends the job instead of retrying."""
LOOP_STATUS = 508  # Loop Detected
LOOP_DETAIL = (
    "this request is one of the emulator's own callbacks (its URL points back at "
    "the emulator's provider API); it is not acted on, or it would loop"
)


SECRET_KEYS = frozenset(
    {"password", "subaccount_password", "token", "access_token", "api_key", "apikey"}
)
REDACTED = "***"


def mask_url(url: str) -> str:
    """``http://user:pass@host/dlr?token=t`` → ``http://user:***@host/dlr?token=***`` (a user
    name alone may be a token, so it is masked whole; query values under a secret's name are
    masked as they are in requests): a callback URL's secrets are secrets at rest."""
    if "@" not in url and "=" not in url:
        return url
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unclosed [ in the host: mask whatever looks like user info
        return _USERINFO.sub(_masked_userinfo, url)
    if parts.netloc and "@" in parts.netloc:
        userinfo, _, hostport = parts.netloc.rpartition("@")
        user, colon, _ = userinfo.partition(":")
        masked = f"{user}:{REDACTED}" if colon else REDACTED
        parts = parts._replace(netloc=f"{masked}@{hostport}")
    masked = urlunsplit(parts)
    # The query, read raw: SerwerSMS URL templates hold #TOKENS#, which urlsplit would
    # take for a fragment.
    return (
        _SECRET_QUERY.sub(lambda m: f"{m[1]}{m[2]}={REDACTED}", masked) if "=" in masked else masked
    )


_SECRET_QUERY = re.compile(r"([?&])(" + "|".join(sorted(SECRET_KEYS)) + r")=[^&]+", re.IGNORECASE)


_USERINFO = re.compile(
    r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)(?P<user>[^/@:\s]*)(?P<colon>:?)"
    r"[^/@\s]*@"
)


def _masked_userinfo(match: re.Match[str]) -> str:
    user = f"{match['user']}:{REDACTED}" if match["colon"] else REDACTED
    return f"{match['scheme']}{user}@"


def mask_text(text: str) -> str:
    """Any URL's user info in a free text (an error message) masked."""
    return _USERINFO.sub(_masked_userinfo, text) if "@" in text else text


def _shown(key: str, value: object) -> object:
    if key.lower() in SECRET_KEYS and value not in (None, ""):
        return REDACTED
    if isinstance(value, str) and "://" in value:
        return mask_url(value)
    return value


def redact(body: JsonObject) -> Document:
    """A copy of a request body safe to show and log: passwords and tokens masked, whatever
    their type, and user info in URLs."""
    return {k: _shown(k, v) for k, v in body.items()}


def masked(value: object) -> object:
    """``value`` (options kept on a batch, an event's data) with the secrets of every URL in
    it masked, however deep."""
    if isinstance(value, str):
        return mask_url(value) if "://" in value else value
    if isinstance(value, dict):
        return {k: masked(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [masked(v) for v in value]
    return value


def record(request: web.Request, body: JsonObject) -> RequestRecord:
    """What is kept of a send request (as it came; masked when shown)."""
    return RequestRecord(
        request.method,
        request.path,
        request.query_string,
        request.headers.get(hdrs.CONTENT_TYPE, ""),
        body,
    )


def request_view(record: RequestRecord) -> Document:
    """ "The raw request" as the control API shows it: secrets masked."""
    query = dict(parse_qsl(record.query_string, keep_blank_values=True))
    return {
        "method": record.method,
        "path": record.path,
        "query": redact(query),
        "content_type": record.content_type,
        "body": redact(record.body),
    }
