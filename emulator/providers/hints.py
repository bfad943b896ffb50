"""What to tell a developer whose request reached the wrong gateway.

Both gateways share one port, so a server2sms body sent to a SerwerSMS path (or a SerwerSMS
form to ``/SendTextSMS``, or a SerwerSMS action without its group, ``/send_sms``) is answered
by the other gateway, in that gateway's words. Its refusal stays what the real gateway would
say; these hints go into the error detail (the ``X-Emulator-Error`` header and the log).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from urllib.parse import parse_qsl

SERVER2SMS_FIELDS = frozenset({"UserName", "UserKey", "Recipients", "MessageText", "Originator"})
SERWERSMS_FIELDS = frozenset({"username", "phone", "text", "sender", "messages"})


@cache
def _serwersms_actions() -> dict[str, str]:
    """action name (lower case) → ``group/action``."""
    from .serwersms.routes import OPERATIONS

    return {path.rsplit("/", 1)[1].lower(): path for path in OPERATIONS if "{" not in path}


@cache
def _server2sms_methods() -> dict[str, str]:
    from .server2sms.routes import OPERATIONS

    return {name.lower(): name for name in OPERATIONS}


def looks_like_server2sms(keys: Iterable[str]) -> str | None:
    """For a SerwerSMS path whose parameters are server2sms fields."""
    found = sorted(SERVER2SMS_FIELDS.intersection(keys))
    if not found:
        return None
    return (
        f"this looks like a server2sms request ({', '.join(found)}): server2sms methods "
        "are at POST /<Method> with a JSON body, e.g. /SendTextSMS"
    )


def looks_like_serwersms(keys: Iterable[str]) -> str | None:
    """For a server2sms method whose body holds SerwerSMS parameters."""
    found = sorted(SERWERSMS_FIELDS.intersection(keys))
    if not found:
        return None
    return (
        f"this looks like a SerwerSMS request ({', '.join(found)}): SerwerSMS actions are "
        "at /<group>/<action>, e.g. /messages/send_sms"
    )


def form_body(raw: bytes) -> str | None:
    """For a server2sms method whose body is not JSON but a form."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if "=" not in text or text.lstrip().startswith(("{", "[")):
        return None
    keys = [key for key, _ in parse_qsl(text, keep_blank_values=True)]
    if not keys:
        return None
    return looks_like_serwersms(keys) or (
        "this is a form (key=value&...); server2sms methods take a JSON object, e.g. "
        '{"UserName": "...", "Password": "..."}'
    )


def action_without_group(name: str) -> str | None:
    """For an unknown server2sms method that is a SerwerSMS action (``/send_sms``)."""
    stem = name.rsplit(".", 1)[0] if name.lower().endswith((".json", ".xml")) else name
    path = _serwersms_actions().get(stem.lower())
    return (
        None
        if path is None
        else (f"{stem!r} is a SerwerSMS action: its path is /{path} (with .json or .xml)")
    )


def method_with_group(group: str, action: str) -> str | None:
    """For an unknown SerwerSMS action that names a server2sms method."""
    for part in (action.rsplit(".", 1)[0], group):
        method = _server2sms_methods().get(part.lower())
        if method is not None:
            return f"{method} is a server2sms method: its path is POST /{method}"
    return None


def joined(detail: str, hint: str | None) -> str:
    return f"{detail}; {hint}" if hint else detail
