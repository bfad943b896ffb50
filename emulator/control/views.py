"""How the control API shows messages, replies, callbacks, accounts and rules: one shape for
both providers."""

from __future__ import annotations

from datetime import UTC, datetime

from ..callbacks import Attempt, CallbackJob
from ..clock import Clock
from ..core.gsm import Cost, Culprit
from ..core.jsondata import Document
from ..core.messages import Message, Reply
from ..core.rules import Rule
from ..httpio import mask_url, masked, request_view
from ..providers import BY_NAME


def iso(ts: float | None) -> str | None:
    """Control-API times: ISO 8601 UTC with milliseconds."""
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def message_summary(message: Message, jobs: list[CallbackJob]) -> Document:
    """A message as lists show it; ``jobs``: its callbacks, from the journal."""
    batch = message.batch
    return {
        "id": message.id,
        "seq": message.seq,
        "provider": batch.provider,
        "account": batch.account,
        "kind": batch.kind,
        "batch": batch.id,
        "recipient": message.recipient,
        "sender": batch.sender,
        "text": message.text,
        "parts": message.parts,
        "encoding": message.encoding,
        "cost": cost_view(BY_NAME[batch.provider].cost(message)),
        "ref": message.ref,
        "status": message.status,
        "reason": message.reason,
        "outcome": message.outcome.name if message.outcome is not None else None,
        "created": iso(message.created),
        "updated": iso(message.updated),
        "scheduled_for": iso(message.due) if message.due > message.created else None,
        "callbacks": len(jobs),
        "callback_state": callback_state(jobs),
    }


def cost_view(cost: Cost) -> Document:
    """What a text costs and why (emulator/core/gsm.py: explain)."""

    def culprits(found: tuple[Culprit, ...]) -> list[Document]:
        return [
            {"char": c.char, "index": c.index, "codepoint": c.codepoint, "suggestion": c.suggestion}
            for c in found
        ]

    return {
        "encoding": cost.encoding,
        "parts": cost.parts,
        "units": cost.units,
        "per_part": cost.per_part,
        "ucs2_because": culprits(cost.ucs2_because),
        "extension": culprits(cost.extension),
        "replaced": culprits(cost.replaced),
        "as_gsm7": {"parts": cost.gsm7_parts, "units": cost.gsm7_units},
        "charged": {"amount": cost.charged, "unit": cost.unit},
        "charged_as_gsm7": {"amount": cost.charged_as_gsm7, "unit": cost.unit},
    }


_WORST = ("failed", "pending", "delivered")


def callback_state(jobs: list[CallbackJob]) -> str | None:
    """What a person must see first of a message's callbacks: failed, else pending, else
    delivered (None without any)."""
    if not jobs:
        return None
    states = {job.state for job in jobs}
    return next(state for state in _WORST if state in states)


def message_detail(message: Message, jobs: list[CallbackJob]) -> Document:
    return {
        **message_summary(message, jobs),
        "options": masked(message.batch.options),  # server2sms notification URLs
        "request": None if message.batch.request is None else request_view(message.batch.request),
        "history": [
            {"status": status, "time": iso(when), "reason": reason}
            for when, status, reason in message.history
        ],
        "callbacks": [callback_view(job) for job in jobs],
    }


def reply_view(reply: Reply, jobs: list[CallbackJob]) -> Document:
    return {
        "id": reply.id,
        "provider": reply.provider,
        "account": reply.account,
        "type": reply.type,
        "phone": reply.phone,
        "text": reply.text,
        "received": iso(reply.received),
        "to_number": reply.to_number,
        "message_id": reply.message_id,
        "callbacks": [callback_view(job) for job in jobs],
    }


def attempt_view(attempt: Attempt) -> Document:
    return {
        "number": attempt.number,
        "time": iso(attempt.time),
        "outcome": attempt.outcome,
        "status": attempt.status,
        "latency_ms": attempt.latency_ms,
        "error": attempt.error,
        "body": attempt.body,
    }


def callback_view(job: CallbackJob) -> Document:
    return {
        "id": job.id,
        "provider": job.provider,
        "account": job.account,
        "kind": job.kind,
        "method": job.method,
        "url": mask_url(job.url),
        "state": job.state,
        "message_id": job.message_id,
        "reply_id": job.reply_id,
        "created": iso(job.created),
        "next_attempt": iso(job.next_attempt),
        "attempts": [attempt_view(a) for a in job.attempts],
    }


def rule_view(rule: Rule) -> Document:
    return {
        "id": rule.id,
        "provider": rule.provider,
        "account": rule.account,
        "recipient": rule.recipient,
        "match": rule.match,
        "text": rule.text,
        "outcome": rule.outcome.name if rule.outcome is not None else None,
        "reason": rule.reason,
        "delay": rule.delay,
        "reject": rule.reject,
        "times": rule.times,
        "used": rule.used,
    }


def clock_view(clock: Clock) -> Document:
    now = clock.now()
    return {
        "mode": clock.mode,
        "now": iso(now),
        "timestamp": now,
        "advanced_at": iso(clock.advanced_at),
    }
