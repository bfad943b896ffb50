"""premium/* and quiz/view: answering premium-rate SMS within their reply limit."""

from __future__ import annotations

from ....core import phones
from ....core.jsondata import Document
from .. import service, wire
from ..endpoint import Call, account_state, by_id


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
            for p in account_state(call).premium.values()
        ]
    }


def send(call: Call) -> Document:
    """Answer the premium SMS ``id`` (received on ``gate`` from ``phone``) with ``text``."""
    premium = account_state(call).premium.get(wire.integer(call.params.get("id")) or -1)
    phone = phones.polish(wire.text(call.params.get("phone")))
    text = wire.text(call.params.get("text"))
    gate = wire.text(call.params.get("gate")).strip()
    service.answer_premium(call, premium, phone, text, gate)
    return {"success": True}


def quiz(call: Call) -> Document:
    return by_id(call, account_state(call).quizzes, "quiz")
