"""The 14 server2sms methods: each parses its fields (emulator/providers/server2sms/wire.py),
calls the rules (models, service) and renders its answer; endpoint.py does the rest."""

from __future__ import annotations

from ... import __version__
from ...core import gsm, phones, timefmt, values
from . import errors, service, wire
from .endpoint import Answer, Call
from .errors import ApiError, status
from .models import DEFAULT_TOKEN_MASK, DEFAULT_TOKEN_VALIDITY_MINUTES, NAME
from .notifications import URL_FIELDS, url_is_valid

API_VERSION = "1.0"
UNLOCK_SENDER = "server2sms"
MAX_TOKEN_VALIDITY_MINUTES = 100 * 366 * 24 * 60  # a century: more is a client's mistake
MAX_VOUCHERS = 1000


# -- shared checks ---------------------------------------------------------------------------


def recipients(call: Call) -> service.Recipients:
    entries = tuple(wire.recipient_entries(call.params.get("Recipients")))
    if not entries:
        raise ApiError(errors.MISSING_RECIPIENT, "Recipients holds no phone number")
    return entries


def originator(call: Call, default: str = "") -> str:
    """The sender a message goes out with: alphanumeric (≤ 11) or an unlocked number."""
    raw = wire.text(call.params.get("Originator")).strip()
    if not raw:
        return default
    if wire.is_numeric_originator(raw):
        number = wire.numeric_originator(raw)
        if number is None:
            raise ApiError(errors.INVALID_ORIGINATOR, f"{raw!r} is not a valid phone number")
        if not call.backend.is_unlocked(call.account, number):
            raise ApiError(
                errors.ORIGINATOR_NOT_AUTHORIZED,
                f"numeric originator {number} is not unlocked for this account "
                "(SendOriginatorUnlockCode, then UnlockOriginator)",
            )
        return number
    if not wire.alphanumeric_ok(raw):
        raise ApiError(
            errors.INVALID_ORIGINATOR,
            f"alphanumeric originator {raw!r} is longer than 11 characters",
        )
    return raw


def notification_urls(call: Call) -> dict[str, str]:
    """Status → URL for the notification URLs given (each checked: http(s), ≤ 200 chars)."""
    urls: dict[str, str] = {}
    for field, (on_status, code) in URL_FIELDS.items():
        url = wire.text(call.params.get(field)).strip()
        if not url:
            continue
        if not url_is_valid(url):
            raise ApiError(code, f"{field} must be an http(s) URL of at most 200 characters")
        urls[on_status] = url
    return urls


def deferred(call: Call) -> float | None:
    value = call.params.get("DeferredDeliveryTime")
    try:
        return wire.deferred_time(value)
    except ValueError:
        raise ApiError(
            errors.INVALID_DEFERRED_TIME,
            f"DeferredDeliveryTime {value!r} is neither ISO 8601 nor ddmmyyyyhhmmss",
        ) from None


def batch_options(
    call: Call, urls: dict[str, str] | None = None, **extra: object
) -> dict[str, object]:
    """What the batch keeps of the request: the method, the notification URLs, and more."""
    return {"operation": call.operation, "urls": urls or {}, **extra}


def text_of(call: Call) -> gsm.TextInfo:
    return gsm.analyse(
        wire.text(call.params.get("MessageText")),
        force_gsm=wire.flag(call.params.get("ForceGSM7bit")),
    )


# -- the methods -----------------------------------------------------------------------------


def check_credits(call: Call) -> Answer:
    return {
        "Credits": wire.credits_text(call.backend.state(call.account).credits),
        **status(errors.OK),
    }


def send_text_sms(call: Call) -> Answer:
    entries = recipients(call)
    sender = originator(call)
    urls = notification_urls(call)
    start = deferred(call)
    options = batch_options(
        call,
        urls,
        flash=wire.flag(call.params.get("FlashingSMS")),
        affiliate_id=wire.text(call.params.get("AffiliateID")),
    )
    service.send(call, service.Send("sms", sender, entries, text_of(call), options, start))
    return status(errors.OK)


def send_simple_text_sms(call: Call) -> Answer:
    entries = recipients(call)
    sender = originator(call)
    service.send(call, service.Send("sms", sender, entries, text_of(call), batch_options(call)))
    return status(errors.OK)


def inquire_delivery_notifications(call: Call) -> Answer:
    trns = wire.split_list(call.params.get("TransactionReferenceNumbers"))
    if not trns:
        raise ApiError(errors.MISSING_TRN, "TransactionReferenceNumbers is empty")
    store = call.ctx.gateway.store
    found = []
    for trn in dict.fromkeys(trns):
        message = store.by_ref(NAME, call.account.username, trn)
        if message is not None:
            found.append(wire.delivery_notification(trn, message))
    return {**status(errors.OK), "DeliveryNotifications": found}


def _numeric_originator_field(call: Call) -> str:
    raw = wire.text(call.params.get("Originator")).strip()
    number = wire.numeric_originator(raw) if wire.is_numeric_originator(raw) else None
    if number is None:
        raise ApiError(errors.INVALID_ORIGINATOR, f"{raw!r} is not a phone number")
    return number


def send_originator_unlock_code(call: Call) -> Answer:
    number = _numeric_originator_field(call)
    if call.backend.is_unlocked(call.account, number):
        raise ApiError(errors.ORIGINATOR_AUTHORIZED, f"{number} is already unlocked")
    code = call.backend.new_unlock_code(call.account, number)
    text = gsm.analyse(f"Your server2sms originator unlock code: {code}")
    options = batch_options(call, unlock_code=code)
    service.send(
        call, service.Send("unlock", UNLOCK_SENDER, ((number, None),), text, options, cost=False)
    )
    return status(errors.OK)


def unlock_originator(call: Call) -> Answer:
    number = _numeric_originator_field(call)
    if call.backend.is_unlocked(call.account, number):
        raise ApiError(errors.ORIGINATOR_AUTHORIZED, f"{number} is already unlocked")
    code = wire.text(call.params.get("UnlockCode", call.params.get("OriginatorUnlockCode"))).strip()
    if not call.backend.unlock(call.account, number, code):
        raise ApiError(
            errors.ORIGINATOR_NOT_AUTHORIZED,
            f"{code!r} is not the unlock code last sent to {number}",
        )
    return status(errors.OK)


def check_originator_authorization(call: Call) -> Answer:
    raw = wire.text(call.params.get("Originator")).strip()
    if raw and not wire.is_numeric_originator(raw):
        if not wire.alphanumeric_ok(raw):
            raise ApiError(errors.INVALID_ORIGINATOR, f"{raw!r} is longer than 11 characters")
        return status(errors.NO_ORIGINATOR_RESTRICTIONS)
    number = _numeric_originator_field(call)
    if call.backend.is_unlocked(call.account, number):
        return status(errors.ORIGINATOR_AUTHORIZED)
    return status(errors.ORIGINATOR_NOT_AUTHORIZED)


def send_token_sms(call: Call) -> Answer:
    body = call.params
    entries = recipients(call)
    sender = originator(call, default=phones.international(entries[0][0]) or entries[0][0])
    urls = notification_urls(call)
    validity_text = wire.text(body.get("TokenValidity")).strip()
    validity = (
        values.whole_number(validity_text) if validity_text else DEFAULT_TOKEN_VALIDITY_MINUTES
    )
    if validity is None:
        raise ApiError(
            errors.INVALID_DATA,
            f"TokenValidity {validity_text[:40]!r} is not a whole number of minutes",
        )
    if not 0 < validity <= MAX_TOKEN_VALIDITY_MINUTES:
        raise ApiError(
            errors.INVALID_DATA,
            f"TokenValidity must be a number of minutes from 1 to {MAX_TOKEN_VALIDITY_MINUTES}",
        )
    code = wire.text(body.get("VerificationCode")).strip() or call.backend.token_code(
        wire.text(body.get("TokenMask")) or DEFAULT_TOKEN_MASK
    )
    template = wire.text(body.get("MessageData"))
    reference = wire.text(body.get("TokenReference")).strip()
    text = gsm.analyse(
        template.replace("<VERIFICATIONCODE>", code) if "<VERIFICATIONCODE>" in template else code
    )
    options = batch_options(call, urls, token_reference=reference)
    service.send_tokens(
        call,
        service.Send("token", sender, entries, text, options),
        code,
        reference,
        validity_minutes=validity,
        case_sensitive=wire.flag(body.get("TokenCaseSensitive")),
    )
    return status(errors.OK)


def verify_token(call: Call) -> Answer:
    body = call.params
    raw_phone = wire.text(body.get("PhoneNumber")).strip()
    call.backend.verify_token(
        call.account,
        phones.international(raw_phone) or raw_phone,
        wire.text(body.get("TokenReference")).strip(),
        wire.text(body.get("VerificationCode")).strip(),
        call.ctx.now(),
    )
    return status(errors.OK)


def create_voucher(call: Call) -> Answer:
    number_text = wire.text(call.params.get("NumberOfVouchers")).strip()
    if not number_text.isdigit() or not 1 <= int(number_text) <= MAX_VOUCHERS:
        raise ApiError(errors.INVALID_DATA, f"NumberOfVouchers must be 1..{MAX_VOUCHERS}")
    amount = wire.credits_value(call.params.get("AmountCreditsPerVoucher"))
    if amount is None:
        raise ApiError(errors.INVALID_DATA, "AmountCreditsPerVoucher must be a positive number")
    number = int(number_text)
    call.backend.charge(call.account, amount * number)
    made = call.backend.create_vouchers(
        call.account, number, amount, wire.text(call.params.get("Remarks")), call.ctx.now()
    )
    return {**status(errors.OK), "VoucherCodes": [v.code for v in made]}


def get_voucher_transactions(call: Call) -> Answer:
    lines = []
    for voucher in call.backend.transactions(call.account):
        own = voucher.creator == call.account.username
        lines.append(
            ";".join(
                (
                    voucher.code,
                    wire.credits_text(voucher.credits),
                    timefmt.iso_utc(voucher.created) if own else "",
                    timefmt.iso_utc(voucher.redeemed) if voucher.redeemed is not None else "",
                    voucher.remark if own else "",
                )
            )
        )
    return {**status(errors.OK), "vouchers": lines}


def redeem_voucher(call: Call) -> Answer:
    call.backend.redeem_voucher(
        call.account, wire.text(call.params.get("RedeemCode")).strip().upper(), call.ctx.now()
    )
    return status(errors.OK)


def version_info(call: Call) -> Answer:
    return {
        **status(errors.OK),
        "VersionInfo": f"{API_VERSION} build:1 (sms-gateway-emulator {__version__})",
    }


def list_all_status_codes(call: Call) -> Answer:
    return {
        **status(errors.OK),
        "StatusCodes": [
            {"StatusCode": code, "StatusInfo": info} for code, info in errors.STATUS_CODES.items()
        ],
    }
