"""``/_emulator/metrics``: the emulator's metrics in the Prometheus text format
(emulator/metrics.py counts; this reads the rest when scraped)."""

from __future__ import annotations

import time
from collections import Counter

from aiohttp import web

from ..metrics import MEDIA_TYPE, Exposition, histogram, labels
from .api import context, endpoint
from .waits import WAITS


@endpoint
async def metrics(request: web.Request) -> web.Response:
    ctx = context(request)
    counted = ctx.metrics
    now = ctx.now()
    statuses = Counter(
        (m.batch.provider, m.status_at(now)) for m in ctx.gateway.store.messages.values()
    )
    out = Exposition()
    out.family(
        "sms_emulator_requests_total",
        "counter",
        "Provider requests answered, by provider, operation and result.",
        (
            (labels(provider=p, operation=o, result=r), n)
            for (p, o, r), n in counted.requests().items()
        ),
    )
    out.family(
        "sms_emulator_request_duration_seconds",
        "histogram",
        "Time from the gate to the answer of a provider request.",
        histogram(counted),
    )
    out.family(
        "sms_emulator_messages",
        "gauge",
        "Messages kept, by provider and status now.",
        ((labels(provider=p, status=s), n) for (p, s), n in sorted(statuses.items())),
    )
    out.family(
        "sms_emulator_callback_attempts_total",
        "counter",
        "Callback tries made, by outcome.",
        ((labels(outcome=o), n) for o, n in sorted(ctx.dispatcher.attempts_by_outcome.items())),
    )
    store = ctx.gateway.store
    gauges: list[tuple[str, str, float]] = [
        ("sms_emulator_store_messages", "Messages kept.", len(store)),
        ("sms_emulator_store_replies", "Incoming messages kept.", len(store.replies)),
        ("sms_emulator_callbacks_pending", "Callbacks still to be delivered.",
         len(ctx.dispatcher.pending())),
        ("sms_emulator_open_waits", "Long polls open now.", ctx.waits),
        ("sms_emulator_message_waits", "Message waits open now.", len(request.app[WAITS])),
        ("sms_emulator_event_streams", "Event streams open now.", len(ctx.streams)),
        ("sms_emulator_uptime_seconds", "Seconds since the emulator started.",
         time.time() - counted.started),
    ]  # fmt: skip
    if ctx.data is not None:
        gauges.append(("sms_emulator_data_file_bytes", "The --data file and its log, in bytes.",
                       ctx.data.size()))  # fmt: skip
    for name, help_text, value in gauges:
        out.family(name, "gauge", help_text, [("", value)])
    counters = (
        ("sms_emulator_pruned_total", "Messages and replies pruned (--max-messages).",
         store.pruned),
        ("sms_emulator_callbacks_pruned_total", "Finished callbacks pruned from the journal.",
         ctx.dispatcher.pruned),
    )  # fmt: skip
    for name, help_text, value in counters:
        out.family(name, "counter", help_text, [("", value)])
    return web.Response(body=out.text().encode(), headers={"Content-Type": MEDIA_TYPE})
