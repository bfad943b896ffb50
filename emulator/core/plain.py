"""State as plain data: any of the emulator's state objects to JSON values and back.

``dump`` turns dataclasses, containers, decimals and random generators into JSON values;
``load`` rebuilds a value of a given type from them, led by the type hints of each dataclass,
and says where a document is wrong (``PlainError.path``). So a new field of a state object is
saved and restored without a line of code here: ``GET``/``PUT /_emulator/state`` use this.

JSON has only string keys: a dict with other keys is written as a list of ``[key, value]``
pairs; sets are written sorted, decimals as strings (exactly), a random generator as its
state. A dataclass field whose metadata says ``plain=False`` is left out (a reference the
owner restores, or something derived).
"""

from __future__ import annotations

import dataclasses
import random
import types
import typing
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

JSON = Any  # Any: a JSON value, as parsed or to be serialised (its shape is the type's)
SKIP = {"plain": False}  # dataclasses.field(metadata=SKIP): not part of the plain data


def one_of(values: tuple[str, ...]) -> dict[str, object]:
    """Field metadata: the field's value is one of ``values`` (said in its schema)."""
    return {"schema": {"enum": list(values)}}


class PlainError(ValueError):
    """The data does not make a value of the type asked for; ``path`` says where."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path or '(the document)'}: {message}")
        self.path = path
        self.message = message


def dump(value: object) -> JSON:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: dump(getattr(value, f.name)) for f in _fields(type(value))}
    if isinstance(value, Mapping):
        if all(isinstance(key, str) for key in value):
            return {key: dump(item) for key, item in value.items()}
        return [[dump(key), dump(item)] for key, item in value.items()]
    if isinstance(value, set | frozenset):
        return [dump(item) for item in sorted(value)]
    if isinstance(value, list | tuple):
        return [dump(item) for item in value]
    if isinstance(value, random.Random):
        return dump(value.getstate())
    raise TypeError(f"no plain form for {type(value).__name__}")


@cache
def _fields(cls: type) -> tuple[dataclasses.Field[Any], ...]:  # Any: fields of any type
    return tuple(f for f in dataclasses.fields(cls) if f.init and f.metadata.get("plain", True))


@cache
def _hints(cls: type) -> dict[str, Any]:  # Any: a type hint is any type expression
    return typing.get_type_hints(cls)


def load(kind: Any, data: JSON, path: str = "", **given: object) -> Any:  # Any: type → value
    """A value of type ``kind`` made from ``data`` (as :func:`dump` gave it); ``given``: the
    fields of a dataclass that are not plain data (references its owner passes)."""
    origin = typing.get_origin(kind)
    args = typing.get_args(kind)
    if kind is Any or kind is object:  # Any: a field of any JSON value
        return data
    if origin in (typing.Union, types.UnionType):
        if data is None and type(None) in args:
            return None
        options = [a for a in args if a is not type(None)]
        if len(options) == 1:
            return load(options[0], data, path)
        for option in options:
            try:
                return load(option, data, path)
            except PlainError:
                continue
        raise PlainError(path, f"is none of {', '.join(map(_name, options))}")
    if kind is type(None):
        if data is not None:
            raise PlainError(path, "must be null")
        return None
    if kind is bool:
        return _checked(data, bool, path)
    if kind is int:
        if isinstance(data, bool):
            raise PlainError(path, "must be an integer")
        return _checked(data, int, path)
    if kind is float:
        if isinstance(data, bool) or not isinstance(data, int | float):
            raise PlainError(path, "must be a number")
        return float(data)
    if kind is str:
        return _checked(data, str, path)
    if kind is Decimal:
        try:
            if isinstance(data, bool) or not isinstance(data, str | int | float):
                raise InvalidOperation
            return Decimal(str(data))
        except InvalidOperation:
            raise PlainError(path, "must be a decimal number (a string)") from None
    if kind is random.Random:
        generator = random.Random()
        state = load(tuple[int, tuple[int, ...], float | None], data, path)
        try:
            generator.setstate(state)
        except (TypeError, ValueError):
            raise PlainError(path, "is not the state of a random generator") from None
        return generator
    if origin in (list, set, frozenset):
        items = _checked(data, list, path)
        made = [load(args[0], item, _at(path, n)) for n, item in enumerate(items)]
        return origin(made) if origin is not list else made
    if origin is tuple:
        items = _checked(data, list, path)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(load(args[0], item, _at(path, n)) for n, item in enumerate(items))
        if len(items) != len(args):
            raise PlainError(path, f"must have {len(args)} items")
        pairs = enumerate(zip(args, items, strict=True))
        return tuple(load(a, item, _at(path, n)) for n, (a, item) in pairs)
    if origin in (dict, Mapping):
        key_kind, value_kind = args
        if isinstance(data, dict):
            return {
                load(key_kind, key, path): load(value_kind, item, _at(path, key))
                for key, item in data.items()
            }
        mapping: dict[Any, Any] = {}  # Any: the mapping's own key and value types
        for n, pair in enumerate(_checked(data, list, path)):
            if not isinstance(pair, list) or len(pair) != 2:
                raise PlainError(_at(path, n), "must be a [key, value] pair")
            mapping[load(key_kind, pair[0], _at(_at(path, n), 0))] = load(
                value_kind, pair[1], _at(_at(path, n), 1)
            )
        return mapping
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        fields = _checked(data, dict, path)
        hints = _hints(kind)
        known = {f.name for f in _fields(kind)}
        unknown = sorted(set(fields) - known)
        if unknown:
            raise PlainError(_at(path, unknown[0]), "is not a field of this object")
        values = {}
        for f in _fields(kind):
            if f.name in fields:
                values[f.name] = load(hints[f.name], fields[f.name], _at(path, f.name))
            elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                raise PlainError(_at(path, f.name), "is missing")
        try:
            return kind(**values, **given)
        except (TypeError, ValueError) as exc:  # the object's own checks (__post_init__)
            raise PlainError(path, str(exc)) from None
    raise TypeError(f"no plain form for {kind!r}")


def _checked(data: JSON, kind: Any, path: str) -> Any:  # Any: what isinstance accepts
    if not isinstance(data, kind):
        raise PlainError(path, f"must be {_name(kind)}")
    return data


def _name(kind: Any) -> str:  # Any: a type expression
    names = {bool: "true or false", int: "an integer", float: "a number", str: "a string"}
    names |= {list: "a list", dict: "an object"}
    return names.get(kind, getattr(kind, "__name__", str(kind)))


def _at(path: str, key: object) -> str:
    return f"{path}.{key}" if path else str(key)


def schema(kind: Any, defs: dict[str, JSON] | None = None) -> JSON:  # Any: a type expression
    """The JSON Schema of what :func:`dump` makes of a ``kind`` (and :func:`load` reads);
    dataclasses go into ``defs`` (``$defs``), by module and name."""
    defs = {} if defs is None else defs
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if kind is Any or kind is object:  # Any: a field of any JSON value
        return {}
    if origin in (typing.Union, types.UnionType):
        return {"anyOf": [schema(a, defs) for a in args]}
    simple: dict[Any, JSON] = {  # Any: the types that stand for themselves
        type(None): {"type": "null"},
        bool: {"type": "boolean"},
        int: {"type": "integer"},
        float: {"type": "number"},
        str: {"type": "string"},
        Decimal: {"type": ["string", "number"]},
    }
    if kind in simple:
        return simple[kind]
    if kind is random.Random:
        return schema(tuple[int, tuple[int, ...], float | None], defs)
    if origin in (list, set, frozenset) or (origin is tuple and args[1:] == (Ellipsis,)):
        return {"type": "array", "items": schema(args[0], defs)}
    if origin is tuple:
        items = [schema(a, defs) for a in args]
        return {"type": "array", "prefixItems": items, "minItems": len(items), "items": False}
    if origin in (dict, Mapping):
        values = schema(args[1], defs)
        if args[0] is str:
            return {"type": "object", "additionalProperties": values}
        pair = schema(tuple[args[0], args[1]], defs)  # type: ignore[valid-type]
        empty = {"type": "object", "maxProperties": 0}  # how an empty one comes out
        return {"anyOf": [{"type": "array", "items": pair}, empty]}
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        name = f"{kind.__module__}.{kind.__qualname__}"
        if name not in defs:
            defs[name] = {}  # taken (a dataclass may hold itself)
            hints = _hints(kind)
            fields = _fields(kind)
            required = [
                f.name
                for f in fields
                if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
            ]
            defs[name] = {
                "type": "object",
                "properties": {
                    f.name: {**schema(hints[f.name], defs), **f.metadata.get("schema", {})}
                    for f in fields
                },
                "required": required,
                "additionalProperties": False,
            }
        return {"$ref": f"#/$defs/{name}"}
    raise TypeError(f"no plain form for {kind!r}")
