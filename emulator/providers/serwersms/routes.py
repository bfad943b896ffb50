"""The SerwerSMS.pl route table: ``/<group>/<action>`` with an optional ``.json``/``.xml``."""

from __future__ import annotations

from aiohttp import web

from ...context import Context
from ...paths import PathHandler
from .. import gate, pipeline
from .endpoint import Handler, Operation, make_endpoint, refuse
from .handlers import account as acc
from .handlers import addressbook as book
from .handlers import assets, messages, numbers, payments, premium, sending, subaccounts
from .models import NAME, SerwersmsBackend

_TABLE: dict[str, Handler] = {
    "messages/send_sms": sending.send_sms,
    "messages/send_personalized": sending.send_personalized,
    "messages/send_voice": sending.send_voice,
    "messages/send_mms": sending.send_mms,
    "messages/view": messages.view,
    "messages/reports": messages.reports,
    "messages/delete": messages.delete,
    "messages/recived": messages.received,
    "messages/send_nd": messages.send_nd,
    "messages/send_ndi": messages.send_ndi,
    "account/add": acc.add,
    "account/limits": acc.limits,
    "account/help": acc.help_,
    "account/messages": acc.messages,
    "blacklist/add": book.blacklist_add,
    "blacklist/index": book.blacklist_index,
    "blacklist/check": book.blacklist_check,
    "blacklist/delete": book.blacklist_delete,
    "contacts/add": book.contacts_add,
    "contacts/index": book.contacts_index,
    "contacts/view": book.contacts_view,
    "contacts/edit": book.contacts_edit,
    "contacts/delete": book.contacts_delete,
    "contacts/import": book.contacts_import,
    "groups/add": book.groups_add,
    "groups/index": book.groups_index,
    "groups/view": book.groups_view,
    "groups/edit": book.groups_edit,
    "groups/delete": book.groups_delete,
    "groups/check": book.groups_check,
    "phones/check": numbers.check,
    "phones/lookup": numbers.lookup,
    "phones/test": numbers.test,
    "senders/add": assets.senders_add,
    "senders/index": assets.senders_index,
    "files/add": assets.files_add,
    "files/index": assets.files_index,
    "files/view": assets.files_view,
    "files/delete": assets.files_delete,
    "templates/index": assets.templates_index,
    "templates/view": assets.templates_view,
    "templates/add": assets.templates_add,
    "templates/edit": assets.templates_edit,
    "templates/delete": assets.templates_delete,
    "subaccounts/add": subaccounts.add,
    "subaccounts/index": subaccounts.index,
    "subaccounts/view": subaccounts.view,
    "subaccounts/limit": subaccounts.limit,
    "subaccounts/delete": subaccounts.delete,
    "payments/index": payments.index,
    "payments/view": payments.view,
    "payments/invoice": payments.invoice,
    "stats/index": acc.stats,
    "premium/index": premium.index,
    "premium/send": premium.send,
    "quiz/view": premium.quiz,
}
# Other spellings clients use: the newer "received", the Node client's camelCase.
ALIASES = {
    "messages/received": "messages/recived",
    "messages/sendNd": "messages/send_nd",
    "messages/sendNdi": "messages/send_ndi",
}
OPERATIONS: dict[str, Operation] = {
    name: pipeline.Operation(name, handler) for name, handler in _TABLE.items()
}
OPERATIONS.update({alias: OPERATIONS[name] for alias, name in ALIASES.items()})
OPERATIONS["error/{code}"] = pipeline.Operation("error/{code}", acc.error_view, False)


def add_routes(app: web.Application, ctx: Context, backend: SerwersmsBackend) -> PathHandler:
    """Route ``/<group>/<action>``; returns the handler for an action reached by an odd path."""
    endpoint = make_endpoint(OPERATIONS, ctx, backend)
    guard = gate.Gate(ctx, NAME, refuse)

    async def by_route(request: web.Request) -> web.StreamResponse:
        return await endpoint(request, request.match_info["group"], request.match_info["action"])

    async def by_segments(request: web.Request, segments: list[str]) -> web.StreamResponse:
        async def odd(request: web.Request) -> web.StreamResponse:
            return await endpoint(request, segments[0] if segments else "", "/".join(segments[1:]))

        return await guard.run(request, odd)

    app.router.add_route("*", "/{group}/{action}", guard.guard(by_route))
    return by_segments
