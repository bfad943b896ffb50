"""Scenario files: the config file (TOML, or its JSON twin) seeds rules, faults and replies as
the control API makes them, checked by the same schemas; a reset returns to them."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests
from test_cli import run, serve  # noqa: F401 - the fixture that starts `serve` processes

Serve = Callable[..., Any]  # Any: test_cli.Served

SCENARIO: dict[str, Any] = {
    "clock": "manual",
    "server2sms": {"accounts": [{"username": "acme", "password": "pw", "credits": 5}]},
    "rules": [
        {"provider": "server2sms", "recipient": "+41790000001", "outcome": "unknown_subscriber"}
    ],
    "faults": [{"kind": "status", "status": 503, "path": "CheckCredits", "times": 1}],
    "replies": [{"provider": "serwersms", "account": "shop", "phone": "500600700", "text": "Hi"}],
}
TOML = """
clock = "manual"

[[server2sms.accounts]]
username = "acme"
password = "pw"
credits = 5

[[rules]]
provider = "server2sms"
recipient = "+41790000001"
outcome = "unknown_subscriber"

[[faults]]
kind = "status"
status = 503
path = "CheckCredits"
times = 1

[[replies]]
provider = "serwersms"
account = "shop"
phone = "500600700"
text = "Hi"
"""


def _seeded(url: str) -> dict[str, Any]:
    def items(path: str) -> list[Any]:
        found: list[Any] = requests.get(url + path, timeout=10).json()["items"]
        return found

    replies = [
        {k: r[k] for k in ("provider", "account", "phone", "text")}
        for r in items("/_emulator/replies")
    ]
    return {
        "rules": [{k: v for k, v in r.items() if k != "id"} for r in items("/_emulator/rules")],
        "faults": [
            {k: f[k] for k in ("kind", "status", "path", "times")}
            for f in items("/_emulator/faults")
        ],
        "replies": replies,
        "clock": requests.get(url + "/_emulator/clock", timeout=10).json()["mode"],
    }


def test_the_json_twin_seeds_what_the_toml_file_seeds(serve: Serve, tmp_path: Path) -> None:  # noqa: F811
    toml, twin = tmp_path / "scenario.toml", tmp_path / "scenario.json"
    toml.write_text(TOML)
    twin.write_text(json.dumps(SCENARIO))
    first = serve("--config", str(toml))
    second = serve("--config", str(twin))
    seeded = _seeded(first.url)
    assert seeded == _seeded(second.url)
    [reply] = seeded["replies"]
    assert reply == {**SCENARIO["replies"][0], "phone": "+48500600700"}
    assert seeded["clock"] == "manual"
    assert seeded["faults"] == SCENARIO["faults"]
    [rule] = seeded["rules"]
    assert rule["outcome"] == "unknown_subscriber" and rule["recipient"] == "+41790000001"
    credits = requests.post(
        first.url + "/CheckCredits", json={"UserName": "acme", "Password": "pw"}, timeout=10
    )
    assert credits.status_code == 503  # the seeded fault, once
    credits = requests.post(
        first.url + "/CheckCredits", json={"UserName": "acme", "Password": "pw"}, timeout=10
    )
    assert credits.json()["Credits"] == "5"
    requests.post(first.url + "/_emulator/reset", timeout=10)
    assert _seeded(first.url) == seeded  # the fault with its one time again
    first.stop()
    second.stop()


def test_a_restart_on_a_data_file_goes_on_without_seeding_twice(
    serve: Serve,  # noqa: F811
    tmp_path: Path,
) -> None:
    toml, data = tmp_path / "scenario.toml", tmp_path / "e.db"
    toml.write_text(TOML)
    first = serve("--config", str(toml), "--data", str(data))
    requests.delete(first.url + "/_emulator/faults", timeout=10)
    first.stop()
    second = serve("--config", str(toml), "--data", str(data))
    seeded = _seeded(second.url)
    assert len(seeded["rules"]) == 1 and len(seeded["replies"]) == 1
    assert seeded["faults"] == []  # as it was left, not as seeded
    second.stop()


@pytest.mark.parametrize(
    ("name", "content", "status", "expected"),
    [
        ("shop.toml", '[[rules]]\nprovider = "serwersms"\nreject = { kode = "3000" }\n', 2,
         "rules[0]: reject: 'code' is a required property"),
        ("shop.json", json.dumps({"faults": [{"kind": "slow"}]}), 2, "faults[0]: kind: "),
        ("shop.json", json.dumps({"rules": {"provider": "serwersms"}}), 2,
         "rules must be an array of tables"),
        ("shop.json", "{not json", 2, "is not valid JSON"),
        # past the schema: made at start, as the control API makes it
        ("shop.toml", '[[rules]]\nrecipient = "(500"\nmatch = "regex"\noutcome = "delivered"\n',
         1, "rules[0]: recipient: "),
    ],
)  # fmt: skip
def test_a_scenario_the_emulator_cannot_use_names_the_file_and_the_key(
    tmp_path: Path, name: str, content: str, status: int, expected: str
) -> None:
    config = tmp_path / name
    config.write_text(content)
    answer = run("serve", "--port", "0", "--config", str(config))
    assert answer.returncode == status
    assert str(config) in answer.stderr and expected in answer.stderr
