"""The callback dispatcher: delivers provider callbacks, retries with backoff, records attempts.

Providers turn events into :class:`CallbackJob` objects and submit them; nothing else in the
emulator makes outgoing HTTP requests. Every attempt (its status, latency and error) is kept on
the job and published as an event, so tests and the web inbox can see exactly what happened.
A callback counts as delivered on any 2xx answer; a refused connection, a timeout or a 5xx (or
any other non-2xx) answer is retried after ``backoff * 2**n`` seconds (capped), up to
``attempts`` tries.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from .core import events as ev
from .core.events import EventHub
from .httpio import mask_url

log = logging.getLogger("emulator.callbacks")

PENDING = "pending"
DELIVERED = "delivered"
FAILED = "failed"
BODY_KEEP = 500  # characters of the receiver's answer kept per attempt


@dataclass(slots=True, eq=False)
class Attempt:
    number: int
    time: float
    outcome: str  # "ok", "http_error", "timeout", "connection_error"
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
    subject: Any  # the Message or Reply the callback reports on
    created: float
    method: str = "GET"
    state: str = PENDING
    attempts: list[Attempt] = field(default_factory=list)
    next_attempt: float | None = None
    max_attempts: int = 0


class CallbackDispatcher:
    def __init__(
        self,
        hub: EventHub,
        now: Callable[[], float],
        *,
        timeout: float,
        attempts: int,
        backoff: float,
        backoff_max: float,
        concurrency: int,
    ) -> None:
        self.hub = hub
        self.now = now
        self.timeout = timeout
        self.attempts = attempts
        self.backoff = backoff
        self.backoff_max = backoff_max
        self.concurrency = concurrency
        self.jobs: dict[int, CallbackJob] = {}
        self._next_id = 1
        self._queue: asyncio.Queue[CallbackJob] | None = None
        self._workers: list[asyncio.Task[None]] = []
        self._timers: set[asyncio.TimerHandle] = set()
        self._session: aiohttp.ClientSession | None = None
        self._first_try_waiters: list[tuple[set[int], asyncio.Event]] = []

    # -- life ------------------------------------------------------------------------------

    async def start(self) -> None:
        self._queue = asyncio.Queue()
        connector = aiohttp.TCPConnector(limit=self.concurrency, force_close=False)
        self._session = aiohttp.ClientSession(
            connector=connector,
            timeout=aiohttp.ClientTimeout(total=self.timeout),
            headers={"User-Agent": "sms-gateway-emulator"},
            auto_decompress=True,
        )
        self._workers = [asyncio.create_task(self._work()) for _ in range(self.concurrency)]

    async def stop(self) -> list[CallbackJob]:
        """Stop delivering; returns the callbacks that were still pending."""
        for timer in self._timers:
            timer.cancel()
        self._timers.clear()
        for task in self._workers:
            task.cancel()
        for task in self._workers:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._workers = []
        if self._session is not None:
            await self._session.close()
            self._session = None
        return self.pending()

    def pending(self) -> list[CallbackJob]:
        return [job for job in self.jobs.values() if job.state == PENDING]

    # -- submitting ------------------------------------------------------------------------

    def submit(
        self, provider: str, account: str, kind: str, url: str, subject: Any,
        method: str = "GET",
    ) -> CallbackJob:
        job = CallbackJob(
            id=self._next_id, provider=provider, account=account, kind=kind, url=url,
            subject=subject, created=self.now(), method=method, max_attempts=self.attempts,
        )
        self._next_id += 1
        self.jobs[job.id] = job
        if subject is not None:
            if subject.callbacks is None:
                subject.callbacks = []
            subject.callbacks.append(job)
        self._enqueue(job)
        return job

    def redeliver(self, job: CallbackJob) -> CallbackJob:
        """Try a callback again (whatever its state), with a fresh budget of attempts."""
        job.state = PENDING
        job.max_attempts = len(job.attempts) + self.attempts
        self._enqueue(job)
        return job

    def forget(self, keep: Callable[[CallbackJob], bool]) -> int:
        """Drop jobs (pending ones too) for which ``keep`` is false; returns how many."""
        doomed = [job_id for job_id, job in self.jobs.items() if not keep(job)]
        for job_id in doomed:
            job = self.jobs.pop(job_id)
            job.state = FAILED if job.state == PENDING else job.state
        return len(doomed)

    def _enqueue(self, job: CallbackJob) -> None:
        job.next_attempt = self.now()
        if self._queue is None:
            raise RuntimeError("the callback dispatcher is not running")
        self._queue.put_nowait(job)

    # -- delivering ------------------------------------------------------------------------

    async def _work(self) -> None:
        assert self._queue is not None
        while True:
            job = await self._queue.get()
            if job.state != PENDING or job.id not in self.jobs:
                continue
            await self._attempt(job)
            if len(job.attempts) == 1 and self._first_try_waiters:
                self._tried(job.id)

    async def _attempt(self, job: CallbackJob) -> None:
        assert self._session is not None
        attempt = Attempt(number=len(job.attempts) + 1, time=self.now(), outcome="ok")
        started = time.perf_counter()
        try:
            async with self._session.request(job.method, job.url, allow_redirects=False) as resp:
                raw = await resp.content.read(BODY_KEEP * 4)
                attempt.status = resp.status
                attempt.body = raw.decode("utf-8", "replace")[:BODY_KEEP]
                if not 200 <= resp.status < 300:
                    attempt.outcome = "http_error"
                    attempt.error = f"HTTP {resp.status}"
        except TimeoutError:
            attempt.outcome = "timeout"
            attempt.error = f"no answer within {self.timeout:g} s"
        except (aiohttp.ClientError, OSError, ValueError) as exc:
            attempt.outcome = "connection_error"
            attempt.error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        attempt.latency_ms = round((time.perf_counter() - started) * 1000, 3)
        job.attempts.append(attempt)
        if attempt.outcome == "ok":
            job.state = DELIVERED
            job.next_attempt = None
        elif len(job.attempts) >= job.max_attempts:
            job.state = FAILED
            job.next_attempt = None
            log.warning("callback %s to %s failed for good after %d attempts: %s",
                        job.id, mask_url(job.url), len(job.attempts), attempt.error)
        else:
            delay = min(self.backoff * 2 ** (len(job.attempts) - 1), self.backoff_max)
            job.next_attempt = self.now() + delay
            self._retry_later(job, delay)
        log.info("callback %s %s %s -> %s%s", job.id, job.method, mask_url(job.url),
                 attempt.status if attempt.status is not None else attempt.outcome,
                 f" ({attempt.error})" if attempt.error else "")
        self.hub.publish(ev.CALLBACK_ATTEMPT, attempt.time, job, attempt=attempt)

    def _retry_later(self, job: CallbackJob, delay: float) -> None:
        loop = asyncio.get_running_loop()
        timer: asyncio.TimerHandle

        def fire() -> None:
            self._timers.discard(timer)
            if job.state == PENDING and self._queue is not None:
                self._queue.put_nowait(job)

        timer = loop.call_later(delay, fire)
        self._timers.add(timer)

    # -- waiting ---------------------------------------------------------------------------

    def _tried(self, job_id: int) -> None:
        for waiting, done in self._first_try_waiters:
            waiting.discard(job_id)
            if not waiting:
                done.set()

    async def wait_attempted(self, jobs: Iterable[CallbackJob], timeout: float) -> bool:
        """Wait until every job has been tried at least once; False on timeout."""
        waiting = {job.id for job in jobs if job.state == PENDING and not job.attempts}
        if not waiting:
            return True
        done = asyncio.Event()
        entry = (waiting, done)
        self._first_try_waiters.append(entry)
        try:
            await asyncio.wait_for(done.wait(), timeout)
            return True
        except TimeoutError:
            return False
        finally:
            self._first_try_waiters.remove(entry)
