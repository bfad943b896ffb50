"""What a text costs and why: every message's ``cost``, ``POST /_emulator/analyse``, the
``analyse`` command for CI, and the pytest helpers that fail on a costly text."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import requests
from test_control_api import events, s2s_send, sw_send

from emulator.testing.client import EmulatorClient
from emulator.testing.server import EmulatorServer
from emulator.validation import SchemaRegistry

TEXT = "Your order’s on its way to Łódź!"  # an apostrophe and Polish letters: UCS-2 or replaced


def _cost(control: EmulatorClient, **filters: Any) -> dict[str, Any]:
    [message] = control.messages(**filters)
    cost: dict[str, Any] = message["cost"]
    return cost


def test_the_same_text_through_both_gateways(
    server: EmulatorServer, control: EmulatorClient, schemas: SchemaRegistry
) -> None:
    control.account("serwersms", "shop", password="pw", limits={"eco": 10, "full": 10})
    credits = control.account("server2sms", "alice", password="pw", credits=100)["credits"]
    s2s_send(server, "alice", ["+41790000000"], TEXT, Originator="Shop")
    sw_send(server, "shop", ["500600700"], TEXT)  # ECO: no Unicode, letters lose accents
    sw_send(server, "shop", ["500600701"], TEXT, sender="Shop", utf=True)  # FULL as Unicode
    s2s = _cost(control, provider="server2sms")
    assert (s2s["encoding"], s2s["parts"], s2s["per_part"]) == ("ucs2", 1, 70)
    assert [(c["char"], c["index"], c["suggestion"]) for c in s2s["ucs2_because"]] == [
        ("’", 10, "'"), ("Ł", 27, "L"), ("ó", 28, "o"), ("ź", 30, "z")
    ]  # fmt: skip
    assert s2s["charged"] == {"amount": 1, "unit": "credits"}
    assert control.get_account("server2sms", "alice")["credits"] == credits - 1
    eco = _cost(control, recipient="500600700")
    assert (eco["encoding"], eco["ucs2_because"]) == ("gsm7", [])
    assert [c["char"] for c in eco["replaced"]] == ["’", "Ł", "ó", "ź"]
    assert eco["charged"] == {"amount": 1, "unit": "eco"}
    full = _cost(control, recipient="500600701")
    assert (full["encoding"], full["charged"]) == ("ucs2", {"amount": 1, "unit": "full"})
    limits = control.get_account("serwersms", "shop")["limits"]
    assert (limits["eco"], limits["full"]) == (9, 9)  # what was charged is what was taken
    for message in control.messages():
        schemas.check("control", "message", "response", control.message(message["id"]))


def test_a_long_text_says_what_it_would_take_as_gsm7(
    server: EmulatorServer, control: EmulatorClient
) -> None:
    text = "Don’t miss it: " + "a" * 130  # 145 characters: 3 UCS-2 parts, 1 GSM-7 part
    s2s_send(server, "alice", ["+41790000000", "+41790000001"], text, Originator="Shop")
    cost = control.messages()[0]["cost"]
    assert (cost["parts"], cost["units"], cost["per_part"]) == (3, 145, 67)
    assert cost["as_gsm7"] == {"parts": 1, "units": 145}
    assert cost["charged"]["amount"] == 3 and cost["charged_as_gsm7"]["amount"] == 1


def test_events_carry_the_cost(server: EmulatorServer, control: EmulatorClient) -> None:
    with events(server, 1, "message.created") as collected:
        s2s_send(server, "alice", ["+41790000000"], "10€", Originator="Shop")
    [event] = collected
    assert event["data"]["message"]["cost"]["extension"] == [
        {"char": "€", "index": 2, "codepoint": "U+20AC", "suggestion": None}
    ]


def test_analyse_answers_without_sending(server: EmulatorServer, control: EmulatorClient) -> None:
    answer = control.analyse(TEXT, "serwersms", utf=True, message_type="full")
    assert (answer["encoding"], answer["charged"]["unit"]) == ("ucs2", "full")
    assert control.analyse(TEXT, "serwersms")["encoding"] == "gsm7"  # ECO: replaced
    forced = control.analyse(TEXT, force_gsm=True)  # server2sms ForceGSM7bit: "?"
    assert (forced["encoding"], len(forced["replaced"])) == ("gsm7", 4)
    assert control.messages() == []
    wrong = requests.post(
        server.url + "/_emulator/analyse", json={"text": "x", "provider": "nope"}, timeout=10
    )
    assert wrong.status_code == 400 and wrong.json()["error"]["field"] == "provider"


def test_assert_parts_and_assert_gsm7_name_the_message_and_the_characters(
    server: EmulatorServer, control: EmulatorClient
) -> None:
    s2s_send(server, "alice", ["+41790000000"], "Order shipped", Originator="Shop")
    s2s_send(server, "alice", ["+41790000001"], "Don’t miss it: " + "a" * 130, Originator="Shop")
    assert len(control.assert_parts(1, recipient="+41790000000")) == 1
    with pytest.raises(AssertionError) as failed:
        control.assert_parts(1)
    message = str(failed.value)
    assert "1 message(s) with more than 1 part(s)" in message
    assert "+41790000001" in message and "took 3 part(s) as ucs2" in message
    assert "'’' at 3 (U+2019), write \"'\"" in message and "as GSM-7 1" in message
    with pytest.raises(AssertionError, match="characters GSM-7 cannot carry"):
        asyncio.run(control.assert_gsm7_async(account="alice"))
    assert asyncio.run(control.assert_gsm7_async(recipient="+41790000000"))


# -- the command line ---------------------------------------------------------------------------


def _analyse(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "emulator", "analyse", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_analyse_command_checks_translation_files(tmp_path: Path) -> None:
    texts = tmp_path / "confirmation.json"
    texts.write_text(
        json.dumps(
            {
                "en": {"shipped": "Your order has shipped"},
                "pl": {"shipped": "Zamówienie wysłane"},
                "de": {"shipped": "Ihre Bestellung ist unterwegs – danke"},
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    ok = _analyse("--file", str(texts), "--max-parts", "1")
    assert ok.returncode == 0, ok.stderr
    assert "confirmation.json:pl.shipped: 1 part · UCS-2" in ok.stdout
    checked = _analyse("--file", str(texts), "--gsm7", "--provider", "serwersms")
    assert checked.returncode == 1
    assert "FAIL confirmation.json:pl.shipped: not GSM-7: ó (3; U+00F3 → o)" in checked.stdout
    assert "FAIL confirmation.json:de.shipped: not GSM-7: – (30; U+2013 → -)" in checked.stdout
    assert "en.shipped" not in checked.stdout.split("FAIL", 1)[1]
    assert "2 of 3 text(s) break the check" in checked.stderr


def test_the_analyse_command_reads_stdin_and_prints_json() -> None:
    answer = _analyse("-", "--json", "--max-parts", "1", stdin="one\n\n" + "ż" * 71 + "\n")
    assert answer.returncode == 1
    [one, long] = json.loads(answer.stdout)
    assert (one["name"], one["parts"], one["problems"]) == ("stdin:1", 1, [])
    assert (long["name"], long["parts"]) == ("stdin:3", 2)
    assert long["problems"] == ["2 parts, more than 1"]


def test_the_analyse_command_refuses_what_it_cannot_read(tmp_path: Path) -> None:
    assert _analyse().returncode == 2
    missing = _analyse("--file", str(tmp_path / "nope.txt"))
    assert missing.returncode == 2 and "cannot read" in missing.stderr
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    answer = _analyse("--file", str(broken))
    assert answer.returncode == 2 and "is not JSON" in answer.stderr
