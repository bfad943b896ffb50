"""server2sms state beyond messages, and its rules: each account's credits and unlocked
originators, verification tokens, vouchers.

Pure Python; the handlers call it with parsed values, and it refuses with ``ApiError``. Random
values (codes, vouchers) come from a seeded generator so that a run repeats exactly.
"""

from __future__ import annotations

import random
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ...core import plain
from ...core.accounts import Account
from ...core.jsondata import Document, JsonObject
from ...core.numbered import Serial
from ...core.plain import JSON
from . import errors
from .errors import ApiError

NAME = "server2sms"
DEFAULT_TOKEN_MASK = "NNNN"
DEFAULT_TOKEN_VALIDITY_MINUTES = 5
UNLOCK_CODE_DIGITS = 8


@dataclass(slots=True)
class Token:
    code: str
    case_sensitive: bool
    expires: float
    verified: bool = False

    def matches(self, code: str) -> bool:
        if self.case_sensitive:
            return code == self.code
        return code.casefold() == self.code.casefold()


@dataclass(slots=True)
class Voucher:
    code: str
    credits: Decimal
    creator: str
    remark: str
    created: float
    redeemed: float | None = None
    redeemed_by: str | None = None


@dataclass(slots=True)
class AccountState:
    """A server2sms account's own: its credits and the numeric originators it may use."""

    credits: Decimal
    originators: set[str] = field(default_factory=set)
    defined: list[str] = field(default_factory=list)  # originators its definition gave


@dataclass(slots=True)
class Saved:
    """The gateway's own state as plain data (GET/PUT /_emulator/state)."""

    accounts: dict[str, AccountState]
    pending_unlocks: dict[tuple[str, str], str]  # (account, number) → unlock code
    tokens: dict[tuple[str, str, str], Token]  # (account, recipient, reference) → token
    vouchers: dict[str, Voucher]
    rng: random.Random  # where its codes come from
    trns: Serial


ACCOUNT_FIELDS: dict[str, JsonObject] = {
    "credits": {"type": ["number", "string"], "pattern": r"^-?[0-9]+(\.[0-9]+)?$"},
    "originators": {
        "type": "array",
        "items": {"type": "string"},
        "description": "server2sms: numeric originators already unlocked",
    },
}
"""What a server2sms account is defined with besides its identity, with the JSON Schema of
each (the control API's account schemas are made from it: python -m emulator.generated)."""
ACCOUNT_VIEW: dict[str, JsonObject] = {"credits": {"type": "number"}}
"""What :meth:`Server2smsBackend.account_view` shows besides ``options``, with its schema."""


class Server2smsBackend:
    account_fields = frozenset(ACCOUNT_FIELDS)

    def __init__(self, default_credits: Decimal, seed: int = 0) -> None:
        self.default_credits = default_credits
        self._seed = seed
        self.rng = random.Random(seed)
        self.accounts: dict[str, AccountState] = {}
        self.pending_unlocks: dict[tuple[str, str], str] = {}
        self.tokens: dict[tuple[str, str, str], Token] = {}
        self.vouchers: dict[str, Voucher] = {}
        self.trns = Serial(1_000_001)

    # -- accounts --------------------------------------------------------------------------

    def state(self, account: Account) -> AccountState:
        """The account's state (a fresh one, with the default credits, on first use)."""
        state = self.accounts.get(account.username)
        if state is None:
            state = self.accounts[account.username] = AccountState(self.default_credits)
        return state

    def installed(self, account: Account, settings: Mapping[str, Any]) -> None:  # Any: JSON
        """The account as defined (start-up, reset): its state from ``settings``."""
        self.accounts[account.username] = AccountState(self.default_credits)
        self.configure(account, settings)

    def removed(self, account: Account) -> None:
        self.accounts.pop(account.username, None)

    def configure(self, account: Account, settings: Mapping[str, Any]) -> None:  # Any: JSON
        """Apply the fields of a definition (config file, control API) to the account."""
        state = self.state(account)
        if settings.get("credits") is not None:
            state.credits = Decimal(str(settings["credits"]))
        if "originators" in settings:
            state.originators -= set(state.defined)
            state.defined = [str(number) for number in settings["originators"]]
            state.originators |= set(state.defined)

    def account_view(self, account: Account) -> Document:
        state = self.state(account)
        return {
            "credits": float(state.credits),
            "options": {"originators": state.defined} if state.defined else {},
        }

    def charge(self, account: Account, amount: Decimal) -> None:
        """Take ``amount`` credits, or refuse (5) when the account has fewer."""
        state = self.state(account)
        if state.credits < amount:
            raise ApiError(
                errors.NOT_ENOUGH_CREDITS,
                f"this needs {amount} credits and the account has {state.credits}",
            )
        state.credits -= amount

    def reset(self, account: str | None = None) -> dict[str, int]:
        def mine(key: tuple[str, ...]) -> bool:
            return account is None or key[0] == account

        cleared = {
            "originators": sum(
                len(s.originators)
                for name, s in self.accounts.items()
                if account is None or name == account
            ),
            "tokens": len([k for k in self.tokens if mine(k)]),
            "vouchers": len(
                [v for v in self.vouchers.values() if account is None or v.creator == account]
            ),
        }
        self.pending_unlocks = {k: v for k, v in self.pending_unlocks.items() if not mine(k)}
        self.tokens = {k: v for k, v in self.tokens.items() if not mine(k)}
        self.vouchers = {
            c: v for c, v in self.vouchers.items() if account is not None and v.creator != account
        }
        if account is None:
            self.accounts.clear()
            self.rng = random.Random(self._seed)
            self.trns = Serial(1_000_001)
        else:
            self.accounts.pop(account, None)
        return cleared

    def next_trn(self) -> str:
        return str(self.trns.take())

    # -- as plain data (GET/PUT /_emulator/state) -----------------------------------------

    def saved(self) -> Saved:
        return Saved(
            self.accounts, self.pending_unlocks, self.tokens, self.vouchers, self.rng, self.trns
        )

    def decode(self, data: JSON, path: str) -> Callable[[], None]:
        saved: Saved = plain.load(Saved, data, path)

        def restore() -> None:
            self.accounts, self.pending_unlocks = saved.accounts, saved.pending_unlocks
            self.tokens, self.vouchers = saved.tokens, saved.vouchers
            self.rng, self.trns = saved.rng, saved.trns

        return restore

    # -- originators -----------------------------------------------------------------------

    def is_unlocked(self, account: Account, number: str) -> bool:
        return number in self.state(account).originators

    def new_unlock_code(self, account: Account, number: str) -> str:
        code = "".join(self.rng.choice(string.digits) for _ in range(UNLOCK_CODE_DIGITS))
        self.pending_unlocks[(account.username, number)] = code
        return code

    def unlock(self, account: Account, number: str, code: str) -> bool:
        key = (account.username, number)
        if self.pending_unlocks.get(key) != code:
            return False
        del self.pending_unlocks[key]
        self.state(account).originators.add(number)
        return True

    # -- tokens ----------------------------------------------------------------------------

    def token_code(self, mask: str) -> str:
        """``#`` a digit, ``A`` a letter, ``N`` a letter or digit; anything else literally."""
        alphabet = {
            "#": string.digits,
            "A": string.ascii_uppercase,
            "N": string.ascii_uppercase + string.digits,
        }
        return "".join(self.rng.choice(alphabet[ch]) if ch in alphabet else ch for ch in mask)

    def store_token(self, account: Account, phone: str, reference: str, token: Token) -> None:
        self.tokens[(account.username, phone, reference)] = token

    def verify_token(
        self, account: Account, phone: str, reference: str, code: str, now: float
    ) -> None:
        """Accept the code sent to ``phone`` under ``reference`` (once verified, always), or
        refuse: unknown or expired token (38), wrong code (37)."""
        token = self.tokens.get((account.username, phone, reference))
        if token is None:
            raise ApiError(
                errors.TOKEN_NOT_FOUND, f"no token for {phone} with reference {reference!r}"
            )
        if token.verified:
            return
        if now > token.expires:
            raise ApiError(errors.TOKEN_NOT_FOUND, f"the token for {phone} has expired")
        if not token.matches(code):
            raise ApiError(errors.TOKEN_NOT_AUTHORIZED, "wrong verification code")
        token.verified = True

    # -- vouchers --------------------------------------------------------------------------

    def create_vouchers(
        self, account: Account, number: int, credits: Decimal, remark: str, now: float
    ) -> list[Voucher]:
        made = []
        for _ in range(number):
            code = self._voucher_code()
            voucher = Voucher(code, credits, account.username, remark, now)
            self.vouchers[code] = voucher
            made.append(voucher)
        return made

    def redeem_voucher(self, account: Account, code: str, now: float) -> None:
        """Credit the account with the voucher's amount, once: an unknown code is 26, a
        redeemed one 27."""
        voucher = self.vouchers.get(code)
        if voucher is None:
            raise ApiError(errors.UNKNOWN_VOUCHER, f"no voucher {code!r}")
        if voucher.redeemed is not None:
            raise ApiError(errors.VOUCHER_REDEEMED, f"voucher {code} was already redeemed")
        voucher.redeemed = now
        voucher.redeemed_by = account.username
        self.state(account).credits += voucher.credits

    def _voucher_code(self) -> str:
        alphabet = string.ascii_uppercase + string.digits
        while True:
            code = "-".join("".join(self.rng.choice(alphabet) for _ in range(4)) for _ in range(4))
            if code not in self.vouchers:
                return code

    def transactions(self, account: Account) -> list[Voucher]:
        return [
            v
            for v in self.vouchers.values()
            if v.creator == account.username or v.redeemed_by == account.username
        ]
