"""Accounts: who may call the emulator, with what password, and what they have left to spend.

An account is (provider, username). Accounts defined in fixtures, the config file or the control
API have their password enforced. Any other username is welcome and gets a fresh account with
the default balance on first use, unless the registry is strict.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .jsondata import JsonObject

AUTO = "auto"
MAX_AUTO = 1000
"""Accounts made on first use, per provider: any web page can send a request with a new user
name, so their number is bounded; past it, unknown user names are refused as under
``--strict-accounts`` (a reset forgets them)."""


@dataclass(slots=True, eq=False)
class Account:
    provider: str
    username: str
    password: str | None
    credits: Decimal
    origin: str = AUTO  # "auto", "fixtures", "config" or "api"
    tokens: set[str] = field(default_factory=set)
    limits: dict[str, Decimal | None] = field(default_factory=dict)
    dlr_url: str | None = None
    replies_url: str | None = None
    demo: bool = False
    options: JsonObject = field(default_factory=dict)  # from the config file or the control API

    @property
    def enforced(self) -> bool:
        """True when the password is checked (the account was defined, not auto-created)."""
        return self.origin != AUTO

    def password_ok(self, password: str | None) -> bool:
        return not self.enforced or self.password is None or password == self.password


@dataclass(frozen=True, slots=True)
class AccountSpec:
    """How an account looks at start-up (and after a reset)."""

    provider: str
    username: str
    password: str | None = None
    credits: Decimal | None = None
    tokens: tuple[str, ...] = ()
    limits: Mapping[str, Decimal | None] | None = None
    dlr_url: str | None = None
    replies_url: str | None = None
    demo: bool = False
    origin: str = "config"
    options: Mapping[str, Any] = field(default_factory=dict)  # Any: config file values

    @classmethod
    def from_data(cls, provider: str, data: JsonObject, origin: str) -> AccountSpec:
        limits = data.get("limits")
        return cls(
            provider=provider,
            username=str(data["username"]),
            password=None if data.get("password") is None else str(data["password"]),
            credits=None if data.get("credits") is None else Decimal(str(data["credits"])),
            tokens=tuple(str(t) for t in data.get("tokens", ())),
            limits=None if limits is None else {k: parse_limit(v) for k, v in limits.items()},
            dlr_url=data.get("dlr_url"),
            replies_url=data.get("replies_url"),
            demo=bool(data.get("demo", False)),
            origin=origin,
            options={k: v for k, v in data.items() if k not in _SPEC_FIELDS},
        )


_SPEC_FIELDS = {
    "username",
    "password",
    "credits",
    "tokens",
    "limits",
    "dlr_url",
    "replies_url",
    "demo",
}


def token_account_name(token: str) -> str:
    """The name of the account an unknown API token opens."""
    raw = token.encode("utf-8", "surrogateescape")  # header bytes that are not UTF-8 too
    return "token-" + hashlib.sha256(raw).hexdigest()[:10]


def parse_limit(value: object) -> Decimal | None:
    """A SerwerSMS limit: a number, or ``null``/``"no_limit"`` for unlimited."""
    if value is None or value == "no_limit":
        return None
    return Decimal(str(value))


@dataclass(frozen=True, slots=True)
class ProviderDefaults:
    credits: Decimal
    limits: Mapping[str, Decimal | None] = field(default_factory=dict)


class AccountRegistry:
    def __init__(
        self,
        specs: list[AccountSpec],
        defaults: Mapping[str, ProviderDefaults],
        strict: bool = False,
    ) -> None:
        self.max_auto = MAX_AUTO
        self.defaults = dict(defaults)
        self.strict = strict
        self._specs: dict[tuple[str, str], AccountSpec] = {}
        self._accounts: dict[tuple[str, str], Account] = {}
        self._tokens: dict[tuple[str, str], Account] = {}
        for spec in specs:
            self.define(spec)

    def __iter__(self) -> Iterator[Account]:
        return iter(list(self._accounts.values()))

    def define(self, spec: AccountSpec) -> Account:
        """Create (or replace) a start-up account: resets bring it back as the spec says."""
        self._specs[(spec.provider, spec.username)] = spec
        return self._install(spec)

    def _install(self, spec: AccountSpec) -> Account:
        defaults = self.defaults[spec.provider]
        old = self._accounts.get((spec.provider, spec.username))
        if old is not None:
            self._forget_tokens(old)
        account = Account(
            provider=spec.provider,
            username=spec.username,
            password=spec.password,
            credits=defaults.credits if spec.credits is None else spec.credits,
            origin=spec.origin,
            tokens=set(spec.tokens),
            limits=dict(defaults.limits if spec.limits is None else spec.limits),
            dlr_url=spec.dlr_url,
            replies_url=spec.replies_url,
            demo=spec.demo,
            options=dict(spec.options),
        )
        self._accounts[(spec.provider, spec.username)] = account
        for token in account.tokens:
            self._tokens[(spec.provider, token)] = account
        return account

    def _forget_tokens(self, account: Account) -> None:
        for token in account.tokens:
            if self._tokens.get((account.provider, token)) is account:
                del self._tokens[(account.provider, token)]

    def add_token(self, account: Account, token: str) -> None:
        account.tokens.add(token)
        self._tokens[(account.provider, token)] = account

    def get(self, provider: str, username: str) -> Account | None:
        return self._accounts.get((provider, username))

    def full(self, provider: str) -> bool:
        """Whether ``provider`` has as many auto-created accounts as it may."""
        return (
            sum(1 for a in self._accounts.values() if a.provider == provider and a.origin == AUTO)
            >= self.max_auto
        )

    def _auto(self, provider: str, username: str) -> Account | None:
        if self.strict or not username or self.full(provider):
            return None
        spec = AccountSpec(provider=provider, username=username, origin=AUTO)
        return self._install(spec)

    def authenticate(self, provider: str, username: str, password: str | None) -> Account | None:
        """The account these credentials open, or None (unknown in strict mode, bad password)."""
        account = self._accounts.get((provider, username))
        if account is None:
            return self._auto(provider, username)
        return account if account.password_ok(password) else None

    def by_token(self, provider: str, token: str) -> Account | None:
        """The account an API token belongs to. An unknown token opens a fresh account (unless
        strict), named ``token-`` and the start of the token's SHA-256, so that the token itself
        never shows in lists and logs."""
        if not token:
            return None
        account = self._tokens.get((provider, token))
        if account is not None:
            return account
        account = self._auto(provider, token_account_name(token))
        if account is not None:
            self.add_token(account, token)
        return account

    def reset(self, provider: str | None = None, username: str | None = None) -> list[Account]:
        """Put accounts back as they were at start-up; auto-created ones disappear.

        Returns the accounts that were reset or removed.
        """
        touched = [
            a
            for a in self._accounts.values()
            if (provider is None or a.provider == provider)
            and (username is None or a.username == username)
        ]
        for account in touched:
            key = (account.provider, account.username)
            self._forget_tokens(account)
            del self._accounts[key]
            spec = self._specs.get(key)
            if spec is not None:
                self._install(spec)
        return touched

    def update(self, provider: str, username: str, changes: JsonObject) -> Account:
        """Change an account (creating it if needed); an auto-created one becomes defined
        (origin "api"), so its password is enforced. ``options`` are merged. A reset puts
        accounts back as they were at start-up."""
        account = self._accounts.get((provider, username))
        if account is None:
            account = self._install(AccountSpec(provider=provider, username=username, origin="api"))
        if account.origin == AUTO:
            account.origin = "api"
        for name, value in changes.items():
            if name == "tokens":
                self._forget_tokens(account)
                account.tokens = set(value)
                for token in account.tokens:
                    self._tokens[(provider, token)] = account
            elif name == "options":
                account.options = {**account.options, **value}
            elif name == "limits":
                account.limits = dict(value)
            else:
                setattr(account, name, value)
        return account

    def remove(self, provider: str, username: str) -> bool:
        account = self._accounts.pop((provider, username), None)
        self._specs.pop((provider, username), None)
        if account is not None:
            self._forget_tokens(account)
        return account is not None
