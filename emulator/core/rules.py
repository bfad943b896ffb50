"""Scenario rules: run-time overrides of what happens to a message.

A rule matches on provider, account, recipient (exact, prefix, suffix or regex; the first three
read any spelling of the number, as :func:`phones.same_number` says) and text, and
then decides the outcome (with an optional reason), the delivery delay, or a rejection at submit
time with a provider error. ``times`` limits how often a rule applies: "the first two sends
fail, then they succeed" is a reject rule with ``times: 2``. Rules are tried newest first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from . import phones
from .jsondata import JsonObject
from .numbered import Numbered
from .outcomes import Outcome
from .plain import one_of

MATCH_KINDS = ("exact", "prefix", "suffix", "regex")


@dataclass(frozen=True, slots=True)
class Decision:
    outcome: Outcome | None = None
    delay: float | None = None  # seconds per outcome step unit, if the rule sets one
    reject: JsonObject | None = None  # the provider error to answer with at submit time
    rule: int | None = None


@dataclass(slots=True)
class Rule:
    id: int
    provider: str | None = None
    account: str | None = None
    recipient: str | None = None
    match: str = field(default="exact", metadata=one_of(MATCH_KINDS))
    text: str | None = None  # substring the text must contain
    outcome: Outcome | None = None
    reason: str | None = None
    delay: float | None = None
    reject: JsonObject | None = None
    times: int | None = None
    used: int = 0
    _pattern: re.Pattern[str] | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.match not in MATCH_KINDS:
            raise ValueError(f"match must be one of {MATCH_KINDS}")
        if self.recipient is not None and self.match == "regex":
            try:
                self._pattern = re.compile(self.recipient)
            except re.error as exc:
                raise ValueError(f"recipient is not a regular expression: {exc}") from None

    @property
    def exhausted(self) -> bool:
        return self.times is not None and self.used >= self.times

    def matches(self, provider: str, account: str, recipient: str, text: str) -> bool:
        if self.exhausted:
            return False
        if self.provider is not None and self.provider != provider:
            return False
        if self.account is not None and self.account != account:
            return False
        if self.text is not None and self.text not in text:
            return False
        if self.recipient is None:
            return True
        if self.match == "exact":
            return phones.same_number(recipient, self.recipient)
        if self.match == "prefix":
            return phones.starts_with(recipient, self.recipient)
        if self.match == "suffix":
            return phones.ends_with(recipient, self.recipient)
        assert self._pattern is not None
        return self._pattern.search(recipient) is not None

    def outcome_for(self, provider: str) -> Outcome | None:
        if self.outcome is None or self.reason is None:
            return self.outcome
        steps = list(self.outcome.steps)
        last = steps[-1]
        steps[-1] = replace(last, reason={**last.reason, provider: self.reason})
        return replace(self.outcome, steps=tuple(steps))


class RuleBook(Numbered[Rule]):
    def __init__(self) -> None:
        super().__init__(Rule)

    def decide(self, provider: str, account: str, recipient: str, text: str) -> Decision | None:
        if not self:
            return None
        for rule in reversed(list(self.entries())):
            if rule.matches(provider, account, recipient, text):
                rule.used += 1
                return Decision(
                    outcome=rule.outcome_for(provider),
                    delay=rule.delay,
                    reject=rule.reject,
                    rule=rule.id,
                )
        return None
