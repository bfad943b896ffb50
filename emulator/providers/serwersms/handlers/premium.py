"""premium/* and quiz/view: answering premium-rate SMS within their reply limit."""

from __future__ import annotations

from ....core import phones
from ....core.jsondata import Document
from .. import service, wire
from ..endpoint import Call


def index(call: Call) -> Document:
    return {
        "items": [
            {
                "id": p.id,
                "to_number": p.to_number,
                "from_number": p.from_number,
                "date": p.date,
                "limit": p.limit,
                "text": p.text,
            }
            for p in call.state.premium.values()
        ]
    }


def send(call: Call) -> Document:
    """Answer the premium SMS ``id`` (received on ``gate`` from ``phone``) with ``text``."""
    premium = call.state.premium.get(wire.integer(call.get("id")) or -1)
    phone = phones.polish(wire.text(call.get("phone")))
    text = wire.text(call.get("text"))
    gate = wire.text(call.get("gate")).strip()
    service.answer_premium(call.ctx, call.account, call.request, premium, phone, text, gate)
    return {"success": True}


def quiz(call: Call) -> Document:
    return call.by_id(call.state.quizzes, "quiz")
