"""senders/*, files/* and templates/*."""

from __future__ import annotations

import base64
import binascii
from urllib.parse import urlsplit

from ....core.jsondata import Document
from .. import wire
from ..endpoint import Call, account_state, by_id, entry, is_demo
from ..errors import (
    FILE_INVALID,
    REQUIRED,
    SENDER_DEMO,
    SENDER_EXISTS,
    SENDER_INVALID,
    SENDER_NUMBER,
    ApiError,
)
from ..models import Sender, StoredFile, Template

FILE_TYPES = ("mms", "voice")
MMS_EXTENSIONS = ("gif", "jpeg", "jpg", "png", "txt")
VOICE_EXTENSIONS = ("wav",)
MAX_SENDER = 11


# -- senders -------------------------------------------------------------------------------------


def senders_add(call: Call) -> Document:
    name = wire.text(call.params.get("name")).strip()
    if is_demo(call):
        raise ApiError(SENDER_DEMO, "the demo account cannot add sender names")
    if not 1 <= len(name) <= MAX_SENDER or not name.isprintable():
        raise ApiError(SENDER_INVALID, f"sender name {name!r} must have 1-11 characters")
    if name.lstrip("+").isdigit():
        raise ApiError(SENDER_NUMBER, f"{name!r} is a phone number, not a sender name")
    senders = account_state(call).senders
    if name in senders or name in call.backend.reference["predefined_senders"]:
        raise ApiError(SENDER_EXISTS, f"sender name {name!r} exists")
    senders[name] = Sender(name, agreement="required", status="pending_authorization")
    return {"success": True}


def senders_index(call: Call) -> Document:
    if wire.flag(call.params.get("predefined")):
        rows = [
            {"name": n, "agreement": "not_required", "status": "authorized"}
            for n in call.backend.reference["predefined_senders"]
        ]
    else:
        rows = [
            {"name": s.name, "agreement": s.agreement, "status": s.status}
            for s in account_state(call).senders.values()
        ]
    key = (lambda r: r["name"].lower()) if wire.text(call.params.get("sort")) == "name" else None
    return {"items": wire.ordered(rows, call.params, key)}


# -- files ---------------------------------------------------------------------------------------


def _type(call: Call) -> str:
    kind = wire.text(call.params.get("type")).strip().lower()
    if kind not in FILE_TYPES:
        raise ApiError(FILE_INVALID, f"type must be mms or voice, not {kind!r}")
    return kind


def file_item(stored: StoredFile) -> Document:
    return {
        "id": stored.id,
        "name": stored.name,
        "size": stored.size,
        "type": stored.type,
        "date": stored.date,
    }


def files_add(call: Call) -> Document:
    kind = _type(call)
    url = wire.text(call.params.get("url")).strip()
    upload = call.params.get("file")
    if url:
        name = urlsplit(url).path.rsplit("/", 1)[-1] or "file"
        size = 0
    elif wire.given(upload) and kind == "mms":
        data = _base64(wire.text(upload))
        name = (
            wire.text(call.params.get("name")).strip()
            or (upload.filename if isinstance(upload, wire.Upload) else "")
            or "upload"
        )
        size = len(data)
    else:
        raise ApiError(REQUIRED, "files/add needs url (or, for MMS, file)")
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    allowed = MMS_EXTENSIONS if kind == "mms" else VOICE_EXTENSIONS
    if extension and extension not in allowed:
        raise ApiError(FILE_INVALID, f"{kind} files may be {', '.join(allowed)}")
    stored = StoredFile(
        id=call.backend.file_id(),
        name=name,
        size=size or 1024,
        type=kind,
        date=wire.date(call.ctx.now()) or "",
        url=url,
    )
    account_state(call).files[stored.id] = stored
    return {"success": True, "id": stored.id}


def _base64(text: str) -> bytes:
    try:
        return base64.b64decode(text.split(",", 1)[-1], validate=False)
    except (binascii.Error, ValueError):
        raise ApiError(FILE_INVALID, "file is not base64") from None


def files_index(call: Call) -> Document:
    kind = _type(call)
    return {"items": [file_item(f) for f in account_state(call).files.values() if f.type == kind]}


def _file(call: Call) -> StoredFile:
    return entry(call, account_state(call).files, "file", wire.text(call.params.get("id")).strip())


def files_view(call: Call) -> Document:
    return file_item(_file(call))


def files_delete(call: Call) -> Document:
    return {"success": account_state(call).files.pop(_file(call).id, None) is not None}


# -- templates -----------------------------------------------------------------------------------


def template_item(template: Template) -> Document:
    return {"id": template.id, "name": template.name, "text": template.text}


def _template(call: Call) -> Template:
    return by_id(call, account_state(call).templates, "template")


def templates_index(call: Call) -> Document:
    key = (lambda t: t.name.lower()) if wire.text(call.params.get("sort")) == "name" else None
    rows = wire.ordered(account_state(call).templates.values(), call.params, key)
    return {"items": [template_item(t) for t in rows]}


def templates_view(call: Call) -> Document:
    return template_item(_template(call))


def templates_add(call: Call) -> Document:
    template = Template(
        call.backend.next_id(),
        wire.text(call.params.get("name")),
        wire.text(call.params.get("text")),
    )
    account_state(call).templates[template.id] = template
    return {"success": True, "id": template.id}


def templates_edit(call: Call) -> Document:
    template = _template(call)
    template.name = wire.text(call.params.get("name"))
    template.text = wire.text(call.params.get("text"))
    return {"success": True, "id": template.id}


def templates_delete(call: Call) -> Document:
    return {"success": account_state(call).templates.pop(_template(call).id, None) is not None}
