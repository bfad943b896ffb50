"""account/*, stats/index and error/{code}."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from ....core.jsondata import Document
from ....core.messages import CANCELLED, Batch
from .. import wire
from ..endpoint import Call, account_state, is_demo
from ..errors import ACCOUNT_LOGIN_TAKEN, ERRORS, INVALID_ERROR_CODE, ApiError, error_body
from ..models import NAME

LIMIT_TYPES = ("eco", "full", "voice", "mms", "lookup", "hlr")


def add(call: Call) -> Document:
    if is_demo(call):
        # 4312 is what the official clients' tests get from the demo account
        raise ApiError(ACCOUNT_LOGIN_TAKEN, "the demo account cannot register accounts")
    account_state(call).registered.append(
        {
            k: wire.text(call.params.get(k))
            for k in ("phone", "email", "first_name", "last_name", "company")
        }
    )
    return {"success": True}


def limit_value(value: Decimal | None) -> str:
    return "no_limit" if value is None else f"{value.normalize():f}"


def limits(call: Call) -> Document:
    chars = call.backend.reference["chars_limits"]
    left = account_state(call).limits
    items = [
        {
            "type": t,
            "chars_limit": chars[t],
            "value": limit_value(left[t]) if t in left else "not_available",
        }
        for t in LIMIT_TYPES
    ]
    answer: Document = {}
    if wire.flag(call.params.get("show_type")):
        answer["account"] = {"type": "prepaid"}
    answer["items"] = items
    return answer


def help_(call: Call) -> Document:
    info = dict(call.backend.reference["help"])
    info["account_maintainer"] = call.backend.maintainer(call.account)
    return info


def messages(call: Call) -> Document:
    return {"items": call.backend.reference["account_messages"]}


def stats(call: Call) -> Document:
    """One line per send (its id is the ``stat_id`` filter of reports)."""
    type_ = wire.text(call.params.get("type")).strip()
    begin = wire.text(call.params.get("begin")).strip()[:10]
    end = wire.text(call.params.get("end")).strip()[:10]
    sends: dict[int, tuple[Batch, str, Counter[str]]] = {}
    for message in call.ctx.gateway.store.for_account(NAME, call.account.username):
        if message.status == CANCELLED:
            continue
        batch = message.batch
        entry = sends.get(batch.id)
        if entry is None:
            entry = sends[batch.id] = (batch, message.text, Counter())
        status = wire.wire_status(message)
        entry[2]["pending" if status in wire.PENDING or status == "saved" else status] += 1
    items = []
    for batch, text, tally in sends.values():
        when = wire.date(batch.created) or ""
        if (
            (type_ and batch.options.get("type") != type_)
            or (begin and when[:10] < begin)
            or (end and when[:10] > end)
        ):
            continue
        items.append(
            {
                "id": batch.id,
                "name": f"API {when}",
                "delivered": tally["delivered"],
                "pending": tally["pending"],
                "undelivered": tally["undelivered"],
                "unsent": tally["unsent"],
                "begin": when,
                "end": when,
                "text": text,
                "type": batch.options.get("type"),
            }
        )
    page, paging = wire.paging(items, call.params)
    return {"paging": paging, "items": page}


def error_view(call: Call) -> Document:
    code = wire.integer(call.params.get("code"))
    if code is None or code not in ERRORS:
        return error_body(INVALID_ERROR_CODE)
    return error_body(code)
