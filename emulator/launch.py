"""One emulator running in this process, for ``serve`` and ``exec``: started (from its data
file with ``--data``, from a state document with ``--import``), announced in its port and URL
files once it is ready, and stopped with nothing left behind (but its state, with
``--data`` or ``--export-on-exit``).

The port file (``--port-file``) holds the port; the URL file (``--url-file``, set in the Docker
image) holds the whole base URL, scheme included, so that ``healthcheck`` and ``wait`` follow
whatever ``serve`` options the emulator was started with. Both are removed at start (a file
from a crashed run must not send anyone to a dead port), written atomically when the emulator
is ready, and removed again when it stops.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

from . import snapshot, state
from .app import create_app
from .config import ConfigError, Settings
from .context import CONTEXT, Context
from .core.plain import JSON, PlainError
from .datafile import DataFile, DataFileError
from .files import write_atomically
from .memory import BULK
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


def _kept(ctx: Context, path: Path) -> DataFile:
    """``--data``: the state read from the file (when it holds one), kept there from now on."""
    try:
        data = DataFile.open(path)
    except DataFileError as exc:
        raise StartupError(str(exc)) from None
    try:
        with ctx.memory.long_lived(BULK):  # (every message it keeps, at once)
            document: JSON | None = data.load()
            if document is not None:
                state.install(ctx, document)
        data.keep(ctx, loaded=document is not None)
    except (DataFileError, PlainError) as exc:
        data.close()
        if isinstance(exc, DataFileError):
            raise StartupError(str(exc)) from None
        raise StartupError(
            f"the data file {path} holds a state this emulator cannot read (at {exc.path}: "
            f"{exc.message}); it is left as it is: run the emulator that wrote it, or name "
            "another --data file"
        ) from None
    ctx.data = data
    return data


@contextlib.asynccontextmanager
async def launched(
    settings: Settings, *, own_process: bool = True, ready_timeout: float | None = None
) -> AsyncIterator[tuple[Listening, Context]]:
    """The emulator, ready and announced, for the body of the ``async with``. ``own_process``:
    see ``create_app`` (EmulatorServer runs it in someone else's process)."""
    files = {
        what: Path(name)
        for what, name in (("port file", settings.port_file), ("URL file", settings.url_file))
        if name
    }
    for what, path in files.items():
        _forget(path, what)
    try:
        app = create_app(settings, own_process=own_process)
    except ConfigError as exc:  # the scenario cannot be made
        raise StartupError(str(exc)) from None
    ctx = app[CONTEXT]
    data = _kept(ctx, Path(settings.data)) if settings.data else None
    try:
        if settings.import_file:
            try:
                snapshot.import_into(ctx, Path(settings.import_file))
            except snapshot.SnapshotError as exc:
                raise StartupError(f"cannot import: {exc}") from None
            if data is not None:
                data.write()  # the import replaced what the file held
        listening = await listen(app, settings)
    except BaseException:
        if data is not None:
            data.close()
        raise
    exported: snapshot.SnapshotError | None = None
    try:
        await asyncio.wait_for(ctx.ready.wait(), ready_timeout)
        contents = {"port file": str(listening.port), "URL file": listening.url}
        for what, path in files.items():
            _announce(path, contents[what] + "\n", what)
        yield listening, ctx
    finally:
        await listening.runner.cleanup()
        if data is not None:
            data.close()
        for path in files.values():
            path.unlink(missing_ok=True)
        if settings.export_on_exit:
            try:
                snapshot.export_from(ctx, Path(settings.export_on_exit))
            except snapshot.SnapshotError as exc:
                exported = exc
    if exported is not None:
        raise StartupError(f"cannot export the state: {exported}")
