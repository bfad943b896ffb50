"""SerwerSMS.pl business rules that reach beyond the account's address book: sending (what is
accepted, what it costs, what the gateway is handed), number checks (HLR, lookup), premium
replies, subaccount logins and incoming messages. Handlers parse a request and call these with
parsed values; refusals are ``ApiError``.

Sending, in the order the gateway applies its rules: the text's length (at most 6 parts); the
account's limit for the message type; then per recipient: a number that cannot be read, a
foreign number on ECO, a blacklisted number or an unauthorized sender name makes that recipient
``unsent``. ``test=1`` and the demo account answer the same and store nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from ...context import Context
from ...core import events as ev
from ...core import gsm, phones
from ...core.gateway import New
from ...core.jsondata import JsonObject
from ...core.messages import Message, Reply
from ...core.rules import Decision
from . import wire
from .endpoint import Call, account_state
from .errors import (
    ERRORS,
    HLR_EXHAUSTED,
    HLR_FORBIDDEN,
    INVALID_DATA,
    MESSAGE_TOO_LONG,
    PREMIUM_INVALID,
    SUBACCOUNT_FORBIDDEN,
    SUBACCOUNT_INVALID_LOGIN,
    SUBACCOUNT_LOGIN_TAKEN,
    SUBACCOUNT_OF_SUBACCOUNT,
    ApiError,
)
from .models import NAME, AccountState, Entry, Premium, Send, Sent, Subaccount

MAX_PARTS = 6
MAX_VOICE_CHARS = 160
TWO_WAY = "2waySMS"
HLR_DONE = "done"

# Limit codes per message type: (exhausted, no permission); and per number check.
LIMIT_ERRORS = {
    "eco": (3000, 3001),
    "full": (3002, 3003),
    "mms": (3004, 3005),
    "voice": (3006, 3007),
    "hlr": (HLR_EXHAUSTED, HLR_FORBIDDEN),
    "lookup": (HLR_EXHAUSTED, HLR_FORBIDDEN),
}


def _analyse(type_: str, text: str, utf: bool) -> gsm.TextInfo:
    if type_ == "full" and utf:
        return gsm.analyse(text, unicode=True)
    if type_ in ("voice", "mms"):
        return gsm.TextInfo(text, gsm.UCS2 if not gsm.is_gsm(text) else gsm.GSM7, len(text), 1)
    return gsm.analyse(gsm.transliterate(text), unicode=False)


def cost(message: Message) -> gsm.Cost:
    """What a message cost and why, per recipient, in units of the limit it is taken from
    (``eco``, ``full``, ...; an unsent one costs nothing); as GSM-7 is the gateway's own
    replacement without ``utf``: letters lose their accents, the rest becomes ``?``."""
    type_ = str(message.batch.options.get("type", "eco"))
    rate = 0 if message.outcome is None else 1
    return gsm.explain(
        message.text, message.encoding, message.parts, gsm.transliterate(message.text), type_, rate
    )


def quote(text: str, options: Mapping[str, object]) -> gsm.Cost:
    """What a send of ``text`` would cost: ``utf`` (FULL only), ``type`` (``full`` with
    ``utf``, else ``eco`` unless given)."""
    utf = bool(options.get("utf"))
    type_ = str(options.get("type") or ("full" if utf else "eco"))
    info = _analyse(type_, text, utf)
    return gsm.explain(text, info.encoding, info.parts, gsm.transliterate(text), type_)


def _measure(send: Send) -> dict[str, gsm.TextInfo]:
    """Each text's parts and encoding; a text too long for its type refuses the send."""
    infos: dict[str, gsm.TextInfo] = {}
    for entry in send.entries:
        if entry.text not in infos:
            info = infos[entry.text] = _analyse(send.type, entry.text, send.utf)
            if info.parts > MAX_PARTS or (
                send.type == "voice" and len(entry.text) > MAX_VOICE_CHARS
            ):
                raise ApiError(MESSAGE_TOO_LONG, f"{info.parts} parts; at most {MAX_PARTS}")
    return infos


def _sender_allowed(state: AccountState, sender: str) -> bool:
    """Alphanumeric names must be registered and authorized when the account lists its
    senders; numbers (4 or 9 digits) and ``2waySMS`` are always fine."""
    if not sender or sender == TWO_WAY or sender.isdigit() or not state.defined_senders:
        return True
    entry = state.senders.get(sender)
    return entry is not None and entry.status == "authorized"


def _recipient(
    state: AccountState, send: Send, sender_ok: bool, entry: Entry
) -> tuple[str | None, str | None]:
    """The number the gateway reads, and why the recipient is unsent (None: it is not)."""
    phone = phones.polish(entry.raw)
    if phone is None:
        return None, "wrong_number"
    if send.type == "eco" and not phone.startswith("+48"):
        return phone, "sending_to_foreign_networks_is_locked"
    if phone in state.blacklist and not state.demo:
        return phone, "number_is_blacklisted"
    if not sender_ok:
        return phone, "wrong_sender_name"
    return phone, None


def check_limit(state: AccountState, kind: str, amount: int) -> Decimal | None:
    """What is left of the account's limit for ``kind`` (None: no limit) after ``amount``
    more; refuses when the account may not use ``kind`` or has too little left."""
    exhausted, forbidden = LIMIT_ERRORS[kind]
    limits = state.limits
    if kind not in limits:
        raise ApiError(forbidden, f"the account may not use {kind}")
    left = limits[kind]
    if left is None:
        return None
    if left < amount:
        raise ApiError(exhausted, f"{amount} {kind} needed, {left} left")
    return left - Decimal(amount)


def use_limit(state: AccountState, kind: str, amount: int) -> None:
    """Take ``amount`` off the account's limit for ``kind`` (a send, an HLR or lookup query);
    the demo account's limits never move."""
    left = check_limit(state, kind, amount)
    if left is not None and not state.demo:
        state.limits[kind] = left


def dispatch(call: Call, send: Send) -> list[Sent]:
    """Validate, charge and hand a send to the gateway; what became of each recipient, in the
    order given."""
    infos = _measure(send)
    state = account_state(call)
    sender_ok = _sender_allowed(state, send.sender)
    checked = [(entry, *_recipient(state, send, sender_ok, entry)) for entry in send.entries]
    accepted = [(entry, phone) for entry, phone, reason in checked if reason is None]
    cost = sum(infos[entry.text].parts for entry, _ in accepted)
    left = check_limit(state, send.type, cost) if accepted else None
    decisions = [_decide(call, entry, phone) for entry, phone in accepted]
    dry = send.dry or state.demo
    if left is not None and not dry:
        state.limits[send.type] = left
    memory = call.ctx.memory
    with memory.long_lived(len(send.entries)):
        made = (
            _made_up(call, state, checked) if dry else _store(call, send, checked, infos, decisions)
        )
    memory.settle(len(call.ctx.gateway.store))
    return [
        Sent(entry, phone, infos[entry.text], reason, message_id, queued)
        for (entry, phone, reason), (message_id, queued) in zip(checked, made, strict=True)
    ]


Checked = list[tuple[Entry, str | None, str | None]]  # entry, phone, why unsent


def _decide(call: Call, entry: Entry, phone: str | None) -> Decision:
    decision = call.ctx.gateway.decide(NAME, call.account.username, phone or entry.raw, entry.text)
    if decision.reject is not None:
        code = wire.integer(decision.reject.get("code")) or INVALID_DATA
        raise ApiError(
            code if code in ERRORS else INVALID_DATA,
            f"scenario rule {decision.rule} rejects {entry.raw}",
        )
    return decision


def _store(
    call: Call,
    send: Send,
    checked: Checked,
    infos: dict[str, gsm.TextInfo],
    decisions: list[Decision],
) -> list[tuple[str, str | None]]:
    """Hand the accepted recipients to the gateway, store the unsent ones; their ids."""
    gateway = call.ctx.gateway
    batch = gateway.new_batch(
        NAME,
        call.account.username,
        send.kind,
        send.sender,
        call.request,
        {"type": send.type, "utf": send.type == "full" and send.utf, **send.options},
    )
    decided = iter(decisions)
    new: list[New] = []
    for entry, phone, reason in checked:
        info = infos[entry.text]
        number = phone or entry.raw
        outcome, delay = None, None
        if reason is None:
            decision = next(decided)
            assert decision.outcome is not None  # decide gives one to every message it sends
            outcome, delay = decision.outcome, decision.delay
        new.append(
            (number, entry.text, info.parts, info.encoding, entry.unique_id, outcome, delay,
             reason)
        )  # fmt: skip
    return [(m.id, None) for m in gateway.add_messages(batch, new, send.start)]


def _made_up(call: Call, state: AccountState, checked: Checked) -> list[tuple[str, str | None]]:
    """Nothing is stored, but every entry gets an id; the demo account answers the
    documented example sends with the documented ids and times."""
    documented = (
        {(m["phone"], m["text"]): m for m in call.backend.demo["messages"]} if state.demo else {}
    )
    made: list[tuple[str, str | None]] = []
    for entry, phone, reason in checked:
        made_up = call.ctx.gateway.ids.next()[1]
        example = documented.get((phone or entry.raw, entry.text)) if reason is None else None
        made.append((example["id"], example["queued"]) if example else (made_up, None))
    return made


# -- number checks ------------------------------------------------------------------------------


def checks_done(call: Call, job_id: str, url: str) -> None:
    """A check of several numbers is finished: whoever watches (the callback to ``url``) is
    told through the event hub."""
    ctx = call.ctx
    ctx.hub.publish(
        ev.LOOKUP_DONE,
        ctx.now(),
        None,
        provider=NAME,
        account=call.account.username,
        id=job_id,
        status=HLR_DONE,
        url=url or None,
    )


# -- premium SMS and subaccounts ---------------------------------------------------------------

SUBACCOUNT_LIMITS = ("eco", "full", "voice", "mms", "hlr")


def answer_premium(
    call: Call, premium: Premium | None, phone: str | None, text: str, gate: str
) -> None:
    """Reply to a premium SMS from the number that sent it, on the gate it came in on, while
    it has replies left (else 4201): one reply fewer left, and the answer goes out."""
    if (
        premium is None
        or phone is None
        or not text
        or gate != premium.to_number
        or phones.polish(premium.from_number) != phone
        or premium.limit <= 0
    ):
        raise ApiError(
            PREMIUM_INVALID, "no such premium SMS from this number on this gate, or no replies left"
        )
    gateway = call.ctx.gateway
    decision = gateway.decide(NAME, call.account.username, phone, text)
    if decision.reject is not None or decision.outcome is None:
        raise ApiError(PREMIUM_INVALID, f"scenario rule {decision.rule} rejects {phone}")
    premium.limit -= 1
    info = gsm.analyse(gsm.transliterate(text), unicode=False)
    batch = gateway.new_batch(
        NAME,
        call.account.username,
        "premium",
        premium.to_number,
        call.request,
        {"type": "premium", "premium_id": premium.id},
    )
    # It goes through the network like any message, and reports like one (its dlr_url).
    new = (phone, text, info.parts, info.encoding, None, decision.outcome, decision.delay, None)
    gateway.add_messages(batch, [new])


def add_subaccount(
    call: Call, username: str, password: str, *, name: str, phone: str, email: str
) -> Subaccount:
    """A subaccount is a SerwerSMS login of its own: a user name nobody has (4502), of 3
    characters or more, and a password of 4 or more (4504). The demo account has no users
    section (4500), and a subaccount cannot make subaccounts (4501)."""
    backend, account, accounts = call.backend, call.account, call.ctx.accounts
    state = backend.state(account)
    if state.demo:
        raise ApiError(SUBACCOUNT_FORBIDDEN, "the demo account cannot create subaccounts")
    if backend.is_subaccount(account.username):
        raise ApiError(
            SUBACCOUNT_OF_SUBACCOUNT,
            f"{account.username!r} is a subaccount and cannot create subaccounts",
        )
    if len(username) < 3 or len(password) < 4:
        raise ApiError(
            SUBACCOUNT_INVALID_LOGIN,
            "a subaccount needs a user name of 3 or more characters and a password of 4 or more",
        )
    if accounts.get(NAME, username) is not None or backend.is_subaccount(username):
        raise ApiError(SUBACCOUNT_LOGIN_TAKEN, f"the user name {username!r} is taken")
    sub = Subaccount(id=backend.next_id(), username=username, name=name, phone=phone, email=email)
    state.subaccounts[sub.id] = sub
    accounts.update(NAME, username, {"password": password})
    return sub


def limit_subaccount(call: Call, sub: Subaccount, kind: str, value: int) -> None:
    """The subaccount's limit for ``kind``, on its record and on its login."""
    sub.limits[kind] = value
    login = call.ctx.accounts.get(NAME, sub.username)
    if login is not None:
        call.backend.state(login).limits[kind] = Decimal(value)


def remove_subaccount(call: Call, sub: Subaccount) -> None:
    del account_state(call).subaccounts[sub.id]
    call.ctx.accounts.remove(NAME, sub.username)


# -- incoming messages --------------------------------------------------------------------------


def inject_reply(ctx: Context, data: JsonObject) -> Reply:
    """An incoming message, as the control API simulates it. An ECO reply without
    ``message_id`` answers the account's latest ECO message to that phone."""
    phone = phones.polish(data["phone"]) or data["phone"]
    type_ = data.get("type") or "eco"
    message_id = data.get("message_id")
    if type_ in ("eco", "2way") and not message_id:
        sent = [
            m for m in ctx.gateway.store.for_account(NAME, data["account"]) if m.recipient == phone
        ]
        message_id = sent[-1].id if sent else None
    to_number = data.get("to_number")
    return ctx.gateway.add_reply(
        NAME,
        data["account"],
        type_,
        phone,
        data["text"],
        to_number=phones.polish(to_number) or to_number if to_number else None,
        message_id=message_id,
    )
