"""``--data FILE``: the state kept in SQLite, so that a restart comes back with everything,
whether the stop was clean or ``kill -9``.

The file holds the state document (emulator/state.py) in rows: each batch of messages in a
row of its own (rewritten when the batch changes: sent, grouped into waves, a message
cancelled or pruned), each callback job in one (rewritten when it is tried, rescheduled or
pruned), and everything else in one row. A restart reads them back into one
document and installs it, as ``PUT /_emulator/state`` does, so a restart and an import cannot
disagree: messages in flight go on to their outcome, and callback tries that fell due while
the emulator was down are made at once, in order.

Writes are grouped: whatever changed in one turn of the event loop is written in one
transaction before that turn's answers are sent (a provider request, or a control request
that changes something, waits for it: :meth:`DataFile.written`). So an answer the client has
seen is on disk, and a busy emulator commits once for many requests. WAL mode with
``synchronous=NORMAL``: a killed process loses nothing committed (the WAL is in the
operating system's hands); a power cut may lose the last commits.

The file is the user's: it is created with mode 0600, and it is never wiped or overwritten
when it cannot be read. One from a newer emulator, a file that is not ours, a corrupt or an
unreadable one, and one that another emulator has open, stop the start with a message that
names the file and what to do. (A start reads every row, so damage shows then; a separate
integrity check would read the whole file once more, a third of a restart's time.)
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

from . import state
from .context import Context
from .core import plain
from .core.plain import JSON

log = logging.getLogger("sms_emulator.data")

SCHEMA = 3  # the layout of the file (PRAGMA user_version); MIGRATIONS lead older ones here
APPLICATION_ID = 0x534D5345  # "SMSE" (PRAGMA application_id): a file of this emulator
SQLITE_HEADER = b"SQLite format 3\x00"
LOCK_WAIT = 2.0  # seconds to wait for another program's write lock before saying so
TABLES = """
CREATE TABLE state (id INTEGER PRIMARY KEY CHECK (id = 1), document BLOB NOT NULL);
CREATE TABLE batches (id INTEGER PRIMARY KEY, first INTEGER NOT NULL, document BLOB NOT NULL);
CREATE INDEX batches_in_order ON batches (first);
CREATE TABLE jobs (id INTEGER PRIMARY KEY, document BLOB NOT NULL);
"""


def _index_batches_in_order(db: sqlite3.Connection) -> None:
    """Layout 1 to 2: a start reads the batches in the order they were sent; without an
    index SQLite sorted every row first (a quarter of a restart on 100,000 messages)."""
    db.execute("CREATE INDEX batches_in_order ON batches (first)")


def _jobs_in_rows(db: sqlite3.Connection) -> None:
    """Layout 2 to 3: callback jobs in rows of their own, written when they change (the
    journal was part of the state row, written whole at every commit)."""
    db.execute("CREATE TABLE jobs (id INTEGER PRIMARY KEY, document BLOB NOT NULL)")
    row = db.execute("SELECT document FROM state").fetchone()
    if row is None:
        return
    document = orjson.loads(row[0])
    jobs = document["callbacks"]["jobs"]
    db.executemany("INSERT INTO jobs VALUES (?, ?)", [(j["id"], orjson.dumps(j)) for j in jobs])
    document["callbacks"]["jobs"] = []
    db.execute("UPDATE state SET document = ?", (orjson.dumps(document),))


# layout n → n + 1, each run in the transaction that sets the new version
MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {
    1: _index_batches_in_order,
    2: _jobs_in_rows,
}


class DataFileError(Exception):
    """The data file cannot be used; the message names it and what to do."""


class DataFile:
    """One open data file, locked for this process."""

    def __init__(self, path: Path, db: sqlite3.Connection, lock: int) -> None:
        self.path = path
        self._db = db
        self._lock = lock
        self._ctx: Context | None = None
        self._pending: asyncio.Future[None] | None = None
        self.error: str | None = None  # why the last write failed (None: it did not)

    @classmethod
    def open(cls, path: Path) -> DataFile:
        """Open (or create, mode 0600) and lock the file, migrated to this version's layout;
        DataFileError when it cannot be used."""
        lock = _locked(path)
        try:
            db = _connect(path)
        except BaseException:
            os.close(lock)
            raise
        return cls(path, db, lock)

    def load(self) -> JSON | None:
        """The state document kept in the file (None when it keeps none yet)."""
        try:
            row = self._db.execute("SELECT document FROM state").fetchone()
            if row is None:
                return None
            document: JSON = orjson.loads(row[0])
            if not (isinstance(document, dict) and isinstance(document.get("gateway"), dict)):
                raise ValueError("its state row is no state document")
            batches = self._db.execute("SELECT document FROM batches ORDER BY first")
            saved = [orjson.loads(each) for (each,) in batches]
            document["gateway"]["batches"] = saved
            document["schedule"]["asleep"] = _asleep(saved)
            jobs = self._db.execute("SELECT document FROM jobs ORDER BY id")
            document["callbacks"]["jobs"] = [orjson.loads(each) for (each,) in jobs]
        except (sqlite3.DatabaseError, ValueError, KeyError, TypeError) as exc:
            raise DataFileError(_damaged(self.path, exc)) from None
        return document

    def keep(self, ctx: Context, *, loaded: bool) -> None:
        """From now on, write ``ctx``'s state here as it changes. ``loaded``: its state came
        from this file (so only the rest is written now), else all of it is."""
        self._ctx = ctx
        store, journal = ctx.gateway.store, ctx.dispatcher
        store.touched = set() if loaded else {m.batch.id for m in store.messages.values()}
        journal.touched = set() if loaded else set(journal.jobs)
        ctx.timeline.on_ran(self.changed)
        ctx.dispatcher.on_change = self.changed
        self.write()
        if self.error is not None:  # a start that could not write would keep nothing
            self._ctx = None  # (so closing does not try again)
            raise DataFileError(f"{self.error}; nothing was changed in it")

    def changed(self) -> None:
        """Something changed: write it at the end of this turn of the event loop."""
        if self._pending is None:
            loop = asyncio.get_running_loop()
            self._pending = loop.create_future()
            loop.call_soon(self._flush)

    async def written(self) -> str | None:
        """Return once what changed so far is on disk: None, or why it cannot be."""
        self.changed()
        assert self._pending is not None
        await asyncio.shield(self._pending)
        return self.error

    def _flush(self) -> None:
        pending, self._pending = self._pending, None
        try:
            self.write()
        finally:
            if pending is not None and not pending.done():
                pending.set_result(None)

    def write(self) -> None:
        """Write what changed since the last write, in one transaction."""
        ctx = self._ctx
        assert ctx is not None
        store, journal = ctx.gateway.store, ctx.dispatcher
        touched, store.touched = store.touched or set(), set()
        jobs_touched, journal.touched = journal.touched or set(), set()
        db = self._db
        try:
            batches, gone = _rows(touched, self._batch_row)
            jobs, jobs_gone = _rows(jobs_touched, self._job_row)
            rest = orjson.dumps(state.export(ctx, whole=False))
            db.execute("BEGIN IMMEDIATE")
            db.executemany("DELETE FROM batches WHERE id = ?", gone)
            db.executemany("INSERT OR REPLACE INTO batches VALUES (?, ?, ?)", batches)
            db.executemany("DELETE FROM jobs WHERE id = ?", jobs_gone)
            db.executemany("INSERT OR REPLACE INTO jobs VALUES (?, ?)", jobs)
            db.execute("INSERT OR REPLACE INTO state VALUES (1, ?)", (rest,))
            db.execute("COMMIT")
        except Exception as exc:  # a full disk, or a bug of ours: nothing is answered as kept
            if db.in_transaction:
                db.execute("ROLLBACK")
            store.touched |= touched  # written with the next commit that succeeds
            journal.touched |= jobs_touched
            self.error = f"cannot write the data file {self.path}: {exc}"
            log.exception("%s", self.error)
            return
        self.error = None

    def _batch_row(self, batch_id: int) -> Row | None:
        assert self._ctx is not None
        saved = self._ctx.gateway.saved_batch(batch_id)
        if saved is None:
            return None
        return batch_id, saved.batch.first, orjson.dumps(plain.dump(saved))

    def _job_row(self, job_id: int) -> Row | None:
        assert self._ctx is not None
        job = self._ctx.dispatcher.jobs.get(job_id)
        return None if job is None else (job_id, orjson.dumps(plain.dump(job)))

    def size(self) -> int:
        """Bytes on disk: the file and its write-ahead log."""
        total = 0
        for suffix in ("", "-wal"):
            with contextlib.suppress(OSError):  # no log: nothing written since the last close
                total += os.stat(f"{self.path}{suffix}").st_size
        return total

    def close(self) -> None:
        """Write what is left, fold the log into the file, and let the next emulator in."""
        try:
            if self._ctx is not None:
                self.write()
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.Error as exc:  # the log stays beside it and is read at the next start
            log.error("cannot fold the log into the data file %s: %s", self.path, exc)
        finally:
            self._db.close()
            os.close(self._lock)


Row = tuple[int | bytes, ...]


def _rows(ids: set[int], row: Callable[[int], Row | None]) -> tuple[list[Row], list[Row]]:
    """The rows to write for ``ids``, and the ids whose rows go (``row`` says None)."""
    kept: list[Row] = []
    gone: list[Row] = []
    for each in ids:
        made = row(each)
        if made is None:
            gone.append((each,))
        else:
            kept.append(made)
    return kept, gone


def _asleep(batches: list[Any]) -> list[JSON]:  # Any: saved batches, checked when installed
    """The sleeping batches, by owner: those whose changes are not on the schedule yet (no
    waves). Waking one whose messages were all refused or cancelled does nothing, so telling
    them so is the same as the list the emulator kept."""
    owners: dict[tuple[str, str], list[JSON]] = {}
    for each in batches:
        batch = each["batch"]
        if not batch["waves"]:
            owners.setdefault((batch["provider"], batch["account"]), []).append(batch["id"])
    return [[provider, account, ids] for (provider, account), ids in owners.items()]


def _damaged(path: Path, exc: BaseException) -> str:
    return (
        f"the data file {path} cannot be read ({exc}); it is left as it is: move it away "
        "(or restore a backup) and start again, or name another --data file"
    )


def _locked(path: Path) -> int:
    """The file opened (made with mode 0600 when new) and locked for this process."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    except OSError as exc:
        raise DataFileError(
            f"cannot open the data file {path}: {exc.strerror}; check that its folder exists "
            "and that this user may read and write it"
        ) from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise DataFileError(
            f"the data file {path} is in use by another emulator; stop that one, or give this "
            "one another --data file"
        ) from None
    head = os.pread(fd, len(SQLITE_HEADER), 0)
    if head and head != SQLITE_HEADER:
        os.close(fd)
        raise DataFileError(
            f"{path} is not an emulator data file (not SQLite); it is left as it is: name "
            "another --data file, or move it away"
        )
    return fd


def _connect(path: Path) -> sqlite3.Connection:
    try:
        db = sqlite3.connect(path, timeout=LOCK_WAIT, isolation_level=None, check_same_thread=False)
        owner = db.execute("PRAGMA application_id").fetchone()[0]
        version = db.execute("PRAGMA user_version").fetchone()[0]
        tables = db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        if tables and owner != APPLICATION_ID:
            raise DataFileError(
                f"{path} is an SQLite file of another program; it is left as it is: name "
                "another --data file"
            )
        if version > SCHEMA:
            raise DataFileError(
                f"the data file {path} was written by a newer emulator (layout {version}; this "
                f"one reads up to {SCHEMA}); run that version, or name another --data file"
            )
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("BEGIN IMMEDIATE")
        if not tables:
            for statement in filter(str.strip, TABLES.split(";")):
                db.execute(statement)
            db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        else:
            if any(start not in MIGRATIONS for start in range(version, SCHEMA)):
                raise DataFileError(
                    f"the data file {path} has layout {version}, which this emulator cannot "
                    "migrate; it is left as it is: name another --data file"
                )
            for start in range(version, SCHEMA):
                log.warning(
                    "migrating the data file %s from layout %d to %d", path, start, start + 1
                )
                MIGRATIONS[start](db)
        db.execute(f"PRAGMA user_version = {SCHEMA}")
        db.execute("COMMIT")
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc):
            raise DataFileError(
                f"the data file {path} is locked by another program; stop it, or name "
                "another --data file"
            ) from None
        raise DataFileError(_damaged(path, exc)) from None
    except sqlite3.DatabaseError as exc:
        raise DataFileError(_damaged(path, exc)) from None
    return db
