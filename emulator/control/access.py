"""Who may reach ``/_emulator/``: the Host and Origin checks and the optional control token.

The emulator runs on developers' machines next to their browser. Two browser attacks matter:

* **cross-site requests**: any page can send a "simple" POST (``text/plain``, no preflight) to
  ``http://127.0.0.1:8080``; it cannot read the answer, but it could reset the emulator, switch
  on faults or point an account's callbacks elsewhere. A state-changing request whose
  ``Origin`` is another origin (or that says ``Sec-Fetch-Site: cross-site``) is refused.
* **DNS rebinding**: a page on ``rebind.attacker.example`` re-points its name at 127.0.0.1 and
  then reads the control API as "same origin". Such a request carries the attacker's name in
  ``Host``, so only loopback names, IP literals (a rebinding page is always reached by a name),
  the bound address and the names given with ``--allowed-host`` are answered.

curl, test clients and scripts send no ``Origin``; the inbox sends its own: both pass. The
provider endpoints are not checked here: the real gateways are open to browsers, and the seed's
jQuery examples are cross-origin pages.
"""

from __future__ import annotations

import hmac
import ipaddress
from urllib.parse import urlsplit

from aiohttp import web

from ..config import Settings

LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost",
                            "ip6-loopback"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
ANY_HOST = "*"


def host_name(host: str) -> str:
    """``Example.COM:8080`` → ``example.com``; ``[::1]:80`` → ``::1``."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:].partition("]")[0]
    if host.count(":") == 1:
        host = host.partition(":")[0]
    return host.rstrip(".")


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def host_allowed(host: str | None, settings: Settings) -> bool:
    if host is None:
        return True  # HTTP/1.0 without Host: no browser sends that
    allowed = settings.allowed_hosts
    if ANY_HOST in allowed:
        return True
    name = host_name(host)
    return (name in LOOPBACK_NAMES or name.endswith(".localhost") or _is_ip(name)
            or name == host_name(settings.host) or name in allowed)


def cross_origin(request: web.Request) -> str | None:
    """The foreign origin of a browser request, or None when it is the emulator's own (or no
    browser is involved)."""
    if request.headers.get("Sec-Fetch-Site", "").lower() == "cross-site":
        return request.headers.get("Origin") or "another site"
    origin = request.headers.get("Origin")
    if origin is None:
        return None
    parts = urlsplit(origin)
    if origin == "null" or not parts.netloc:
        return origin
    if parts.netloc.lower() != (request.host or "").lower():
        return origin
    return None


def token_given(request: web.Request) -> str:
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip()
    return request.query.get("token", "")


def has_token(request: web.Request, token: str | None) -> bool:
    if not token:
        return False
    given = token_given(request).encode("utf-8", "surrogateescape")  # any header bytes
    return hmac.compare_digest(given, token.encode())


def refusal(request: web.Request, settings: Settings, public: bool = False
            ) -> tuple[int, str] | None:
    """Why this request may not reach the control API (status and sentence), or None."""
    if not host_allowed(request.headers.get("Host"), settings):
        name = host_name(request.headers.get("Host", ""))
        return 403, (f"the emulator does not answer to the host name {name!r} (a guard against "
                     f"DNS rebinding); allow it with --allowed-host {name} or "
                     f"SMS_EMULATOR_ALLOWED_HOSTS={name}")
    token = settings.control_token
    authorized = has_token(request, token)
    if request.method not in SAFE_METHODS and not authorized:
        origin = cross_origin(request)
        if origin is not None:
            return 403, (f"a request from {origin} may not change the emulator (a guard against "
                         "cross-site requests); send it without Origin, from the emulator's own "
                         "pages, or with the control token")
    if token and not public and not authorized:
        return 401, ("this control API needs its token: send 'Authorization: Bearer <token>' "
                     "or ?token=<token>")
    return None
