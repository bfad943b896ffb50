"""subaccounts/*: a subaccount is also a SerwerSMS login of its own in the emulator."""

from __future__ import annotations

from ....core.jsondata import Document
from .. import service, wire
from ..endpoint import Call, account_state, by_id
from ..errors import REQUIRED, SUBACCOUNT_NO_TEMPLATE, ApiError
from ..models import Subaccount


def _find(call: Call) -> Subaccount | None:
    key = wire.integer(call.params.get("id"))
    return None if key is None else account_state(call).subaccounts.get(key)


def index(call: Call) -> Document:
    return {
        "items": [
            {"id": s.id, "username": s.username} for s in account_state(call).subaccounts.values()
        ]
    }


def view(call: Call) -> Document:
    sub = by_id(call, account_state(call).subaccounts, "subaccount")
    return {
        "id": sub.id,
        "username": sub.username,
        "name": sub.name,
        "phone": sub.phone,
        "email": sub.email,
    }


def add(call: Call) -> Document:
    username = wire.text(call.params.get("subaccount_username")).strip()
    password = wire.text(call.params.get("subaccount_password"))
    if not username or not password:
        raise ApiError(REQUIRED, "subaccount_username and subaccount_password are required")
    template = wire.integer(call.params.get("subaccount_id"))
    if (
        wire.given(call.params.get("subaccount_id"))
        and template not in account_state(call).subaccounts
    ):
        raise ApiError(
            SUBACCOUNT_NO_TEMPLATE, f"no template subaccount {call.params.get('subaccount_id')}"
        )
    sub = service.add_subaccount(
        call,
        username,
        password,
        name=wire.text(call.params.get("name")),
        phone=wire.text(call.params.get("phone")),
        email=wire.text(call.params.get("email")),
    )
    return {"success": True, "id": sub.id}


def limit(call: Call) -> Document:
    sub = _find(call)
    kind = wire.text(call.params.get("type")).strip()
    value = wire.integer(call.params.get("value"))
    if sub is None or kind not in service.SUBACCOUNT_LIMITS or value is None or value < 0:
        return {"success": False}
    service.limit_subaccount(call, sub, kind, value)
    return {"success": True, "id": sub.id}


def delete(call: Call) -> Document:
    sub = _find(call)
    if sub is None:
        return {"success": False}
    service.remove_subaccount(call, sub)
    return {"success": True}
