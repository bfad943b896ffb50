"""The one place that knows where ``schemas/`` and ``fixtures/`` live.

In a checkout they sit next to the package; in an installed wheel they are packed inside it as
``emulator/_data/``.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

_PACKAGE = Path(__file__).resolve().parent


@cache
def data_root() -> Path:
    packed = _PACKAGE / "_data"
    if (packed / "schemas").is_dir():
        return packed
    checkout = _PACKAGE.parent
    if (checkout / "schemas").is_dir():
        return checkout
    raise FileNotFoundError(f"schemas/ and fixtures/ not found near {_PACKAGE}")


def schemas_dir() -> Path:
    return data_root() / "schemas"


def fixtures_dir() -> Path:
    return data_root() / "fixtures"


def load_fixture(name: str) -> Any:  # Any: the file's JSON, in the shape its reader expects
    with (fixtures_dir() / name).open(encoding="utf-8") as handle:
        return json.load(handle)


def ui_dir() -> Path:
    return _PACKAGE / "control" / "ui"
