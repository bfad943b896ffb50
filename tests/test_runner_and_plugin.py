"""EmulatorServer (no pytest involved) and the pytest plugin, run in a pytest of its own."""

from __future__ import annotations

import socket

import pytest
import requests

from emulator.testing.server import EmulatorError, EmulatorServer

pytest_plugins = ["pytester"]


def test_emulator_server_binds_a_free_port_and_stops() -> None:
    with EmulatorServer() as first, EmulatorServer() as second:
        assert first.port and second.port and first.port != second.port
        assert requests.get(first.url + "/_emulator/health").json()["ready"] is True
        assert first.context.settings.port == 0
        was = first.url
    with pytest.raises(RuntimeError):
        _ = first.url
    with pytest.raises(requests.ConnectionError):
        requests.get(was + "/_emulator/health", timeout=1)


def test_emulator_server_raises_what_went_wrong_in_its_thread() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        taken = sock.getsockname()[1]
        server = EmulatorServer(port=taken)
        with pytest.raises(EmulatorError) as raised:
            server.start()
    assert isinstance(raised.value.__cause__, OSError)


def test_emulator_server_runs_coroutines_on_its_loop() -> None:
    with EmulatorServer(clock="manual") as server:

        async def clock_mode() -> str:
            return server.context.clock.mode

        assert server.call(clock_mode()) == "manual"


PLUGIN_TESTS = """
import asyncio
import json
import urllib.request

import pytest


def send(url, number, text):
    body = json.dumps({"UserName": "shop", "Password": "pw", "Recipients": [number],
                       "MessageText": text}).encode()
    with urllib.request.urlopen(url + "/SendTextSMS", body) as answer:
        return json.loads(answer.read())


def test_sync(sms_emulator, sms_callback_receiver):
    assert send(sms_emulator.url, "+41790000000", "hello")["StatusCode"] == "1"
    [sms] = sms_emulator.assert_sent("+41790000000")
    assert sms["text"] == "hello"
    sms_emulator.advance(1)
    assert sms_emulator.wait_for_messages(status="delivered")[0]["id"] == sms["id"]


def test_isolated_from_the_previous_test(sms_emulator):
    assert sms_emulator.messages() == []


def test_failure_shows_what_was_sent(sms_emulator):
    send(sms_emulator.url, "+41790000001", "something else")
    with pytest.raises(AssertionError, match="something else"):
        sms_emulator.assert_sent("+41790000000")
    with pytest.raises(AssertionError, match="something else"):
        sms_emulator.wait_for_messages(recipient="+41790000000", timeout=0.2)


def test_rules_and_replies(sms_emulator, sms_callback_receiver):
    sms_emulator.add_rule(recipient="+41790000002", reject={"code": "24"}, times=1)
    assert send(sms_emulator.url, "+41790000002", "x")["StatusCode"] == "24"
    sms_emulator.account("serwersms", "shop", password="pw",
                         replies_url=sms_callback_receiver.url + "/in")
    sms_emulator.inject_reply("serwersms", "shop", "500600700", "hi")
    assert sms_callback_receiver.wait_for(1)[0].query["wiadomosc"] == "hi"


@pytest.mark.asyncio
async def test_async(sms_emulator):
    loop = asyncio.get_running_loop()
    answer = await loop.run_in_executor(None, send, sms_emulator.url, "+41790000003", "async")
    assert answer["StatusCode"] == "1"
    [sms] = await sms_emulator.wait_for_messages_async(recipient="+41790000003")
    assert sms["text"] == "async"


def test_dedicated_emulator(make_sms_emulator):
    strict = make_sms_emulator(strict_accounts=True)
    assert send(strict.url, "+41790000000", "x")["StatusCode"] == "3"
"""


def test_the_plugin_in_a_project_of_its_own(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_downstream=PLUGIN_TESTS)
    pytester.makeconftest("""
import pytest

@pytest.fixture(scope="session")
def sms_emulator_settings():
    return {"clock": "manual"}
""")
    result = pytester.runpytest_subprocess("-p", "asyncio", "-q")
    result.assert_outcomes(passed=6)
