"""The server2sms route table: ``POST /<Method>``, method names matched case-insensitively."""

from __future__ import annotations

from aiohttp import web

from ...context import Context
from ...paths import PathHandler
from .. import gate
from . import handlers as h
from .endpoint import Handler, make_endpoint, refuse
from .models import NAME, Server2smsBackend

OPERATIONS: dict[str, Handler] = {
    "CheckCredits": h.check_credits,
    "SendTextSMS": h.send_text_sms,
    "SendSimpleTextSMS": h.send_simple_text_sms,
    "InquireDeliveryNotifications": h.inquire_delivery_notifications,
    "SendOriginatorUnlockCode": h.send_originator_unlock_code,
    "UnlockOriginator": h.unlock_originator,
    "CheckOriginatorAuthorization": h.check_originator_authorization,
    "SendTokenSMS": h.send_token_sms,
    "VerifyToken": h.verify_token,
    "CreateVoucher": h.create_voucher,
    "GetVoucherTransactions": h.get_voucher_transactions,
    "RedeemVoucher": h.redeem_voucher,
    "VersionInfo": h.version_info,
    "ListAllStatusCodes": h.list_all_status_codes,
}


def add_routes(app: web.Application, ctx: Context, backend: Server2smsBackend) -> PathHandler:
    """Route ``/<Method>``; returns the handler for the same method reached by an odd path."""
    endpoint = make_endpoint(OPERATIONS, ctx, backend)
    guard = gate.Gate(ctx, NAME, refuse)

    async def by_route(request: web.Request) -> web.StreamResponse:
        return await endpoint(request, request.match_info["method"])

    async def by_segments(request: web.Request, segments: list[str]) -> web.StreamResponse:
        async def odd(request: web.Request) -> web.StreamResponse:
            return await endpoint(request, "/".join(segments))

        return await guard.run(request, odd)

    app.router.add_route("*", "/{method}", guard.guard(by_route))
    return by_segments
