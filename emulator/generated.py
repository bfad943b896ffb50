"""The schema files made from code, so that what the code accepts and what the schemas say
cannot drift: the state document's (from the state types, emulator/state.py) and the control
API's account schemas (from each gateway's ``ACCOUNT_FIELDS`` and ``ACCOUNT_VIEW``).

    python -m emulator.generated     # writes them into schemas/control/

A test keeps the files the same as this module makes them.
"""

from __future__ import annotations

import json

from .core.jsondata import JsonObject
from .providers import PROVIDERS
from .resources import schemas_dir
from .state import schema as state_schema

DRAFT = "https://json-schema.org/draft/2020-12/schema"
PROVIDER = {"enum": [p.name for p in PROVIDERS]}
PASSWORD = {"type": ["string", "null"]}


def _fields() -> JsonObject:
    """Every gateway's account fields (a field two gateways share has one schema)."""
    return {name: schema for p in PROVIDERS for name, schema in p.account_fields.items()}


def _only_own(key: str) -> list[JsonObject]:
    """For each gateway: an account of it has none of the others' ``key`` fields."""
    rules = []
    for provider in PROVIDERS:
        own = getattr(provider, key)
        foreign = sorted({f for p in PROVIDERS for f in getattr(p, key)} - set(own))
        if foreign:
            rules.append(
                {
                    "if": {"properties": {"provider": {"const": provider.name}}},
                    "then": {"not": {"anyOf": [{"required": [f]} for f in foreign]}},
                }
            )
    return rules


def account_create() -> JsonObject:
    return {
        "$schema": DRAFT,
        "title": "Define (or redefine) an account",
        "type": "object",
        "properties": {
            "provider": PROVIDER,
            "username": {"type": "string", "minLength": 1, "maxLength": 200},
            "password": PASSWORD,
            **_fields(),
        },
        "required": ["provider", "username"],
        "additionalProperties": False,
        "allOf": _only_own("account_fields"),
    }


def account_update() -> JsonObject:
    return {
        "$schema": DRAFT,
        "title": "Change an account (a field of the other gateway is refused by name)",
        "type": "object",
        "properties": {"password": PASSWORD, **_fields()},
        "additionalProperties": False,
    }


def _account_view() -> JsonObject:
    views: JsonObject = {n: s for p in PROVIDERS for n, s in p.account_view.items()}
    return {
        "type": "object",
        "description": "The identity fields are every account's; the rest are its gateway's.",
        "properties": {
            "provider": PROVIDER,
            "username": {"type": "string"},
            "origin": {"enum": ["auto", "fixtures", "config", "api"]},
            "password_enforced": {"type": "boolean"},
            **views,
            "options": {"type": "object"},
        },
        "required": ["provider", "username", "origin", "password_enforced", "options"],
        "additionalProperties": False,
        "allOf": [
            {
                "if": {"properties": {"provider": {"const": p.name}}},
                "then": {"required": list(p.account_view)},
            }
            for p in PROVIDERS
        ]
        + _only_own("account_view"),
    }


def files() -> dict[str, JsonObject]:
    """Each generated file (its path under schemas/) and its content."""
    state = state_schema()
    return {
        "control/account.create.request.json": account_create(),
        "control/account.update.request.json": account_update(),
        "control/account.response.json": {
            "$schema": DRAFT,
            "title": "control account response",
            **_account_view(),
        },
        "control/accounts.list.response.json": {
            "$schema": DRAFT,
            "title": "control accounts.list response",
            "type": "object",
            "properties": {
                "items": {"type": "array", "items": _account_view()},
                "count": {"type": "integer"},
            },
            "required": ["items", "count"],
            "additionalProperties": False,
        },
        "control/state.request.json": state,
        "control/state.response.json": state,
    }


def text(document: JsonObject) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    for path, document in files().items():
        (schemas_dir() / path).write_text(text(document), encoding="utf-8")
