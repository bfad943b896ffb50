"""``/_emulator/callbacks``: the callback journal, waiting for callbacks, redelivering one."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from aiohttp import web

from ..callbacks import CallbackJob
from ..context import Context
from ..core.jsondata import Document
from ..httpio import mask_url
from . import api, views
from .api import context, endpoint, fail, ok
from .waits import CALLBACK_EVENTS, long_poll, rechecking


def _callback_filter(query: Mapping[str, str]) -> Callable[[CallbackJob], bool]:
    provider, account = query.get("provider"), query.get("account")
    state, kind = query.get("state"), query.get("kind")
    message_id, reply_id = query.get("message_id"), query.get("reply_id")
    url = query.get("url")

    def keep(job: CallbackJob) -> bool:
        return (
            (not provider or job.provider == provider)
            and (not account or job.account == account)
            and (not state or job.state == state)
            and (not kind or job.kind == kind)
            and (not url or url in mask_url(job.url))  # never a probe of masked secrets
            and (not message_id or job.message_id == message_id)
            and (not reply_id or str(job.reply_id) == reply_id)
        )

    return keep


def _callbacks_answer(jobs: list[CallbackJob]) -> Document:
    return {"items": [views.callback_view(j) for j in jobs], "count": len(jobs)}


def _matching_callbacks(
    ctx: Context, query: Mapping[str, str]
) -> Callable[[int], list[CallbackJob]]:
    keep = _callback_filter(query)
    return lambda n: api.page((j for j in ctx.dispatcher.jobs.values() if keep(j)), n)


@endpoint
async def list_callbacks(request: web.Request) -> web.Response:
    limit = int(api.number(request.query, "limit", api.DEFAULT_LIMIT * 10, 1, api.MAX_LIMIT))
    return ok(_callbacks_answer(_matching_callbacks(context(request), request.query)(limit)))


@endpoint
async def wait_callbacks(request: web.Request) -> web.Response:
    """Long poll until ``count`` callbacks match (e.g. ``state=delivered``)."""
    ctx = context(request)
    matched = _matching_callbacks(ctx, request.query)
    return await long_poll(
        request, matched, _callbacks_answer, rechecking(ctx, matched, CALLBACK_EVENTS), "callbacks"
    )


@endpoint
async def redeliver_callback(request: web.Request) -> web.Response:
    ctx = context(request)
    try:
        job = ctx.dispatcher.jobs[int(request.match_info["id"])]
    except (KeyError, ValueError):
        fail(404, f"no callback {request.match_info['id']!r}")
    ctx.dispatcher.redeliver(job)
    return ok(views.callback_view(job), status=202)
