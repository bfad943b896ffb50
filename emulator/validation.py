"""Every JSON schema under ``schemas/``, loaded and compiled once at start-up.

A broken schema stops the emulator at start, not at the first request that needs it. Schemas are
named ``schemas/<provider>/<operation>.request.json`` and ``.response.json``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from .resources import schemas_dir

REQUEST = "request"
RESPONSE = "response"


class SchemaRegistry:
    def __init__(self, root: Path | None = None) -> None:
        self.root = root or schemas_dir()
        self._validators: dict[tuple[str, str, str], Draft202012Validator] = {}
        for path in sorted(self.root.glob("*/*.json")):
            operation, kind = _split_name(path.name)
            with path.open(encoding="utf-8") as handle:
                schema = json.load(handle)
            Draft202012Validator.check_schema(schema)
            self._validators[(path.parent.name, operation, kind)] = Draft202012Validator(schema)

    def __contains__(self, key: tuple[str, str, str]) -> bool:
        return key in self._validators

    def keys(self) -> list[tuple[str, str, str]]:
        return sorted(self._validators)

    def validator(self, provider: str, operation: str, kind: str) -> Draft202012Validator:
        try:
            return self._validators[(provider, operation, kind)]
        except KeyError:
            raise KeyError(f"no {kind} schema for {provider}/{operation}") from None

    def errors(
        self, provider: str, operation: str, kind: str, data: Any
    ) -> Iterator[ValidationError]:
        return self.validator(provider, operation, kind).iter_errors(data)

    def check(self, provider: str, operation: str, kind: str, data: Any) -> None:
        """Raise the first validation error, if any (for tests and the fuzzers)."""
        self.validator(provider, operation, kind).validate(data)

    def schema(self, provider: str, operation: str, kind: str) -> dict[str, Any]:
        return self.validator(provider, operation, kind).schema  # type: ignore[return-value]


def _split_name(name: str) -> tuple[str, str]:
    stem = name.removesuffix(".json")
    operation, _, kind = stem.rpartition(".")
    if kind not in (REQUEST, RESPONSE) or not operation:
        raise ValueError(f"schema file {name!r} is not <operation>.request|response.json")
    return operation, kind
