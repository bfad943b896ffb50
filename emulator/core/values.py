"""Loosely typed request values, read the lenient way the gateways and their clients need."""

from __future__ import annotations

from typing import Any

TRUE = frozenset({"true", "1", "on", "yes", "y", "t"})
FALSE = frozenset({"false", "0", "off", "no", "n", "f"})


def given(value: Any) -> bool:
    """``None``, ``""`` and ``[]`` mean "not given" (PHP sends nulls, Node empty strings)."""
    return value is not None and value != "" and value != []


def boolean(value: Any, default: bool = False) -> bool:
    """``true``/``"True"``/``1``/``"1"``/``"on"``/``"yes"`` and their opposites; anything
    else, and a value not given, is ``default``."""
    if not given(value):
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value != 0
    text = str(value).strip().lower()
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    return default


def integral(value: float) -> str:
    """``5.0`` → ``"5"``, ``5.5`` → ``"5.5"``: a JSON number as a client meant it."""
    return str(int(value)) if value.is_integer() else str(value)
