"""Callbacks to the URLs set in an account's panel: delivery reports and incoming messages.

Each URL is a template. ``#TOKEN#`` placeholders are replaced by URL-encoded values; a URL
without any placeholder gets the parameters appended to its query string instead. Both the
Polish names of the SerwerSMS.pl panel and English aliases are understood:

delivery reports (on delivered and undelivered):
  #SMSID# #ID#              message id               smsid=
  #UNIQUEID# #USMSID#       your unique_id           usmsid=
  #STAN# #STATUS#           delivered | undelivered  stan=
  #NUMER# #PHONE#           recipient                numer=
  #DATA# #DATE#             report time, Central European time, YYYY-MM-DD HH:MM:SS   data=
  #PRZYCZYNA# #REASON#      reason (undelivered)     przyczyna=
  #TYP# #TYPE#              eco | full | voice | mms typ=

incoming messages (replies, ND/NDI, 2way, premium):
  #ID# #IDSMS#              incoming message id      id=
  #NUMER# #NUMEROD# #PHONE# sender                   numer=
  #NUMERDO# #TO#            number it was sent to    na_numer=
  #WIADOMOSC# #TEXT#        text                     wiadomosc=
  #DATA# #DATE#             time received            data=
  #TYP# #TYPE#              eco | nd | ndi | 2way | mms | pre   typ=
  #SMSID#                   the message replied to (ECO)        smsid=
  #LIMIT#                   replies still allowed (premium)     limit=
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit, urlunsplit

from ...callbacks import CallbackDispatcher
from ...core import events as ev
from ...core.events import Event, EventHub
from ...core.gateway import Gateway, Watcher
from ...core.messages import DELIVERED, UNDELIVERED, Batch, Message, Reply
from . import wire
from .models import NAME, SerwersmsBackend

_TOKEN = re.compile(r"#([A-Z_]+)#")
CALLBACK_URLS = {"phones/check": "url", "phones/lookup": "url"}
"""The actions whose request carries a callback URL, and the parameter that holds it."""
REPORTED = frozenset({DELIVERED, UNDELIVERED})


def fill_template(
    url: str, values: dict[str, str | None], query_names: dict[str, str] | None = None
) -> str:
    """Replace ``#TOKEN#`` placeholders; without any, append ``query_names`` as parameters."""
    if _TOKEN.search(url):
        return _TOKEN.sub(
            lambda m: (
                quote(values.get(m.group(1)) or "", safe="") if m.group(1) in values else m.group(0)
            ),
            url,
        )
    if not query_names:
        return url
    parts = urlsplit(url)
    extra = "&".join(
        f"{name}={quote(values.get(token) or '', safe='')}" for name, token in query_names.items()
    )
    query = f"{parts.query}&{extra}" if parts.query else extra
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


DLR_PARAMETERS = {
    "smsid": "SMSID",
    "usmsid": "UNIQUEID",
    "stan": "STAN",
    "numer": "NUMER",
    "data": "DATA",
    "przyczyna": "PRZYCZYNA",
    "typ": "TYP",
}
REPLY_PARAMETERS = {
    "id": "ID",
    "numer": "NUMER",
    "na_numer": "NUMERDO",
    "wiadomosc": "WIADOMOSC",
    "data": "DATA",
    "typ": "TYP",
    "smsid": "SMSID",
}


def dlr_values(
    message: Message, when: float, status: str, reason: str | None
) -> dict[str, str | None]:
    values = {
        "SMSID": message.id,
        "UNIQUEID": message.ref,
        "STAN": status,
        "NUMER": message.recipient,
        "DATA": wire.date(when),
        "PRZYCZYNA": reason,
        "TYP": message.batch.options.get("type"),
    }
    aliases = {
        "ID": "SMSID",
        "USMSID": "UNIQUEID",
        "STATUS": "STAN",
        "PHONE": "NUMER",
        "DATE": "DATA",
        "REASON": "PRZYCZYNA",
        "TYPE": "TYP",
    }
    values.update({alias: values[name] for alias, name in aliases.items()})
    return values


def reply_values(reply: Reply) -> dict[str, str | None]:
    values = {
        "ID": str(reply.id),
        "NUMER": reply.phone,
        "NUMERDO": reply.to_number,
        "WIADOMOSC": reply.text,
        "DATA": wire.date(reply.received),
        "TYP": reply.type,
        "SMSID": reply.message_id,
        "LIMIT": str(reply.extra.get("limit", "")) or None,
    }
    aliases = {
        "IDSMS": "ID",
        "NUMEROD": "NUMER",
        "PHONE": "NUMER",
        "TO": "NUMERDO",
        "TEXT": "WIADOMOSC",
        "DATE": "DATA",
        "TYPE": "TYP",
    }
    values.update({alias: values[name] for alias, name in aliases.items()})
    return values


def watch(
    gateway: Gateway, hub: EventHub, dispatcher: CallbackDispatcher, backend: SerwersmsBackend
) -> None:
    """Delivery reports of SerwerSMS messages → their account's dlr_url (asked at the time of
    each change, so a URL set after the send is used); incoming messages → the account's
    replies URL; a finished check of several numbers → the URL its request gave."""

    def dlr_url(account: str) -> str | None:
        return backend.callback_url(account, "dlr_url")

    def interested(batch: Batch) -> bool:
        return bool(dlr_url(batch.account))

    def wants(batch: Batch, status: str) -> bool:
        return status in REPORTED and bool(dlr_url(batch.account))

    def changed(message: Message, when: float, status: str, reason: str | None) -> None:
        url = dlr_url(message.batch.account)
        if url:
            dispatcher.submit(
                NAME,
                message.batch.account,
                "dlr",
                fill_template(url, dlr_values(message, when, status, reason), DLR_PARAMETERS),
                message_id=message.id,
                at=when,
            )

    def on_event(event: Event) -> None:
        if event.type == ev.LOOKUP_DONE:
            if event.data["provider"] == NAME and event.data["url"]:
                url = fill_template(
                    event.data["url"], {"ID": event.data["id"], "STAN": event.data["status"]}
                )
                dispatcher.submit(NAME, event.data["account"], "hlr", url, at=event.time)
        elif event.type == ev.REPLY_RECEIVED:
            reply: Reply = event.subject
            if reply.provider != NAME:
                return
            replies_url = backend.callback_url(reply.account, "replies_url")
            if replies_url:
                url = fill_template(replies_url, reply_values(reply), REPLY_PARAMETERS)
                dispatcher.submit(
                    NAME, reply.account, "reply", url, reply_id=reply.id, at=event.time
                )

    gateway.watch(NAME, Watcher(interested, wants, changed))
    hub.subscribe(on_event, (ev.LOOKUP_DONE, ev.REPLY_RECEIVED))
