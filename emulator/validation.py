"""Every JSON schema under ``schemas/``, loaded and compiled once at start-up.

A schema that is not valid JSON, or not named ``schemas/<provider>/<operation>.request.json`` /
``.response.json``, stops the emulator at start, not at the first request that needs it. The
(slower) check against the JSON Schema meta-schema runs in the test suite.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from .core.jsondata import JsonObject
from .httpio import SECRET_KEYS
from .resources import schemas_dir

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError

REQUEST = "request"
RESPONSE = "response"


Check = Callable[[object], bool]
_ANNOTATIONS = frozenset(
    {"$schema", "title", "description", "default", "examples", "x-status-code"}
)
ANY_TYPE: frozenset[type] = frozenset({str, int, float, bool, type(None), list, dict})
_STRUCTURE = frozenset({"properties", "required", "items", "additionalProperties"})
_PY_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "number": (int, float),
    "integer": (int,),
    "boolean": (bool,),
    "null": (type(None),),
    "array": (list,),
    "object": (dict,),
}


def _type_set(schema: JsonObject) -> frozenset[type] | None:
    names = schema.get("type")
    if names is None:
        return None
    names = [names] if isinstance(names, str) else names
    return frozenset(t for name in names for t in _PY_TYPES[name])


def quick_check(schema: JsonObject) -> Check | None:
    """A fast yes-check for the simple schemas most requests meet (types, properties,
    required, items): True means valid. Anything it cannot decide it leaves to jsonschema,
    which stays the authority and the source of every error message. None when the schema
    uses keywords this shortcut does not know."""
    keys = set(schema) - _ANNOTATIONS
    if not keys <= {"type", "properties", "required", "additionalProperties", "items"}:
        return None
    if schema.get("additionalProperties", True) not in (True, False):
        return None
    types = _type_set(schema)
    required = frozenset(schema.get("required", ()))
    closed = schema.get("additionalProperties", True) is False
    # Each property: the Python types it may have (any, when the schema does not say), and a
    # deeper check when it has structure.
    allowed: dict[str, frozenset[type]] = {}
    deeper: dict[str, Check] = {}
    for name, sub in schema.get("properties", {}).items():
        sub_check = quick_check(sub)
        if sub_check is None:
            return None
        allowed[name] = _type_set(sub) or ANY_TYPE
        if sub.keys() & _STRUCTURE:
            deeper[name] = sub_check
    known = frozenset(allowed)
    items: JsonObject | None = schema.get("items")
    item_check = None if items is None else quick_check(items)
    if items is not None and item_check is None:
        return None
    item_types = None if items is None or items.keys() & _STRUCTURE else _type_set(items)
    allowed_of = allowed.get

    def check(value: object) -> bool:
        if types is not None and type(value) not in types:
            return False
        if type(value) is dict:
            if not required <= value.keys() or (closed and not value.keys() <= known):
                return False
            for name, item in value.items():
                if type(item) not in allowed_of(name, ANY_TYPE):
                    return False
            if deeper:
                for name, deeper_check in deeper.items():
                    if name in value and not deeper_check(value[name]):
                        return False
        elif item_types is not None and type(value) is list:
            for item in value:
                if type(item) not in item_types:
                    return False
        elif item_check is not None and type(value) is list:
            return all(map(item_check, value))
        return True

    return check


Key = tuple[str, str, str]


@cache
def _load(root: Path) -> tuple[dict[Key, JsonObject], dict[Key, Check | None]]:
    """Read every schema under ``root`` and build its quick check (once per process: schemas
    are read-only data)."""
    schemas: dict[Key, JsonObject] = {}
    quick: dict[Key, Check | None] = {}
    for path in sorted(root.glob("*/*.json")):
        operation, kind = _split_name(path.name)
        with path.open(encoding="utf-8") as handle:
            schema = json.load(handle)
        key = (path.parent.name, operation, kind)
        schemas[key] = schema
        quick[key] = quick_check(schema)
    return schemas, quick


def check_schemas(root: Path | None = None) -> int:
    """Check every schema against the JSON Schema meta-schema (the test suite does this; it is
    too slow for every start-up). Returns how many were checked."""
    from jsonschema import Draft202012Validator

    schemas, _ = _load(root or schemas_dir())
    for schema in schemas.values():
        Draft202012Validator.check_schema(schema)
    return len(schemas)


class SchemaRegistry:
    """The schemas, each with a quick check built at start-up and a jsonschema validator built
    the first time a document fails the quick check (jsonschema is imported only then)."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = root or schemas_dir()
        self._schemas, self._quick = _load(self.root)
        self._validators: dict[Key, Draft202012Validator] = {}

    def __contains__(self, key: tuple[str, str, str]) -> bool:
        return key in self._schemas

    def operations(self) -> list[tuple[str, str, str]]:
        return sorted(self._schemas)

    def schema(self, provider: str, operation: str, kind: str) -> JsonObject:
        try:
            return self._schemas[(provider, operation, kind)]
        except KeyError:
            raise KeyError(f"no {kind} schema for {provider}/{operation}") from None

    def validator(self, provider: str, operation: str, kind: str) -> Draft202012Validator:
        key = (provider, operation, kind)
        validator = self._validators.get(key)
        if validator is None:
            from jsonschema import Draft202012Validator

            validator = self._validators[key] = Draft202012Validator(
                self.schema(provider, operation, kind)
            )
        return validator

    def errors(
        self, provider: str, operation: str, kind: str, data: object
    ) -> Iterator[ValidationError]:
        """Every way ``data`` breaks the schema (nothing at all, quickly, when it is valid)."""
        quick = self._quick.get((provider, operation, kind))
        if quick is not None and quick(data):
            return iter(())
        return self.validator(provider, operation, kind).iter_errors(data)

    def check(self, provider: str, operation: str, kind: str, data: object) -> None:
        """Raise the first validation error, if any (for tests and the fuzzers)."""
        self.validator(provider, operation, kind).validate(data)


def _split_name(name: str) -> tuple[str, str]:
    stem = name.removesuffix(".json")
    operation, _, kind = stem.rpartition(".")
    if kind not in (REQUEST, RESPONSE) or not operation:
        raise ValueError(f"schema file {name!r} is not <operation>.request|response.json")
    return operation, kind


_NAMES_ONLY = frozenset({"required", "additionalProperties"})  # messages that show no values


def _holds_secret(value: object) -> bool:
    if isinstance(value, dict):
        return any(str(k).lower() in SECRET_KEYS or _holds_secret(v) for k, v in value.items())
    return isinstance(value, list) and any(_holds_secret(v) for v in value)


def describe(error: ValidationError) -> str:
    """``field: why`` for the developer (header, log, control API answer), never showing the
    value of a password or token, whatever its type."""
    where = ".".join(str(p) for p in error.path)
    secret = any(str(p).lower() in SECRET_KEYS for p in error.path) or (
        error.validator not in _NAMES_ONLY and _holds_secret(error.instance)
    )
    message = (
        f"does not match the schema ({error.validator}: {error.validator_value!r})"
        if secret
        else error.message
    )
    return f"{where}: {message}" if where else message
