"""The pure core, without HTTP: the store's pruning, the account registry, the clock, the
callback backoff, and the schemas' quick check against jsonschema."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emulator.callbacks import backoff_delay
from emulator.clock import MANUAL, REAL, Clock
from emulator.core.accounts import AccountRegistry, AccountSpec, token_account_name
from emulator.core.messages import DELIVERED, QUEUED, Batch, Message
from emulator.core.outcomes import OutcomeTable
from emulator.core.store import MessageStore
from emulator.resources import load_fixture
from emulator.validation import SchemaRegistry, quick_check

# -- the store ---------------------------------------------------------------------------------


OUTCOMES = OutcomeTable.from_data(load_fixture("outcomes.json"))


def _message(number: int, status: str, account: str = "a", ref: str | None = None) -> Message:
    """A message that is ``status`` (delivered, or still queued) at time 1.0."""
    batch = Batch(number, "serwersms", account, "sms", "", 0.0, None)
    delay = 0.001 if status == DELIVERED else 1_000.0
    return Message(
        f"m{number}",
        number,
        batch,
        f"+4850060{number:04d}",
        "hi",
        1,
        "gsm7",
        ref,
        OUTCOMES.get("delivered"),
        0.0,
        0.0,
        delay,
    )


def _keep(store: MessageStore, message: Message) -> None:
    store.add_all(message.batch, [message])


def test_pruning_drops_the_oldest_final_messages_and_never_one_in_flight() -> None:
    store = MessageStore(max_messages=3)
    in_flight = _message(1, QUEUED, ref="keep")
    _keep(store, in_flight)
    for number in range(2, 7):
        _keep(store, _message(number, DELIVERED, ref=f"r{number}"))
    assert store.over_capacity() == 3
    gone = store.prune(now=1.0)
    assert [m.id for m in gone] == ["m2", "m3", "m4"]
    assert list(store.messages) == ["m1", "m5", "m6"] and store.pruned == 3
    assert store.by_ref("serwersms", "a", "r2") is None  # indexes forget them too
    assert store.by_ref("serwersms", "a", "keep") is in_flight
    assert [m.id for m in store.for_account("serwersms", "a")] == ["m1", "m5", "m6"]


def test_pruning_keeps_messages_in_flight_even_over_the_cap() -> None:
    store = MessageStore(max_messages=1)
    for number in range(1, 4):
        _keep(store, _message(number, QUEUED))
    assert store.prune(now=1.0) == [] and len(store) == 3


def test_replies_are_bounded_by_the_same_cap() -> None:
    from emulator.core.messages import Reply

    store = MessageStore(max_messages=2)
    for number in range(3):
        store.add_reply(
            Reply(
                id=number,
                provider="serwersms",
                account="a",
                type="eco",
                phone="+48500600700",
                text="x",
                received=0.0,
            )
        )
    assert list(store.replies) == [1, 2] and store.pruned == 1


def test_removing_one_account_leaves_the_others() -> None:
    store = MessageStore()
    _keep(store, _message(1, QUEUED, account="a"))
    _keep(store, _message(2, QUEUED, account="b"))
    assert store.remove_where("serwersms", "a") == (1, 0)
    assert list(store.messages) == ["m2"]
    assert list(store.for_account("serwersms", "a")) == []


# -- accounts ----------------------------------------------------------------------------------


def _registry(strict: bool = False) -> AccountRegistry:
    spec = AccountSpec("serwersms", "shop", password="pw", settings={"tokens": ["t1"]})
    return AccountRegistry([spec], strict=strict)


def test_defined_accounts_need_their_password_and_unknown_ones_appear() -> None:
    registry = _registry()
    assert registry.authenticate("serwersms", "shop", "pw") is not None
    assert registry.authenticate("serwersms", "shop", "wrong") is None
    auto = registry.authenticate("serwersms", "newcomer", "anything")
    assert auto is not None and auto.origin == "auto" and not auto.enforced
    assert registry.authenticate("server2sms", "shop", "pw") is not None  # providers apart


def test_strict_registries_open_no_unknown_account() -> None:
    registry = _registry(strict=True)
    assert registry.authenticate("serwersms", "newcomer", "x") is None
    assert registry.open("serwersms", "newcomer") is None


def test_auto_accounts_are_bounded_per_provider() -> None:
    registry = _registry()
    registry.max_auto = 2
    assert registry.open("serwersms", "a") is not None
    assert registry.open("serwersms", "b") is not None
    assert registry.open("serwersms", "c") is None
    assert registry.open("server2sms", "c") is not None
    registry.reset("serwersms")
    assert registry.open("serwersms", "c") is not None


def test_backends_hear_of_every_install_with_its_settings() -> None:
    registry = _registry()
    installed: list[tuple[str, object]] = []
    removed: list[str] = []
    registry.on_install(
        "serwersms",
        lambda a, settings: installed.append((a.username, dict(settings))),
        lambda a: removed.append(a.username),
    )
    assert installed == [("shop", {"tokens": ["t1"]})]  # those there are, at once
    registry.open("serwersms", "newcomer")
    assert installed[-1] == ("newcomer", {})
    registry.reset("serwersms")
    assert removed == ["newcomer"] and installed[-1] == ("shop", {"tokens": ["t1"]})
    assert registry.remove("serwersms", "shop") and removed[-1] == "shop"
    assert registry.get("serwersms", "shop") is None


def test_a_reset_brings_accounts_back_as_started_and_forgets_the_rest() -> None:
    registry = _registry()
    shop = registry.update("serwersms", "shop", {"password": "changed"})
    assert registry.authenticate("serwersms", "shop", "changed") is shop
    registry.authenticate("serwersms", "newcomer", "x")
    touched = registry.reset("serwersms")
    assert {a.username for a in touched} == {"shop", "newcomer"}
    again = registry.get("serwersms", "shop")
    assert again is not None and again is not shop and again.password == "pw"
    assert registry.get("serwersms", "newcomer") is None


def test_unknown_tokens_name_their_account_without_showing_the_token() -> None:
    name = token_account_name("s3cret-token")
    assert "s3cret" not in name and name == token_account_name("s3cret-token")
    assert name != token_account_name("other")


def test_updating_an_auto_account_makes_its_password_count() -> None:
    registry = _registry()
    registry.authenticate("serwersms", "newcomer", None)
    registry.update("serwersms", "newcomer", {"password": "set"})
    assert registry.authenticate("serwersms", "newcomer", "other") is None
    assert registry.authenticate("serwersms", "newcomer", "set") is not None


# -- the clock ---------------------------------------------------------------------------------


class Wall:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_manual_time_moves_only_when_advanced() -> None:
    wall = Wall()
    clock = Clock(MANUAL, wall)
    wall.now += 60
    assert clock.now() == 1000.0
    assert clock.advance(5) == 1005.0
    clock.move_to(1004.0)  # never back
    assert clock.now() == 1005.0
    with pytest.raises(ValueError):
        clock.advance(-1)


def test_switching_modes_never_jumps_and_a_reset_goes_back_to_the_wall() -> None:
    wall = Wall()
    clock = Clock(REAL, wall)
    clock.advance(100)
    assert clock.now() == 1100.0
    clock.set_mode(MANUAL)
    wall.now += 50
    assert clock.now() == 1100.0
    clock.set_mode(REAL)
    wall.now += 1
    assert clock.now() == 1101.0
    changes: list[str] = []
    clock.on_change(lambda: changes.append(clock.mode))
    clock.reset(REAL)
    assert clock.now() == wall.now and changes == [REAL]


# -- callback backoff --------------------------------------------------------------------------


def test_backoff_doubles_from_its_base_up_to_its_cap() -> None:
    assert [backoff_delay(n, 0.5, 30.0) for n in range(1, 9)] == [
        0.5,
        1.0,
        2.0,
        4.0,
        8.0,
        16.0,
        30.0,
        30.0,
    ]
    assert backoff_delay(10_000, 0.5, 30.0) == 30.0  # no overflow however many tries


# -- the quick check never accepts what jsonschema refuses -------------------------------------

_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**60), 2**60)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)
_BY_TYPE = {
    "string": st.text(max_size=8),
    "integer": st.integers(-(2**60), 2**60),
    "number": st.floats(allow_nan=False, allow_infinity=False) | st.integers(),
    "boolean": st.booleans(),
    "null": st.none(),
}


def _near(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Values shaped like ``schema`` most of the time (so the quick check says yes often),
    anything at all some of the time."""
    types = schema.get("type")
    names = [types] if isinstance(types, str) else list(types or [])
    shaped: list[st.SearchStrategy[Any]] = [_BY_TYPE[n] for n in names if n in _BY_TYPE]
    if "properties" in schema or "object" in names:
        properties = schema.get("properties", {})
        required = [n for n in schema.get("required", ()) if n in properties]
        shaped.append(
            st.fixed_dictionaries(
                {n: _near(properties[n]) for n in required},
                optional={n: _near(s) for n, s in properties.items() if n not in required},
            )
        )
    if "items" in schema or "array" in names:
        shaped.append(st.lists(_near(schema.get("items", {})), max_size=3))
    return st.one_of(*shaped, _JSON) if shaped else _JSON


_REGISTRY = SchemaRegistry()
_QUICK = [key for key in _REGISTRY.operations() if quick_check(_REGISTRY.schema(*key)) is not None]


def test_the_sends_have_a_quick_check() -> None:
    """The hot path: the property test below covers them."""
    assert ("server2sms", "SendTextSMS", "request") in _QUICK
    assert ("serwersms", "messages.send_sms", "request") in _QUICK


@pytest.mark.parametrize("key", _QUICK, ids="/".join)
@settings(
    max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(data=st.data())
def test_what_the_quick_check_accepts_jsonschema_accepts(
    key: tuple[str, str, str], data: st.DataObject
) -> None:
    schema = _REGISTRY.schema(*key)
    value = data.draw(_near(schema))
    check = quick_check(schema)
    assert check is not None
    if check(value):
        assert list(_REGISTRY.validator(*key).iter_errors(value)) == []
