"""Sending: send_sms, send_personalized, send_voice, send_mms — one path for all four.

Rules, in the order the gateway applies them: recipients (numbers, groups, contacts; at most
100,000, or 10,000 personalized messages), the text's length (at most 6 parts), ``unique_id``
(one per recipient, 3–50 letters and digits), the account's limit for the message type; then
per recipient: a number that cannot be read, a foreign number on ECO, a blacklisted number or an
unauthorized sender name makes that recipient ``unsent``. ``test=1`` and the demo account answer
the same and store nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ....core import gsm, phones, timefmt
from ....memory import long_lived
from .. import wire
from ..errors import (
    ERRORS,
    INVALID_DATA,
    INVALID_TITLE,
    INVALID_UNIQUE_ID,
    MESSAGE_TOO_LONG,
    MISSING_FILE,
    RECIPIENT_ERRORS,
    REQUIRED,
    TOO_MANY_MESSAGES,
    TOO_MANY_NUMBERS,
    ApiError,
)
from . import PROVIDER, Call

MAX_NUMBERS = 100_000
MAX_PERSONALIZED = 10_000
MAX_PARTS = 6
MAX_VOICE_CHARS = 160
MAX_TITLE = 40
UNIQUE_ID = re.compile(r"[a-zA-Z0-9]{3,50}")
TWO_WAY = "2waySMS"

# Limit codes per message type: (exhausted, no permission).
LIMIT_ERRORS = {"eco": (3000, 3001), "full": (3002, 3003), "mms": (3004, 3005),
                "voice": (3006, 3007)}


@dataclass(slots=True)
class Entry:
    """One recipient of a send: what the client gave, and what the gateway makes of it."""

    raw: str
    text: str
    phone: str | None = None
    reason: str | None = None
    info: gsm.TextInfo | None = None


def _recipients(call: Call) -> list[str]:
    numbers = wire.strings(call.get("phone"))
    state = None
    for group_id in wire.integers(call.get("group_id")):
        state = state or call.state
        numbers += [c.phone for c in state.contacts.values() if group_id in c.groups]
    for contact_id in wire.integers(call.get("contact_id")):
        state = state or call.state
        contact = state.contacts.get(contact_id)
        if contact is not None:
            numbers.append(contact.phone)
    return numbers


def _personalized(call: Call) -> list[tuple[str, str]]:
    """``messages`` in each shape the clients send: a list of ``{phone, text}``, a PHP form
    array, a JSON string of either, or ``phone:text]|[phone:text`` (with the Python client's
    stray quotes and a trailing separator)."""
    value = call.get("messages")
    pairs: list[tuple[str, str]] = []
    if isinstance(value, str) and not value.lstrip().startswith(("[", "{")):
        for entry in value.split("]|["):
            phone, sep, text = entry.partition(":")
            phone = phone.strip(' "\'')
            if sep and phone:
                pairs.append((phone, text))
        return pairs
    for item in wire.items(value):
        if isinstance(item, dict) and wire.given(item.get("phone")):
            pairs.append((wire.text(item["phone"]).strip(), wire.text(item.get("text"))))
    return pairs


def _start_time(call: Call) -> float | None:
    value = wire.text(call.get("date")).strip()
    if not value:
        return None
    when = timefmt.parse_local_datetime(value)
    if when is None:
        raise ApiError(INVALID_DATA, f"date {value!r} is not YYYY-MM-DD HH:MM:SS")
    return when if when > call.ctx.now() else None


def _unique_ids(call: Call, count: int) -> list[str | None]:
    ids = wire.strings(call.get("unique_id"))
    if not ids:
        return [None] * count
    if len(ids) != count:
        raise ApiError(INVALID_UNIQUE_ID, f"{len(ids)} unique_id for {count} recipients")
    bad = next((u for u in ids if not UNIQUE_ID.fullmatch(u)), None)
    if bad is not None:
        raise ApiError(INVALID_UNIQUE_ID, f"unique_id {bad!r} is not 3-50 letters and digits")
    return list(ids)


def _analyse(type_: str, text: str, utf: bool) -> gsm.TextInfo:
    if type_ == "full" and utf:
        return gsm.analyse(text, unicode=True)
    if type_ in ("voice", "mms"):
        return gsm.TextInfo(text, gsm.UCS2 if not gsm.is_gsm(text) else gsm.GSM7, len(text), 1)
    return gsm.analyse(gsm.transliterate(text), unicode=False)


def _sender_allowed(call: Call, sender: str) -> bool:
    """Alphanumeric names must be registered and authorized when the account lists its
    senders; numbers (4 or 9 digits) and ``2waySMS`` are always fine."""
    if not sender or sender == TWO_WAY or sender.isdigit():
        return True
    if "senders" not in call.account.options:
        return True
    entry = call.state.senders.get(sender)
    return entry is not None and entry.status == "authorized"


def _check_limit(call: Call, type_: str, amount: int) -> None:
    exhausted, forbidden = LIMIT_ERRORS[type_]
    limits = call.account.limits
    if type_ not in limits:
        raise ApiError(forbidden, f"the account may not send {type_} messages")
    left = limits[type_]
    if left is not None and left < amount:
        raise ApiError(exhausted, f"{amount} {type_} messages needed, {left} left")


def dispatch(call: Call, type_: str, sender: str, entries: list[Entry], *,
             kind: str = "sms", options: dict[str, Any] | None = None) -> dict[str, Any]:
    """Validate, charge and hand a send to the gateway; answer like the real API."""
    if not entries:
        raise ApiError(REQUIRED, "no recipient: give phone, group_id or contact_id")
    utf = wire.flag(call.get("utf"))
    start = _start_time(call)
    unique_ids = _unique_ids(call, len(entries))
    infos: dict[str, gsm.TextInfo] = {}
    for entry in entries:
        info = infos.get(entry.text)
        if info is None:
            info = infos[entry.text] = _analyse(type_, entry.text, utf)
            if info.parts > MAX_PARTS or (type_ == "voice" and len(entry.text) > MAX_VOICE_CHARS):
                raise ApiError(MESSAGE_TOO_LONG, f"{info.parts} parts; at most {MAX_PARTS}")
        entry.info = info
    _classify(call, type_, sender, entries)
    accepted = [e for e in entries if e.reason is None]
    cost = sum(e.info.parts for e in accepted if e.info is not None)  # every entry has one
    if accepted:
        _check_limit(call, type_, cost)
    dry = call.demo or wire.flag(call.get("test"))
    gateway = call.ctx.gateway
    decisions = []
    for entry in accepted:
        decision = gateway.decide(PROVIDER, call.account.username, entry.phone or entry.raw,
                                  entry.text)
        if decision.reject is not None:
            code = wire.integer(decision.reject.get("code")) or INVALID_DATA
            raise ApiError(code if code in ERRORS else INVALID_DATA,
                           f"scenario rule {decision.rule} rejects {entry.raw}")
        decisions.append(decision)
    if not dry and accepted and call.account.limits.get(type_) is not None:
        call.account.limits[type_] -= Decimal(cost)  # type: ignore[operator]
    details = wire.flag(call.get("details"))
    with long_lived(len(entries)):
        items = _store(call, type_, sender, kind, entries, unique_ids, decisions, start, dry,
                       options or {}, details)
    answer: dict[str, Any] = {"success": True, "queued": len(accepted),
                              "unsent": len(entries) - len(accepted)}
    if details:
        answer["items"] = items
    return answer


def _classify(call: Call, type_: str, sender: str, entries: list[Entry]) -> None:
    blacklist = call.state.blacklist if not call.demo else {}
    sender_ok = _sender_allowed(call, sender)
    for entry in entries:
        entry.phone = phones.polish(entry.raw)
        if entry.phone is None:
            entry.reason = "wrong_number"
        elif type_ == "eco" and not entry.phone.startswith("+48"):
            entry.reason = "sending_to_foreign_networks_is_locked"
        elif entry.phone in blacklist:
            entry.reason = "number_is_blacklisted"
        elif not sender_ok:
            entry.reason = "wrong_sender_name"


def _store(call: Call, type_: str, sender: str, kind: str, entries: list[Entry],
           unique_ids: list[str | None], decisions: list[Any], start: float | None, dry: bool,
           options: dict[str, Any], details: bool) -> list[dict[str, Any]]:
    """Hand the messages to the gateway (unless dry) and describe each one if asked to."""
    gateway = call.ctx.gateway
    now = call.ctx.now()
    queued = wire.date(now) if details else None
    batch = None if dry else gateway.new_batch(
        PROVIDER, call.account.username, kind, sender, call.request,
        {"type": type_, "flash": wire.flag(call.get("flash")),
         "utf": type_ == "full" and wire.flag(call.get("utf")),
         "speed": wire.flag(call.get("speed")), **options})
    demo_ids = _demo_answers(call) if call.demo else {}
    decided = iter(decisions)
    items: list[dict[str, Any]] = []
    for entry, unique_id in zip(entries, unique_ids, strict=True):
        info = entry.info
        assert info is not None
        phone = entry.phone or entry.raw
        if entry.reason is None:
            decision = next(decided)
            if batch is None:
                message_id, when = demo_ids.get((phone, entry.text),
                                                (gateway.ids.next()[1], queued))
            else:
                message_id = gateway.add_message(
                    batch, phone, entry.text, info.parts, info.encoding, unique_id,
                    start=start, outcome=decision.outcome, delay=decision.delay, now=now).id
                when = queued
            if details:
                items.append({"id": message_id, "phone": phone, "status": "queued",
                              "queued": when, "parts": info.parts, "text": entry.text})
        else:
            code, text = RECIPIENT_ERRORS[entry.reason]
            message_id = gateway.ids.next()[1] if batch is None else gateway.reject(
                batch, phone, entry.text, info.parts, info.encoding, entry.reason, unique_id).id
            if details:
                items.append({"id": message_id, "phone": phone, "status": "unsent",
                              "error_code": code, "error_message": text, "parts": info.parts,
                              "text": entry.text})
    return items


def _demo_answers(call: Call) -> dict[tuple[str, str], tuple[str, str]]:
    """The demo account answers the documented example sends with the documented ids."""
    return {(m["phone"], m["text"]): (m["id"], m["queued"])
            for m in call.backend.demo["messages"]}


# -- the actions ---------------------------------------------------------------------------------


def _sender(call: Call) -> tuple[str, str]:
    sender = wire.text(call.get("sender")).strip()
    return ("full" if sender else "eco"), sender


def _numbers(call: Call) -> list[str]:
    numbers = _recipients(call)
    if len(numbers) > MAX_NUMBERS:
        raise ApiError(TOO_MANY_NUMBERS, f"{len(numbers)} numbers; at most {MAX_NUMBERS}")
    return numbers


def send_sms(call: Call) -> dict[str, Any]:
    numbers = _numbers(call)
    text = wire.text(call.get("text"))
    if not text:
        raise ApiError(REQUIRED, "missing required parameter 'text'")
    type_, sender = _sender(call)
    return dispatch(call, type_, sender, [Entry(n, text) for n in numbers], options={
        "vcard": wire.flag(call.get("vcard")), "wap_push": wire.text(call.get("wap_push"))})


def send_personalized(call: Call) -> dict[str, Any]:
    pairs = _personalized(call)
    group_text = wire.text(call.get("text"))
    if group_text:
        pairs += [(n, group_text) for n in _recipients(call)]
    if len(pairs) > MAX_PERSONALIZED:
        raise ApiError(TOO_MANY_MESSAGES, f"{len(pairs)} messages")
    if not pairs:
        raise ApiError(REQUIRED, "missing required parameter 'messages'")
    type_, sender = _sender(call)
    if wire.flag(call.get("voice")):
        type_ = "voice"
    return dispatch(call, type_, sender, [Entry(p, t) for p, t in pairs],
                    kind="personalized")


def send_voice(call: Call) -> dict[str, Any]:
    numbers = _numbers(call)
    text = wire.text(call.get("text"))
    file_id = wire.text(call.get("file_id")).strip()
    if not text and not file_id:
        raise ApiError(REQUIRED, "send_voice needs text or file_id")
    if file_id and file_id not in call.state.files:
        raise ApiError(MISSING_FILE, f"no voice file {file_id!r}")
    return dispatch(call, "voice", "", [Entry(n, text or f"[voice file {file_id}]")
                                        for n in numbers],
                    kind="voice", options={"file_id": file_id or None})


def send_mms(call: Call) -> dict[str, Any]:
    numbers = _numbers(call)
    title = wire.text(call.get("title"))
    if not title:
        raise ApiError(REQUIRED, "missing required parameter 'title'")
    if len(title) > MAX_TITLE:
        raise ApiError(INVALID_TITLE, f"the title has {len(title)} characters")
    file_ids = wire.strings(call.get("file_id"))
    files = [f for f in wire.items(call.get("file")) if f]
    if not file_ids and not files:
        raise ApiError(MISSING_FILE, "send_mms needs file_id or file")
    unknown = [f for f in file_ids if f not in call.state.files]
    if unknown:
        raise ApiError(MISSING_FILE, f"no MMS file {unknown[0]!r}")
    return dispatch(call, "mms", "", [Entry(n, title) for n in numbers], kind="mms",
                    options={"attachments": file_ids, "inline_files": len(files)})

