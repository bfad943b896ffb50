"""server2sms business rules that reach beyond the provider's own state: paying for a send and
handing it to the gateway. Handlers parse a request and call these with parsed values."""

from __future__ import annotations

from decimal import Decimal

from ...context import Context
from ...core import gsm, phones
from ...core.accounts import Account
from ...core.messages import Message
from ...httpio import RequestRecord
from . import errors
from .errors import ApiError
from .models import NAME, Server2smsBackend, Token

Recipients = list[tuple[str, str | None]]  # (number as given, transaction reference or None)


def charge(account: Account, amount: Decimal) -> None:
    if account.credits < amount:
        raise ApiError(
            errors.NOT_ENOUGH_CREDITS,
            f"this needs {amount} credits and the account has {account.credits}",
        )
    account.credits -= amount


def send(
    ctx: Context,
    backend: Server2smsBackend,
    account: Account,
    request: RequestRecord,
    kind: str,
    sender: str,
    entries: Recipients,
    text: gsm.TextInfo,
    options: dict[str, object],
    *,
    start: float | None = None,
    cost: bool = True,
) -> list[Message]:
    """Decide every recipient's fate, charge parts × recipients, and hand them to the gateway.

    Nothing is sent unless everything is accepted: a rejecting rule or a short balance refuses
    the whole request.
    """
    gateway = ctx.gateway
    decided = []
    for number, trn in entries:
        recipient = phones.international(number)
        decision = gateway.decide(NAME, account.username, recipient or number, text.text)
        if decision.reject is not None:
            code = str(decision.reject.get("code", errors.SERVICE_UNAVAILABLE))
            if code not in errors.STATUS_CODES:
                code = errors.SERVICE_UNAVAILABLE
            raise ApiError(code, f"scenario rule {decision.rule} rejects {number}")
        outcome = (
            decision.outcome
            if recipient is not None
            else gateway.outcomes.get("invalid_destination")
        )
        assert outcome is not None  # decide gives one to every message it does not reject
        decided.append((recipient or number, trn, outcome, decision.delay))
    if cost:
        charge(account, Decimal(text.parts * len(entries)))
    batch = gateway.new_batch(NAME, account.username, kind, sender, request, options)
    now = ctx.now()
    with ctx.memory.long_lived(len(decided)):
        messages = [
            gateway.add_message(
                batch,
                recipient,
                text.text,
                text.parts,
                text.encoding,
                trn or backend.next_trn(),
                outcome,
                start=start,
                delay=delay,
                now=now,
            )
            for recipient, trn, outcome, delay in decided
        ]
    ctx.memory.settle(len(gateway.store))
    return messages


def send_tokens(
    ctx: Context,
    backend: Server2smsBackend,
    account: Account,
    request: RequestRecord,
    sender: str,
    entries: Recipients,
    template: str,
    code: str,
    reference: str,
    *,
    validity_minutes: int,
    case_sensitive: bool,
    options: dict[str, object],
) -> None:
    """Send a verification code (alone, or in ``template`` at ``<VERIFICATIONCODE>``) and
    remember it per recipient until it expires."""
    text = gsm.analyse(
        template.replace("<VERIFICATIONCODE>", code) if "<VERIFICATIONCODE>" in template else code
    )
    messages = send(
        ctx,
        backend,
        account,
        request,
        "token",
        sender,
        entries,
        text,
        {**options, "token_reference": reference},
    )
    expires = ctx.now() + validity_minutes * 60
    for message in messages:
        backend.store_token(
            account, message.recipient, reference, Token(code, case_sensitive, expires)
        )
