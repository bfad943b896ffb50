"""Sending: send_sms, send_personalized, send_voice, send_mms — one path for all four.

What is read here, in the order the gateway checks it: recipients (numbers, groups, contacts; at
most 100,000, or 10,000 personalized messages), the text, the start date, ``unique_id`` (one per
recipient, 3–50 letters and digits). What is accepted, charged and stored is service.py's.
"""

from __future__ import annotations

import re

from ....core import timefmt
from ....core.jsondata import Document
from .. import service, wire
from ..endpoint import Call, account_state
from ..errors import (
    FILE_MISSING,
    INVALID_DATA,
    INVALID_SEND_FILE,
    MESSAGE_TOO_LONG,
    REQUIRED,
    TOO_MANY_MESSAGES,
    UNIQUE_ID_CHARACTERS,
    UNIQUE_ID_COUNT,
    UNIQUE_ID_REPEATED,
    ApiError,
)
from ..models import Entry, Send

MAX_NUMBERS = 100_000
MAX_PERSONALIZED = 10_000
MAX_TITLE = 40
UNIQUE_ID = re.compile(r"[a-zA-Z0-9]{3,50}")


def _recipients(call: Call) -> list[str]:
    numbers = wire.strings(call.params.get("phone"))
    state = None
    for group_id in wire.integers(call.params.get("group_id")):
        state = state or account_state(call)
        numbers += [c.phone for c in state.contacts.values() if group_id in c.groups]
    for contact_id in wire.integers(call.params.get("contact_id")):
        state = state or account_state(call)
        contact = state.contacts.get(contact_id)
        if contact is not None:
            numbers.append(contact.phone)
    return numbers


def _personalized(call: Call) -> list[tuple[str, str]]:
    """``messages`` in each shape the clients send: a list of ``{phone, text}``, a PHP form
    array, a JSON string of either, or ``phone:text]|[phone:text`` (with the Python client's
    stray quotes and a trailing separator)."""
    value = call.params.get("messages")
    pairs: list[tuple[str, str]] = []
    if isinstance(value, str) and not value.lstrip().startswith(("[", "{")):
        for entry in value.split("]|["):
            phone, sep, text = entry.partition(":")
            phone = phone.strip(" \"'")
            if sep and phone:
                pairs.append((phone, text))
        return pairs
    for item in wire.items(value):
        if isinstance(item, dict) and wire.given(item.get("phone")):
            pairs.append((wire.text(item["phone"]).strip(), wire.text(item.get("text"))))
    return pairs


def _start_time(call: Call) -> float | None:
    value = wire.text(call.params.get("date")).strip()
    if not value:
        return None
    when = timefmt.parse_local_datetime(value)
    if when is None:
        raise ApiError(INVALID_DATA, f"date {value!r} is not YYYY-MM-DD HH:MM:SS")
    return when if when > call.ctx.now() else None


def _unique_ids(call: Call, count: int) -> list[str | None]:
    ids = wire.strings(call.params.get("unique_id"))
    if not ids:
        return [None] * count
    if len(ids) != count:
        raise ApiError(UNIQUE_ID_COUNT, f"{len(ids)} unique_id for {count} recipients")
    bad = next((u for u in ids if not UNIQUE_ID.fullmatch(u)), None)
    if bad is not None:
        raise ApiError(UNIQUE_ID_CHARACTERS, f"unique_id {bad!r} is not 3-50 letters and digits")
    if len(set(ids)) != len(ids):
        repeated = next(u for u in ids if ids.count(u) > 1)
        raise ApiError(UNIQUE_ID_REPEATED, f"unique_id {repeated!r} is given more than once")
    return list(ids)


def _dispatch(
    call: Call,
    type_: str,
    sender: str,
    pairs: list[tuple[str, str]],
    *,
    kind: str = "sms",
    options: dict[str, object] | None = None,
) -> Document:
    """Parse what every send shares, hand the send to the rules, answer like the real API."""
    if not pairs:
        raise ApiError(REQUIRED, "no recipient: give phone, group_id or contact_id")
    start = _start_time(call)
    unique_ids = _unique_ids(call, len(pairs))
    send = Send(
        type_,
        sender,
        kind,
        tuple(
            Entry(raw, text, unique_id)
            for (raw, text), unique_id in zip(pairs, unique_ids, strict=True)
        ),
        utf=wire.flag(call.params.get("utf")),
        start=start,
        dry=wire.flag(call.params.get("test")),
        options={
            "flash": wire.flag(call.params.get("flash")),
            "speed": wire.flag(call.params.get("speed")),
            **(options or {}),
        },
    )
    results = service.dispatch(call, send)
    queued = sum(1 for sent in results if sent.reason is None)
    answer: Document = {"success": True, "queued": queued, "unsent": len(results) - queued}
    if wire.flag(call.params.get("details")):
        now = wire.date(call.ctx.now())
        answer["items"] = [wire.send_item(sent, sent.queued or now) for sent in results]
    return answer


# -- the actions ---------------------------------------------------------------------------------


def _sender(call: Call) -> tuple[str, str]:
    sender = wire.text(call.params.get("sender")).strip()
    return ("full" if sender else "eco"), sender


def _numbers(call: Call) -> list[str]:
    numbers = _recipients(call)
    if len(numbers) > MAX_NUMBERS:
        raise ApiError(TOO_MANY_MESSAGES, f"{len(numbers)} numbers; at most {MAX_NUMBERS}")
    return numbers


def send_sms(call: Call) -> Document:
    numbers = _numbers(call)
    text = wire.text(call.params.get("text"))
    if not text:
        raise ApiError(REQUIRED, "missing required parameter 'text'")
    type_, sender = _sender(call)
    return _dispatch(
        call,
        type_,
        sender,
        [(n, text) for n in numbers],
        options={
            "vcard": wire.flag(call.params.get("vcard")),
            "wap_push": wire.text(call.params.get("wap_push")),
        },
    )


def send_personalized(call: Call) -> Document:
    pairs = _personalized(call)
    group_text = wire.text(call.params.get("text"))
    if group_text:
        pairs += [(n, group_text) for n in _recipients(call)]
    if len(pairs) > MAX_PERSONALIZED:
        raise ApiError(
            TOO_MANY_MESSAGES, f"{len(pairs)} personalized messages; at most {MAX_PERSONALIZED}"
        )
    if not pairs:
        raise ApiError(REQUIRED, "missing required parameter 'messages'")
    type_, sender = _sender(call)
    if wire.flag(call.params.get("voice")):
        type_ = "voice"
    return _dispatch(call, type_, sender, pairs, kind="personalized")


def send_voice(call: Call) -> Document:
    numbers = _numbers(call)
    text = wire.text(call.params.get("text"))
    file_id = wire.text(call.params.get("file_id")).strip()
    if not text and not file_id:
        raise ApiError(REQUIRED, "send_voice needs text or file_id")
    if file_id and file_id not in account_state(call).files:
        raise ApiError(FILE_MISSING, f"no voice file {file_id!r}")
    return _dispatch(
        call,
        "voice",
        "",
        [(n, text or f"[voice file {file_id}]") for n in numbers],
        kind="voice",
        options={"file_id": file_id or None},
    )


def send_mms(call: Call) -> Document:
    numbers = _numbers(call)
    title = wire.text(call.params.get("title"))
    if not title:
        raise ApiError(REQUIRED, "missing required parameter 'title'")
    if len(title) > MAX_TITLE:
        raise ApiError(
            MESSAGE_TOO_LONG, f"the title has {len(title)} characters; at most {MAX_TITLE}"
        )
    file_ids = wire.strings(call.params.get("file_id"))
    files = [f for f in wire.items(call.params.get("file")) if f]
    if not file_ids and not files:
        raise ApiError(INVALID_SEND_FILE, "send_mms needs file_id or file")
    unknown = [f for f in file_ids if f not in account_state(call).files]
    if unknown:
        raise ApiError(FILE_MISSING, f"no MMS file {unknown[0]!r}")
    return _dispatch(
        call,
        "mms",
        "",
        [(n, title) for n in numbers],
        kind="mms",
        options={"attachments": file_ids, "inline_files": len(files)},
    )
