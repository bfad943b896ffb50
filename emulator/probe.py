"""``wait`` and ``healthcheck``: is an emulator ready?

The emulator is local: these probes never go through ``http_proxy``/``HTTPS_PROXY``, and
they only ask ``/_emulator/health`` (no certificate check; readiness is all they learn). The
address comes from ``--url``, from a port file (waited for until it appears), or from the URL
file that ``serve`` writes (``SMS_EMULATOR_URL_FILE``, set in the Docker image), so a health
check follows whatever options the emulator was started with.
"""

from __future__ import annotations

import http.client
import json
import ssl
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from .config import ConfigError, Settings, build_settings

POLL = 0.1  # seconds between tries
NOT_HTTP = "the port closed the connection without an HTTP answer (does it serve HTTPS?)"


class BadAddress(ValueError):
    """A URL or port file that can never lead to an emulator."""


def checked_url(url: str) -> str:
    """``http(s)://host:port`` or refuse at once (an empty port would be waited on in vain)."""
    parts = urlsplit(url.strip())
    try:
        port = parts.port
    except ValueError:
        raise BadAddress(f"{url!r} has no valid port") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BadAddress(f"{url!r} is not an http:// or https:// URL with a host")
    if parts.netloc.endswith(":") or (port is None and ":" in parts.netloc.rsplit("]", 1)[-1]):
        raise BadAddress(f"{url!r} has an empty port")
    return url.strip().rstrip("/")


def _settings() -> Settings:
    try:
        return build_settings({})
    except ConfigError:
        return Settings()


def default_url() -> str:
    """Where ``serve`` with the same environment would be: its URL file, else host and port."""
    settings = _settings()
    if settings.url_file:
        with_url = Path(settings.url_file)
        if with_url.is_file() and (text := with_url.read_text().strip()):
            return checked_url(text)
    scheme = "https" if settings.tls else "http"
    host = "127.0.0.1" if settings.host in ("0.0.0.0", "::", "") else settings.host
    return f"{scheme}://{host}:{settings.port}"


def url_from_port_file(path: Path) -> str | None:
    """The URL a port file points at, or None while it is not written yet."""
    try:
        text = path.read_text().strip()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise BadAddress(f"cannot read the port file {path}: {exc.strerror}") from None
    if not text:
        return None
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise BadAddress(f"the port file {path} holds {text[:40]!r}, not a port")
    return f"{'https' if _settings().tls else 'http'}://127.0.0.1:{int(text)}"


def _unverified() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


OPENER = urllib.request.build_opener(  # also for `sms-emulator state`
    urllib.request.ProxyHandler({}),  # never through a proxy: the emulator is local
    urllib.request.HTTPSHandler(context=_unverified()),
)


def healthy(url: str, timeout: float) -> tuple[bool, str]:
    try:
        with OPENER.open(url + "/_emulator/health", timeout=timeout) as answer:
            data = json.loads(answer.read())
            return bool(data.get("ready")), data.get("status", "")
    except urllib.error.HTTPError as exc:
        return False, f"HTTP {exc.code}"
    except http.client.RemoteDisconnected:  # what a TLS server does with a plain request
        return False, NOT_HTTP
    except (OSError, ValueError, http.client.HTTPException) as exc:
        return False, str(getattr(exc, "reason", exc))


def wait_ready(
    where: Callable[[], str | None], timeout: float, *, either_scheme: bool = False
) -> tuple[str | None, str]:
    """Poll until the address is known and the emulator there is ready: (its URL, "") or
    (None or the URL, why not) after ``timeout`` seconds. ``either_scheme``: the address is
    a port (from a port file), served over HTTP or HTTPS; a port that does not answer plain
    HTTP is asked again over HTTPS."""
    deadline = time.monotonic() + timeout
    url: str | None = None
    detail = "the port file was not written"
    while True:
        url = url or where()
        if url is not None:
            ok, detail = healthy(url, timeout=max(0.1, min(2.0, deadline - time.monotonic())))
            if not ok and detail == NOT_HTTP and either_scheme and url.startswith("http://"):
                url = "https://" + url.removeprefix("http://")
                ok, detail = healthy(url, timeout=max(0.1, min(2.0, deadline - time.monotonic())))
            if ok:
                return url, ""
        if time.monotonic() >= deadline:
            return url, detail
        time.sleep(POLL)
