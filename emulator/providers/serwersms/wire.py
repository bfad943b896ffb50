"""How SerwerSMS.pl clients send parameters, and how the gateway prints values.

The official clients disagree (see the spec's table): JSON bodies with real arrays or with
every value a string, form bodies with PHP-bracket arrays (``phone[0]=…``,
``messages[0][text]=…``), comma-separated lists, booleans spelled ``true``/``"1"``/``"on"``,
``null`` for "not given", and the query string. All of it ends up as one plain dict here.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import parse_qsl

from ...core import timefmt, values
from ...core.jsondata import Document, JsonObject
from ...core.messages import (
    BUFFERED,
    DELIVERED,
    QUEUED,
    SCHEDULED,
    SENT,
    UNDELIVERED,
    UNSENT,
    Message,
)
from ...httpio import BodyError, loads
from .errors import RECIPIENT_ERRORS
from .models import Contact, Sent

if TYPE_CHECKING:
    from _typeshed import SupportsRichComparison

T = TypeVar("T")
_BRACKETS = re.compile(r"\[([^\[\]]*)\]")


# -- bodies ----------------------------------------------------------------------------------


def _insert(target: JsonObject, name: str, value: str) -> None:
    """Put ``value`` at the PHP-style path ``name`` (``a[0][b]``, ``a[]``) inside ``target``;
    ``[]`` takes the next free index."""
    head, _, rest = name.partition("[")
    keys = [head, *_BRACKETS.findall("[" + rest)]
    node = target
    for i, key in enumerate(keys):
        if key == "":
            key = str(sum(1 for k in node if _index(k)))
        if i == len(keys) - 1:
            node[key] = value
            return
        child = node.get(key)
        if not isinstance(child, dict):
            child = node[key] = {}
        node = child


def _index(key: str) -> bool:
    """``"0"``, ``"12"``: an array index (ASCII digits only: ``"¹"`` is a digit to Python's
    ``isdigit`` but no number)."""
    return key.isascii() and key.isdigit()


def _dense(value: object) -> object:
    """Dicts whose keys are 0..n-1 (PHP arrays) become lists, recursively."""
    if isinstance(value, dict):
        value = {k: _dense(v) for k, v in value.items()}
        keys = list(value)
        if keys and all(_index(k) for k in keys):
            ordered = sorted(keys, key=int)
            return [value[k] for k in ordered]
        return value
    if isinstance(value, list):
        return [_dense(v) for v in value]
    return value


def form_params(text: str) -> Document:
    """``phone[0]=500&phone[1]=600&messages[0][text]=x`` → nested dicts and lists."""
    flat: JsonObject = {}
    for name, value in parse_qsl(text, keep_blank_values=True, max_num_fields=None):
        if "[" in name and name.endswith("]"):
            _insert(flat, name, value)
        else:
            flat[name] = value
    return {k: _dense(v) for k, v in flat.items()}


# -- values ----------------------------------------------------------------------------------


given = values.given
flag = values.boolean


class Upload(str):
    """A file sent in a multipart body, as the base64 text the JSON clients send instead
    (so one schema and one handler serve both), with the file's own name kept beside it."""

    filename: str

    def __new__(cls, content: bytes, filename: str | None) -> Upload:
        upload = super().__new__(cls, base64.b64encode(content).decode("ascii"))
        upload.filename = filename or ""
        return upload


def text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return values.integral(value)
    if isinstance(value, list | dict):
        return ""
    return str(value)


def items(value: object) -> list[Any]:  # Any: whatever the client put in the list
    """A list parameter: a JSON array, a PHP-bracket array, a JSON-encoded string of an array,
    or a comma-separated string."""
    if not given(value):
        return []
    if isinstance(value, list):
        return [v for v in value if given(v)]
    if isinstance(value, dict):
        return [v for v in value.values() if given(v)]
    if isinstance(value, str):
        stripped = value.strip()
        if stripped.startswith("[") and stripped.endswith("]"):
            try:
                decoded = loads(stripped)
            except BodyError:
                decoded = None
            if isinstance(decoded, list):
                return [v for v in decoded if given(v)]
        return [part.strip() for part in value.split(",") if part.strip()]
    return [value]


def strings(value: object) -> list[str]:
    out = []
    for v in items(value):
        item = (v if type(v) is str else text(v)).strip()
        if item:
            out.append(item)
    return out


def integer(value: object) -> int | None:
    if isinstance(value, bool) or not given(value):
        return None
    return values.whole_number(str(value))


def integers(value: object) -> list[int]:
    return [n for n in (integer(v) for v in items(value)) if n is not None]


def date(ts: float | None) -> str | None:
    return None if ts is None else timefmt.local_datetime(ts)


def paging(
    rows: list[T], params: JsonObject, default_limit: int = 50
) -> tuple[list[T], dict[str, int]]:
    """The page of ``rows`` that ``page`` (1-based) and ``limit`` ask for, and the paging
    block: current page and number of pages."""
    limit = integer(params.get("limit")) or default_limit
    limit = max(1, min(limit, 10_000))
    page = max(1, integer(params.get("page")) or 1)
    count = max(1, -(-len(rows) // limit))
    start = (page - 1) * limit
    return rows[start : start + limit], {"page": page, "count": count}


def ordered(
    rows: Iterable[T], params: JsonObject, key: Callable[[T], SupportsRichComparison] | None = None
) -> list[T]:
    rows = list(rows)
    if key is not None:
        rows.sort(key=key)
    if text(params.get("order")).lower() == "desc":
        rows.reverse()
    return rows


# -- messages --------------------------------------------------------------------------------

WIRE_STATUS = {
    SCHEDULED: "saved",
    QUEUED: "in_progress",
    SENT: "sent",
    BUFFERED: "sent",
    DELIVERED: "delivered",
    UNDELIVERED: "undelivered",
    UNSENT: "unsent",
}
PENDING = frozenset({"in_progress", "sent"})


def wire_status(message: Message) -> str:
    return WIRE_STATUS.get(message.status, message.status)


def report_item(
    message: Message, network: dict[str, str | None], cost: Callable[[str, int], float]
) -> Document:
    """A message as ``messages/reports`` and ``messages/view`` show it."""
    options = message.batch.options
    type_ = str(options.get("type", "eco"))
    status = wire_status(message)
    final = message.time_of(DELIVERED) or message.time_of(UNDELIVERED) or message.time_of(UNSENT)
    item: Document = {
        "id": message.id,
        "phone": message.recipient,
        "status": status,
        "queued": date(message.created),
        "sent": date(message.time_of(SENT)),
        "delivered": date(final),
        "sender": message.batch.sender,
        "type": type_,
        "text": message.text,
        "flash": bool(options.get("flash")),
        "utf": bool(options.get("utf")),
        "parts": message.parts,
        "cost": cost(type_, message.parts) if status != "unsent" else 0.0,
        "method": "api",
        "mnc": network["mnc"],
        "country": network["country"],
        "network": network["network"],
        "reason": message.reason if status in ("undelivered", "unsent") else None,
    }
    attachments = options.get("attachments")
    if attachments:
        item["attachments"] = [{"id": f} for f in attachments]
    return item


def send_item(sent: Sent, queued: str | None) -> Document:
    """One recipient of a send, as ``details=1`` shows it."""
    item: Document = {"id": sent.id, "phone": sent.phone or sent.entry.raw}
    if sent.reason is None:
        item.update(status="queued", queued=queued, parts=sent.info.parts, text=sent.entry.text)
    else:
        code, message = RECIPIENT_ERRORS[sent.reason]
        item.update(
            status="unsent",
            error_code=code,
            error_message=message,
            parts=sent.info.parts,
            text=sent.entry.text,
        )
    return item


def contact_item(contact: Contact) -> Document:
    return {
        "id": contact.id,
        "first_name": contact.first_name,
        "last_name": contact.last_name,
        "company": contact.company,
        "phone": contact.phone,
        "email": contact.email,
        "tax_id": contact.tax_id,
        "city": contact.city,
        "address": contact.address,
        "description": contact.description,
    }
