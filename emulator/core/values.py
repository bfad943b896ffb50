"""Loosely typed request values, read the lenient way the gateways and their clients need."""

from __future__ import annotations

MAX_SAFE_INTEGER = 2**53  # beyond this a JSON number is no longer an exact integer anywhere
TRUE = frozenset({"true", "1", "on", "yes", "y", "t"})
FALSE = frozenset({"false", "0", "off", "no", "n", "f"})


def given(value: object) -> bool:
    """``None``, ``""`` and ``[]`` mean "not given" (PHP sends nulls, Node empty strings)."""
    return value is not None and value != "" and value != []


def boolean(value: object, default: bool = False) -> bool:
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


def whole_number(text: str) -> int | None:
    """``"42"``, ``"42.0"`` or ``" 42 "`` → 42; None for anything else, including numbers
    beyond :data:`MAX_SAFE_INTEGER` (``1e308``, 400 digits), which no client means."""
    text = text.strip()
    try:
        number = int(text)
    except ValueError:
        try:
            real = float(text)
        except ValueError:
            return None
        if not real.is_integer():
            return None
        number = int(real)
    return number if abs(number) <= MAX_SAFE_INTEGER else None
