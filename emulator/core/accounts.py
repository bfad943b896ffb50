"""Accounts as identity: who may call the emulator, and with what password.

An account is (provider, user name). Accounts defined in fixtures, the config file or the
control API have their password enforced. Any other user name is welcome and gets a fresh
account on first use, unless the registry is strict (or has made as many as it may).

What an account has beyond its identity (credits, limits, callback URLs, senders, API tokens,
the demo account's behaviour) is its gateway's: each provider's backend keeps it, from the
``settings`` an account is defined with (:meth:`AccountRegistry.on_install` tells it).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from .jsondata import JsonObject

AUTO = "auto"
MAX_AUTO = 1000
"""Accounts made on first use, per provider: any web page can send a request with a new user
name, so their number is bounded; past it, unknown user names are refused as under
``--strict-accounts`` (a reset forgets them)."""
IDENTITY = ("username", "password")  # what a definition says of the identity; the rest is
NOT_SETTINGS = frozenset({*IDENTITY, "provider", "about"})  # its gateway's (and notes)


@dataclass(slots=True, eq=False)
class Account:
    provider: str
    username: str
    password: str | None
    origin: str = AUTO  # "auto", "fixtures", "config" or "api"

    @property
    def enforced(self) -> bool:
        """True when the password is checked (the account was defined, not auto-created)."""
        return self.origin != AUTO

    def password_ok(self, password: str | None) -> bool:
        return not self.enforced or self.password is None or password == self.password


@dataclass(frozen=True, slots=True)
class AccountSpec:
    """How an account looks at start-up (and after a reset): its identity, and the settings
    its gateway's backend applies."""

    provider: str
    username: str
    password: str | None = None
    origin: str = "config"
    settings: Mapping[str, Any] = field(default_factory=dict)  # Any: JSON, its gateway's

    @classmethod
    def from_data(cls, provider: str, data: JsonObject, origin: str) -> AccountSpec:
        return cls(
            provider=provider,
            username=str(data["username"]),
            password=None if data.get("password") is None else str(data["password"]),
            origin=origin,
            settings={k: v for k, v in data.items() if k not in NOT_SETTINGS},
        )


def token_account_name(token: str) -> str:
    """The name of the account an unknown API token opens."""
    raw = token.encode("utf-8", "surrogateescape")  # header bytes that are not UTF-8 too
    return "token-" + hashlib.sha256(raw).hexdigest()[:10]


Installed = Callable[[Account, Mapping[str, Any]], None]  # Any: JSON settings
Removed = Callable[[Account], None]


class AccountRegistry:
    def __init__(self, specs: list[AccountSpec], strict: bool = False) -> None:
        self.strict = strict
        self.max_auto = MAX_AUTO
        self._specs: dict[tuple[str, str], AccountSpec] = {}
        self._accounts: dict[tuple[str, str], Account] = {}
        self._installed: dict[str, list[Installed]] = {}
        self._removed: dict[str, list[Removed]] = {}
        for spec in specs:
            self.define(spec)

    def __iter__(self) -> Iterator[Account]:
        return iter(list(self._accounts.values()))

    def on_install(self, provider: str, installed: Installed, removed: Removed) -> None:
        """``installed(account, settings)`` whenever an account of ``provider`` is set up as
        defined (at start-up, by a reset, by the control API), at once for those there are;
        ``removed(account)`` when one goes."""
        self._installed.setdefault(provider, []).append(installed)
        self._removed.setdefault(provider, []).append(removed)
        for key, spec in self._specs.items():
            if key[0] == provider and key in self._accounts:
                installed(self._accounts[key], spec.settings)

    def define(self, spec: AccountSpec) -> Account:
        """Create (or replace) a start-up account: resets bring it back as the spec says."""
        self._specs[(spec.provider, spec.username)] = spec
        return self._install(spec)

    def spec(self, provider: str, username: str) -> AccountSpec | None:
        return self._specs.get((provider, username))

    def _install(self, spec: AccountSpec) -> Account:
        account = Account(spec.provider, spec.username, spec.password, spec.origin)
        self._accounts[(spec.provider, spec.username)] = account
        for installed in self._installed.get(spec.provider, ()):
            installed(account, spec.settings)
        return account

    def get(self, provider: str, username: str) -> Account | None:
        return self._accounts.get((provider, username))

    def full(self, provider: str) -> bool:
        """Whether ``provider`` has as many auto-created accounts as it may."""
        made = sum(
            1 for a in self._accounts.values() if a.provider == provider and a.origin == AUTO
        )
        return made >= self.max_auto

    def open(self, provider: str, username: str) -> Account | None:
        """The account ``username``, made on first use unless the registry may not."""
        account = self._accounts.get((provider, username))
        if account is not None:
            return account
        if self.strict or not username or self.full(provider):
            return None
        return self._install(AccountSpec(provider=provider, username=username, origin=AUTO))

    def authenticate(self, provider: str, username: str, password: str | None) -> Account | None:
        """The account these credentials open, or None (unknown in strict mode, bad password)."""
        account = self._accounts.get((provider, username))
        if account is None:
            return self.open(provider, username)
        return account if account.password_ok(password) else None

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
            del self._accounts[key]
            spec = self._specs.get(key)
            if spec is not None:
                self._install(spec)
            else:
                for removed in self._removed.get(account.provider, ()):
                    removed(account)
        return touched

    def update(self, provider: str, username: str, changes: JsonObject) -> Account:
        """Define an account through the control API (creating it if needed): an
        auto-created one becomes defined (origin "api"), so its password is enforced; a
        ``password`` in ``changes`` replaces it (its other settings are its gateway's). A reset
        puts accounts back as they were at start-up."""
        account = self._accounts.get((provider, username))
        if account is None:
            account = self._install(AccountSpec(provider=provider, username=username, origin="api"))
        if account.origin == AUTO:
            account.origin = "api"
        if "password" in changes:
            password = changes["password"]
            account.password = None if password is None else str(password)
        return account

    def saved(self) -> list[Account]:
        return list(self._accounts.values())

    def restore(self, accounts: list[Account]) -> None:
        """Exactly these accounts (their gateways' state is restored by their backends); the
        start-up definitions stay, for resets."""
        self._accounts = {(a.provider, a.username): a for a in accounts}

    def remove(self, provider: str, username: str) -> bool:
        account = self._accounts.pop((provider, username), None)
        self._specs.pop((provider, username), None)
        if account is not None:
            for removed in self._removed.get(provider, ()):
                removed(account)
        return account is not None
