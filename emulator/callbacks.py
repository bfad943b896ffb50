"""The callback dispatcher: delivers provider callbacks, retries with backoff, records attempts.

Providers turn events into :class:`CallbackJob` objects and submit them; nothing else in the
emulator makes outgoing HTTP requests. Every attempt (its status, latency and error) is kept on
the job and published as an event, so tests and the web inbox can see exactly what happened.
A callback counts as delivered on any 2xx answer; a refused connection, a timeout or a 5xx (or
any other non-2xx) answer is retried after ``backoff * 2**n`` seconds (capped at
``backoff_max``), up to ``attempts`` tries. A URL that cannot be requested at all (a port out
of range, a scheme other than http and https) fails at once: no retry could help.

Every try is an entry of the one schedule (emulator/core/timeline.py), due at a time **on the
emulator's clock**: in real mode it runs when that time comes; in manual mode when the clock
is advanced past it, and :meth:`CallbackDispatcher.settle` lets the clock's advance wait for
the tries of each step, each stamped with its due time. A job has at most one try queued or in
flight at a time. The journal is the dispatcher's: jobs are kept by their own number and found
by the message or reply they report on by its id. An answer from an emulator's own provider
endpoint to one of its callbacks (a callback URL pointing back at the emulator) ends the job at
once: it is a loop, not a fault.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import os
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar
from urllib.parse import urlsplit

import aiohttp

from . import logs
from .clock import MANUAL, Clock
from .core import events as ev
from .core.events import EventHub
from .core.plain import one_of
from .core.timeline import TRY, Key, Timeline
from .httpio import CALLBACK_HEADER, mask_text, mask_url

log = logging.getLogger("emulator.callbacks")

PENDING = "pending"
DELIVERED = "delivered"
FAILED = "failed"
BODY_KEEP = 500  # characters of the receiver's answer kept per attempt
FINAL_OUTCOMES = frozenset({"loop", "invalid_url"})  # tries after which no retry can help


@dataclass(slots=True, eq=False)
class Attempt:
    number: int
    time: float
    outcome: str  # "ok", "http_error", "timeout", "connection_error", "invalid_url", "loop"
    status: int | None = None
    latency_ms: float = 0.0
    error: str | None = None
    body: str | None = None


@dataclass(slots=True, eq=False)
class CallbackJob:
    id: int
    provider: str
    account: str
    kind: str
    url: str
    created: float
    message_id: str | None = None  # what the callback reports on: a message,
    reply_id: int | None = None  # a reply, or (neither) an HLR check
    method: str = "GET"
    state: str = field(default=PENDING, metadata=one_of((PENDING, DELIVERED, FAILED)))
    attempts: list[Attempt] = field(default_factory=list)
    next_attempt: float | None = None
    max_attempts: int = 0


@dataclass(slots=True)
class SavedJournal:
    """The callback journal as plain data (its tries' entries are on the schedule)."""

    next_id: int
    pruned: int
    jobs: list[CallbackJob]


def _nothing() -> None:
    pass


def backoff_delay(tries: int, backoff: float, backoff_max: float) -> float:
    """Seconds between try ``tries`` (1-based) and the next: ``backoff * 2**(tries-1)``,
    capped."""
    return min(backoff * 2.0 ** min(tries - 1, 64), backoff_max)


def failure(exc: BaseException, url: str) -> str:
    """Why a try of ``url`` failed, for the journal, the log and the inbox, in words of ours:
    aiohttp's own texts print the whole URL, password included, and say ``ssl:default`` of
    plain HTTP."""
    if isinstance(exc, aiohttp.NonHttpUrlClientError):
        return f"{mask_url(url)} is not an http:// or https:// URL"
    if isinstance(exc, aiohttp.InvalidUrlClientError):
        try:
            port = urlsplit(url).port
        except ValueError as bad:
            return f"{mask_url(url)} is not a valid URL ({bad})"
        return f"{mask_url(url)} is not a valid URL" + (f" (port {port})" if port else "")
    if isinstance(exc, aiohttp.ClientConnectorError):
        error = exc.os_error
        reason = (
            os.strerror(error.errno)
            if error.errno and error.errno > 0
            else (error.strerror or str(error) or type(error).__name__)
        )
        return f"cannot connect to {exc.host}:{exc.port}: {reason}"
    text = mask_text(str(exc))
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


PER_RECEIVER = 4
"""Tries to one receiver (scheme, host and port) in flight at once: a receiver that hangs holds
this many workers, never all of them, so the others' callbacks go on."""


def receiver_of(url: str) -> str:
    """Who answers ``url``: its scheme and host:port (user info left out)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "?"
    return f"{parts.scheme.lower()}://{parts.netloc.rpartition('@')[2].lower()}"


class FairQueue:
    """Tries waiting for a worker, taken in turn by receiver, at most PER_RECEIVER of one
    receiver in flight."""

    def __init__(self, per_receiver: int = PER_RECEIVER) -> None:
        self.per_receiver = per_receiver
        self._waiting: dict[str, deque[CallbackJob]] = {}
        self._turn: deque[str] = deque()  # receivers with tries waiting, in turn
        self._in_flight: Counter[str] = Counter()
        self._ready = asyncio.Event()

    def put(self, job: CallbackJob) -> None:
        key = receiver_of(job.url)
        waiting = self._waiting.get(key)
        if waiting is None:
            waiting = self._waiting[key] = deque()
            self._turn.append(key)
        waiting.append(job)
        self._ready.set()

    async def get(self) -> CallbackJob:
        while True:
            job = self._take()
            if job is not None:
                return job
            self._ready.clear()
            await self._ready.wait()

    def _take(self) -> CallbackJob | None:
        for _ in range(len(self._turn)):
            key = self._turn[0]
            self._turn.rotate(-1)
            if self._in_flight[key] < self.per_receiver:
                waiting = self._waiting[key]
                job = waiting.popleft()
                if not waiting:
                    del self._waiting[key]
                    self._turn.remove(key)
                self._in_flight[key] += 1
                return job
        return None

    def done(self, job: CallbackJob) -> None:
        key = receiver_of(job.url)
        self._in_flight[key] -= 1
        if self._in_flight[key] <= 0:
            del self._in_flight[key]
        self._ready.set()


K = TypeVar("K")


def _unlist(index: dict[K, list[CallbackJob]], key: K, job: CallbackJob) -> None:
    jobs = [j for j in index.get(key, ()) if j is not job]
    if jobs:
        index[key] = jobs
    else:
        index.pop(key, None)


class CallbackDispatcher:
    def __init__(
        self,
        hub: EventHub,
        clock: Clock,
        timeline: Timeline,
        *,
        timeout: float,
        attempts: int,
        backoff: float,
        backoff_max: float,
        concurrency: int,
        max_jobs: int | None = None,
        max_age: float | None = None,
    ) -> None:
        self.hub = hub
        self.clock = clock
        self.timeline = timeline
        self.timeout = timeout
        self.attempts = attempts
        self.backoff = backoff
        self.backoff_max = backoff_max
        self.concurrency = concurrency
        self.max_jobs = max_jobs
        self.max_age = max_age  # seconds a finished job is kept (--max-age)
        self.jobs: dict[int, CallbackJob] = {}
        self.pruned = 0
        self.attempts_by_outcome: Counter[str] = Counter()  # tries made since start (metrics)
        self.on_change: Callable[[], None] = _nothing  # a try was recorded (the data file)
        # The jobs changed since the data file last wrote them (None: nobody keeps them).
        self.touched: set[int] | None = None
        self.next_id = 1
        self._by_message: dict[str, list[CallbackJob]] = {}
        self._by_reply: dict[int, list[CallbackJob]] = {}
        self._busy: set[int] = set()  # jobs with a try queued or in flight
        self._idle = asyncio.Event()
        self._idle.set()
        self._queue: FairQueue | None = None
        self._workers: list[asyncio.Task[None]] = []
        self._session: aiohttp.ClientSession | None = None
        timeline.on(TRY, self._due)

    @property
    def tries(self) -> int:
        """Tries made since start."""
        return self.attempts_by_outcome.total()

    def now(self) -> float:
        return self.clock.now()

    # -- life ------------------------------------------------------------------------------

    async def start(self) -> None:
        self._queue = FairQueue()
        connector = aiohttp.TCPConnector(limit=self.concurrency, force_close=False)
        self._session = aiohttp.ClientSession(
            connector=connector,
            timeout=aiohttp.ClientTimeout(total=self.timeout),
            headers={"User-Agent": "sms-gateway-emulator", CALLBACK_HEADER: "1"},
            auto_decompress=True,
            trust_env=False,  # callbacks go where the URL says, never through a proxy
        )
        self._workers = [asyncio.create_task(self._work()) for _ in range(self.concurrency)]

    async def stop(self) -> list[CallbackJob]:
        """Stop delivering; returns the callbacks that were still pending."""
        for task in self._workers:
            task.cancel()
        for task in self._workers:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._workers = []
        self._queue = None
        if self._session is not None:
            await self._session.close()
            self._session = None
        return self.pending()

    def pending(self) -> list[CallbackJob]:
        return [job for job in self.jobs.values() if job.state == PENDING]

    # -- the journal -----------------------------------------------------------------------

    def for_message(self, message_id: str) -> list[CallbackJob]:
        return self._by_message.get(message_id, [])

    def for_reply(self, reply_id: int) -> list[CallbackJob]:
        return self._by_reply.get(reply_id, [])

    def _index(self, job: CallbackJob) -> list[CallbackJob] | None:
        if job.message_id is not None:
            return self._by_message.setdefault(job.message_id, [])
        if job.reply_id is not None:
            return self._by_reply.setdefault(job.reply_id, [])
        return None

    def _touch(self, job: CallbackJob) -> None:
        if self.touched is not None:
            self.touched.add(job.id)

    def _drop(self, job_id: int) -> CallbackJob:
        """Take a job out of the journal and its indexes."""
        job = self.jobs.pop(job_id)
        self._touch(job)
        if job.message_id is not None:
            _unlist(self._by_message, job.message_id, job)
        if job.reply_id is not None:
            _unlist(self._by_reply, job.reply_id, job)
        return job

    # -- as plain data (GET/PUT /_emulator/state) -----------------------------------------

    def saved(self, with_jobs: bool = True) -> SavedJournal:
        """``with_jobs=False``: without them (the data file keeps each job on its own)."""
        return SavedJournal(
            self.next_id, self.pruned, list(self.jobs.values()) if with_jobs else []
        )

    def restore(self, saved: SavedJournal) -> None:
        """The journal as saved; a pending job whose try was under way when it was saved (no
        entry on the restored schedule) is tried again when it was due. Call it after the
        schedule is restored."""
        if self.touched is not None:
            self.touched.update(self.jobs)
            self.touched.update(job.id for job in saved.jobs)
        self.jobs = {job.id: job for job in saved.jobs}
        self.next_id, self.pruned = saved.next_id, saved.pruned
        self._by_message.clear()
        self._by_reply.clear()
        self._busy.clear()
        for job in saved.jobs:
            index = self._index(job)
            if index is not None:
                index.append(job)
        scheduled = self.timeline.keys(TRY)
        for job in saved.jobs:
            if job.state == PENDING and (job.id,) not in scheduled:
                self._schedule(job, self.now() if job.next_attempt is None else job.next_attempt)

    # -- submitting ------------------------------------------------------------------------

    def submit(
        self,
        provider: str,
        account: str,
        kind: str,
        url: str,
        *,
        message_id: str | None = None,
        reply_id: int | None = None,
        method: str = "GET",
        at: float | None = None,
    ) -> CallbackJob:
        """A new callback, first tried at ``at`` on the emulator's clock (the time of what it
        reports; now if not given)."""
        when = self.now() if at is None else at
        job = CallbackJob(
            id=self.next_id,
            provider=provider,
            account=account,
            kind=kind,
            url=url,
            created=when,
            message_id=message_id,
            reply_id=reply_id,
            method=method,
            max_attempts=self.attempts,
        )
        self.next_id += 1
        self.jobs[job.id] = job
        index = self._index(job)
        if index is not None:
            index.append(job)
        self._schedule(job, when)
        return job

    def redeliver(self, job: CallbackJob) -> CallbackJob:
        """Try a callback again now, with a fresh budget of attempts. A pending job's next try
        is brought forward; a job with a try in flight gets no second one beside it."""
        job.state = PENDING
        job.max_attempts = len(job.attempts) + self.attempts
        self._touch(job)
        if job.id not in self._busy:
            self._schedule(job, self.now())
        return job

    def forget(self, keep: Callable[[CallbackJob], bool]) -> int:
        """Drop jobs (pending ones too) for which ``keep`` is false; returns how many."""
        doomed = [job_id for job_id, job in self.jobs.items() if not keep(job)]
        for job_id in doomed:
            job = self._drop(job_id)
            job.state = FAILED if job.state == PENDING else job.state
            job.next_attempt = None
        return len(doomed)

    def prune(self) -> int:
        """Keep the journal within ``max_jobs``: the oldest jobs that are over (delivered or
        failed) go first; pending ones stay. Jobs over for longer than ``max_age`` go too."""
        excess = 0 if self.max_jobs is None else max(0, len(self.jobs) - self.max_jobs)
        aged = -math.inf if self.max_age is None else self.now() - self.max_age
        doomed: list[int] = []
        for job_id, job in self.jobs.items():
            if len(doomed) >= excess and job.created > aged:
                break  # (later ones were made later still: none of them is old enough)
            if job.state != PENDING and (
                len(doomed) < excess or (job.attempts[-1].time if job.attempts else 0) <= aged
            ):
                doomed.append(job_id)
        for job_id in doomed:
            self._drop(job_id)
        self.pruned += len(doomed)
        return len(doomed)

    # -- when tries are due ----------------------------------------------------------------

    def _schedule(self, job: CallbackJob, when: float) -> None:
        job.next_attempt = when
        self._touch(job)
        self.timeline.at(when, TRY, job.id)

    def _due(self, when: float, key: Key) -> None:
        """A try falls due (the schedule's entry): queue it, unless a redeliver or a reset
        made the entry stale."""
        job = self.jobs.get(key[0])
        if (
            job is None
            or job.next_attempt != when
            or job.state != PENDING
            or job.id in self._busy
            or self._queue is None
        ):
            return
        self._busy.add(job.id)
        self._idle.clear()
        self._queue.put(job)

    async def settle(self, patience: float) -> int:
        """Wait (up to ``patience`` seconds) until no try is queued or in flight; returns how
        many tries were made meanwhile (the clock's advance waits for each step's tries)."""
        before = self.tries
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._idle.wait(), patience)
        return self.tries - before

    # -- delivering ------------------------------------------------------------------------

    async def _work(self) -> None:
        assert self._queue is not None
        queue = self._queue
        while True:
            job = await queue.get()
            retry_at: float | None = None
            try:
                if job.state == PENDING and job.id in self.jobs:
                    retry_at = await self._attempt(job)
            finally:
                queue.done(job)
                self._busy.discard(job.id)
                if retry_at is not None and job.state == PENDING and job.id in self.jobs:
                    self._schedule(job, retry_at)
                if not self._busy:
                    self._idle.set()

    async def _attempt(self, job: CallbackJob) -> float | None:
        """One try; returns when the next one is due (None when the job is over)."""
        assert self._session is not None
        due = job.next_attempt if job.next_attempt is not None else self.now()
        stamp = due if self.clock.mode == MANUAL else self.now()
        attempt = Attempt(number=len(job.attempts) + 1, time=stamp, outcome="ok")
        started = time.perf_counter()
        try:
            async with self._session.request(job.method, job.url, allow_redirects=False) as resp:
                raw = await resp.content.read(BODY_KEEP * 4)
                attempt.status = resp.status
                attempt.body = raw.decode("utf-8", "replace")[:BODY_KEEP]
                if resp.headers.get(CALLBACK_HEADER):
                    attempt.outcome = "loop"
                    attempt.error = (
                        "the callback URL points at the emulator's own provider "
                        "API, which refuses callbacks (it would loop)"
                    )
                elif not 200 <= resp.status < 300:
                    attempt.outcome = "http_error"
                    attempt.error = f"HTTP {resp.status}"
        except TimeoutError:
            attempt.outcome = "timeout"
            attempt.error = f"no answer within {self.timeout:g} s"
        except (aiohttp.InvalidUrlClientError, aiohttp.NonHttpUrlClientError) as exc:
            attempt.outcome = "invalid_url"  # a typo, not a fault: no retry can help
            attempt.error = failure(exc, job.url)
        except (aiohttp.ClientError, OSError, ValueError) as exc:
            attempt.outcome = "connection_error"
            attempt.error = failure(exc, job.url)
        attempt.latency_ms = round((time.perf_counter() - started) * 1000, 3)
        self.attempts_by_outcome[attempt.outcome] += 1
        job.attempts.append(attempt)
        self._touch(job)  # (with the state it takes below, before anything is written)
        self.on_change()
        retry_at: float | None = None
        if job.state != PENDING or job.id not in self.jobs:
            pass  # reset while in flight: the attempt is kept, nothing more is tried
        elif attempt.outcome == "ok":
            job.state = DELIVERED
            job.next_attempt = None
        elif attempt.outcome in FINAL_OUTCOMES or len(job.attempts) >= job.max_attempts:
            job.state = FAILED
            job.next_attempt = None
            log.warning(
                "callback %s to %s failed for good after %d attempts: %s",
                job.id,
                mask_url(job.url),
                len(job.attempts),
                attempt.error,
            )
        else:
            retry_at = stamp + backoff_delay(len(job.attempts), self.backoff, self.backoff_max)
            job.next_attempt = retry_at
        answer = attempt.status if attempt.status is not None else attempt.outcome
        logs.info(
            log,
            f"callback {job.id} {job.method} {mask_url(job.url)} -> {answer}"
            + (f" ({attempt.error})" if attempt.error else ""),
            callback=job.id,
            url=mask_url(job.url),
            attempt=attempt.number,
            outcome=attempt.outcome,
            status=attempt.status,
        )
        self.hub.publish(ev.CALLBACK_ATTEMPT, attempt.time, job, attempt=attempt)
        if job.state != PENDING:
            self.prune()
        return retry_at
