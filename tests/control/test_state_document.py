"""The whole state as one document (``GET``/``PUT /_emulator/state``).

The round trip is checked as a property: random operations on one emulator, its document put
into another, and then every read of both gateways and of the control API answers the same,
now and after the same advance, which also makes the same callbacks.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from emulator.testing.receiver import CallbackReceiver
from emulator.testing.server import EmulatorServer

ACCOUNTS = ("ann", "bob")
NUMBERS = ("500600700", "500600701", "500600123", "48500600999")  # the last: unknown subscriber
S2S_NUMBERS = ("+41790000000", "+41790000001", "+41790000404")


@pytest.fixture(scope="module")
def pair() -> Iterator[tuple[EmulatorServer, EmulatorServer, CallbackReceiver]]:
    with (
        EmulatorServer(clock="manual", port=0, max_messages=30, delivery_delay=1.0) as one,
        EmulatorServer(clock="manual", port=0, max_messages=30, delivery_delay=1.0) as other,
    ):
        receiver = CallbackReceiver().start()
        try:
            yield one, other, receiver
        finally:
            receiver.stop()


def _post(url: str, path: str, body: dict[str, Any]) -> Any:
    answer = requests.post(url + path, json=body, timeout=10)
    assert answer.status_code < 500, answer.text
    return answer.json() if answer.headers["Content-Type"].startswith("application/json") else None


# -- operations ------------------------------------------------------------------------------

Op = tuple[str, dict[str, Any]]


def _sw_send(draw: st.DrawFn) -> Op:
    return "sw_send", {
        "username": draw(st.sampled_from(ACCOUNTS)),
        "phone": draw(st.lists(st.sampled_from(NUMBERS), min_size=1, max_size=3)),
        "later": draw(st.sampled_from([None, None, 3, 30])),
        "unique": draw(st.sampled_from([None, "u1", "u2"])),
    }


def _s2s_send(draw: st.DrawFn) -> Op:
    return "s2s_send", {
        "username": draw(st.sampled_from(ACCOUNTS)),
        "numbers": draw(st.lists(st.sampled_from(S2S_NUMBERS), min_size=1, max_size=3)),
        "notify": draw(st.booleans()),
    }


OPERATIONS = st.one_of(
    st.composite(lambda draw: _sw_send(draw))(),
    st.composite(lambda draw: _s2s_send(draw))(),
    st.builds(lambda u: ("dlr_url", {"username": u}), st.sampled_from(ACCOUNTS)),
    st.builds(lambda s: ("advance", {"seconds": s}), st.sampled_from([0.1, 0.5, 1.0, 5.0])),
    st.builds(
        lambda n, o, t: ("rule", {"recipient": n, "outcome": o, "times": t}),
        st.sampled_from(NUMBERS),
        st.sampled_from(["delivered", "unknown_subscriber", "buffered_then_delivered"]),
        st.sampled_from([None, 1, 2]),
    ),
    st.builds(
        lambda r, s: ("fault", {"path": "send_sms", "rate": r, "seed": s}),
        st.sampled_from([0.3, 0.7]),
        st.integers(0, 5),
    ),
    st.builds(lambda u: ("reply", {"account": u}), st.sampled_from(ACCOUNTS)),
    st.builds(lambda u: ("contact", {"username": u}), st.sampled_from(ACCOUNTS)),
    st.builds(lambda u: ("voucher", {"username": u}), st.sampled_from(ACCOUNTS)),
    st.builds(lambda u: ("token", {"username": u}), st.sampled_from(ACCOUNTS)),
    st.builds(lambda u: ("reset", {"account": u}), st.sampled_from(ACCOUNTS)),
)


def _apply(url: str, receiver: str, op: Op, clock: float) -> None:
    name, args = op
    if name == "sw_send":
        body: dict[str, Any] = {
            "username": args["username"],
            "password": "x",
            "phone": args["phone"],
            "text": "hi",
        }
        if args["later"]:
            from emulator.core.timefmt import local_datetime

            body["date"] = local_datetime(clock + args["later"])
        if args["unique"]:
            body["unique_id"] = args["unique"]
        _post(url, "/messages/send_sms.json", body)
    elif name == "s2s_send":
        body = {
            "UserName": args["username"],
            "Password": "x",
            "Recipients": args["numbers"],
            "MessageText": "hi",
            "Originator": "Shop",
        }
        if args["notify"]:
            body["URLDeliveryNotification"] = receiver + "/s2s?trn=<TRN>&st=<DST>"
        _post(url, "/SendTextSMS", body)
    elif name == "dlr_url":
        _post(
            url,
            "/_emulator/accounts",
            {
                "provider": "serwersms",
                "username": args["username"],
                "dlr_url": receiver + "/sw?id=#SMSID#&st=#STATUS#",
                "replies_url": receiver + "/in?id=#ID#&text=#TEXT#",
            },
        )
    elif name == "advance":
        _post(url, "/_emulator/clock/advance", args)
    elif name == "rule":
        _post(url, "/_emulator/rules", {k: v for k, v in args.items() if v is not None})
    elif name == "fault":
        _post(url, "/_emulator/faults", {"kind": "status", "status": 429, **args})
    elif name == "reply":
        _post(
            url,
            "/_emulator/replies",
            {"provider": "serwersms", "account": args["account"], "phone": "500600700"},
        )
    elif name == "contact":
        _post(
            url,
            "/contacts/add.json",
            {"username": args["username"], "password": "x", "phone": "500600777"},
        )
    elif name == "voucher":
        _post(
            url,
            "/CreateVoucher",
            {"UserName": args["username"], "Password": "x", "Credits": 5},
        )
    elif name == "token":
        _post(
            url,
            "/SendTokenSMS",
            {
                "UserName": args["username"],
                "Password": "x",
                "Recipients": ["+41790000000"],
                "MessageText": "code {TOKEN}",
                "Originator": "Shop",
                "TokenReference": "login",
            },
        )
    elif name == "reset":
        _post(url, "/_emulator/reset", {"provider": "serwersms", "account": args["account"]})


# -- what is read ----------------------------------------------------------------------------


def _reads(url: str) -> dict[str, Any]:
    """Every read of both gateways and of the control API this scenario can touch."""
    got: dict[str, Any] = {}

    def get(path: str, **query: Any) -> Any:
        answer = requests.get(url + path, params=query, timeout=10)
        return answer.status_code, answer.json()

    got["messages"] = get("/_emulator/messages")
    for message in got["messages"][1]["items"]:
        got[f"message {message['id']}"] = get(f"/_emulator/messages/{message['id']}")
    for path in ("callbacks", "replies", "accounts", "rules", "faults", "clock", "outcomes"):
        got[path] = get(f"/_emulator/{path}")
    health = get("/_emulator/health")[1]
    got["health"] = {k: v for k, v in health.items() if k not in ("open_waits", "event_streams")}
    for user in ACCOUNTS:
        login = {"username": user, "password": "x"}
        for action in (
            "messages/reports",
            "messages/recived",
            "account/limits",
            "contacts/index",
            "payments/index",
            "blacklist/index",
        ):
            got[f"{user} {action}"] = _post(url, f"/{action}.json", login)
        s2s = {"UserName": user, "Password": "x"}
        got[f"{user} credits"] = _post(url, "/CheckCredits", s2s)
        got[f"{user} vouchers"] = _post(url, "/GetVoucherTransactions", s2s)
        trns = [str(n) for n in range(1_000_001, 1_000_020)]
        got[f"{user} reports"] = _post(
            url, "/InquireDeliveryNotifications", {**s2s, "TransactionReferenceNumbers": trns}
        )
    steady: dict[str, Any] = _steady(got)
    return steady


def _advance(url: str, seconds: float) -> Any:
    return _steady(_post(url, "/_emulator/clock/advance", {"seconds": seconds}))


def _steady(value: Any) -> Any:
    """``value`` without what the wall clock and the network decide: when the clock was last
    advanced, how long a callback took."""
    if isinstance(value, dict):
        return {k: _steady(v) for k, v in value.items() if k not in ("advanced_at", "latency_ms")}
    if isinstance(value, list | tuple):
        return [_steady(v) for v in value]
    return value


def _callbacks(receiver: CallbackReceiver) -> list[tuple[str, str]]:
    return sorted((call.path, call.raw_query) for call in receiver.calls)


@settings(
    max_examples=20,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # no shrinking: slow over HTTP
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=st.lists(OPERATIONS, min_size=1, max_size=12), later=st.sampled_from([1.0, 30.0]))
def test_a_state_put_elsewhere_answers_and_goes_on_the_same(
    pair: tuple[EmulatorServer, EmulatorServer, CallbackReceiver], ops: list[Op], later: float
) -> None:
    one, other, receiver = pair
    for server in (one, other):
        _post(server.url, "/_emulator/reset", {})
    clock = requests.get(one.url + "/_emulator/clock", timeout=10).json()["timestamp"]
    for op in ops:
        _apply(one.url, receiver.url, op, clock)
    document = requests.get(one.url + "/_emulator/state", timeout=10).json()
    put = requests.put(other.url + "/_emulator/state", json=document, timeout=30)
    assert put.status_code == 200, put.text
    again = requests.get(other.url + "/_emulator/state", timeout=10).json()
    assert {**again, "events": 0} == {**document, "events": 0}  # a restore is an event
    assert _reads(other.url) == _reads(one.url)
    receiver.clear()
    advanced = _advance(one.url, later)
    made = _callbacks(receiver)
    receiver.clear()
    assert _advance(other.url, later) == advanced
    assert _callbacks(receiver) == made
    assert _reads(other.url) == _reads(one.url)


# -- refusals ----------------------------------------------------------------------------------


@pytest.fixture
def document(pair: tuple[EmulatorServer, EmulatorServer, CallbackReceiver]) -> dict[str, Any]:
    one = pair[0]
    _post(one.url, "/_emulator/reset", {})
    _post(
        one.url,
        "/_emulator/accounts",
        {"provider": "serwersms", "username": "ann", "dlr_url": "http://127.0.0.1:9/dlr"},
    )
    _post(
        one.url,
        "/messages/send_sms.json",
        {"username": "ann", "password": "x", "phone": "500600700", "text": "hi"},
    )
    answer: dict[str, Any] = requests.get(one.url + "/_emulator/state", timeout=10).json()
    return answer


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d.update(version=99), "version"),
        (lambda d: d["clock"].update(mode="sometimes"), "clock.mode"),
        (lambda d: d["gateway"]["batches"][0]["messages"][0].update(parts="2"), None),
        (lambda d: d["providers"].pop("serwersms"), "providers"),
        (lambda d: d["providers"].update(other={}), "providers"),
        (lambda d: d["gateway"]["rules"].append({"id": 1, "match": "regex", "recipient": "("}),
         "gateway.rules.0"),
        (lambda d: d["schedule"]["entries"].append([1.0, 1, "status", [1]]), "schedule"),
        (lambda d: d["schedule"]["entries"].insert(
            0, [1.0, 0, "status", [d["gateway"]["batches"][0]["batch"]["id"], 5, 0]]),
         "schedule.entries.0"),
    ],
)  # fmt: skip
def test_a_bad_document_is_refused_where_it_is_wrong_and_changes_nothing(
    pair: tuple[EmulatorServer, EmulatorServer, CallbackReceiver],
    document: dict[str, Any],
    change: Any,
    field: str | None,
) -> None:
    other = pair[1]
    _post(other.url, "/_emulator/reset", {})
    before = requests.get(other.url + "/_emulator/state", timeout=10).json()
    bad = copy.deepcopy(document)
    change(bad)
    answer = requests.put(other.url + "/_emulator/state", json=bad, timeout=10)
    assert answer.status_code == 400, answer.text
    error = answer.json()["error"]
    if field is not None:
        assert error["field"].startswith(field), error
    else:
        assert error["field"].endswith("parts"), error
    assert requests.get(other.url + "/_emulator/state", timeout=10).json() == before


def test_the_generated_schema_files_are_current() -> None:
    """schemas/control/state.*.json and the account schemas are made from code
    (python -m emulator.generated writes them)."""
    from emulator import generated
    from emulator.resources import schemas_dir

    for path, document in generated.files().items():
        assert (schemas_dir() / path).read_text(encoding="utf-8") == generated.text(document), (
            f"schemas/{path} is out of date: run python -m emulator.generated"
        )


def test_the_state_obeys_the_control_apis_access_rules(
    pair: tuple[EmulatorServer, EmulatorServer, CallbackReceiver], document: dict[str, Any]
) -> None:
    """The document carries passwords: another site may neither read it (DNS rebinding) nor
    replace it (a cross-site request)."""
    one = pair[0]
    rebound = requests.get(
        one.url + "/_emulator/state", headers={"Host": "rebind.example:8080"}, timeout=10
    )
    assert rebound.status_code == 403 and "password" not in rebound.text
    foreign = requests.put(
        one.url + "/_emulator/state",
        json=document,
        headers={"Origin": "https://evil.example"},
        timeout=10,
    )
    assert foreign.status_code == 403
    with EmulatorServer(port=0, control_token="s3cret") as guarded:
        assert requests.get(guarded.url + "/_emulator/state", timeout=10).status_code == 401
        answer = requests.get(
            guarded.url + "/_emulator/state",
            headers={"Authorization": "Bearer s3cret"},
            timeout=10,
        )
        assert answer.status_code == 200
