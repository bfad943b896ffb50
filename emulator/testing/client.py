"""``EmulatorClient``: the control API from Python, with the assertions tests need most.

Every helper exists twice from one definition: ``advance(5)`` for ordinary code and
``await advance_async(5)`` for async tests, which must not block their event loop (a callback
receiver running on that loop could not answer). Each helper only says *what* to ask (a
:class:`Call`); two small transports carry it: the standard library's ``urllib`` (sync, no
new dependency) and aiohttp (async, already the emulator's own). Both ignore proxy settings
(the emulator is local; ``http_proxy`` in a CI environment must not capture it) and trust the
emulator's CA when it serves TLS. Failed waits raise AssertionError listing what was sent.
"""

from __future__ import annotations

import functools
import json
import ssl
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Concatenate, Generic, ParamSpec, TypeVar

from ..core.jsondata import Document, JsonObject

T = TypeVar("T")
P = ParamSpec("P")
# Any: a decoded JSON answer; its shape is each endpoint's schema in schemas/control/
JSON = Any
Items = list[JsonObject]


class ControlAPIError(AssertionError):
    def __init__(self, status: int, data: JSON, what: str) -> None:
        super().__init__(f"{what} answered HTTP {status}: {data}")
        self.status = status
        self.data = data


@dataclass(frozen=True)
class Call(Generic[T]):
    """One request to the control API and what to make of its answer: ``finish`` returns the
    result, or a further Call to make (a failed wait fetches what was sent, to say so)."""

    method: str
    path: str
    finish: Callable[[JSON], T | Call[T]]
    body: JSON = None
    query: Document = field(default_factory=dict)
    expect: tuple[int, ...] = (200, 201, 202)

    def url(self, base: str) -> str:
        clean = {k: v for k, v in self.query.items() if v is not None}
        return base + self.path + ("?" + urllib.parse.urlencode(clean) if clean else "")

    def data(self) -> bytes | None:
        return None if self.body is None else json.dumps(self.body).encode()


def _same(data: JSON) -> JSON:
    return data


def _key(name: str) -> Callable[[JSON], JSON]:
    return lambda data: data[name]


def both(
    build: Callable[Concatenate[EmulatorClient, P], Call[T]],
) -> tuple[
    Callable[Concatenate[EmulatorClient, P], T],
    # Any, Any: what the coroutine is sent and yields is asyncio's business
    Callable[Concatenate[EmulatorClient, P], Coroutine[Any, Any, T]],
]:
    """The sync helper and its ``_async`` twin, from one description of the call (whose
    ``self`` is positional-only, as ``Concatenate`` needs)."""

    def sync(self: EmulatorClient, /, *args: P.args, **kwargs: P.kwargs) -> T:
        return self.run(build(self, *args, **kwargs))

    async def asynchronous(self: EmulatorClient, /, *args: P.args, **kwargs: P.kwargs) -> T:
        return await self.run_async(build(self, *args, **kwargs))

    name = build.__name__.lstrip("_")
    sync.__name__, asynchronous.__name__ = name, f"{name}_async"
    sync.__doc__ = asynchronous.__doc__ = build.__doc__
    return sync, asynchronous


def _costs(filters: JsonObject, bad: Callable[[JsonObject], bool], what: str) -> Call[Items]:
    """The messages matching ``filters``; an AssertionError listing those whose cost is
    ``bad``."""

    def judge(data: JSON) -> Items:
        messages: Items = data["items"]
        wrong = [m for m in messages if bad(m["cost"])]
        if wrong:
            lines = "\n  ".join(_costly(m) for m in wrong)
            raise AssertionError(f"{len(wrong)} message(s) with {what}:\n  {lines}")
        return messages

    return Call("GET", "/_emulator/messages", judge, query={"limit": 10_000, **filters})


def _costly(message: JsonObject) -> str:
    cost = message["cost"]
    culprits = cost["ucs2_because"] + cost["replaced"]
    blamed = ", ".join(
        f"{c['char']!r} at {c['index']} ({c['codepoint']})"
        + (f", write {c['suggestion']!r}" if c["suggestion"] else "")
        for c in culprits
    )
    return (
        f"{message['id']} to {message['recipient']}: {message['text']!r} took "
        f"{cost['parts']} part(s) as {cost['encoding']}"
        + (f" because of {blamed}; as GSM-7 {cost['as_gsm7']['parts']}" if blamed else "")
    )


class EmulatorClient:
    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        timeout: float = 60.0,
        ca_file: str | Path | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self.ca_file = ca_file

    @property
    def url(self) -> str:
        """Base URL: server2sms at ``url + "/SendTextSMS"``, SerwerSMS at
        ``url + "/messages/send_sms.json"``."""
        return self.base_url

    # -- transports ------------------------------------------------------------------------

    def _headers(self, call: Call[T]) -> dict[str, str]:
        headers = {"Content-Type": "application/json"} if call.body is not None else {}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        return headers

    def _ssl(self) -> ssl.SSLContext | None:
        if not self.base_url.startswith("https:"):
            return None
        return ssl.create_default_context(cafile=str(self.ca_file) if self.ca_file else None)

    def _done(self, call: Call[T], status: int, raw: bytes) -> T | Call[T]:
        payload = json.loads(raw) if raw else None
        if status not in call.expect:
            raise ControlAPIError(status, payload, f"{call.method} {call.path}")
        return call.finish(payload)

    @functools.cached_property
    def _opener(self) -> urllib.request.OpenerDirector:
        return urllib.request.build_opener(
            urllib.request.ProxyHandler({}), urllib.request.HTTPSHandler(context=self._ssl())
        )

    def run(self, call: Call[T]) -> T:
        """Make a call (and its follow-ups) with urllib."""
        while True:
            request = urllib.request.Request(
                call.url(self.base_url),
                data=call.data(),
                method=call.method,
                headers=self._headers(call),
            )
            try:
                with self._opener.open(request, timeout=self.timeout) as answer:
                    status, raw = answer.status, answer.read()
            except urllib.error.HTTPError as exc:
                status, raw = exc.code, exc.read()
            result = self._done(call, status, raw)
            if not isinstance(result, Call):
                return result
            call = result

    async def run_async(self, call: Call[T]) -> T:
        """Make a call (and its follow-ups) with aiohttp, without blocking the event loop."""
        import aiohttp

        timeout = aiohttp.ClientTimeout(total=self.timeout)
        async with aiohttp.ClientSession(timeout=timeout, trust_env=False) as session:
            while True:
                async with session.request(
                    call.method,
                    call.url(self.base_url),
                    data=call.data(),
                    headers=self._headers(call),
                    ssl=self._ssl() or True,
                ) as answer:
                    result = self._done(call, answer.status, await answer.read())
                if not isinstance(result, Call):
                    return result
                call = result

    def request(
        self,
        method: str,
        path: str,
        body: JSON = None,
        query: JsonObject | None = None,
        expect: tuple[int, ...] = (200, 201, 202),
    ) -> JSON:
        """Any control endpoint; the decoded answer."""
        return self.run(Call(method, path, _same, body, query or {}, expect))

    def post(self, path: str, body: JSON = None, **kw: Any) -> JSON:  # Any: request()'s options
        return self.request("POST", path, {} if body is None else body, **kw)

    # -- state -----------------------------------------------------------------------------

    def _health(self, /) -> Call[JsonObject]:
        return Call("GET", "/_emulator/health", _same, expect=(200, 503))

    health, health_async = both(_health)

    def _reset(
        self, /, provider: str | None = None, account: str | None = None
    ) -> Call[JsonObject]:
        body = {k: v for k, v in (("provider", provider), ("account", account)) if v}
        return Call("POST", "/_emulator/reset", _key("cleared"), body)

    reset, reset_async = both(_reset)

    def _account(self, /, provider: str, username: str, **fields: object) -> Call[JsonObject]:
        """Define or change an account (password, credits, tokens, limits, dlr_url, ...)."""
        return Call(
            "POST",
            "/_emulator/accounts",
            _same,
            {"provider": provider, "username": username, **fields},
        )

    account, account_async = both(_account)

    def _get_account(self, /, provider: str, username: str) -> Call[JsonObject]:
        path = f"/_emulator/accounts/{provider}/{urllib.parse.quote(username, safe='')}"
        return Call("GET", path, _same)

    get_account, get_account_async = both(_get_account)

    def _clock(self, /) -> Call[JsonObject]:
        return Call("GET", "/_emulator/clock", _same)

    clock, clock_async = both(_clock)

    def _frozen_since(self, /, since: float) -> Call[bool]:
        """Whether the emulator's clock is manual and was not advanced since ``since`` (a
        wall-clock time): then nothing that is due on it happens (what a timed-out wait for
        callbacks says)."""

        def frozen(clock: JSON) -> bool:
            advanced = clock.get("advanced_at")
            return clock["mode"] == "manual" and (
                advanced is None
                or datetime.fromisoformat(advanced.replace("Z", "+00:00")).timestamp() < since
            )

        return Call("GET", "/_emulator/clock", frozen)

    frozen_since, frozen_since_async = both(_frozen_since)

    def _set_clock(self, /, mode: str) -> Call[JsonObject]:
        return Call("POST", "/_emulator/clock", _same, {"mode": mode})

    set_clock, set_clock_async = both(_set_clock)

    def _advance(self, /, seconds: float) -> Call[JsonObject]:
        """Move the emulator's time; due messages change status and every callback try that
        falls due within the span is made before this returns."""
        return Call("POST", "/_emulator/clock/advance", _same, {"seconds": seconds})

    advance, advance_async = both(_advance)

    def _add_rule(self, /, **rule: object) -> Call[JsonObject]:
        return Call("POST", "/_emulator/rules", _same, rule)

    add_rule, add_rule_async = both(_add_rule)

    def _clear_rules(self, /) -> Call[int]:
        return Call("DELETE", "/_emulator/rules", _key("deleted"))

    clear_rules, clear_rules_async = both(_clear_rules)

    def _add_fault(self, /, **fault: object) -> Call[JsonObject]:
        return Call("POST", "/_emulator/faults", _same, fault)

    add_fault, add_fault_async = both(_add_fault)

    def _clear_faults(self, /) -> Call[int]:
        return Call("DELETE", "/_emulator/faults", _key("deleted"))

    clear_faults, clear_faults_async = both(_clear_faults)

    def _inject_reply(
        self, /, provider: str, account: str, phone: str, text: str, **fields: object
    ) -> Call[JsonObject]:
        return Call(
            "POST",
            "/_emulator/replies",
            _same,
            {"provider": provider, "account": account, "phone": phone, "text": text, **fields},
        )

    inject_reply, inject_reply_async = both(_inject_reply)

    def _redeliver(self, /, callback_id: int) -> Call[JsonObject]:
        return Call("POST", f"/_emulator/callbacks/{callback_id}/redeliver", _same, {})

    redeliver, redeliver_async = both(_redeliver)

    # -- looking ---------------------------------------------------------------------------

    def _messages(self, /, **filters: object) -> Call[Items]:
        return Call("GET", "/_emulator/messages", _key("items"), query={"limit": 10_000, **filters})

    messages, messages_async = both(_messages)

    def _message(self, /, message_id: str) -> Call[JsonObject]:
        return Call("GET", f"/_emulator/messages/{urllib.parse.quote(message_id, safe='')}", _same)

    message, message_async = both(_message)

    def _sent_to(self, /, number: str, **filters: object) -> Call[Items]:
        """Messages to ``number``, in any spelling of it."""
        return self._messages(recipient=number, **filters)

    sent_to, sent_to_async = both(_sent_to)

    def _assert_sent(self, /, number: str, count: int = 1, **filters: object) -> Call[Items]:
        """Exactly ``count`` messages went to ``number``; shows everything sent otherwise."""

        def judge(data: JSON) -> Items | Call[Items]:
            sent: Items = data["items"]
            if len(sent) == count:
                return sent

            def fail(everything: JSON) -> Items:
                listed = "\n  ".join(
                    f"{m['recipient']}: {m['text']!r} ({m['status']})" for m in everything["items"]
                )
                raise AssertionError(
                    f"expected {count} message(s) to {number}, found "
                    f"{len(sent)}. Sent in this test:\n  "
                    f"{listed or '(nothing)'}"
                )

            return Call("GET", "/_emulator/messages", fail, query={"limit": 1000})

        return Call(
            "GET",
            "/_emulator/messages",
            judge,
            query={"limit": 10_000, **filters, "recipient": number},
        )

    assert_sent, assert_sent_async = both(_assert_sent)

    # -- what texts cost ---------------------------------------------------------------------

    def _analyse(
        self,
        /,
        text: str,
        provider: str | None = None,
        *,
        utf: bool | None = None,
        force_gsm: bool | None = None,
        message_type: str | None = None,
    ) -> Call[JsonObject]:
        """What ``text`` would cost on ``provider`` (server2sms unless given) and why: its
        encoding, parts, the characters that forced UCS-2 with GSM-7 suggestions, what it
        would take as GSM-7. Nothing is sent. ``message_type``: SerwerSMS's ``type``."""
        options = {"provider": provider, "utf": utf, "force_gsm": force_gsm, "type": message_type}
        body = {"text": text, **{k: v for k, v in options.items() if v is not None}}
        return Call("POST", "/_emulator/analyse", _same, body)

    analyse, analyse_async = both(_analyse)

    def _assert_parts(self, /, max_parts: int, **filters: object) -> Call[Items]:
        """Every message matching ``filters`` went in at most ``max_parts`` parts; else fail
        naming each one, the characters to blame and what GSM-7 could carry instead."""
        return _costs(
            filters, lambda cost: cost["parts"] > max_parts, f"more than {max_parts} part(s)"
        )

    assert_parts, assert_parts_async = both(_assert_parts)

    def _assert_gsm7(self, /, **filters: object) -> Call[Items]:
        """Every message matching ``filters`` was written in GSM-7 alone (nothing forced
        UCS-2 or was replaced by the gateway); else fail naming the characters and the
        suggestion for each."""
        return _costs(
            filters,
            lambda cost: bool(cost["ucs2_because"] or cost["replaced"]),
            "characters GSM-7 cannot carry",
        )

    assert_gsm7, assert_gsm7_async = both(_assert_gsm7)

    def _callbacks(self, /, **filters: object) -> Call[Items]:
        return Call("GET", "/_emulator/callbacks", _key("items"), query=filters)

    callbacks, callbacks_async = both(_callbacks)

    def _replies(self, /, **filters: object) -> Call[Items]:
        return Call("GET", "/_emulator/replies", _key("items"), query=filters)

    replies, replies_async = both(_replies)

    # -- waiting ---------------------------------------------------------------------------

    @staticmethod
    def _wait(path: str, noun: str, count: int, timeout: float, filters: JsonObject) -> Call[Items]:
        def judge(answer: JSON) -> Items | Call[Items]:
            if "error" not in answer:
                items: Items = answer["items"]
                return items

            def fail(everything: JSON) -> Items:
                seen = "\n  ".join(
                    json.dumps(item, ensure_ascii=False)[:300] for item in everything["items"]
                )
                hint = answer["error"].get("hint")
                raise AssertionError(
                    f"waited {timeout:g} s for {count} {noun} matching {filters}; "
                    f"{answer['error']['matched']} matched"
                    f"{f' ({hint})' if hint else ''}. Everything there is:\n  "
                    f"{seen or '(nothing)'}"
                )

            return Call("GET", path.rsplit("/", 1)[0], fail, query={"limit": 20})

        return Call(
            "GET",
            path,
            judge,
            query={**filters, "count": count, "timeout": timeout},
            expect=(200, 408),
        )

    def _wait_for_messages(
        self, /, count: int = 1, timeout: float = 10.0, **filters: object
    ) -> Call[Items]:
        return self._wait("/_emulator/messages/wait", "messages", count, timeout, filters)

    wait_for_messages, wait_for_messages_async = both(_wait_for_messages)

    def _wait_for_callbacks(
        self, /, count: int = 1, timeout: float = 10.0, **filters: object
    ) -> Call[Items]:
        return self._wait("/_emulator/callbacks/wait", "callbacks", count, timeout, filters)

    wait_for_callbacks, wait_for_callbacks_async = both(_wait_for_callbacks)

    def _wait_for_replies(
        self, /, count: int = 1, timeout: float = 10.0, **filters: object
    ) -> Call[Items]:
        return self._wait("/_emulator/replies/wait", "replies", count, timeout, filters)

    wait_for_replies, wait_for_replies_async = both(_wait_for_replies)
