"""premium/* and quiz/view: answering premium-rate SMS within their reply limit."""

from __future__ import annotations

from ....core import gsm, phones
from ....core.jsondata import Document
from .. import wire
from ..endpoint import Call
from ..errors import PREMIUM_INVALID, ApiError
from ..models import NAME


def index(call: Call) -> Document:
    return {"items": [{"id": p.id, "to_number": p.to_number, "from_number": p.from_number,
                       "date": p.date, "limit": p.limit, "text": p.text}
                      for p in call.state.premium.values()]}


def send(call: Call) -> Document:
    """Answer the premium SMS ``id`` (received on ``gate`` from ``phone``) with ``text``."""
    premium = call.state.premium.get(wire.integer(call.get("id")) or -1)
    phone = phones.polish(wire.text(call.get("phone")))
    text = wire.text(call.get("text"))
    gate = wire.text(call.get("gate")).strip()
    if (premium is None or phone is None or not text or gate != premium.to_number
            or phones.polish(premium.from_number) != phone or premium.limit <= 0):
        raise ApiError(PREMIUM_INVALID, "no such premium SMS from this number on this gate, "
                                        "or no replies left")
    premium.limit -= 1
    info = gsm.analyse(gsm.transliterate(text), unicode=False)
    gateway = call.ctx.gateway
    batch = gateway.new_batch(NAME, call.account.username, "premium", gate, call.request,
                              {"type": "premium", "premium_id": premium.id})
    gateway.add_message(batch, phone, text, info.parts, info.encoding)
    return {"success": True}


def quiz(call: Call) -> Document:
    return call.by_id(call.state.quizzes, "quiz")
