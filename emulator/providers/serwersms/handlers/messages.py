"""Reading back: reports, view, delete, incoming messages, and ND/NDI injections."""

from __future__ import annotations

from ....core import phones, timefmt
from ....core.jsondata import Document, JsonObject
from ....core.messages import (
    CANCELLED,
    Message,
    Reply,
)
from .. import wire
from ..endpoint import Call, account_state, is_demo, split_action
from ..errors import INVALID_DATA, INVALID_ID, REQUIRED, ApiError
from ..models import NAME

MAX_REPORT_IDS = 500


def report_item(call: Call, message: Message, show_contact: bool) -> Document:
    item = wire.report_item(message, call.backend.network(message.recipient), call.backend.cost)
    if show_contact:
        item["contact"] = contact_view(call, message.recipient)
    return item


def contact_view(call: Call, phone: str) -> Document | None:
    contact = next((c for c in account_state(call).contacts.values() if c.phone == phone), None)
    return None if contact is None else wire.contact_item(contact)


def _account_messages(call: Call) -> list[Message]:
    return [
        m
        for m in call.ctx.gateway.store.for_account(NAME, call.account.username)
        if m.status != CANCELLED
    ]


def _find(call: Call) -> list[Message]:
    """Messages named by ``id`` and/or ``unique_id`` (each a value or a list)."""
    ids = set(wire.strings(call.params.get("id")))
    unique_ids = set(wire.strings(call.params.get("unique_id")))
    return [m for m in _account_messages(call) if m.id in ids or (m.ref in unique_ids)]


def reports(call: Call) -> Document:
    if is_demo(call):
        examples = _filter_demo(call, list(call.backend.demo["messages"]))
        shown, paging = wire.paging(wire.ordered(examples, call.params), call.params)
        return {"paging": paging, "items": shown}
    ids = set(wire.strings(call.params.get("id")))
    if len(ids) > MAX_REPORT_IDS:
        raise ApiError(INVALID_DATA, f"{len(ids)} ids; at most {MAX_REPORT_IDS}")
    unique_ids = set(wire.strings(call.params.get("unique_id")))
    numbers = {phones.polish(p) or p for p in wire.strings(call.params.get("phone"))}
    status = wire.text(call.params.get("status")).strip()
    type_ = wire.text(call.params.get("type")).strip()
    stat_id = wire.integer(call.params.get("stat_id"))
    since = timefmt.parse_local_datetime(wire.text(call.params.get("date_from")))
    until = timefmt.parse_local_datetime(wire.text(call.params.get("date_to")))
    rows = []
    for m in _account_messages(call):
        wire_state = wire.wire_status(m)
        if (ids and m.id not in ids) or (unique_ids and m.ref not in unique_ids):
            continue
        if numbers and m.recipient not in numbers:
            continue
        if status and not (
            wire_state == status or (status == "pending" and wire_state in wire.PENDING)
        ):
            continue
        if type_ and m.batch.options.get("type") != type_:
            continue
        if stat_id is not None and m.batch.id != stat_id:
            continue
        if (since is not None and m.created < since) or (until is not None and m.created > until):
            continue
        rows.append(m)
    page, paging = wire.paging(wire.ordered(rows, call.params), call.params)
    show_contact = wire.flag(call.params.get("show_contact"))
    return {"paging": paging, "items": [report_item(call, m, show_contact) for m in page]}


def _filter_demo(call: Call, rows: list[JsonObject]) -> list[Document]:
    ids = set(wire.strings(call.params.get("id")))
    numbers = {phones.polish(p) or p for p in wire.strings(call.params.get("phone"))}
    status = wire.text(call.params.get("status")).strip()
    return [
        r
        for r in rows
        if (not ids or r["id"] in ids)
        and (not numbers or r["phone"] in numbers)
        and (not status or r["status"] == status)
    ]


def view(call: Call) -> Document:
    if not wire.given(call.params.get("id")) and not wire.given(call.params.get("unique_id")):
        raise ApiError(REQUIRED, "missing required parameter 'id' (or unique_id)")
    if is_demo(call):
        documented = _filter_demo(call, list(call.backend.demo["messages"]))
        if not documented:
            raise ApiError(INVALID_ID, "no such message")
        return documented[0]
    found = _find(call)
    if not found:
        raise ApiError(INVALID_ID, "no such message")
    return report_item(call, found[-1], wire.flag(call.params.get("show_contact")))


def delete(call: Call) -> Document:
    """Remove scheduled messages; a message already on its way cannot be deleted."""
    wanted = len(set(wire.strings(call.params.get("id")))) + len(
        set(wire.strings(call.params.get("unique_id")))
    )
    if not wanted:
        raise ApiError(REQUIRED, "missing required parameter 'id' (or unique_id)")
    found = [] if is_demo(call) else _find(call)
    correct = sum(1 for m in found if call.ctx.gateway.cancel(m))
    failed = max(wanted, len(found)) - correct
    return {"success": correct > 0, "correct": correct, "failed": failed}


# -- incoming ------------------------------------------------------------------------------------


def reply_item(call: Call, reply: Reply, date_key: str, show_contact: bool) -> Document:
    item: Document = {
        "id": reply.id,
        "type": reply.type,
        "phone": reply.phone,
        date_key: wire.date(reply.received),
    }
    if reply.type == "eco":
        item["message_id"] = reply.message_id
    item["blacklist"] = reply.phone in account_state(call).blacklist
    item["text"] = reply.text
    if reply.to_number:
        item["to_number"] = reply.to_number
    if reply.type == "mms":
        item["title"] = reply.extra.get("title", "")
        item["attachments"] = reply.extra.get("attachments", [])
    if show_contact:
        item["contact"] = contact_view(call, reply.phone)
    return item


def received(call: Call) -> Document:
    """``messages/recived`` (and the newer spelling ``messages/received``, whose items carry
    ``received`` instead of ``recived``). As documented, the answer is ``{"items": [...]}``;
    ``page`` and ``limit`` select the page."""
    date_key = "received" if split_action(call.request.path)[0].endswith("received") else "recived"
    type_ = wire.text(call.params.get("type")).strip().lower()
    numbers = {phones.polish(p) or p for p in wire.strings(call.params.get("phone"))}
    ndi = (
        phones.polish(wire.text(call.params.get("ndi")))
        if wire.given(call.params.get("ndi"))
        else None
    )
    since = timefmt.parse_local_datetime(wire.text(call.params.get("date_from")))
    until = timefmt.parse_local_datetime(wire.text(call.params.get("date_to")))
    mark_read = wire.flag(call.params.get("read"))
    state = account_state(call)
    if is_demo(call):
        return {
            "items": [
                _demo_reply(r, date_key)
                for r in call.backend.demo["replies"]
                if (not type_ or r["type"] == type_) and (not numbers or r["phone"] in numbers)
            ]
        }
    rows_r: list[Reply] = []
    for reply in call.ctx.gateway.store.replies_for(NAME, call.account.username):
        if type_ and reply.type != type_ and not (type_ == "full" and reply.type == "2way"):
            continue
        if numbers and reply.phone not in numbers:
            continue
        if ndi and reply.to_number != ndi:
            continue
        if (since is not None and reply.received < since) or (
            until is not None and reply.received > until
        ):
            continue
        if mark_read and reply.id in state.read_replies:
            continue
        rows_r.append(reply)
    page_r, _ = wire.paging(wire.ordered(rows_r, call.params), call.params)
    if mark_read:
        state.read_replies.update(r.id for r in page_r)
    show_contact = wire.flag(call.params.get("show_contact"))
    return {"items": [reply_item(call, r, date_key, show_contact) for r in page_r]}


def _demo_reply(row: JsonObject, date_key: str) -> Document:
    """A documented demo reply, in its documented key order (date key as the path spells it)."""
    return {date_key if k == "recived" else k: v for k, v in row.items()}


def send_nd(call: Call) -> Document:
    """Send an SMS *to* the account's ND number: it arrives as an incoming message."""
    return _inbound(call, "nd")


def send_ndi(call: Call) -> Document:
    return _inbound(call, "ndi")


def _inbound(call: Call, type_: str) -> Document:
    if is_demo(call):
        return {"success": False}
    phone = phones.polish(wire.text(call.params.get("phone")))
    text = wire.text(call.params.get("text"))
    if phone is None or not text:
        raise ApiError(REQUIRED, "send_nd/send_ndi need phone (the sender) and text")
    to_number = None
    if type_ == "ndi":
        to_number = phones.polish(wire.text(call.params.get("ndi_number")))
        if to_number is None:
            raise ApiError(REQUIRED, "send_ndi needs ndi_number")
    call.ctx.gateway.add_reply(NAME, call.account.username, type_, phone, text, to_number=to_number)
    return {"success": True}
