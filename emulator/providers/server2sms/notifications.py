"""Delivery notifications: which URL a status change calls, with its tags filled in.

A URL with tags gets every tag replaced by its URL-encoded value. A URL without tags is the
documented "simple mode": the transaction reference number is appended to it.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

from ...callbacks import CallbackDispatcher
from ...core import timefmt
from ...core.gateway import Gateway, Watcher
from ...core.messages import BUFFERED, DELIVERED, UNDELIVERED, Batch, Message
from . import errors, wire
from .models import NAME

MAX_URL_LENGTH = 200

# Request field, the status that fires it, and the code for an invalid value.
URL_FIELDS = {
    "URLBufferedMessageNotification": (BUFFERED, errors.INVALID_URL_BUFFERED),
    "URLDeliveryNotification": (DELIVERED, errors.INVALID_URL_DELIVERY),
    "URLNonDeliveryNotification": (UNDELIVERED, errors.INVALID_URL_NON_DELIVERY),
}
CALLBACK_KIND = {
    BUFFERED: "buffered",
    DELIVERED: "delivery",
    UNDELIVERED: "non_delivery",
}
TAGS = ("RCPNT", "SCTSUTC", "DSCTSUTC", "SCTSCET", "DSCTSCET", "SCTS", "DSCTS", "RSN", "DST", "TRN")
_TAG = re.compile("<(" + "|".join(TAGS) + ")>", re.IGNORECASE)


def url_is_valid(url: str) -> bool:
    if len(url) > MAX_URL_LENGTH:
        return False
    parts = urlsplit(url)
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


def tag_values(message: Message, when: float, status: str, reason: str | None) -> dict[str, str]:
    submitted = message.created
    return {
        "RCPNT": message.recipient,
        "SCTSUTC": timefmt.iso_utc(submitted),
        "DSCTSUTC": timefmt.iso_utc(when),
        "SCTSCET": timefmt.iso_central(submitted),
        "DSCTSCET": timefmt.iso_central(when),
        "SCTS": timefmt.ddmmyyyyhhmmss(submitted),
        "DSCTS": timefmt.ddmmyyyyhhmmss(when),
        "RSN": reason or errors.REASON_DELIVERED,
        "DST": wire.delivery_status(status),
        "TRN": message.ref or "",
    }


def expand(url: str, values: dict[str, str]) -> str:
    if not _TAG.search(url):
        return url + quote(values["TRN"], safe="")
    return _TAG.sub(lambda m: quote(values[m.group(1).upper()], safe=":"), url)


def watch(gateway: Gateway, dispatcher: CallbackDispatcher) -> None:
    """Status changes of server2sms messages sent with a notification URL for that status →
    callbacks."""

    def interested(batch: Batch) -> bool:
        return bool(batch.options.get("urls"))

    def wants(batch: Batch, status: str) -> bool:
        urls = batch.options.get("urls")
        return urls is not None and status in urls

    def changed(message: Message, when: float, status: str, reason: str | None) -> None:
        batch = message.batch
        values = tag_values(message, when, status, reason)
        dispatcher.submit(
            NAME,
            batch.account,
            CALLBACK_KIND[status],
            expand(batch.options["urls"][status], values),
            message_id=message.id,
            at=when,
        )

    gateway.watch(NAME, Watcher(interested, wants, changed))
