"""State as plain data: any of the emulator's state objects to JSON values and back.

``dump`` turns dataclasses, containers, decimals and random generators into JSON values;
``load`` rebuilds a value of a given type from them, led by the type hints of each dataclass,
and says where a document is wrong (``PlainError.path``). So a new field of a state object is
saved and restored without a line of code here: ``GET``/``PUT /_emulator/state`` use this.

JSON has only string keys: a dict with other keys is written as a list of ``[key, value]``
pairs; sets are written sorted, decimals as strings (exactly), a random generator as its
state. A dataclass field whose metadata says ``plain=False`` is left out (a reference the
owner restores, or something derived); one whose metadata says ``json=True`` holds a JSON
value already (a request's body) and is kept as it is, not walked.
"""

from __future__ import annotations

import dataclasses
import random
import types
import typing
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

JSON = Any  # Any: a JSON value, as parsed or to be serialised (its shape is the type's)
SKIP = {"plain": False}  # dataclasses.field(metadata=SKIP): not part of the plain data
AS_JSON = {"json": True}  # field(metadata=AS_JSON): a JSON value already, kept as it is


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
    kind = type(value)
    if kind in _SCALARS:
        return value
    dumper = _DUMPERS.get(kind)
    if dumper is None:
        dumper = _DUMPERS[kind] = _dumper(kind)
    return dumper(value)


# Values that are their own plain form, tested inline where many are dumped (a call each would
# be most of the cost of a message).
_SCALARS = frozenset({str, int, float, bool, type(None)})


def _same(value: object) -> JSON:
    return value


def _dumper(kind: type) -> Callable[[Any], JSON]:  # Any: a value of ``kind``
    """How to dump values of ``kind``, decided once per type (the data file dumps every
    message it keeps: this is on the send path then)."""
    scalars = _SCALARS
    if issubclass(kind, bool | int | float | str):  # (a subclass: an enum, say)
        return _same
    if issubclass(kind, Decimal):
        return str
    if dataclasses.is_dataclass(kind):
        fields = tuple((f.name, f.metadata.get("json", False)) for f in _fields(kind))
        return lambda value: {
            name: item if as_is or type(item) in scalars else dump(item)
            for name, as_is in fields
            for item in (getattr(value, name),)
        }
    if issubclass(kind, Mapping):
        return _mapping
    if issubclass(kind, set | frozenset):
        return lambda value: [dump(item) for item in sorted(value)]
    if issubclass(kind, list | tuple):
        return lambda value: [item if type(item) in scalars else dump(item) for item in value]
    if issubclass(kind, random.Random):
        return lambda value: dump(value.getstate())
    raise TypeError(f"no plain form for {kind.__name__}")


_DUMPERS: dict[type, Callable[[Any], JSON]] = {}  # Any: see _dumper (one per type, made once)


def _mapping(value: Mapping[Any, Any]) -> JSON:  # Any: keys and values of any plain type
    if all(isinstance(key, str) for key in value):
        return {key: item if type(item) in _SCALARS else dump(item) for key, item in value.items()}
    return [[dump(key), dump(item)] for key, item in value.items()]


@cache
def _fields(cls: type) -> tuple[dataclasses.Field[Any], ...]:  # Any: fields of any type
    return tuple(f for f in dataclasses.fields(cls) if f.init and f.metadata.get("plain", True))


@cache
def _hints(cls: type) -> dict[str, Any]:  # Any: a type hint is any type expression
    return typing.get_type_hints(cls)


def load(kind: Any, data: JSON, path: str = "", **given: object) -> Any:  # Any: type → value
    """A value of type ``kind`` made from ``data`` (as :func:`dump` gave it); ``given``: the
    fields of a dataclass that are not plain data (references its owner passes)."""
    if given:
        return _dataclass(kind)(data, path, given)
    return _loader(kind)(data, path)


# Any: (data, path[, given]) → a value of the type the loader was made for
Loader = Callable[..., Any]
_NOTHING: dict[str, object] = {}


@cache
def _loader(kind: Any) -> Loader:  # Any: a type expression
    """How to load values of ``kind``, worked out once per type (a restart of the data file
    loads every message it keeps)."""
    origin = typing.get_origin(kind)
    args = typing.get_args(kind)
    if kind is Any or kind is object:  # Any: a field of any JSON value
        return _as_is
    if origin in (typing.Union, types.UnionType):
        return _union(args)
    simple = _SIMPLE.get(kind)
    if simple is not None:
        return simple
    if kind is random.Random:
        return _random
    if origin in (list, set, frozenset):
        return _sequence(origin, _loader(args[0]))
    if origin is tuple:
        return _tuple(args)
    if origin in (dict, Mapping):
        return _mapping_of(_loader(args[0]), _loader(args[1]))
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        return _dataclass(kind)
    raise TypeError(f"no plain form for {kind!r}")


def _as_is(data: JSON, path: str) -> JSON:
    return data


def _as_json(kind: Any) -> Loader:  # Any: the field's type expression
    """A field that holds a JSON value already: its container checked, kept as it is."""
    container = typing.get_origin(kind) or kind
    return lambda data, path: _checked(data, container, path)


def _union(args: tuple[Any, ...]) -> Loader:  # Any: type expressions
    nullable = type(None) in args
    options = [a for a in args if a is not type(None)]
    loaders = [_loader(option) for option in options]

    def load_union(data: JSON, path: str) -> Any:  # Any: a value of one of the options
        if data is None and nullable:
            return None
        if len(loaders) == 1:
            return loaders[0](data, path)
        for each in loaders:
            try:
                return each(data, path)
            except PlainError:
                continue
        raise PlainError(path, f"is none of {', '.join(map(_name, options))}")

    return load_union


def _none(data: JSON, path: str) -> None:
    if data is not None:
        raise PlainError(path, "must be null")


def _bool(data: JSON, path: str) -> bool:
    return bool(_checked(data, bool, path))


def _int(data: JSON, path: str) -> int:
    if isinstance(data, bool):
        raise PlainError(path, "must be an integer")
    return int(_checked(data, int, path))


def _float(data: JSON, path: str) -> float:
    if isinstance(data, bool) or not isinstance(data, int | float):
        raise PlainError(path, "must be a number")
    return float(data)


def _str(data: JSON, path: str) -> str:
    if type(data) is str:
        return data
    return str(_checked(data, str, path))


def _decimal(data: JSON, path: str) -> Decimal:
    try:
        if isinstance(data, bool) or not isinstance(data, str | int | float):
            raise InvalidOperation
        return Decimal(str(data))
    except InvalidOperation:
        raise PlainError(path, "must be a decimal number (a string)") from None


_SIMPLE: dict[Any, Loader] = {  # Any: the types that stand for themselves
    type(None): _none,
    bool: _bool,
    int: _int,
    float: _float,
    str: _str,
    Decimal: _decimal,
}


def _random(data: JSON, path: str) -> random.Random:
    generator = random.Random()
    state = load(tuple[int, tuple[int, ...], float | None], data, path)
    try:
        generator.setstate(state)
    except (TypeError, ValueError):
        raise PlainError(path, "is not the state of a random generator") from None
    return generator


def _sequence(origin: Any, item: Loader) -> Loader:  # Any: list, set or frozenset
    def load_sequence(data: JSON, path: str) -> Any:  # Any: the collection
        made = [item(each, _at(path, n)) for n, each in enumerate(_checked(data, list, path))]
        return made if origin is list else origin(made)

    return load_sequence


def _tuple(args: tuple[Any, ...]) -> Loader:  # Any: type expressions
    if len(args) == 2 and args[1] is Ellipsis:
        item = _loader(args[0])
        return lambda data, path: tuple(
            item(each, _at(path, n)) for n, each in enumerate(_checked(data, list, path))
        )
    loaders = [_loader(a) for a in args]

    def load_tuple(data: JSON, path: str) -> tuple[Any, ...]:  # Any: the items' own types
        items = _checked(data, list, path)
        if len(items) != len(loaders):
            raise PlainError(path, f"must have {len(loaders)} items")
        return tuple(
            each(x, _at(path, n)) for n, (each, x) in enumerate(zip(loaders, items, strict=True))
        )

    return load_tuple


def _mapping_of(key: Loader, value: Loader) -> Loader:
    def load_mapping(data: JSON, path: str) -> dict[Any, Any]:  # Any: the mapping's own types
        if isinstance(data, dict):
            return {key(k, path): value(item, _at(path, k)) for k, item in data.items()}
        mapping: dict[Any, Any] = {}  # Any: the same
        for n, pair in enumerate(_checked(data, list, path)):
            if not isinstance(pair, list) or len(pair) != 2:
                raise PlainError(_at(path, n), "must be a [key, value] pair")
            at = _at(path, n)
            mapping[key(pair[0], _at(at, 0))] = value(pair[1], _at(at, 1))
        return mapping

    return load_mapping


@cache
def _dataclass(kind: type) -> Loader:
    hints = _hints(kind)
    fields = [
        (
            f.name,
            _as_json(hints[f.name]) if f.metadata.get("json") else _loader(hints[f.name]),
            f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING,
        )
        for f in _fields(kind)
    ]
    known = frozenset(name for name, _, _ in fields)

    def load_dataclass(
        data: JSON, path: str, given: Mapping[str, object] = _NOTHING
    ) -> Any:  # Any: a ``kind``
        saved = _checked(data, dict, path)
        if not known.issuperset(saved):
            raise PlainError(
                _at(path, sorted(set(saved) - known)[0]), "is not a field of this object"
            )
        values = {}
        for name, load_field, required in fields:
            if name in saved:
                values[name] = load_field(saved[name], _at(path, name))
            elif required:
                raise PlainError(_at(path, name), "is missing")
        try:
            return kind(**values, **given)
        except (TypeError, ValueError) as exc:  # the object's own checks (__post_init__)
            raise PlainError(path, str(exc)) from None

    return load_dataclass


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
