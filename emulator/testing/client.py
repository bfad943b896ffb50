"""``EmulatorClient``: the control API from Python, with the assertions tests need most.

Standard library only, so it works wherever the emulator is installed. Failed waits raise
AssertionError that lists what was actually sent.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any


class ControlAPIError(AssertionError):
    def __init__(self, status: int, data: Any, what: str) -> None:
        super().__init__(f"{what} answered HTTP {status}: {data}")
        self.status = status
        self.data = data


class EmulatorClient:
    def __init__(self, base_url: str, token: str | None = None, timeout: float = 60.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout

    # -- plumbing --------------------------------------------------------------------------

    def request(self, method: str, path: str, body: Any = None,
                query: dict[str, Any] | None = None, expect: tuple[int, ...] = (200, 201, 202),
                ) -> Any:
        url = self.base_url + path
        if query:
            clean = {k: v for k, v in query.items() if v is not None}
            url += "?" + urllib.parse.urlencode(clean)
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(url, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                status, raw = answer.status, answer.read()
        except urllib.error.HTTPError as exc:
            status, raw = exc.code, exc.read()
        payload = json.loads(raw) if raw else None
        if status not in expect:
            raise ControlAPIError(status, payload, f"{method} {path}")
        return payload

    def post(self, path: str, body: Any = None, **kw: Any) -> Any:
        return self.request("POST", path, {} if body is None else body, **kw)

    # -- state -----------------------------------------------------------------------------

    def health(self) -> dict[str, Any]:
        return self.request("GET", "/_emulator/health", expect=(200, 503))

    def reset(self, provider: str | None = None, account: str | None = None) -> dict[str, Any]:
        body = {k: v for k, v in (("provider", provider), ("account", account)) if v}
        return self.post("/_emulator/reset", body)["cleared"]

    def account(self, provider: str, username: str, **fields: Any) -> dict[str, Any]:
        """Define or change an account (password, credits, tokens, limits, dlr_url, ...)."""
        return self.post("/_emulator/accounts",
                         {"provider": provider, "username": username, **fields})

    def get_account(self, provider: str, username: str) -> dict[str, Any]:
        return self.request("GET", f"/_emulator/accounts/{provider}/{username}")

    def clock(self) -> dict[str, Any]:
        return self.request("GET", "/_emulator/clock")

    def set_clock(self, mode: str) -> dict[str, Any]:
        return self.post("/_emulator/clock", {"mode": mode})

    def advance(self, seconds: float) -> dict[str, Any]:
        """Move the emulator's time; due messages change status and their callbacks are tried
        before this returns."""
        return self.post("/_emulator/clock/advance", {"seconds": seconds})

    def add_rule(self, **rule: Any) -> dict[str, Any]:
        return self.post("/_emulator/rules", rule)

    def clear_rules(self) -> int:
        return self.request("DELETE", "/_emulator/rules")["deleted"]

    def add_fault(self, **fault: Any) -> dict[str, Any]:
        return self.post("/_emulator/faults", fault)

    def clear_faults(self) -> int:
        return self.request("DELETE", "/_emulator/faults")["deleted"]

    def inject_reply(self, provider: str, account: str, phone: str, text: str,
                     **fields: Any) -> dict[str, Any]:
        return self.post("/_emulator/replies", {"provider": provider, "account": account,
                                                "phone": phone, "text": text, **fields})

    # -- looking ---------------------------------------------------------------------------

    def messages(self, **filters: Any) -> list[dict[str, Any]]:
        filters.setdefault("limit", 10_000)
        return self.request("GET", "/_emulator/messages", query=filters)["items"]

    def message(self, message_id: str) -> dict[str, Any]:
        return self.request("GET", f"/_emulator/messages/{message_id}")

    def sent_to(self, number: str, **filters: Any) -> list[dict[str, Any]]:
        return self.messages(recipient=number, **filters)

    def callbacks(self, **filters: Any) -> list[dict[str, Any]]:
        return self.request("GET", "/_emulator/callbacks", query=filters)["items"]

    def replies(self, **filters: Any) -> list[dict[str, Any]]:
        return self.request("GET", "/_emulator/replies", query=filters)["items"]

    def _wait(self, path: str, noun: str, count: int, timeout: float,
              filters: dict[str, Any]) -> list[dict[str, Any]]:
        answer = self.request("GET", path, query={**filters, "count": count, "timeout": timeout},
                              expect=(200, 408))
        if "error" in answer:
            seen = "\n  ".join(json.dumps(item, ensure_ascii=False)[:300] for item in
                               self.request("GET", path.rsplit("/", 1)[0],
                                            query={"limit": 20})["items"])
            raise AssertionError(
                f"waited {timeout:g} s for {count} {noun} matching {filters}; "
                f"{answer['error']['matched']} matched. Everything there is:\n  "
                f"{seen or '(nothing)'}")
        return answer["items"]

    def wait_for_messages(self, count: int = 1, timeout: float = 10.0,
                          **filters: Any) -> list[dict[str, Any]]:
        return self._wait("/_emulator/messages/wait", "messages", count, timeout, filters)

    def wait_for_callbacks(self, count: int = 1, timeout: float = 10.0,
                           **filters: Any) -> list[dict[str, Any]]:
        return self._wait("/_emulator/callbacks/wait", "callbacks", count, timeout, filters)

    def wait_for_replies(self, count: int = 1, timeout: float = 10.0,
                         **filters: Any) -> list[dict[str, Any]]:
        return self._wait("/_emulator/replies/wait", "replies", count, timeout, filters)
