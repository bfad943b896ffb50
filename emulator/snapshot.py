"""State documents in files: ``serve --import`` and ``--export-on-exit``, and ``sms-emulator
state export|import`` against a running emulator.

A file is written whole or not at all (a new file beside it, then renamed over it, mode
0600: it carries passwords), so a failed export never loses the previous one. Every failure
names the file and what to do.
"""

from __future__ import annotations

import contextlib
import json
import urllib.error
import urllib.request
from pathlib import Path

from .context import Context
from .core.plain import JSON, PlainError
from .files import write_atomically
from .probe import OPENER
from .state import export, install


class SnapshotError(Exception):
    """A state document that cannot be read, written or installed: the message says which
    file and why."""


def read(path: Path) -> JSON:
    try:
        return json.loads(path.read_bytes())
    except FileNotFoundError:
        raise SnapshotError(f"{path} does not exist") from None
    except OSError as exc:
        raise SnapshotError(f"cannot read {path}: {exc.strerror}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise SnapshotError(f"{path} is not a JSON state document: {exc}") from None


def write(path: Path, document: JSON) -> None:
    try:
        write_atomically(path, json.dumps(document, ensure_ascii=False).encode())
    except OSError as exc:
        raise SnapshotError(
            f"cannot write {path}: {exc.strerror} (the file there, if any, is untouched)"
        ) from None


def import_into(ctx: Context, path: Path) -> None:
    """Start ``ctx`` from the document in ``path``."""
    try:
        install(ctx, read(path))
    except PlainError as exc:
        raise SnapshotError(
            f"{path} is not a state document this emulator can read: {exc} (nothing was imported)"
        ) from None


def export_from(ctx: Context, path: Path) -> None:
    write(path, export(ctx))


# -- against a running emulator ---------------------------------------------------------------


def _request(url: str, token: str | None, method: str, body: bytes | None = None) -> JSON:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(
        url + "/_emulator/state", data=body, method=method, headers=headers
    )
    try:
        with OPENER.open(request, timeout=300) as answer:  # local: no proxy; its own CA
            return json.loads(answer.read())
    except urllib.error.HTTPError as exc:
        detail = exc.read().decode("utf-8", "replace")
        with contextlib.suppress(ValueError, KeyError, TypeError):  # not our error document
            detail = json.loads(detail)["error"]["message"]
        where = f"{method} {url}/_emulator/state"
        raise SnapshotError(f"{where} answered {exc.code}: {detail}") from None
    except (OSError, ValueError) as exc:
        raise SnapshotError(f"cannot reach {url}: {getattr(exc, 'reason', exc)}") from None


def download(url: str, token: str | None, path: Path) -> None:
    write(path, _request(url, token, "GET"))


def upload(url: str, token: str | None, path: Path) -> None:
    _request(url, token, "PUT", json.dumps(read(path)).encode())
