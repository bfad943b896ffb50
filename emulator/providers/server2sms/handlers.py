"""The 14 server2sms methods: parse → validate → core → wire → render.

Every method answers HTTP 200 with ``StatusCode``/``StatusInfo`` strings, errors included, as the
real gateway does. A body that is not a JSON object, or a method that does not exist, gets a
4xx status with a server2sms-format body; the reason is in the ``X-Emulator-Error`` header and
the log.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

from aiohttp import web

from ... import __version__
from ...context import CONTEXT, Context
from ...core import gsm, phones, timefmt, values
from ...core.accounts import Account
from ...core.messages import BUFFERED, DELIVERED, UNDELIVERED, Message
from ...httpio import (
    CALLBACK_HEADER,
    LOOP_DETAIL,
    LOOP_STATUS,
    BodyError,
    RequestRecord,
    header_safe,
    json_object,
    read_body,
)
from ...memory import long_lived
from ...rendering import json_response
from ...validation import SchemaRegistry, describe
from . import errors, wire
from .errors import status
from .models import DEFAULT_TOKEN_MASK, DEFAULT_TOKEN_VALIDITY_MINUTES, Token
from .notifications import URL_FIELDS, url_is_valid

PROVIDER = "server2sms"
API_VERSION = "1.0"
UNLOCK_SENDER = "server2sms"
MAX_TOKEN_VALIDITY_MINUTES = 100 * 366 * 24 * 60  # a century: more is a client's mistake
log = logging.getLogger("emulator.server2sms")

CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "POST, OPTIONS",
    "Access-Control-Allow-Headers": "*",
    "Access-Control-Max-Age": "86400",
}


class Refusal(Exception):
    """Answer with this status code (and say why in the header and the log)."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


@dataclass(slots=True)
class Call:
    ctx: Context
    operation: str
    body: dict[str, Any]
    request: RequestRecord
    account: Account

    @property
    def backend(self) -> Any:
        return self.ctx.backends[PROVIDER]


# -- the endpoint ----------------------------------------------------------------------------


def respond(request: web.Request, answer: dict[str, str], http_status: int = 200,
            detail: str | None = None) -> web.Response:
    """The JSON answer; CORS headers when a browser asks (the documented examples run in
    one), and the reason for an error in ``X-Emulator-Error``."""
    headers = dict(CORS_HEADERS) if "Origin" in request.headers else {}
    if detail:
        headers["X-Emulator-Error"] = header_safe(detail)
    return json_response(answer, status=http_status, headers=headers)


Handler = Callable[["Call"], dict[str, Any]]


def make_endpoint(operations: dict[str, Handler], schemas: SchemaRegistry
                  ) -> Callable[[web.Request, str], Awaitable[web.Response]]:
    """The one handler for ``/<Method>`` (called with the method's name as the path gives it):
    finds the method, reads the body, answers."""
    by_lower = {
        name.lower(): (name, handler, "UserName" in schemas.schema(
            PROVIDER, name, "request").get("required", ()))
        for name, handler in operations.items()
    }

    async def endpoint(request: web.Request, name: str) -> web.Response:
        found = by_lower.get(name.lower())
        if found is None:
            detail = (f"unknown server2sms method {name!r} at {request.path!r}; methods: "
                      f"{', '.join(operations)}")
            log.info("%s %s: unknown method", request.method, request.path)
            return respond(request, status(errors.UNKNOWN_METHOD), 404, detail)
        operation, handler, authenticated = found
        if CALLBACK_HEADER in request.headers:
            response = respond(request, status(errors.ACCESS_DENIED), LOOP_STATUS, LOOP_DETAIL)
            response.headers[CALLBACK_HEADER] = "refused"
            return response
        if request.method == "OPTIONS":
            return web.Response(status=204, headers=CORS_HEADERS)
        if request.method != "POST":
            detail = f"{operation} takes POST, not {request.method}"
            response = respond(request, status(errors.INVALID_DATA), 405, detail)
            response.headers["Allow"] = "POST, OPTIONS"  # RFC 9110 asks for it with a 405
            return response
        try:
            body = json_object(await read_body(request))
        except BodyError as exc:
            log.info("POST %s: %s", request.path, exc.detail)
            return respond(request, status(errors.INVALID_DATA), exc.status, exc.detail)
        ctx = request.app[CONTEXT]
        try:
            answer = handle(ctx, operation, handler, authenticated, body,
                            RequestRecord(request, body))
        except Refusal as refusal:
            log.info("%s refused with %s: %s", operation, refusal.code, refusal.detail)
            return respond(request, status(refusal.code), 200, refusal.detail)
        except Exception:  # a bug of ours: log it, answer in the provider's format
            log.exception("%s failed", operation)
            return respond(request, status(errors.SERVICE_UNAVAILABLE), 500,
                           "internal error of the emulator (see its log)")
        return respond(request, answer)

    return endpoint


def handle(ctx: Context, operation: str, handler: Handler, authenticated: bool,
           body: dict[str, Any], record: RequestRecord) -> dict[str, Any]:
    if "UserName" not in body and "UserKey" in body:
        body["UserName"] = body["UserKey"]
    problem = schema_problem(ctx, operation, body)
    if problem is not None and problem[0] == errors.AUTHORIZATION_FAILED:
        raise Refusal(*problem)
    account: Account | None = None
    if authenticated:
        account = ctx.accounts.authenticate(
            PROVIDER, wire.text_value(body.get("UserName")).strip(),
            wire.text_value(body.get("Password")),
        )
        if account is None:
            raise Refusal(errors.AUTHORIZATION_FAILED, "unknown user name or wrong password")
    if problem is not None:
        raise Refusal(*problem)
    return handler(Call(ctx, operation, body, record, account))  # type: ignore[arg-type]


def schema_problem(ctx: Context, operation: str, body: dict[str, Any]) -> tuple[str, str] | None:
    """The status code of the first field (in documented order) that breaks the schema."""
    found = list(ctx.schemas.errors(PROVIDER, operation, "request", body))
    if not found:
        return None
    properties: dict[str, Any] = ctx.schemas.schema(PROVIDER, operation, "request")["properties"]
    order = list(properties)
    best: tuple[int, str, str] | None = None
    for error in found:
        if error.validator == "required":
            field = next(p for p in cast(list[str], error.validator_value) if p not in body)
            detail = f"{field} is missing"
        else:
            field = str(error.path[0]) if error.path else ""
            detail = describe(error)
        rank = order.index(field) if field in order else len(order)
        code = properties.get(field, {}).get("x-status-code", errors.INVALID_DATA)
        if best is None or rank < best[0]:
            best = (rank, code, detail)
    return None if best is None else (best[1], best[2])


# -- shared checks ---------------------------------------------------------------------------


def recipients(call: Call) -> list[tuple[str, str | None]]:
    entries = wire.recipient_entries(call.body.get("Recipients"))
    if not entries:
        raise Refusal(errors.MISSING_RECIPIENT, "Recipients holds no phone number")
    return entries


def originator(call: Call, default: str = "") -> str:
    """The sender a message goes out with: alphanumeric (≤ 11) or an unlocked number."""
    raw = wire.text_value(call.body.get("Originator")).strip()
    if not raw:
        return default
    if wire.is_numeric_originator(raw):
        number = wire.numeric_originator(raw)
        if number is None:
            raise Refusal(errors.INVALID_ORIGINATOR, f"{raw!r} is not a valid phone number")
        if not call.backend.is_unlocked(call.account, number):
            raise Refusal(errors.ORIGINATOR_NOT_AUTHORIZED,
                          f"numeric originator {number} is not unlocked for this account "
                          "(SendOriginatorUnlockCode, then UnlockOriginator)")
        return number
    if not wire.alphanumeric_ok(raw):
        raise Refusal(errors.INVALID_ORIGINATOR,
                      f"alphanumeric originator {raw!r} is longer than 11 characters")
    return raw


def notification_urls(call: Call) -> dict[str, str]:
    """Status → URL for the notification URLs given (each checked: http(s), ≤ 200 chars)."""
    urls: dict[str, str] = {}
    for field, (on_status, code) in URL_FIELDS.items():
        url = wire.text_value(call.body.get(field)).strip()
        if not url:
            continue
        if not url_is_valid(url):
            raise Refusal(code, f"{field} must be an http(s) URL of at most 200 characters")
        urls[on_status] = url
    return urls


def deferred(call: Call) -> float | None:
    value = call.body.get("DeferredDeliveryTime")
    try:
        return wire.deferred_time(value)
    except ValueError:
        raise Refusal(errors.INVALID_DEFERRED_TIME,
                      f"DeferredDeliveryTime {value!r} is neither ISO 8601 nor ddmmyyyyhhmmss"
                      ) from None


def charge(call: Call, amount: Decimal) -> None:
    if call.account.credits < amount:
        raise Refusal(errors.NOT_ENOUGH_CREDITS,
                      f"this needs {amount} credits and the account has {call.account.credits}")
    call.account.credits -= amount


def send(
    call: Call,
    kind: str,
    sender: str,
    entries: list[tuple[str, str | None]],
    text: gsm.TextInfo,
    *,
    urls: dict[str, str] | None = None,
    start: float | None = None,
    options: dict[str, Any] | None = None,
    cost: bool = True,
) -> list[Message]:
    """Decide every recipient's fate, charge parts × recipients, and hand them to the gateway.

    Nothing is sent unless everything is accepted: a rejecting rule or a short balance refuses
    the whole request.
    """
    gateway = call.ctx.gateway
    username = call.account.username
    decided = []
    for number, trn in entries:
        recipient = phones.international(number)
        decision = gateway.decide(PROVIDER, username, recipient or number, text.text)
        if decision.reject is not None:
            code = str(decision.reject.get("code", errors.SERVICE_UNAVAILABLE))
            if code not in errors.STATUS_CODES:
                code = errors.SERVICE_UNAVAILABLE
            raise Refusal(code, f"scenario rule {decision.rule} rejects {number}")
        outcome = decision.outcome if recipient is not None else gateway.outcomes.get(
            "invalid_destination")
        decided.append((recipient or number, trn, outcome, decision.delay))
    if cost:
        charge(call, Decimal(text.parts * len(entries)))
    batch = gateway.new_batch(
        PROVIDER, call.account.username, kind, sender, call.request,
        {"operation": call.operation, "urls": urls or {}, **(options or {})},
    )
    backend = call.backend
    now = call.ctx.now()
    with long_lived(len(decided)):
        return [
            gateway.add_message(batch, recipient, text.text, text.parts, text.encoding,
                                trn or backend.next_trn(), start=start, outcome=outcome,
                                delay=delay, now=now)
            for recipient, trn, outcome, delay in decided
        ]


# -- the methods -----------------------------------------------------------------------------


def check_credits(call: Call) -> dict[str, Any]:
    return {"Credits": wire.credits_text(call.account.credits), **status(errors.OK)}


def send_text_sms(call: Call) -> dict[str, Any]:
    entries = recipients(call)
    sender = originator(call)
    urls = notification_urls(call)
    start = deferred(call)
    text = gsm.analyse(wire.text_value(call.body.get("MessageText")),
                       force_gsm=wire.flag(call.body.get("ForceGSM7bit")))
    send(call, "sms", sender, entries, text, urls=urls, start=start, options={
        "flash": wire.flag(call.body.get("FlashingSMS")),
        "affiliate_id": wire.text_value(call.body.get("AffiliateID")),
    })
    return status(errors.OK)


def send_simple_text_sms(call: Call) -> dict[str, Any]:
    entries = recipients(call)
    sender = originator(call)
    text = gsm.analyse(wire.text_value(call.body.get("MessageText")),
                       force_gsm=wire.flag(call.body.get("ForceGSM7bit")))
    send(call, "sms", sender, entries, text)
    return status(errors.OK)


_DST = {BUFFERED: errors.DST_BUFFERED, DELIVERED: errors.DST_DELIVERED,
        UNDELIVERED: errors.DST_NOT_DELIVERED}


def delivery_notification(trn: str, message: Message) -> dict[str, str]:
    dst = _DST.get(message.status, errors.DST_NOT_YET)
    reported = dst != errors.DST_NOT_YET
    reason = message.reason or (errors.REASON_DELIVERED if dst == errors.DST_DELIVERED else "")
    return {
        "TransactionReferenceNumber": trn,
        "DeliveryStatus": dst,
        "DeliveryStatusDescription": errors.DELIVERY_STATUSES[dst],
        "SubmissionDate": timefmt.iso_utc(message.created),
        "NotificationDate": timefmt.iso_utc(message.updated) if reported else "",
        "Reasoncode": reason if reported else "",
        "ReasoncodeDescription": errors.REASON_CODES.get(reason, "")
        if dst in (errors.DST_BUFFERED, errors.DST_NOT_DELIVERED) else "",
    }


def inquire_delivery_notifications(call: Call) -> dict[str, Any]:
    trns = wire.split_list(call.body.get("TransactionReferenceNumbers"))
    if not trns:
        raise Refusal(errors.MISSING_TRN, "TransactionReferenceNumbers is empty")
    store = call.ctx.gateway.store
    found = []
    for trn in dict.fromkeys(trns):
        message = store.by_ref(PROVIDER, call.account.username, trn)
        if message is not None:
            found.append(delivery_notification(trn, message))
    return {**status(errors.OK), "DeliveryNotifications": found}


def _numeric_originator_field(call: Call) -> str:
    raw = wire.text_value(call.body.get("Originator")).strip()
    number = wire.numeric_originator(raw) if wire.is_numeric_originator(raw) else None
    if number is None:
        raise Refusal(errors.INVALID_ORIGINATOR, f"{raw!r} is not a phone number")
    return number


def send_originator_unlock_code(call: Call) -> dict[str, Any]:
    number = _numeric_originator_field(call)
    if call.backend.is_unlocked(call.account, number):
        raise Refusal(errors.ORIGINATOR_AUTHORIZED, f"{number} is already unlocked")
    code = call.backend.new_unlock_code(call.account, number)
    text = gsm.analyse(f"Your server2sms originator unlock code: {code}")
    send(call, "unlock", UNLOCK_SENDER, [(number, None)], text, cost=False,
         options={"unlock_code": code})
    return status(errors.OK)


def unlock_originator(call: Call) -> dict[str, Any]:
    number = _numeric_originator_field(call)
    if call.backend.is_unlocked(call.account, number):
        raise Refusal(errors.ORIGINATOR_AUTHORIZED, f"{number} is already unlocked")
    code = wire.text_value(
        call.body.get("UnlockCode", call.body.get("OriginatorUnlockCode"))).strip()
    if not call.backend.unlock(call.account, number, code):
        raise Refusal(errors.ORIGINATOR_NOT_AUTHORIZED,
                      f"{code!r} is not the unlock code last sent to {number}")
    return status(errors.OK)


def check_originator_authorization(call: Call) -> dict[str, Any]:
    raw = wire.text_value(call.body.get("Originator")).strip()
    if raw and not wire.is_numeric_originator(raw):
        if not wire.alphanumeric_ok(raw):
            raise Refusal(errors.INVALID_ORIGINATOR, f"{raw!r} is longer than 11 characters")
        return status(errors.NO_ORIGINATOR_RESTRICTIONS)
    number = _numeric_originator_field(call)
    if call.backend.is_unlocked(call.account, number):
        return status(errors.ORIGINATOR_AUTHORIZED)
    return status(errors.ORIGINATOR_NOT_AUTHORIZED)


def send_token_sms(call: Call) -> dict[str, Any]:
    body = call.body
    entries = recipients(call)
    sender = originator(call, default=phones.international(entries[0][0]) or entries[0][0])
    urls = notification_urls(call)
    validity_text = wire.text_value(body.get("TokenValidity")).strip()
    validity = values.whole_number(validity_text) if validity_text \
        else DEFAULT_TOKEN_VALIDITY_MINUTES
    if validity is None:
        raise Refusal(errors.INVALID_DATA, f"TokenValidity {validity_text[:40]!r} is not a "
                                           "whole number of minutes")
    if not 0 < validity <= MAX_TOKEN_VALIDITY_MINUTES:
        raise Refusal(errors.INVALID_DATA, "TokenValidity must be a number of minutes from 1 "
                                           f"to {MAX_TOKEN_VALIDITY_MINUTES}")
    backend = call.backend
    code = wire.text_value(body.get("VerificationCode")).strip() or backend.token_code(
        wire.text_value(body.get("TokenMask")) or DEFAULT_TOKEN_MASK)
    data = wire.text_value(body.get("MessageData"))
    text = gsm.analyse(data.replace("<VERIFICATIONCODE>", code)
                       if "<VERIFICATIONCODE>" in data else code)
    reference = wire.text_value(body.get("TokenReference")).strip()
    messages = send(call, "token", sender, entries, text, urls=urls,
                    options={"token_reference": reference})
    expires = call.ctx.now() + validity * 60
    case_sensitive = wire.flag(body.get("TokenCaseSensitive"))
    for message in messages:
        backend.store_token(call.account, message.recipient, reference,
                            Token(code, case_sensitive, expires))
    return status(errors.OK)


def verify_token(call: Call) -> dict[str, Any]:
    body = call.body
    raw_phone = wire.text_value(body.get("PhoneNumber")).strip()
    phone = phones.international(raw_phone) or raw_phone
    reference = wire.text_value(body.get("TokenReference")).strip()
    token = call.backend.find_token(call.account, phone, reference)
    if token is None:
        raise Refusal(errors.TOKEN_NOT_FOUND, f"no token for {phone} with reference {reference!r}")
    if token.verified:
        return status(errors.OK)
    if call.ctx.now() > token.expires:
        raise Refusal(errors.TOKEN_NOT_FOUND, f"the token for {phone} has expired")
    if not token.matches(wire.text_value(body.get("VerificationCode")).strip()):
        raise Refusal(errors.TOKEN_NOT_AUTHORIZED, "wrong verification code")
    token.verified = True
    return status(errors.OK)


MAX_VOUCHERS = 1000


def create_voucher(call: Call) -> dict[str, Any]:
    number_text = wire.text_value(call.body.get("NumberOfVouchers")).strip()
    if not number_text.isdigit() or not 1 <= int(number_text) <= MAX_VOUCHERS:
        raise Refusal(errors.INVALID_DATA, f"NumberOfVouchers must be 1..{MAX_VOUCHERS}")
    amount = wire.credits_value(call.body.get("AmountCreditsPerVoucher"))
    if amount is None:
        raise Refusal(errors.INVALID_DATA, "AmountCreditsPerVoucher must be a positive number")
    number = int(number_text)
    charge(call, amount * number)
    made = call.backend.create_vouchers(
        call.account, number, amount, wire.text_value(call.body.get("Remarks")), call.ctx.now())
    return {**status(errors.OK), "VoucherCodes": [v.code for v in made]}


def get_voucher_transactions(call: Call) -> dict[str, Any]:
    lines = []
    for voucher in call.backend.transactions(call.account):
        own = voucher.creator == call.account.username
        lines.append(";".join((
            voucher.code,
            wire.credits_text(voucher.credits),
            timefmt.iso_utc(voucher.created) if own else "",
            timefmt.iso_utc(voucher.redeemed) if voucher.redeemed is not None else "",
            voucher.remark if own else "",
        )))
    return {**status(errors.OK), "vouchers": lines}


def redeem_voucher(call: Call) -> dict[str, Any]:
    code = wire.text_value(call.body.get("RedeemCode")).strip().upper()
    voucher = call.backend.vouchers.get(code)
    if voucher is None:
        raise Refusal(errors.UNKNOWN_VOUCHER, f"no voucher {code!r}")
    if voucher.redeemed is not None:
        raise Refusal(errors.VOUCHER_REDEEMED, f"voucher {code} was already redeemed")
    voucher.redeemed = call.ctx.now()
    voucher.redeemed_by = call.account.username
    call.account.credits += voucher.credits
    return status(errors.OK)


def version_info(call: Call) -> dict[str, Any]:
    return {**status(errors.OK),
            "VersionInfo": f"{API_VERSION} build:1 (sms-gateway-emulator {__version__})"}


def list_all_status_codes(call: Call) -> dict[str, Any]:
    return {**status(errors.OK), "StatusCodes": [
        {"StatusCode": code, "StatusInfo": info} for code, info in errors.STATUS_CODES.items()
    ]}
