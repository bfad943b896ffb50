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

from decimal import Decimal

from ...context import Context
from ...core import events as ev
from ...core import gsm, phones
from ...core.accounts import Account
from ...core.jsondata import JsonObject
from ...core.messages import Reply
from ...core.rules import Decision
from ...httpio import RequestRecord
from . import wire
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
from .models import NAME, AccountState, Entry, Premium, Send, SerwersmsBackend, Subaccount

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


def _measure(send: Send) -> None:
    """Each entry's parts and encoding; a text too long for its type refuses the send."""
    infos: dict[str, gsm.TextInfo] = {}
    for entry in send.entries:
        info = infos.get(entry.text)
        if info is None:
            info = infos[entry.text] = _analyse(send.type, entry.text, send.utf)
            if info.parts > MAX_PARTS or (
                send.type == "voice" and len(entry.text) > MAX_VOICE_CHARS
            ):
                raise ApiError(MESSAGE_TOO_LONG, f"{info.parts} parts; at most {MAX_PARTS}")
        entry.info = info


def _sender_allowed(account: Account, state: AccountState, sender: str) -> bool:
    """Alphanumeric names must be registered and authorized when the account lists its
    senders; numbers (4 or 9 digits) and ``2waySMS`` are always fine."""
    if not sender or sender == TWO_WAY or sender.isdigit():
        return True
    if "senders" not in account.options:
        return True
    entry = state.senders.get(sender)
    return entry is not None and entry.status == "authorized"


def _classify(account: Account, state: AccountState, send: Send) -> None:
    blacklist = state.blacklist if not account.demo else {}
    sender_ok = _sender_allowed(account, state, send.sender)
    for entry in send.entries:
        entry.phone = phones.polish(entry.raw)
        if entry.phone is None:
            entry.reason = "wrong_number"
        elif send.type == "eco" and not entry.phone.startswith("+48"):
            entry.reason = "sending_to_foreign_networks_is_locked"
        elif entry.phone in blacklist:
            entry.reason = "number_is_blacklisted"
        elif not sender_ok:
            entry.reason = "wrong_sender_name"


def check_limit(account: Account, kind: str, amount: int) -> Decimal | None:
    """What is left of the account's limit for ``kind`` (None: no limit) after ``amount``
    more; refuses when the account may not use ``kind`` or has too little left."""
    exhausted, forbidden = LIMIT_ERRORS[kind]
    limits = account.limits
    if kind not in limits:
        raise ApiError(forbidden, f"the account may not use {kind}")
    left = limits[kind]
    if left is None:
        return None
    if left < amount:
        raise ApiError(exhausted, f"{amount} {kind} needed, {left} left")
    return left - Decimal(amount)


def use_limit(account: Account, kind: str, amount: int) -> None:
    """Take ``amount`` off the account's limit for ``kind`` (a send, an HLR or lookup query);
    the demo account's limits never move."""
    left = check_limit(account, kind, amount)
    if left is not None and not account.demo:
        account.limits[kind] = left


def dispatch(
    ctx: Context,
    backend: SerwersmsBackend,
    account: Account,
    request: RequestRecord | None,
    send: Send,
) -> list[Entry]:
    """Validate, charge and hand a send to the gateway; returns the entries (``reason`` set on
    the unsent ones, ``id`` on all), in the order given."""
    _measure(send)
    state = backend.state(account)
    _classify(account, state, send)
    accepted = [e for e in send.entries if e.reason is None]
    cost = sum(e.info.parts for e in accepted if e.info is not None)  # every entry has one
    left = check_limit(account, send.type, cost) if accepted else None
    decisions = [_decide(ctx, account, entry) for entry in accepted]
    dry = send.dry or account.demo
    if left is not None and not dry:
        account.limits[send.type] = left
    with ctx.memory.long_lived(len(send.entries)):
        if dry:
            _make_up_ids(ctx, backend, account, send)
        else:
            _store(ctx, account, request, send, decisions)
    ctx.memory.settle(len(ctx.gateway.store))
    return send.entries


def _decide(ctx: Context, account: Account, entry: Entry) -> Decision:
    decision = ctx.gateway.decide(NAME, account.username, entry.phone or entry.raw, entry.text)
    if decision.reject is not None:
        code = wire.integer(decision.reject.get("code")) or INVALID_DATA
        raise ApiError(
            code if code in ERRORS else INVALID_DATA,
            f"scenario rule {decision.rule} rejects {entry.raw}",
        )
    return decision


def _store(
    ctx: Context,
    account: Account,
    request: RequestRecord | None,
    send: Send,
    decisions: list[Decision],
) -> None:
    gateway = ctx.gateway
    now = ctx.now()
    batch = gateway.new_batch(
        NAME,
        account.username,
        send.kind,
        send.sender,
        request,
        {"type": send.type, "utf": send.type == "full" and send.utf, **send.options},
    )
    decided = iter(decisions)
    for entry in send.entries:
        info = entry.info
        assert info is not None
        phone = entry.phone or entry.raw
        if entry.reason is None:
            decision = next(decided)
            assert decision.outcome is not None  # decide gives one to every message it sends
            entry.id = gateway.add_message(
                batch,
                phone,
                entry.text,
                info.parts,
                info.encoding,
                entry.unique_id,
                decision.outcome,
                start=send.start,
                delay=decision.delay,
                now=now,
            ).id
        else:
            entry.id = gateway.reject(
                batch, phone, entry.text, info.parts, info.encoding, entry.reason, entry.unique_id
            ).id


def _make_up_ids(ctx: Context, backend: SerwersmsBackend, account: Account, send: Send) -> None:
    """Nothing is stored, but every entry gets an id; the demo account answers the
    documented example sends with the documented ids and times."""
    documented = (
        {(m["phone"], m["text"]): m for m in backend.demo["messages"]} if account.demo else {}
    )
    for entry in send.entries:
        made_up = ctx.gateway.ids.next()[1]
        example = (
            documented.get((entry.phone or entry.raw, entry.text)) if entry.reason is None else None
        )
        entry.id = example["id"] if example else made_up
        entry.queued = example["queued"] if example else None


# -- number checks ------------------------------------------------------------------------------


def checks_done(ctx: Context, account: Account, job_id: str, url: str) -> None:
    """A check of several numbers is finished: whoever watches (the callback to ``url``) is
    told through the event hub."""
    ctx.hub.publish(
        ev.LOOKUP_DONE,
        ctx.now(),
        None,
        provider=NAME,
        account=account.username,
        id=job_id,
        status=HLR_DONE,
        url=url or None,
    )


# -- premium SMS and subaccounts ---------------------------------------------------------------

SUBACCOUNT_LIMITS = ("eco", "full", "voice", "mms", "hlr")


def answer_premium(
    ctx: Context,
    account: Account,
    request: RequestRecord | None,
    premium: Premium | None,
    phone: str | None,
    text: str,
    gate: str,
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
    decision = ctx.gateway.decide(NAME, account.username, phone, text)
    if decision.reject is not None or decision.outcome is None:
        raise ApiError(PREMIUM_INVALID, f"scenario rule {decision.rule} rejects {phone}")
    premium.limit -= 1
    info = gsm.analyse(gsm.transliterate(text), unicode=False)
    batch = ctx.gateway.new_batch(
        NAME,
        account.username,
        "premium",
        premium.to_number,
        request,
        {"type": "premium", "premium_id": premium.id},
    )
    # It goes through the network like any message, and reports like one (its dlr_url).
    ctx.gateway.add_message(
        batch, phone, text, info.parts, info.encoding, None, decision.outcome, delay=decision.delay
    )


def add_subaccount(
    ctx: Context,
    backend: SerwersmsBackend,
    account: Account,
    username: str,
    password: str,
    *,
    name: str,
    phone: str,
    email: str,
) -> Subaccount:
    """A subaccount is a SerwerSMS login of its own: a user name nobody has (4502), of 3
    characters or more, and a password of 4 or more (4504). The demo account has no users
    section (4500), and a subaccount cannot make subaccounts (4501)."""
    state = backend.state(account)
    if account.demo:
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
    if ctx.accounts.get(NAME, username) is not None or backend.is_subaccount(username):
        raise ApiError(SUBACCOUNT_LOGIN_TAKEN, f"the user name {username!r} is taken")
    sub = Subaccount(id=backend.next_id(), username=username, name=name, phone=phone, email=email)
    state.subaccounts[sub.id] = sub
    ctx.accounts.update(NAME, username, {"password": password})
    return sub


def limit_subaccount(ctx: Context, sub: Subaccount, kind: str, value: int) -> None:
    """The subaccount's limit for ``kind``, on its record and on its login."""
    sub.limits[kind] = value
    login = ctx.accounts.get(NAME, sub.username)
    if login is not None:
        login.limits[kind] = Decimal(value)


def remove_subaccount(ctx: Context, state: AccountState, sub: Subaccount) -> None:
    del state.subaccounts[sub.id]
    ctx.accounts.remove(NAME, sub.username)


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
