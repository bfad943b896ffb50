"""blacklist/*, contacts/* and groups/*."""

from __future__ import annotations

from ....core import phones
from ....core.jsondata import Document
from .. import wire
from ..endpoint import Call, account_state, by_id, is_demo
from ..errors import INVALID_DATA, INVALID_ID, INVALID_PHONE, REQUIRED, ApiError
from ..models import Contact, Group

CONTACT_SORTS = (
    "first_name",
    "last_name",
    "phone",
    "company",
    "tax_id",
    "email",
    "address",
    "city",
    "description",
)


def _phone(call: Call, name: str = "phone") -> str:
    raw = wire.text(call.params.get(name)).strip()
    if not raw:
        raise ApiError(REQUIRED, f"missing required parameter {name!r}")
    phone = phones.polish(raw)
    if phone is None:
        raise ApiError(INVALID_PHONE, f"{raw!r} is not a phone number")
    return phone


# -- blacklist -----------------------------------------------------------------------------------


def blacklist_add(call: Call) -> Document:
    phone = _phone(call)
    state = account_state(call)
    state.blacklist.setdefault(phone, wire.date(call.ctx.now()) or "")
    return {"success": True, "id": list(state.blacklist).index(phone) + 1}


def blacklist_index(call: Call) -> Document:
    wanted = {phones.polish(p) or p for p in wire.strings(call.params.get("phone"))}
    rows = [
        {"phone": p, "added": added}
        for p, added in account_state(call).blacklist.items()
        if not wanted or p in wanted
    ]
    page, paging = wire.paging(wire.ordered(rows, call.params), call.params)
    return {"paging": paging, "items": page}


def blacklist_check(call: Call) -> Document:
    return {"exists": _phone(call) in account_state(call).blacklist}


def blacklist_delete(call: Call) -> Document:
    return {"success": account_state(call).blacklist.pop(_phone(call), None) is not None}


# -- contacts ------------------------------------------------------------------------------------


def contact_item(call: Call, contact: Contact, with_group: bool = True) -> Document:
    item: Document = {"id": contact.id, "phone": contact.phone}
    item.update({f: getattr(contact, f) for f in Contact.FIELDS})
    item["blacklist"] = contact.phone in account_state(call).blacklist
    if with_group:
        groups = account_state(call).groups
        first = next((groups[g] for g in contact.groups if g in groups), None)
        item["group_id"] = first.id if first else None
        item["group_name"] = first.name if first else None
    return item


def _group_ids(call: Call) -> list[int]:
    ids = wire.integers(call.params.get("group_id"))
    unknown = [g for g in ids if g not in account_state(call).groups]
    if unknown and not is_demo(call):
        raise ApiError(INVALID_ID, f"no group {unknown[0]}")
    return [g for g in ids if g in account_state(call).groups]


def _contact_fields(call: Call) -> dict[str, str]:
    return {
        f: wire.text(call.params.get(f)) for f in Contact.FIELDS if wire.given(call.params.get(f))
    }


def contacts_add(call: Call) -> Document:
    phone = _phone(call)
    contact = Contact(
        id=call.backend.next_id(), phone=phone, groups=_group_ids(call), **_contact_fields(call)
    )
    account_state(call).contacts[contact.id] = contact
    return {"success": True, "id": contact.id}


def contacts_index(call: Call) -> Document:
    group = wire.text(call.params.get("group_id")).strip()
    search = wire.text(call.params.get("search")).strip().lower()
    rows = list(account_state(call).contacts.values())
    if group == "none":
        rows = [c for c in rows if not c.groups]
    elif group:
        group_id = wire.integer(group)
        if group_id is None:
            raise ApiError(INVALID_DATA, "group_id must be a number or 'none'")
        rows = [c for c in rows if group_id in c.groups]
    if search:
        rows = [
            c
            for c in rows
            if any(
                search in str(v).lower()
                for v in (c.phone, *(getattr(c, f) for f in Contact.FIELDS))
            )
        ]
    sort = wire.text(call.params.get("sort")).strip()
    key = (lambda c: getattr(c, sort)) if sort in CONTACT_SORTS else None
    page, paging = wire.paging(wire.ordered(rows, call.params, key), call.params)
    return {"paging": paging, "items": [contact_item(call, c) for c in page]}


def _contact(call: Call) -> Contact:
    return by_id(call, account_state(call).contacts, "contact")


def contacts_view(call: Call) -> Document:
    return contact_item(call, _contact(call), with_group=False)


def contacts_edit(call: Call) -> Document:
    contact = _contact(call)
    contact.phone = _phone(call)
    if wire.given(call.params.get("group_id")):
        contact.groups = _group_ids(call)
    for name, value in _contact_fields(call).items():
        setattr(contact, name, value)
    return {"success": True, "id": contact.id}


def contacts_delete(call: Call) -> Document:
    return {"success": account_state(call).contacts.pop(_contact(call).id, None) is not None}


def contacts_import(call: Call) -> Document:
    """A new group holding the contacts given (``contact`` as a list or as a JSON string)."""
    name = wire.text(call.params.get("group_name")).strip()
    rows = wire.items(call.params.get("contact"))
    if not name or not rows:
        raise ApiError(REQUIRED, "contacts/import needs group_name and contact")
    group = Group(call.backend.next_id(), name)
    state = account_state(call)
    state.groups[group.id] = group
    correct = failed = 0
    for row in rows:
        phone = phones.polish(wire.text(row.get("phone"))) if isinstance(row, dict) else None
        if phone is None:
            failed += 1
            continue
        fields = {f: wire.text(row.get(f)) for f in Contact.FIELDS if wire.given(row.get(f))}
        contact = Contact(id=call.backend.next_id(), phone=phone, groups=[group.id], **fields)
        state.contacts[contact.id] = contact
        correct += 1
    return {"success": True, "id": group.id, "correct": correct, "failed": failed}


# -- groups --------------------------------------------------------------------------------------


def group_item(call: Call, group: Group) -> Document:
    return {"id": group.id, "name": group.name, "count": account_state(call).group_count(group.id)}


def _group(call: Call) -> Group:
    return by_id(call, account_state(call).groups, "group")


def groups_add(call: Call) -> Document:
    group = Group(call.backend.next_id(), wire.text(call.params.get("name")).strip())
    account_state(call).groups[group.id] = group
    return {"success": True, "id": group.id}


def groups_index(call: Call) -> Document:
    search = wire.text(call.params.get("search")).strip().lower()
    rows = [
        g for g in account_state(call).groups.values() if not search or search in g.name.lower()
    ]
    key = (lambda g: g.name.lower()) if wire.text(call.params.get("sort")) == "name" else None
    page, paging = wire.paging(wire.ordered(rows, call.params, key), call.params)
    return {"paging": paging, "items": [group_item(call, g) for g in page]}


def groups_view(call: Call) -> Document:
    return group_item(call, _group(call))


def groups_edit(call: Call) -> Document:
    group = _group(call)
    group.name = wire.text(call.params.get("name")).strip()
    return {"success": True, "id": group.id}


def groups_delete(call: Call) -> Document:
    group = _group(call)
    state = account_state(call)
    del state.groups[group.id]
    for contact in list(state.contacts.values()):
        if group.id in contact.groups:
            contact.groups.remove(group.id)
            if wire.flag(call.params.get("delete_contacts")):
                del state.contacts[contact.id]
    return {"success": True}


def groups_check(call: Call) -> Document:
    phone = _phone(call)
    state = account_state(call)
    items = []
    for contact in state.contacts.values():
        if contact.phone != phone:
            continue
        for group_id in contact.groups:
            group = state.groups.get(group_id)
            if group is not None:
                items.append({"id": contact.id, "group_id": group.id, "group_name": group.name})
    return {"items": items}
