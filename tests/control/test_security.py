"""Safe on a developer's machine: other web sites can neither drive nor read the control API
(cross-site requests, DNS rebinding), while curl, the test client, the inbox and the
providers' browser examples keep working."""

from __future__ import annotations

import base64
import logging
import stat
from pathlib import Path
from typing import Any

import pytest
import requests

from emulator.config import ConfigError
from emulator.testing.client import EmulatorClient
from emulator.testing.receiver import CallbackReceiver
from emulator.testing.server import EmulatorServer

EVIL = {"Origin": "https://evil.example", "Content-Type": "text/plain"}
REBIND = {"Host": "rebind.attacker.example"}
SEND = {
    "UserName": "alice",
    "Password": "pw",
    "Recipients": ["+41790000000"],
    "MessageText": "one-time code 123456",
}


def sent(server: EmulatorServer) -> None:
    answer = requests.post(server.url + "/SendTextSMS", json=SEND)
    assert answer.json()["StatusCode"] == "1"


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/_emulator/reset", "{}"),
        ("/_emulator/faults", '{"kind":"status","status":503}'),
        (
            "/_emulator/accounts",
            '{"provider":"serwersms","username":"victim","password":"x",'
            '"dlr_url":"https://evil.example/steal"}',
        ),
        ("/_emulator/clock", '{"mode":"real"}'),
        ("/_emulator/clock/advance", '{"seconds":3600}'),
        ("/_emulator/rules", '{"reject":{"code":"24"}}'),
    ],
)
def test_a_cross_site_simple_request_changes_nothing(
    server: EmulatorServer, control: EmulatorClient, path: str, body: str
) -> None:
    sent(server)
    before = (
        control.messages(),
        control.clock(),
        control.request("GET", "/_emulator/faults"),
        control.request("GET", "/_emulator/accounts"),
        control.request("GET", "/_emulator/rules"),
    )
    answer = requests.post(server.url + path, data=body, headers=EVIL)
    assert answer.status_code == 403
    message = answer.json()["error"]["message"]
    assert "https://evil.example" in message and "cross-site" in message
    after = (
        control.messages(),
        control.clock(),
        control.request("GET", "/_emulator/faults"),
        control.request("GET", "/_emulator/accounts"),
        control.request("GET", "/_emulator/rules"),
    )
    assert after == before
    assert requests.post(server.url + "/CheckCredits", json=SEND).status_code == 200


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "cross-site"},
        {"Origin": "null"},
        {"Origin": "http://localhost:3000"},  # another local app is another origin too
    ],
)
def test_other_browser_origins_are_refused(
    server: EmulatorServer, control: EmulatorClient, headers: dict[str, str]
) -> None:
    sent(server)
    assert requests.post(server.url + "/_emulator/reset", headers=headers).status_code == 403
    assert len(control.messages()) == 1


def test_the_emulators_own_origin_and_no_origin_may_change_state(
    server: EmulatorServer, control: EmulatorClient
) -> None:
    sent(server)
    own = {"Origin": server.url, "Sec-Fetch-Site": "same-origin"}
    assert requests.post(server.url + "/_emulator/reset", json={}, headers=own).ok
    sent(server)
    assert requests.post(server.url + "/_emulator/reset", data="{}").ok, "curl sends no Origin"
    assert control.messages() == []


@pytest.mark.parametrize(
    "path",
    [
        "/_emulator/messages",
        "/_emulator/ui/",
        "/_emulator/ui/static/inbox.js",
        "/_emulator/callbacks",
        "/_emulator/messages/wait?timeout=0",
    ],
)
def test_a_foreign_host_name_cannot_read(server: EmulatorServer, path: str) -> None:
    sent(server)
    answer = requests.get(server.url + path, headers=REBIND)
    assert answer.status_code == 403
    message = answer.json()["error"]["message"]
    assert "--allowed-host rebind.attacker.example" in message
    assert "123456" not in answer.text


def test_a_foreign_host_name_cannot_open_the_event_stream(server: EmulatorServer) -> None:
    with requests.get(
        server.url + "/_emulator/events", headers=REBIND, stream=True, timeout=5
    ) as answer:
        assert answer.status_code == 403
        assert answer.headers["Content-Type"].startswith("application/json")


@pytest.mark.parametrize(
    "host", ["localhost", "127.0.0.1", "[::1]", "app.localhost", "192.168.1.20"]
)
def test_loopback_names_and_addresses_are_answered(server: EmulatorServer, host: str) -> None:
    port = server.url.rsplit(":", 1)[1]
    answer = requests.get(server.url + "/_emulator/messages", headers={"Host": f"{host}:{port}"})
    assert answer.status_code == 200


def test_allowed_host_admits_a_name(make_sms_emulator: Any) -> None:
    emulator = make_sms_emulator(allowed_hosts=("sms", "rebind.attacker.example"))
    for name in ("sms:8080", "REBIND.attacker.example"):
        assert (
            requests.get(emulator.url + "/_emulator/messages", headers={"Host": name}).status_code
            == 200
        )
    assert (
        requests.get(
            emulator.url + "/_emulator/messages", headers={"Host": "other.example"}
        ).status_code
        == 403
    )


def test_provider_endpoints_stay_open_to_browsers(server: EmulatorServer) -> None:
    answer = requests.post(
        server.url + "/CheckCredits", data='{"UserName":"a","Password":"b"}', headers=EVIL
    )
    assert answer.json()["StatusCode"] == "1"
    assert answer.headers["Access-Control-Allow-Origin"] == "*"


def test_provider_endpoints_refuse_a_rebinding_host(
    server: EmulatorServer, control: EmulatorClient
) -> None:
    """A rebinding page read message texts through messages/reports, with any password an
    auto-created account accepts: provider endpoints keep the Host rule too, each in its own
    format."""
    requests.post(
        server.url + "/messages/send_sms.json",
        json={
            "username": "myapp",
            "password": "pw",
            "phone": "500600700",
            "text": "Your login code is 654321",
        },
    )
    read = requests.get(
        server.url + "/messages/reports.json",
        params={"username": "myapp", "password": "anything"},
        headers=REBIND,
    )
    assert read.status_code == 403
    assert read.json()["error"]["code"] == 1005 and "654321" not in read.text
    assert "--allowed-host" in read.headers["X-Emulator-Error"]
    xml = requests.get(
        server.url + "/messages/reports.xml",
        params={"username": "myapp", "password": "x"},
        headers=REBIND,
    )
    assert xml.status_code == 403 and b"<code>1005</code>" in xml.content
    s2s = requests.post(
        server.url + "/CheckCredits",
        data='{"UserName":"a","Password":"b"}',
        headers={**EVIL, **REBIND},
    )
    assert s2s.status_code == 403 and s2s.json()["StatusCode"] == "25"
    odd = requests.post(server.url + "//CheckCredits//", json={}, headers=REBIND)
    assert odd.status_code == 403 and odd.json()["StatusCode"] == "25"
    for allowed in ("localhost:8080", "127.0.0.1", "[::1]:9", "app.localhost"):
        answer = requests.get(
            server.url + "/messages/reports.json",
            params={"username": "myapp", "password": "x"},
            headers={"Host": allowed},
        )
        assert "654321" in answer.text, allowed


def test_the_token_is_checked_in_any_case_and_admits_other_origins(make_sms_emulator: Any) -> None:
    emulator = make_sms_emulator(control_token="s3cret")
    url = emulator.url + "/_emulator/reset"
    assert requests.post(url, headers={"Authorization": "bearer s3cret"}).ok
    assert requests.post(url, headers={"Authorization": "BEARER s3cret"}).ok
    assert requests.post(url, headers={**EVIL, "Authorization": "Bearer s3cret"}).ok
    assert requests.post(url, headers=EVIL).status_code == 403
    assert requests.post(url, headers={"Authorization": "Bearer wrong"}).status_code == 401


@pytest.mark.parametrize("token", ["", "   "])
def test_an_empty_control_token_is_refused(token: str) -> None:
    with pytest.raises(ConfigError, match="control_token"):
        EmulatorServer(control_token=token)


def test_inbox_pages_carry_a_content_security_policy(server: EmulatorServer) -> None:
    for path in (
        "/_emulator/ui/",
        "/_emulator/ui/static/inbox.js",
        "/_emulator/ui/static/inbox.css",
    ):
        answer = requests.get(server.url + path)
        assert answer.ok
        policy = answer.headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
        assert "unsafe-inline" not in policy
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert requests.get(server.url + "/_emulator/ui/static/index.html").status_code == 404


def test_user_info_in_callback_urls_is_masked_at_rest(
    server: EmulatorServer,
    control: EmulatorClient,
    receiver: CallbackReceiver,
    caplog: pytest.LogCaptureFixture,
) -> None:
    secret_url = receiver.url.replace("http://", "http://hook:Hunter2-SECRET@") + "/dlr"
    caplog.set_level(logging.INFO, logger="emulator")
    account = control.account("serwersms", "shop", password="pw", dlr_url=secret_url)
    requests.post(
        server.url + "/messages/send_sms.json",
        data={"username": "shop", "password": "pw", "phone": "500600700", "text": "x"},
    )
    control.advance(1)
    [call] = receiver.wait_for(1)
    assert (
        call.headers["Authorization"]
        == "Basic " + base64.b64encode(b"hook:Hunter2-SECRET").decode()
    ), "the receiver still gets the credentials"
    [job] = control.callbacks()
    [message] = control.messages()
    shown = [
        account,
        control.get_account("serwersms", "shop"),
        job,
        control.message(message["id"]),
        caplog.text,
    ]
    assert "Hunter2-SECRET" not in repr(shown)
    assert job["url"].startswith("http://hook:***@127.0.0.1:")


def _serve_tls(tmp_path: Path, **settings: Any) -> Path:
    with EmulatorServer(tls=True, **settings) as emulator:
        assert emulator.tls_ca is not None
        assert requests.get(emulator.url + "/_emulator/health", verify=str(emulator.tls_ca)).ok
        return emulator.tls_ca


def test_one_ca_per_user_is_reused_and_its_key_is_private(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    first = _serve_tls(tmp_path)
    pem = first.read_bytes()
    assert first.parent == tmp_path / "cache" / "sms-gateway-emulator" / "tls"
    assert _serve_tls(tmp_path) == first and first.read_bytes() == pem, "the same CA"
    for key in first.parent.glob("*key*"):
        assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert sorted(p.name for p in first.parent.iterdir()) == ["ca-key.pem", "ca.pem"]
