"""How server2sms spells things on the wire: field values in, string values out."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal, InvalidOperation

from ...core import timefmt, values
from ...core.messages import BUFFERED, DELIVERED, UNDELIVERED, Message
from . import errors

_LEGACY_TIME = re.compile(r"\d{14}")
MAX_ORIGINATOR_DIGITS = 15
MAX_ALPHA_ORIGINATOR = 11


flag = values.boolean


def text(value: object) -> str:
    """A string field that a client may also send as a number (or null for "not given")."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return values.integral(value)
    return str(value)


def split_list(value: object) -> list[str]:
    """A JSON array, or one string separated by ``;`` (or ``,``), as non-empty strings."""
    if value is None:
        return []
    items = value if isinstance(value, list) else re.split(r"[;,]", text(value))
    return [entry for entry in (text(item).strip() for item in items) if entry]


def recipient_entries(value: object) -> list[tuple[str, str | None]]:
    """``["+41790000000", "+41790000001:HT763t"]`` or ``"+4179...;+4179...:12"`` →
    ``[(number, trn or None), ...]``."""
    entries: list[tuple[str, str | None]] = []
    for item in split_list(value):
        number, _, trn = item.partition(":")
        if number.strip():
            entries.append((number.strip(), trn.strip() or None))
    return entries


def deferred_time(value: object) -> float | None:
    """DeferredDeliveryTime: ISO 8601 (with ``Z``, an offset, or none = Central European time)
    or the legacy ``ddmmyyyyhhmmss`` in Central European time; "" means now.

    Raises ValueError when the value has neither form.
    """
    given = text(value).strip()
    if not given:
        return None
    if _LEGACY_TIME.fullmatch(given):
        moment = datetime.strptime(given, "%d%m%Y%H%M%S")
        return timefmt.from_central(moment)
    moment = datetime.fromisoformat(given)
    if moment.tzinfo is None:
        return timefmt.from_central(moment)
    return moment.timestamp()


def is_numeric_originator(originator: str) -> bool:
    digits = originator.replace(" ", "").removeprefix("+")
    return digits.isdigit() and digits.isascii()


def numeric_originator(originator: str) -> str | None:
    """A phone-number originator in ``+digits`` form, or None if it is not a valid one."""
    digits = originator.replace(" ", "").lstrip("+")
    if originator.replace(" ", "").startswith("00"):
        digits = digits[2:]
    if not digits.isdigit() or not 3 <= len(digits) <= MAX_ORIGINATOR_DIGITS:
        return None
    return "+" + digits


def alphanumeric_ok(originator: str) -> bool:
    return 1 <= len(originator) <= MAX_ALPHA_ORIGINATOR and originator.isprintable()


def credits_text(value: Decimal) -> str:
    """Credits as the gateway prints them: ``"567"``, ``"98.5"``."""
    return f"{value.normalize():f}"


def credits_value(value: object) -> Decimal | None:
    """A positive amount given as a string or a number; None when it is not one."""
    if isinstance(value, bool):
        return None
    try:
        amount = Decimal(text(value).strip())
    except (InvalidOperation, ValueError):
        return None
    if not amount.is_finite() or amount <= 0:
        return None
    return amount


DST_FOR_STATUS = {
    BUFFERED: errors.DST_BUFFERED,
    DELIVERED: errors.DST_DELIVERED,
    UNDELIVERED: errors.DST_NOT_DELIVERED,
}


def delivery_status(status: str) -> str:
    """The DST code of a message status (``-1``: not yet reported)."""
    return DST_FOR_STATUS.get(status, errors.DST_NOT_YET)


def delivery_notification(trn: str, message: Message) -> dict[str, str]:
    """One entry of InquireDeliveryNotifications."""
    dst = delivery_status(message.status)
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
        if dst in (errors.DST_BUFFERED, errors.DST_NOT_DELIVERED)
        else "",
    }
