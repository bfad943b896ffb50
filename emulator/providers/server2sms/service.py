"""server2sms business rules that reach beyond the provider's own state: paying for a send and
handing it to the gateway. Handlers parse a request into a :class:`Send` and call these."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from ...core import gsm, phones
from ...core.gateway import New
from ...core.messages import Message
from . import errors
from .endpoint import Call
from .errors import ApiError
from .models import NAME, Token

Recipients = tuple[tuple[str, str | None], ...]  # (number as given, its TRN or None)


@dataclass(slots=True)
class Send:
    """A send request, parsed: who gets which text from whom, and what the batch keeps."""

    kind: str  # "sms", "token", "unlock"
    sender: str
    recipients: Recipients
    text: gsm.TextInfo
    options: Mapping[str, object]  # the method, the notification URLs, ...
    start: float | None = None  # deferred until then
    cost: bool = True  # unlock codes are free


def send(call: Call, order: Send) -> list[Message]:
    """Decide every recipient's fate, charge parts × recipients, and hand them to the gateway.

    Nothing is sent unless everything is accepted: a rejecting rule or a short balance refuses
    the whole request.
    """
    gateway = call.ctx.gateway
    account = call.account
    text = order.text
    decided = []
    for number, trn in order.recipients:
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
        decided.append((recipient or number, trn, outcome, decision.delay))
    if order.cost:
        call.backend.charge(account, Decimal(text.parts * len(decided)))
    next_trn = call.backend.next_trn  # TRNs are given to accepted sends only
    new: list[New] = [
        (recipient, text.text, text.parts, text.encoding, trn or next_trn(), outcome, delay, None)
        for recipient, trn, outcome, delay in decided
    ]
    batch = gateway.new_batch(
        NAME, account.username, order.kind, order.sender, call.request, dict(order.options)
    )
    memory = call.ctx.memory
    with memory.long_lived(len(new)):
        messages = gateway.add_messages(batch, new, order.start)
    memory.settle(len(gateway.store))
    return messages


def send_tokens(
    call: Call,
    order: Send,
    code: str,
    reference: str,
    *,
    validity_minutes: int,
    case_sensitive: bool,
) -> None:
    """Send a verification code (the order's text, made from it) and remember it per
    recipient until it expires."""
    messages = send(call, order)
    expires = call.ctx.now() + validity_minutes * 60
    for message in messages:
        call.backend.store_token(
            call.account, message.recipient, reference, Token(code, case_sensitive, expires)
        )


# -- what a text costs ------------------------------------------------------------------------


def cost(message: Message) -> gsm.Cost:
    """What a message cost and why, per recipient, in credits (unlock codes are free); as
    GSM-7 is ForceGSM7bit's: ``?`` for what GSM-7 cannot carry."""
    rate = 0 if message.batch.kind == "unlock" else 1
    return gsm.explain(
        message.text, message.encoding, message.parts, gsm.to_gsm(message.text), "credits", rate
    )


def quote(text: str, options: Mapping[str, object]) -> gsm.Cost:
    """What a send of ``text`` would cost (``force_gsm``: ForceGSM7bit)."""
    info = gsm.analyse(text, force_gsm=bool(options.get("force_gsm")))
    return gsm.explain(text, info.encoding, info.parts, gsm.to_gsm(text), "credits")
