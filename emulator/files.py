"""Writing files so that no reader ever sees half of one, and secrets from their first byte,
safe in a folder other users can write to: a name another user planted (a symlink to a file of
theirs choosing) is never followed."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_private(path: Path, data: bytes, *, exclusive: bool = False) -> None:
    """Write a secret: the file is created with mode 0600, so no other user can ever read it,
    and a symlink in its place is refused (``exclusive`` fails with FileExistsError when the
    file is there already)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | (os.O_EXCL if exclusive else os.O_TRUNC)
    fd = os.open(path, flags, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
    except OSError:
        path.unlink(missing_ok=True)
        raise


def write_atomically(path: Path, data: bytes) -> None:
    """Readers see the whole file or none of it. The partial file is a fresh name made with
    O_EXCL (mode 0600) beside ``path``, then renamed over it: a rename replaces a planted
    symlink rather than writing through it."""
    fd, partial = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".partial")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(partial, path)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
