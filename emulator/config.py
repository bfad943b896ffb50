"""Settings, built once at the edge: command-line flags > ``SMS_EMULATOR_*`` variables >
the config file > defaults.

The config file is TOML::

    port = 8080
    clock = "manual"
    strict_accounts = true

    [[server2sms.accounts]]
    username = "ACME"
    password = "secret"
    credits = 50

    [[serwersms.accounts]]
    username = "shop"
    password = "secret"
    tokens = ["shop-token"]
    dlr_url = "http://127.0.0.1:9000/dlr?id=#SMSID#&status=#STATUS#"
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from .core.accounts import AccountSpec
from .core.jsondata import JsonObject

ENV_PREFIX = "SMS_EMULATOR_"
PROVIDERS = ("server2sms", "serwersms")


class ConfigError(ValueError):
    """The configuration cannot be used; the message says which value and why."""


@dataclass(frozen=True)
class Scenario:
    """What the emulator starts from besides its accounts (a config file's ``[[rules]]``,
    ``[[faults]]`` and ``[[replies]]``): each entry a body the control API takes, checked by
    its schema; made at start and again by a full ``POST /_emulator/reset``."""

    rules: tuple[JsonObject, ...] = ()
    faults: tuple[JsonObject, ...] = ()
    replies: tuple[JsonObject, ...] = ()


SCENARIO = {"rules": "rule.create", "faults": "fault.create", "replies": "reply.create"}


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8080
    strict_accounts: bool = False
    clock: str = "real"
    delivery_delay: float = 0.5
    callback_timeout: float = 5.0
    callback_attempts: int = 8
    callback_backoff: float = 0.5
    callback_backoff_max: float = 30.0
    callback_concurrency: int = 32
    max_body_bytes: int = 32 * 1024 * 1024
    max_messages: int | None = None
    max_age: float | None = None  # seconds
    seed: int = 0
    fixtures: bool = True
    control_token: str | None = None
    allowed_hosts: tuple[str, ...] = ()
    log_level: str = "info"
    log_format: str = "text"
    access_log: bool = True
    tls: bool = False
    tls_dir: str | None = None
    port_file: str | None = None
    url_file: str | None = None
    config_file: str | None = None
    import_file: str | None = None
    export_on_exit: str | None = None
    data: str | None = None
    accounts: tuple[AccountSpec, ...] = field(default=(), compare=False)
    scenario: Scenario = field(default=Scenario(), compare=False)

    def __post_init__(self) -> None:
        _validate(self)

    def replace(self, **changes: Any) -> Settings:  # Any: each field's own type; checked
        return dataclasses.replace(self, **changes)


class Duration(float):
    """A setting given as a duration: seconds, or a number with a unit (``--max-age 7d``)."""


_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def _duration(value: object, wrong: ConfigError) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise wrong
    text = str(value).strip().lower()
    scale = _UNITS.get(text[-1:], 1) if text else 1
    number = text[:-1] if text[-1:] in _UNITS else text
    try:
        seconds = float(number) * scale
    except ValueError:
        raise wrong from None
    if not 0 < seconds < math.inf:
        raise wrong
    return seconds


_TYPES: dict[str, type] = {
    "host": str,
    "port": int,
    "strict_accounts": bool,
    "clock": str,
    "delivery_delay": float,
    "callback_timeout": float,
    "callback_attempts": int,
    "callback_backoff": float,
    "callback_backoff_max": float,
    "callback_concurrency": int,
    "max_body_bytes": int,
    "max_messages": int,
    "max_age": Duration,
    "seed": int,
    "fixtures": bool,
    "control_token": str,
    "log_level": str,
    "log_format": str,
    "access_log": bool,
    "tls": bool,
    "tls_dir": str,
    "port_file": str,
    "url_file": str,
    "config_file": str,
    "import_file": str,
    "export_on_exit": str,
    "data": str,
    "allowed_hosts": tuple,
}
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


_KIND_NAMES = {
    int: "a whole number",
    float: "a number",
    str: "a string",
    bool: "a boolean",
    tuple: "a list of names",
    Duration: "a duration (seconds, or a number with s, m, h or d: 90s, 15m, 12h, 7d)",
}


def coerce(name: str, value: object) -> Any:  # Any: the type of the setting ``name``
    """Turn a value from a file, the environment or a flag into the setting's type; anything
    else is a ConfigError naming the setting and what it must be (a port of ``9123.9`` is
    not cut to 9123, ``"80a"`` is not a raw ``int()`` message)."""
    kind = _TYPES[name]
    if value is None:
        return None
    wrong = ConfigError(f"setting {name!r} must be {_KIND_NAMES[kind]}, not {value!r}")
    if kind is bool:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise wrong
    if kind is tuple:
        items = value.replace(",", " ").split() if isinstance(value, str) else value
        if not isinstance(items, list | tuple) or not all(isinstance(i, str) for i in items):
            raise wrong
        return tuple(item.strip().lower() for item in items if item.strip())
    if kind is str:
        if not isinstance(value, str):
            raise wrong
        return value
    if kind is Duration:
        return _duration(value, wrong)
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise wrong
    if kind is int:
        if isinstance(value, float) or (
            isinstance(value, str) and not value.strip().lstrip("+-").isdigit()
        ):
            raise wrong
        return int(value)
    try:
        number = float(value)
    except ValueError:
        raise wrong from None
    if math.isnan(number):
        raise wrong
    return number


def _validate(settings: Settings) -> None:
    if settings.control_token is not None and not settings.control_token.strip():
        raise ConfigError(
            "setting 'control_token' is empty: give a token, or leave the setting "
            "out for no token (an empty one would protect nothing)"
        )
    if settings.log_format not in ("text", "json"):
        raise ConfigError(
            f"setting 'log_format' must be 'text' or 'json', not {settings.log_format!r}"
        )
    if settings.clock not in ("real", "manual"):
        raise ConfigError(f"setting 'clock' must be 'real' or 'manual', not {settings.clock!r}")
    if not 0 <= settings.port <= 65535:
        raise ConfigError(f"setting 'port' must be 0..65535, not {settings.port}")
    for name in ("delivery_delay", "callback_timeout", "callback_backoff", "callback_backoff_max"):
        value = getattr(settings, name)
        if not 0 <= value < math.inf:
            raise ConfigError(f"setting {name!r} must be a finite number, not negative")
    if settings.callback_attempts < 1 or settings.callback_concurrency < 1:
        raise ConfigError("callback_attempts and callback_concurrency must be at least 1")
    if settings.max_messages is not None and settings.max_messages < 1:
        raise ConfigError("setting 'max_messages' must be at least 1")


def _checked(where: str, operation: str, entry: object) -> JsonObject:
    """``entry`` if the control API's schema for ``operation`` accepts it; else a ConfigError
    that says where (the file and the key path)."""
    from .validation import SchemaRegistry, describe

    if not isinstance(entry, Mapping):
        raise ConfigError(f"{where} is not a table")
    validator = SchemaRegistry().validator("control", operation, "request")
    error = next(iter(sorted(validator.iter_errors(entry), key=lambda e: list(e.path))), None)
    if error is not None:
        raise ConfigError(f"{where}: {describe(error)}")
    return dict(entry)


SECTION_KEYS = ("accounts",)  # what a [server2sms] / [serwersms] section may hold


def read_config_file(path: str | Path) -> tuple[JsonObject, tuple[AccountSpec, ...], Scenario]:
    """The settings, accounts and scenario of a TOML file, or of its JSON twin (``.json``: the
    same keys); any key the emulator does not know (a typo such as
    ``[[server2sms.account]]``) or a value of the wrong type is a ConfigError naming the file
    and the key."""
    json_twin = str(path).endswith(".json")
    try:
        with open(path, "rb") as handle:
            data = json.load(handle) if json_twin else tomllib.load(handle)
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from None
    except (tomllib.TOMLDecodeError, ValueError) as exc:
        kind = "JSON" if json_twin else "TOML"
        raise ConfigError(f"config file {path} is not valid {kind}: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"config file {path} is not an object of settings")
    values: JsonObject = {}
    accounts: list[AccountSpec] = []
    scenario: dict[str, tuple[JsonObject, ...]] = {}
    for key, value in data.items():
        if key in SCENARIO:
            if not isinstance(value, list):
                raise ConfigError(f"{path}: {key} must be an array of tables ([[{key}]])")
            scenario[key] = tuple(
                _checked(f"{path}: {key}[{n}]", SCENARIO[key], entry)
                for n, entry in enumerate(value)
            )
            continue
        if key in PROVIDERS:
            if not isinstance(value, Mapping):
                raise ConfigError(
                    f"{path}: {key!r} must be a table ([{key}] or "
                    f"[[{key}.accounts]]), not {value!r}"
                )
            for inner in value:
                if inner not in SECTION_KEYS:
                    raise ConfigError(
                        f"{path}: unknown key {key}.{inner} (a {key} section "
                        f"holds {', '.join(SECTION_KEYS)}: [[{key}.accounts]])"
                    )
            entries = value.get("accounts", [])
            if not isinstance(entries, list):
                raise ConfigError(
                    f"{path}: {key}.accounts must be an array of tables ([[{key}.accounts]])"
                )
            for n, entry in enumerate(entries):
                where = f"{path}: {key}.accounts[{n}]"
                _checked(where, "account.create", {**entry, "provider": key})
                accounts.append(AccountSpec.from_data(key, entry, origin="config"))
        elif key in _TYPES:
            try:
                values[key] = coerce(key, value)
            except ConfigError as exc:
                raise ConfigError(f"{path}: {exc}") from None
        else:
            raise ConfigError(f"{path}: unknown setting {key!r}")
    return values, tuple(accounts), Scenario(**scenario)


def from_environment(environ: Mapping[str, str]) -> JsonObject:
    values: JsonObject = {}
    for name in _TYPES:
        raw = environ.get(ENV_PREFIX + name.upper())
        if raw is not None:
            try:
                values[name] = coerce(name, raw)
            except ConfigError as exc:
                raise ConfigError(f"{ENV_PREFIX}{name.upper()}: {exc}") from None
    return values


def build_settings(
    flags: Mapping[str, Any] | None = None,  # Any: argparse's values, coerced by name
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Merge flags (values that are None were not given), environment and config file."""
    flags = {k: v for k, v in (flags or {}).items() if v is not None}
    env = from_environment(os.environ if environ is None else environ)
    config_file = flags.get("config_file") or env.get("config_file")
    file_values: JsonObject = {}
    accounts: tuple[AccountSpec, ...] = ()
    scenario = Scenario()
    if config_file:
        file_values, accounts, scenario = read_config_file(config_file)
    merged: JsonObject = {**file_values, **env, **{k: coerce(k, v) for k, v in flags.items()}}
    known = {f.name for f in fields(Settings)}
    settings = {k: v for k, v in merged.items() if k in known}
    return Settings(**settings, accounts=accounts, scenario=scenario)
