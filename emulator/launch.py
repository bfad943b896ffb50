"""One emulator running in this process, for ``serve`` and ``exec``: started (from a state
document with ``--import``), announced in its port and URL files once it is ready, and
stopped with nothing left behind (but its state, with ``--export-on-exit``).

The port file (``--port-file``) holds the port; the URL file (``--url-file``, set in the Docker
image) holds the whole base URL, scheme included, so that ``healthcheck`` and ``wait`` follow
whatever ``serve`` options the emulator was started with. Both are removed at start (a file
from a crashed run must not send anyone to a dead port), written atomically when the emulator
is ready, and removed again when it stops.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

from . import snapshot
from .app import create_app
from .config import Settings
from .context import CONTEXT, Context
from .files import write_atomically
from .serving import Listening, StartupError, listen


def _announce(path: Path, text: str, what: str) -> None:
    try:
        write_atomically(path, text.encode())
    except OSError as exc:
        raise StartupError(f"cannot write the {what} {path}: {exc.strerror}") from None


def _forget(path: Path, what: str) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError as exc:
        raise StartupError(f"cannot replace the {what} {path}: {exc.strerror}") from None


@contextlib.asynccontextmanager
async def launched(settings: Settings) -> AsyncIterator[tuple[Listening, Context]]:
    """The emulator, ready and announced, for the body of the ``async with``."""
    files = {
        what: Path(name)
        for what, name in (("port file", settings.port_file), ("URL file", settings.url_file))
        if name
    }
    for what, path in files.items():
        _forget(path, what)
    app = create_app(settings, own_process=True)
    ctx = app[CONTEXT]
    if settings.import_file:
        try:
            snapshot.import_into(ctx, Path(settings.import_file))
        except snapshot.SnapshotError as exc:
            raise StartupError(f"cannot import: {exc}") from None
    listening = await listen(app, settings)
    exported: snapshot.SnapshotError | None = None
    try:
        await ctx.ready.wait()
        contents = {"port file": str(listening.port), "URL file": listening.url}
        for what, path in files.items():
            _announce(path, contents[what] + "\n", what)
        yield listening, ctx
    finally:
        await listening.runner.cleanup()
        for path in files.values():
            path.unlink(missing_ok=True)
        if settings.export_on_exit:
            try:
                snapshot.export_from(ctx, Path(settings.export_on_exit))
            except snapshot.SnapshotError as exc:
                exported = exc
    if exported is not None:
        raise StartupError(f"cannot export the state: {exported}")
