"""Who may reach the emulator: the Host rule for every request, and for ``/_emulator/`` the
Origin check and the optional control token.

The emulator runs on developers' machines next to their browser. Two browser attacks matter:

* **cross-site requests**: any page can send a "simple" POST (``text/plain``, no preflight) to
  ``http://127.0.0.1:8080``; it cannot read the answer, but it could reset the emulator, switch
  on faults or point an account's callbacks elsewhere. A state-changing request whose
  ``Origin`` is another origin (or that says ``Sec-Fetch-Site: cross-site``) is refused.
* **DNS rebinding**: a page on ``rebind.attacker.example`` re-points its name at 127.0.0.1 and
  then reads the control API as "same origin". Such a request carries the attacker's name in
  ``Host``, so only loopback names, IP literals (a rebinding page is always reached by a name),
  the bound address and the names given with ``--allowed-host`` are answered.

curl, test clients and scripts send no ``Origin``; the inbox sends its own: both pass.

The provider endpoints keep the Host rule too (a rebinding page could otherwise read message
texts through ``messages/reports`` with any password an auto-created account accepts), but no
Origin check: the real gateways are open to browsers, and the seed's jQuery examples are
cross-origin pages. A provider request from a page of another site is served, but the callback
URLs it carries are not called (:func:`from_foreign_page`): a page must not make the emulator
fetch addresses of its choosing.

Every check reads the ``Host`` header, which is what a browser sends and what a rebinding page
cannot choose; a request whose absolute-form target names another host than its ``Host``
header is refused outright.
"""

from __future__ import annotations

import hmac
import ipaddress
import re
from urllib.parse import urlsplit

from aiohttp import web
from aiohttp.hdrs import HOST
from multidict import istr

from .config import Settings

LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
ANY_HOST = "*"
SEC_FETCH_SITE = istr("Sec-Fetch-Site")  # asked of every provider request: no case folding


_PORT = re.compile(r"[0-9]{1,5}")


def host_name(host: str) -> str | None:
    """``Example.COM:8080`` → ``example.com``; ``[::1]:80`` → ``::1``; None for a Host that is
    no host name and port (``localhost:80@evil.com``, ``[::1]evil.com``, ``localhost:evil``)."""
    host = host.strip().lower()
    if host.startswith("["):
        inside, bracket, rest = host[1:].partition("]")
        if not bracket or (rest and not (rest[:1] == ":" and _PORT.fullmatch(rest[1:]))):
            return None
        return inside
    if host.count(":") == 1:
        host, _, port = host.partition(":")
        if not _PORT.fullmatch(port):
            return None
    if not host or any(c in host for c in "@/\\?#[] "):
        return None
    return host.rstrip(".")


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def is_loopback(address: str) -> bool:
    """Whether binding ``address`` keeps the emulator to this machine."""
    name = address.strip("[]").lower()
    if name in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


class Access:
    """One emulator's access rules (from its settings). The Host rule is asked on every
    request, so the Hosts it answers to are kept in ``good`` (up to KEPT: a page's made-up
    names start the set over rather than grow it), which the gate asks first."""

    KEPT = 256

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.good: set[str | None] = {None}  # None: HTTP/1.0 without Host (no browser sends it)

    def allows(self, host: str | None) -> bool:
        """Whether the emulator answers to the ``Host`` header ``host``."""
        if host in self.good:
            return True
        if host is None or not self._answers_to(host):
            return False
        if len(self.good) >= self.KEPT:
            self.good = {None}
        self.good.add(host)
        return True

    def _answers_to(self, host: str) -> bool:
        allowed = self.settings.allowed_hosts
        if ANY_HOST in allowed:
            return True
        name = host_name(host)
        if name is None:
            return False
        return (
            name in LOOPBACK_NAMES
            or name.endswith(".localhost")
            or _is_ip(name)
            or name == host_name(self.settings.host)
            or name in allowed
        )


def other_target(request: web.Request) -> str | None:
    """The host an absolute-form request target (``POST http://evil.com/... HTTP/1.1``) names
    when it is not the ``Host`` header's, or None."""
    target = request.raw_path
    if target.startswith("/") or "://" not in target:
        return None
    named = urlsplit(target).netloc.lower()
    return named if named != (request.headers.get("Host") or "").strip().lower() else None


def host_refusal(request: web.Request, access: Access) -> str | None:
    """Why the Host rule refuses this request (every path), or None."""
    host = request.headers.get(HOST)
    if request.raw_path[:1] == "/" and access.allows(host):
        return None
    target = other_target(request)
    if target is not None:
        return (
            f"the request target names the host {target!r} but its Host header says "
            f"{host!r}; the emulator answers only requests whose target and Host agree"
        )
    if access.allows(host):
        return None
    name = host_name(host or "") or host
    return (
        f"the emulator does not answer to the host name {name!r} (a guard against "
        f"DNS rebinding); allow it with --allowed-host {name} or "
        f"SMS_EMULATOR_ALLOWED_HOSTS={name}"
    )


def cross_origin(request: web.Request) -> str | None:
    """The foreign origin of a browser request, or None when it is the emulator's own (or no
    browser is involved)."""
    if request.headers.get(SEC_FETCH_SITE, "").lower() == "cross-site":
        return request.headers.get("Origin") or "another site"
    origin = request.headers.get("Origin")
    if origin is None:
        return None
    parts = urlsplit(origin)
    if origin == "null" or not parts.netloc:
        return origin
    if parts.netloc.lower() != (request.headers.get("Host") or "").strip().lower():
        return origin
    return None


def from_foreign_page(request: web.Request, access: Access) -> bool:
    """Whether a browser sent this request for a page of another site: ``Sec-Fetch-Site:
    cross-site`` (an ``<img>`` or a form of any page) unless its ``Origin`` is a page the
    emulator answers to (a developer's own page on localhost)."""
    if request.headers.get(SEC_FETCH_SITE, "").lower() != "cross-site":
        return False
    origin = request.headers.get("Origin")
    if origin is None or origin == "null":
        return True
    return not access.allows(urlsplit(origin).netloc)


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


def refusal(request: web.Request, access: Access, public: bool = False) -> tuple[int, str] | None:
    """Why this request may not reach the control API (status and sentence), or None."""
    refused = host_refusal(request, access)
    if refused is not None:
        return 403, refused
    token = access.settings.control_token
    authorized = has_token(request, token)
    if request.method not in SAFE_METHODS and not authorized:
        origin = cross_origin(request)
        if origin is not None:
            return 403, (
                f"a request from {origin} may not change the emulator (a guard against "
                "cross-site requests); send it without Origin, from the emulator's own "
                "pages, or with the control token"
            )
    if token and not public and not authorized:
        return 401, (
            "this control API needs its token: send 'Authorization: Bearer <token>' "
            "or ?token=<token>"
        )
    return None
