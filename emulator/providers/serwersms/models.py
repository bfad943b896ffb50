"""SerwerSMS.pl account state beyond messages: limits, callback URLs, API tokens, the demo
account's behaviour, address book, blacklist, senders, files, templates, subaccounts, payments,
premium SMS. Pure Python; handlers call it.

Every account starts with the default limits, defined ones as their definition says
(:meth:`SerwersmsBackend.configure`); the address book starts empty except for data generated
deterministically (payments), made on first use; the demo account's starts with the
documented demo data.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ...core import gsm, plain
from ...core.accounts import Account
from ...core.jsondata import Document, JsonObject
from ...core.messages import IdSource
from ...core.numbered import Serial
from ...core.plain import JSON
from ...httpio import mask_url
from .errors import INVALID_DATA, NO_PERMISSION, ApiError

if TYPE_CHECKING:
    from faker import Faker

NAME = "serwersms"
MAX_ENTRIES = 100_000
"""Address-book entries (contacts, groups, blacklist, senders, files, templates, subaccounts,
registrations) kept for all accounts together: any web page can send the requests that add
them, so what they hold is bounded (README: Security)."""
MAX_TEXT = 2_000  # characters of one value kept (SerwerSMS's longest message is 918)
STORING = frozenset(
    {
        "contacts/add",
        "contacts/edit",
        "contacts/import",
        "groups/add",
        "groups/edit",
        "blacklist/add",
        "senders/add",
        "files/add",
        "templates/add",
        "templates/edit",
        "subaccounts/add",
        "account/add",
    }
)
UNKEPT = frozenset({"file"})  # a file's content is not kept, only its size


def _faker() -> Faker:
    """A Polish Faker, imported when first needed (the import is slow, few calls need it)."""
    from faker import Faker

    return Faker("pl_PL")


@dataclass(slots=True)
class Contact:
    id: int
    phone: str
    email: str = ""
    first_name: str = ""
    last_name: str = ""
    company: str = ""
    tax_id: str = ""
    address: str = ""
    city: str = ""
    description: str = ""
    groups: list[int] = field(default_factory=list)

    FIELDS = (
        "email",
        "first_name",
        "last_name",
        "company",
        "tax_id",
        "address",
        "city",
        "description",
    )


@dataclass(slots=True)
class Group:
    id: int
    name: str


@dataclass(slots=True)
class Sender:
    name: str
    agreement: str = "not_required"
    status: str = "authorized"


@dataclass(slots=True)
class StoredFile:
    id: str
    name: str
    size: int
    type: str
    date: str
    url: str = ""


@dataclass(slots=True)
class Template:
    id: int
    name: str
    text: str


@dataclass(slots=True)
class Subaccount:
    id: int
    username: str
    name: str = ""
    phone: str = ""
    email: str = ""
    limits: dict[str, int] = field(default_factory=dict)


@dataclass(slots=True)
class Payment:
    id: int
    number: str
    state: str
    paid: float
    total: float
    payment_to: str
    url: str


@dataclass(slots=True)
class Premium:
    id: int
    to_number: str
    from_number: str
    date: str
    limit: int
    text: str


@dataclass(slots=True)
class Entry:
    """One recipient of a send, as the client gave it."""

    raw: str
    text: str
    unique_id: str | None = None


@dataclass(slots=True)
class Send:
    """A send request, parsed: every recipient with its text, and how to send them."""

    type: str  # eco, full, voice, mms
    sender: str
    kind: str  # sms, personalized, voice, mms: how the inbox labels it
    entries: tuple[Entry, ...]
    utf: bool = False
    start: float | None = None  # deferred until then
    dry: bool = False  # test=1: answer as if sent, store nothing
    options: Mapping[str, object] = field(default_factory=dict)  # kept on the batch


@dataclass(slots=True)
class Sent:
    """What became of one recipient of a send."""

    entry: Entry
    phone: str | None  # the number as the gateway reads it (None: none it can read)
    info: gsm.TextInfo  # its parts and encoding
    reason: str | None  # why it is unsent (a key of errors.RECIPIENT_ERRORS), or None
    id: str  # the message id (made up when nothing is stored)
    queued: str | None = None  # when it was queued, if not now (the demo's documented sends)


@dataclass(slots=True)
class Saved:
    """The gateway's own state as plain data (GET/PUT /_emulator/state)."""

    states: dict[str, AccountState]
    hlr_jobs: dict[str, JsonObject]
    ids: Serial
    file_ids: int  # the next file's sequence number
    payment_ids: Serial


_URL: JsonObject = {"type": ["string", "null"], "pattern": "^https?://", "maxLength": 2000}
ACCOUNT_FIELDS: dict[str, JsonObject] = {
    "tokens": {"type": "array", "items": {"type": "string", "minLength": 1}},
    "limits": {
        "type": "object",
        "additionalProperties": {
            "type": ["number", "string", "null"],
            "pattern": r"^(no_limit|[0-9]+(\.[0-9]+)?)$",
        },
    },
    "dlr_url": _URL,
    "replies_url": _URL,
    "senders": {
        "type": "array",
        "description": "serwersms: sender names and their authorization",
        "items": {
            "type": "object",
            "required": ["name"],
            "additionalProperties": False,
            "properties": {
                "name": {"type": "string", "minLength": 1, "maxLength": 11},
                "status": {
                    "enum": ["pending_authorization", "authorized", "rejected", "deactivated"]
                },
                "agreement": {"enum": ["delivered", "required", "not_required"]},
            },
        },
    },
    "demo": {"type": "boolean", "description": "serwersms: behave as the documented demo account"},
}
"""What a SerwerSMS account is defined with besides its identity, with the JSON Schema of
each (the control API's account schemas are made from it: python -m emulator.generated)."""
ACCOUNT_VIEW: dict[str, JsonObject] = {
    "limits": {"type": "object", "additionalProperties": {"type": ["number", "null"]}},
    "tokens": {"type": "integer"},
    "dlr_url": {"type": ["string", "null"]},
    "replies_url": {"type": ["string", "null"]},
    "demo": {"type": "boolean"},
}
"""What :meth:`SerwersmsBackend.account_view` shows besides ``options``, with its schema."""


def parse_limit(value: object) -> Decimal | None:
    """A limit: a number, or ``null``/``"no_limit"`` for unlimited."""
    if value is None or value == "no_limit":
        return None
    return Decimal(str(value))


@dataclass
class AccountState:
    limits: dict[str, Decimal | None]  # type → what is left (None: no limit)
    dlr_url: str | None = None  # where delivery reports go
    replies_url: str | None = None  # where incoming messages go
    demo: bool = False  # the documented demo account: sends store nothing
    tokens: set[str] = field(default_factory=set)  # its API tokens
    defined_senders: list[JsonObject] = field(default_factory=list)  # as its definition gave
    seeded: bool = False  # its generated data (payments, the demo's examples) is made
    contacts: dict[int, Contact] = field(default_factory=dict)
    groups: dict[int, Group] = field(default_factory=dict)
    blacklist: dict[str, str] = field(default_factory=dict)  # phone → date added
    senders: dict[str, Sender] = field(default_factory=dict)
    files: dict[str, StoredFile] = field(default_factory=dict)
    templates: dict[int, Template] = field(default_factory=dict)
    subaccounts: dict[int, Subaccount] = field(default_factory=dict)
    payments: dict[int, Payment] = field(default_factory=dict)
    premium: dict[int, Premium] = field(default_factory=dict)
    quizzes: dict[int, JsonObject] = field(default_factory=dict)
    read_replies: set[int] = field(default_factory=set)
    registered: list[JsonObject] = field(default_factory=list)  # account/add calls

    def group_count(self, group_id: int) -> int:
        return sum(1 for c in self.contacts.values() if group_id in c.groups)

    def size(self) -> int:
        """How many address-book entries the account keeps."""
        return (
            len(self.contacts)
            + len(self.groups)
            + len(self.blacklist)
            + len(self.senders)
            + len(self.files)
            + len(self.templates)
            + len(self.subaccounts)
            + len(self.registered)
        )


class SerwersmsBackend:
    account_fields = frozenset(ACCOUNT_FIELDS)

    def __init__(
        self,
        demo: JsonObject,
        reference: JsonObject,
        default_limits: Mapping[str, object],
        callback_urls_changed: Callable[[str], None],
        seed: int = 0,
    ) -> None:
        """``callback_urls_changed(username)``: an account's dlr_url or replies URL was set
        (the gateway reconsiders its messages in flight)."""
        self.demo = demo
        self.reference = reference
        self.default_limits = {kind: parse_limit(v) for kind, v in default_limits.items()}
        self.callback_urls_changed = callback_urls_changed
        self.seed = seed
        self._networks = sorted(reference["networks"], key=lambda n: -len(n["prefix"]))
        self._countries = sorted(reference["countries"].items(), key=lambda c: -len(c[0]))
        self.states: dict[str, AccountState] = {}
        self.tokens: dict[str, str] = {}  # API token → user name
        self.hlr_jobs: dict[str, JsonObject] = {}
        self._start_counters()

    def _start_counters(self) -> None:
        self.ids = Serial(17_293_100)
        self.file_ids = IdSource(7_000_000)
        self.payment_ids = Serial(500_001)

    def next_id(self) -> int:
        return self.ids.take()

    def file_id(self) -> str:
        return self.file_ids.next()[1]

    # -- as plain data (GET/PUT /_emulator/state) -----------------------------------------

    def saved(self) -> Saved:
        return Saved(self.states, self.hlr_jobs, self.ids, self.file_ids.upcoming, self.payment_ids)

    def decode(self, data: JSON, path: str) -> Callable[[], None]:
        saved: Saved = plain.load(Saved, data, path)

        def restore() -> None:
            self.states, self.hlr_jobs = saved.states, saved.hlr_jobs
            self.ids, self.payment_ids = saved.ids, saved.payment_ids
            self.file_ids = IdSource(saved.file_ids)
            self.tokens = {t: name for name, state in self.states.items() for t in state.tokens}

        return restore

    # -- accounts ------------------------------------------------------------------------------

    def state(self, account: Account) -> AccountState:
        """The account's state: a fresh one with the default limits on first use; its
        generated data made the first time it is asked for."""
        state = self.states.get(account.username)
        if state is None:
            state = self.states[account.username] = AccountState(dict(self.default_limits))
        if not state.seeded:
            state.seeded = True
            self._payments(account, state)
            if state.demo:
                self._seed_demo(state)
        return state

    def installed(self, account: Account, settings: Mapping[str, Any]) -> None:  # Any: JSON
        """The account as defined (start-up, reset): its state from ``settings``."""
        self._forget(account.username)
        self.states[account.username] = AccountState(dict(self.default_limits))
        self.configure(account, settings)

    def removed(self, account: Account) -> None:
        self._forget(account.username)

    def _forget(self, username: str) -> None:
        state = self.states.pop(username, None)
        if state is not None:
            for token in state.tokens:
                self.tokens.pop(token, None)

    def configure(self, account: Account, settings: Mapping[str, Any]) -> None:  # Any: JSON
        """Apply the fields of a definition (config file, control API) to the account."""
        state = self.states.get(account.username)
        if state is None:
            state = self.states[account.username] = AccountState(dict(self.default_limits))
        if "limits" in settings:
            state.limits = {kind: parse_limit(v) for kind, v in settings["limits"].items()}
        if "tokens" in settings:
            for token in state.tokens:
                self.tokens.pop(token, None)
            state.tokens = {str(token) for token in settings["tokens"]}
            for token in state.tokens:
                self.add_token(account.username, token)
        if "senders" in settings:
            state.defined_senders = list(settings["senders"])
            for sender in state.defined_senders:
                entry = Sender(
                    name=sender["name"],
                    agreement=sender.get("agreement", "not_required"),
                    status=sender.get("status", "authorized"),
                )
                state.senders[entry.name] = entry
        if "demo" in settings:
            state.demo = bool(settings["demo"])
        urls = False
        for name in ("dlr_url", "replies_url"):
            if name in settings:
                setattr(state, name, settings[name] or None)
                urls = True
        if urls:
            self.callback_urls_changed(account.username)

    def account_view(self, account: Account) -> Document:
        state = self.state(account)
        return {
            "limits": {k: (None if v is None else float(v)) for k, v in state.limits.items()},
            "tokens": len(state.tokens),
            "dlr_url": state.dlr_url and mask_url(state.dlr_url),
            "replies_url": state.replies_url and mask_url(state.replies_url),
            "demo": state.demo,
            "options": {"senders": state.defined_senders} if state.defined_senders else {},
        }

    def token_owner(self, token: str) -> str | None:
        """The user name an API token belongs to."""
        return self.tokens.get(token)

    def add_token(self, username: str, token: str) -> None:
        self.tokens[token] = username
        state = self.states.get(username)
        if state is not None:
            state.tokens.add(token)

    def callback_url(self, username: str, kind: str) -> str | None:
        """The account's ``dlr_url`` or ``replies_url`` (``kind``), if set; asked when each
        status changes or a reply arrives (never makes a state)."""
        state = self.states.get(username)
        return None if state is None else getattr(state, kind)

    def reset(self, account: str | None = None) -> dict[str, int]:
        if account is None:
            cleared = len(self.states)
            self.states.clear()
            self.tokens.clear()
            self.hlr_jobs.clear()
            self._start_counters()
        else:
            cleared = 1 if account in self.states else 0
            self._forget(account)
        return {"address_books": cleared}

    def check_room(self, params: JsonObject, adding: int) -> None:
        """Refuse what would keep more than the emulator keeps: a value over MAX_TEXT
        characters (1006), or ``adding`` entries past MAX_ENTRIES (1005)."""
        for name, value in params.items():
            if name not in UNKEPT and len(str(value)) > MAX_TEXT:
                raise ApiError(
                    INVALID_DATA,
                    f"{name} has {len(str(value))} characters; the "
                    f"emulator keeps values of at most {MAX_TEXT}",
                )
        kept = sum(state.size() for state in self.states.values())
        if kept + adding > MAX_ENTRIES:
            raise ApiError(
                NO_PERMISSION,
                f"the emulator keeps at most {MAX_ENTRIES} address-"
                f"book entries for all accounts ({kept} now); delete "
                "some, or reset",
            )

    def is_subaccount(self, username: str) -> bool:
        """Whether ``username`` is some account's subaccount."""
        return any(
            sub.username == username
            for state in self.states.values()
            for sub in state.subaccounts.values()
        )

    def network(self, phone: str) -> dict[str, str | None]:
        """Country, network and MNC of a number, as reports show them (None when unknown)."""
        found = next((n for n in self._networks if phone.startswith(n["prefix"])), None)
        country = next(
            (name for code, name in self._countries if phone.startswith("+" + code)), None
        )
        return {
            "mnc": found["mnc"] if found else None,
            "country": country,
            "network": found["network"] if found else None,
        }

    def maintainer(self, account: Account) -> dict[str, str]:
        """The account's (made-up, stable) maintainer at the gateway."""
        faker = _faker()
        faker.seed_instance(f"{self.seed}:maintainer:{account.username}")
        name = faker.name()
        return {
            "name": name,
            "email": faker.email(),
            "telephone": faker.phone_number(),
            "photo": "https://panel.serwersms.pl/img/opiekun.png",
        }

    def cost(self, type_: str, parts: int) -> float:
        return round(float(self.reference["prices"].get(type_, 0.0)) * parts, 2)

    # -- starting data -------------------------------------------------------------------------

    def _payments(self, account: Account, state: AccountState) -> None:
        faker = _faker()
        faker.seed_instance(f"{self.seed}:{account.username}")
        rng = random.Random(f"{self.seed}:{account.username}")
        for month in (1, 2, 3):
            payment_id = self.payment_ids.take()
            total = round(rng.uniform(20, 500), 2)
            paid = month != 3
            due = faker.date_between_dates(date(2024, month, 1), date(2024, month, 28))
            state.payments[payment_id] = Payment(
                id=payment_id,
                number=f"FV/{month:02d}/2024/{payment_id % 1000:03d}",
                state="paid" if paid else "not_paid",
                paid=total if paid else 0.0,
                total=total,
                payment_to=due.isoformat(),
                url=f"https://panel.serwersms.pl/faktury/{payment_id}.pdf",
            )

    def _seed_demo(self, state: AccountState) -> None:
        demo = self.demo
        groups = {}
        for name in demo["groups"]:
            group = Group(self.next_id(), name)
            state.groups[group.id] = group
            groups[name] = group.id
        for entry in demo["contacts"]:
            fields = {k: v for k, v in entry.items() if k != "groups"}
            contact = Contact(
                id=self.next_id(), groups=[groups[g] for g in entry["groups"]], **fields
            )
            state.contacts[contact.id] = contact
        for entry in demo["templates"]:
            template = Template(self.next_id(), entry["name"], entry["text"])
            state.templates[template.id] = template
        for entry in demo["files"]:
            state.files[entry["id"]] = StoredFile(**entry)
        for entry in demo["subaccounts"]:
            state.subaccounts[entry["id"]] = Subaccount(**entry)
        for entry in demo["premium"]:
            state.premium[entry["id"]] = Premium(**entry)
        for entry in demo["blacklist"]:
            state.blacklist[entry["phone"]] = entry["added"]
        for entry in demo["quizzes"]:
            state.quizzes[entry["id"]] = entry
