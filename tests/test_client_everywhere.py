"""The test client and the fixture where CI puts them: behind a proxy setting, under TLS, and
inside async tests whose own event loop runs the app that receives the callbacks."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
import requests
from aiohttp import web

from emulator.testing.client import EmulatorClient

DEAD_PROXY = {
    "http_proxy": "http://127.0.0.1:9",
    "HTTP_PROXY": "http://127.0.0.1:9",
    "https_proxy": "http://127.0.0.1:9",
    "HTTPS_PROXY": "http://127.0.0.1:9",
    "ALL_PROXY": "http://127.0.0.1:9",
}


def send(url: str, recipient: str, **fields: Any) -> None:
    with requests.Session() as session:
        session.trust_env = False  # the app's own client, not the one under test
        answer = session.post(
            url + "/SendTextSMS",
            json={
                "UserName": "a",
                "Password": "b",
                "Recipients": [recipient],
                "MessageText": "x",
                **fields,
            },
        )
    assert answer.json()["StatusCode"] == "1"


def test_the_client_ignores_proxy_settings(
    make_sms_emulator: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    emulator = make_sms_emulator(clock="manual")
    for name, value in DEAD_PROXY.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    send(emulator.url, "+41790000001")
    assert [m["recipient"] for m in emulator.messages()] == ["+41790000001"]
    assert asyncio.run(emulator.messages_async())[0]["recipient"] == "+41790000001"
    assert EmulatorClient(emulator.url).health()["ready"]


def test_the_fixture_trusts_the_emulators_ca_under_tls(
    make_sms_emulator: Any, tmp_path: Any
) -> None:
    emulator = make_sms_emulator(tls=True, tls_dir=str(tmp_path / "tls"))
    assert emulator.url.startswith("https://")
    assert emulator.health()["ready"]
    assert emulator.reset() is not None
    assert asyncio.run(emulator.clock_async())["mode"] == "real"
    with pytest.raises(OSError):  # without the CA, verification fails: the check is real
        EmulatorClient(emulator.url).health()


@pytest.mark.asyncio
async def test_async_helpers_never_block_the_tests_own_loop(make_sms_emulator: Any) -> None:
    emulator = make_sms_emulator(clock="manual", delivery_delay=0.5)
    got: list[str] = []

    async def delivery(request: web.Request) -> web.Response:
        got.append(request.query["trn"])
        return web.Response(text="OK")

    app = web.Application()
    app.router.add_get("/dlr", delivery)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        await asyncio.to_thread(
            send,
            emulator.url,
            "+41790000000:T7",
            URLDeliveryNotification=f"http://127.0.0.1:{port}/dlr?trn=<TRN>",
        )
        started = time.perf_counter()
        advanced = await emulator.advance_async(5)
        elapsed = time.perf_counter() - started
        assert got == ["T7"], "the app on this loop answered during the advance"
        assert advanced["callback_attempts"] == 1
        assert elapsed < 1.0
        [job] = await emulator.wait_for_callbacks_async(state="delivered", timeout=5)
        assert job["attempts"][0]["outcome"] == "ok"
        [sms] = await emulator.assert_sent_async("0041 79 000 00 00")
        assert sms["status"] == "delivered"
    finally:
        await runner.cleanup()


def test_every_helper_has_an_async_twin() -> None:
    helpers = {
        name
        for name in vars(EmulatorClient)
        if not name.startswith("_")
        and callable(getattr(EmulatorClient, name))
        and not name.endswith("_async")
        and name not in ("run", "run_async", "request", "post", "url")
    }
    missing = {name for name in helpers if not hasattr(EmulatorClient, name + "_async")}
    assert missing == set()
    assert {
        "advance",
        "set_clock",
        "add_rule",
        "inject_reply",
        "wait_for_messages",
        "assert_sent",
        "redeliver",
    } <= helpers
