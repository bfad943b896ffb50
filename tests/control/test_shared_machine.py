"""Safe on a shared machine and against any web page: what the control API's guards did not
cover (issue "what the control-API guards do not yet cover"), each item a reproduction."""

from __future__ import annotations

import logging
import os
import socket
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests

from emulator.testing.client import EmulatorClient
from emulator.testing.receiver import CallbackReceiver
from emulator.testing.server import EmulatorServer


def raw(server: EmulatorServer, request: bytes) -> bytes:
    """Send bytes as they are (requests cannot send an absolute-form target) and read the
    answer."""
    parts = urlsplit(server.url)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(request)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


def test_an_absolute_form_target_for_another_host_is_refused(
    server: EmulatorServer, control: EmulatorClient
) -> None:
    body = b'{"mode":"real"}'
    for path in (b"/_emulator/clock", b"/CheckCredits"):
        answer = raw(
            server,
            b"POST http://evil.com" + path + b" HTTP/1.1\r\n"
            b"Host: localhost\r\nOrigin: http://evil.com\r\nConnection: close\r\n"
            b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body,
        )
        assert answer.startswith(b"HTTP/1.1 403"), answer[:200]
    assert control.clock()["mode"] == "manual", "the clock was not switched"
    same = raw(
        server,
        b"GET http://localhost/_emulator/clock HTTP/1.1\r\nHost: localhost\r\n"
        b"Connection: close\r\n\r\n",
    )
    assert same.startswith(b"HTTP/1.1 200"), "an absolute target for the Host itself is fine"


@pytest.mark.parametrize(
    "host", ["localhost:80@evil.com", "[::1]evil.com", "localhost:evil", "127.0.0.1:80/x"]
)
def test_a_host_header_that_is_no_host_is_refused(server: EmulatorServer, host: str) -> None:
    for path in ("/_emulator/messages", "/messages/reports.json"):
        answer = requests.get(
            server.url + path, headers={"Host": host}, params={"username": "a", "password": "b"}
        )
        assert answer.status_code == 403, (host, path)


def test_an_origin_is_compared_with_the_host_header(
    server: EmulatorServer, control: EmulatorClient
) -> None:
    port = urlsplit(server.url).port
    same = requests.post(
        server.url + "/_emulator/clock",
        json={"mode": "real"},
        headers={"Origin": f"http://127.0.0.1:{port}"},
    )
    assert same.status_code == 200
    other = requests.post(
        server.url + "/_emulator/clock",
        json={"mode": "manual"},
        headers={"Origin": "http://localhost:3000"},
    )
    assert other.status_code == 403


NOBODY = 65534  # another user's uid (the suite runs as root in CI, and may chown)


def _start_tls(folder: Path) -> subprocess.CompletedProcess[str]:
    """``serve --tls --tls-dir folder`` that must refuse at once."""
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "emulator",
            "serve",
            "--port",
            "0",
            "--tls",
            "--tls-dir",
            str(folder),
        ],
        capture_output=True,
        text=True,
        timeout=30,
    )


def _planted_ca(folder: Path) -> None:
    """A CA made by someone else, as ``make_server_context`` would leave it."""
    from emulator.tls import make_server_context

    make_server_context(str(folder), "127.0.0.1")


@pytest.mark.skipif(os.getuid() != 0, reason="planting another user's files needs root")
def test_a_ca_someone_else_could_have_planted_is_refused(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    _planted_ca(shared)
    shared.chmod(0o1777)  # like /tmp: anyone may add files
    refused = _start_tls(shared)
    assert refused.returncode == 1 and "mode 1777" in refused.stderr, refused.stderr
    shared.chmod(0o700)
    (shared / "ca-key.pem").chmod(0o644)
    refused = _start_tls(shared)
    assert refused.returncode == 1 and "ca-key.pem has mode 0644" in refused.stderr
    (shared / "ca-key.pem").chmod(0o600)
    os.chown(shared / "ca-key.pem", NOBODY, NOBODY)
    refused = _start_tls(shared)
    assert refused.returncode == 1 and "belongs to another user" in refused.stderr
    theirs = tmp_path / "theirs"
    theirs.mkdir()
    os.chown(theirs, NOBODY, NOBODY)
    refused = _start_tls(theirs)
    assert refused.returncode == 1 and "belongs to another user" in refused.stderr
    assert "trust this CA" not in refused.stdout


def test_files_are_never_written_through_a_planted_symlink(tmp_path: Path) -> None:
    from emulator.files import write_atomically, write_private

    victim = tmp_path / "victim"
    victim.write_text("theirs")
    port_file = tmp_path / "port"
    port_file.symlink_to(victim)
    write_atomically(port_file, b"8080\n")
    assert victim.read_text() == "theirs", "the symlink was replaced, not followed"
    assert port_file.read_text() == "8080\n" and not port_file.is_symlink()
    assert stat.S_IMODE(port_file.stat().st_mode) == 0o600
    key = tmp_path / "key.pem"
    key.symlink_to(victim)
    with pytest.raises(OSError):
        write_private(key, b"secret")
    assert victim.read_text() == "theirs"
    assert not list(tmp_path.glob(".*partial")), "nothing half-written is left"


def test_starts_racing_for_one_ca_agree_on_it(tmp_path: Path) -> None:
    """Several ``serve --tls`` started at once on an empty folder: every one serves a
    certificate of the CA that is left in the folder (a start never removes a CA another one
    completed)."""
    folder = tmp_path / "tls"
    starts = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "emulator",
                "serve",
                "--port",
                "0",
                "--tls",
                "--tls-dir",
                str(folder),
                "--no-access-log",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(4)
    ]
    try:
        urls = []
        for proc in starts:
            assert proc.stdout is not None
            while line := proc.stdout.readline():
                if "serving on" in line:
                    urls.append(line.rsplit(" ", 1)[1].strip())
                    break
        assert len(urls) == 4
        for url in urls:
            assert requests.get(url + "/_emulator/health", verify=str(folder / "ca.pem")).ok
    finally:
        for proc in starts:
            proc.terminate()
            proc.communicate(timeout=20)


def _read_events(url: str, count: int) -> str:
    """The first ``count`` events of the stream, as text."""
    seen = ""
    with requests.get(url + "/_emulator/events", stream=True, timeout=10) as stream:
        for line in stream.iter_lines(decode_unicode=True):
            seen += line + "\n"
            if seen.count("\n\n") >= count + 1 or seen.count("data:") >= count:
                break
    return seen


def test_callback_secrets_never_leak_through_errors(
    server: EmulatorServer, control: EmulatorClient, caplog: pytest.LogCaptureFixture
) -> None:
    """A port typo in a dlr_url with a password, an ftp:// HLR url and a server2sms
    notification URL with one: the password shows nowhere (log, journal, events, message
    views)."""
    caplog.set_level(logging.INFO)
    control.account("serwersms", "shop", password="pw", dlr_url="http://u:PW1@127.0.0.1:99999/x")
    control.set_clock("real")
    events: list[str] = []
    reader = threading.Thread(target=lambda: events.append(_read_events(server.url, 8)))
    reader.start()
    time.sleep(0.3)  # the stream is open before anything happens
    requests.post(
        server.url + "/messages/send_sms.json",
        json={"username": "shop", "password": "pw", "phone": "500600700", "text": "t"},
    )
    requests.post(
        server.url + "/phones/check.json",
        json={
            "username": "shop",
            "password": "pw",
            "phone": ["500600700", "500600701"],
            "url": "ftp://u:PW2@127.0.0.1/hlr?id=#ID#&token=PW4",
        },
    )
    requests.post(
        server.url + "/SendTextSMS",
        json={
            "UserName": "alice",
            "Password": "x",
            "Recipients": ["+41790000000"],
            "MessageText": "t",
            "URLDeliveryNotification": "http://u:PW3@127.0.0.1:9/n?<TRN>",
        },
    )
    control.set_clock("manual")
    control.advance(2)
    reader.join(15)
    jobs = control.callbacks()
    assert {j["kind"] for j in jobs} == {"dlr", "hlr", "delivery"}
    errors = [a["error"] for j in jobs for a in j["attempts"]]
    assert any("not a valid URL" in e for e in errors)
    assert any("not an http:// or https:// URL" in e for e in errors)
    assert "lookup.done" in events[0] and "u:***@127.0.0.1/hlr" in events[0]
    details = [control.message(m["id"]) for m in control.messages()]
    assert any("u:***@127.0.0.1:9/n" in repr(d["options"]) for d in details)
    shown = repr(
        [
            jobs,
            details,
            events,
            caplog.text,
            control.callbacks(url="u:PW"),
            control.callbacks(url="u:***"),
        ]
    )
    for secret in ("PW1", "PW2", "PW3", "PW4"):
        assert secret not in shown, secret
    assert control.callbacks(url="u:PW") == [], "the url filter reads the masked form"
    assert len(control.callbacks(url="u:***")) == 3


def test_exec_and_json_logs_keep_callback_secrets(tmp_path: Path) -> None:
    script = tmp_path / "suite.py"
    script.write_text(
        "import json, os, urllib.request\n"
        "base = os.environ['SMS_EMULATOR_URL']\n"
        "def post(path, body):\n"
        "    urllib.request.urlopen(urllib.request.Request(base + path, json.dumps(body)."
        "encode(), {'Content-Type': 'application/json'})).read()\n"
        "post('/_emulator/accounts', {'provider': 'serwersms', 'username': 'shop', "
        "'password': 'pw', 'dlr_url': 'http://u:PW1@127.0.0.1:99999/x'})\n"
        "post('/messages/send_sms.json', {'username': 'shop', 'password': 'pw', "
        "'phone': '500600700', 'text': 't'})\n"
        "post('/_emulator/clock/advance', {'seconds': 60})\n"
    )
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "emulator",
            "exec",
            "--clock",
            "manual",
            "--log-format",
            "json",
            "--",
            sys.executable,
            str(script),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "callbacks: 1 made, 1 failed" in done.stderr
    assert "not a valid URL" in done.stderr and "PW1" not in done.stderr + done.stdout


def test_requests_the_server_cannot_read_are_logged_without_their_secrets(
    server: EmulatorServer, control: EmulatorClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)  # (urllib3's own debug lines show what it sent)
    numbers = ",".join(f"+485006{n:05d}" for n in range(500))
    many = requests.get(
        server.url + "/messages/send_sms.json",
        params={"username": "shop", "password": "TopSecretPw1", "phone": numbers, "text": "hi"},
    )
    assert len(many.request.url or "") > 8192
    assert many.json()["queued"] == 500, "a GET send to 500 numbers is read (the gateway takes GET)"
    too_long = requests.get(
        server.url + "/messages/send_sms.json",
        params={"username": "shop", "password": "TopSecretPw2", "text": "x" * 300_000},
    )
    assert too_long.status_code == 400
    token = requests.post(
        server.url + "/account/limits.json",
        headers={"Authorization": "Bearer TopSecretPw3" + "t" * 70_000},
    )
    assert token.status_code == 400
    cookie = requests.get(
        server.url + "/account/limits.json",
        headers={"Cookie": "session=TopSecretPw4" + "c" * 70_000},
    )
    assert cookie.status_code == 400
    bad_char = raw(
        server,
        b"GET /account/limits.json HTTP/1.1\r\nHost: localhost\r\n"
        b"Authorization: Bearer TopSecretPw5\x01\r\nConnection: close\r\n\r\n",
    )
    assert bad_char.split(b"\r\n", 1)[0].endswith(b" 400 Bad Request")
    assert "could not be read" in caplog.text
    for secret in ("TopSecretPw1", "TopSecretPw2", "TopSecretPw3", "TopSecretPw4", "TopSecretPw5"):
        assert secret not in caplog.text, secret


def test_a_page_of_another_site_cannot_make_the_emulator_fetch_urls(
    server: EmulatorServer, control: EmulatorClient, receiver: CallbackReceiver
) -> None:
    """``<img src=".../phones/check.json?...&url=http://ANY/">`` on any page made the emulator
    GET that address: a provider request a browser marks as cross-site is served, but its
    callback URLs are not called. A developer's own page on localhost keeps them."""
    img = {"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "no-cors"}
    check = requests.get(
        server.url + "/phones/check.json",
        headers=img,
        params={
            "username": "a",
            "password": "b",
            "phone": "500600700,500600701",
            "url": receiver.url + "/hlr?id=#ID#",
        },
    )
    assert check.json()["status"] == "done", "the request itself is served"
    sent = requests.post(
        server.url + "/SendTextSMS",
        headers={**img, "Origin": "https://evil.example"},
        json={
            "UserName": "alice",
            "Password": "x",
            "Recipients": ["+41790000000"],
            "MessageText": "t",
            "URLDeliveryNotification": receiver.url + "/dlr",
        },
    )
    assert sent.json()["StatusCode"] == "1"
    control.advance(5)
    assert control.callbacks() == [] and receiver.calls == []
    own = requests.post(
        server.url + "/SendTextSMS",
        headers={"Sec-Fetch-Site": "cross-site", "Origin": "http://localhost:3000"},
        json={
            "UserName": "alice",
            "Password": "x",
            "Recipients": ["+41790000001"],
            "MessageText": "t",
            "URLDeliveryNotification": receiver.url + "/dlr",
        },
    )
    assert own.json()["StatusCode"] == "1"
    control.advance(5)
    assert len(receiver.wait_for(1)) == 1


def test_a_receiver_that_hangs_does_not_hold_up_the_others(make_sms_emulator: Any) -> None:
    """Forty callbacks to a receiver that answers after 3 s took every worker, so another
    receiver's delivery report waited for them: one receiver now holds a few workers only."""
    emulator = make_sms_emulator(delivery_delay=0.02, callback_concurrency=8, callback_timeout=5)
    with CallbackReceiver() as slow, CallbackReceiver() as fast:
        slow.answer_with(200, delay=3, times=40)
        emulator.account("serwersms", "busy", password="pw", dlr_url=slow.url + "/dlr")
        emulator.account("serwersms", "shop", password="pw", dlr_url=fast.url + "/dlr")
        numbers = [f"5006{n:05d}" for n in range(40)]
        requests.post(
            emulator.url + "/messages/send_sms.json",
            json={"username": "busy", "password": "pw", "phone": numbers, "text": "t"},
        )
        slow.wait_for(4, timeout=5)  # the slow receiver is busy with the first tries
        started = time.monotonic()
        requests.post(
            emulator.url + "/messages/send_sms.json",
            json={"username": "shop", "password": "pw", "phone": "600700800", "text": "t"},
        )
        fast.wait_for(1, timeout=2)
        assert time.monotonic() - started < 2


def _open_wait(server: EmulatorServer) -> socket.socket:
    parts = urlsplit(server.url)
    sock = socket.create_connection((parts.hostname, parts.port))
    sock.sendall(
        b"GET /_emulator/messages/wait?count=1000000&timeout=120 HTTP/1.1\r\n"
        b"Host: 127.0.0.1\r\n\r\n"
    )
    return sock


def _health_until(client: EmulatorClient, key: str, value: int) -> dict[str, Any]:
    deadline = time.monotonic() + 5
    while True:
        health = client.health()
        if health[key] == value or time.monotonic() > deadline:
            return health
        time.sleep(0.02)


def test_a_long_poll_whose_client_went_away_ends_at_once(
    server: EmulatorServer, control: EmulatorClient
) -> None:
    sockets = [_open_wait(server) for _ in range(50)]
    assert _health_until(control, "open_waits", 50)["open_waits"] == 50
    for sock in sockets:
        sock.close()
    health = _health_until(control, "open_waits", 0)
    assert health["open_waits"] == 0 and health["message_waits"] == 0


def test_open_waits_and_streams_are_bounded(
    server: EmulatorServer, control: EmulatorClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from emulator.control import stream, waits

    monkeypatch.setattr(waits, "MAX_OPEN_WAITS", 3)
    monkeypatch.setattr(stream, "MAX_STREAMS", 1)
    sockets = [_open_wait(server) for _ in range(3)]
    try:
        _health_until(control, "open_waits", 3)
        refused = requests.get(server.url + "/_emulator/callbacks/wait", params={"timeout": 1})
        assert refused.status_code == 503 and "long polls are open" in refused.text
        with requests.get(server.url + "/_emulator/events", stream=True, timeout=10):
            _health_until(control, "event_streams", 1)
            second = requests.get(server.url + "/_emulator/events", timeout=10)
            assert second.status_code == 503 and "event streams are open" in second.text
    finally:
        for sock in sockets:
            sock.close()


def test_auto_created_accounts_are_bounded(
    server: EmulatorServer, control: EmulatorClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(server.context.accounts, "max_auto", 3)
    for n in range(3):
        answer = requests.post(
            server.url + "/account/limits.json", json={"username": f"user{n}", "password": "x"}
        )
        assert "items" in answer.json()
    refused = requests.post(
        server.url + "/account/limits.json", json={"username": "user3", "password": "x"}
    )
    assert refused.json()["error"]["code"] == 1001
    assert "at most 3 accounts made on first use" in refused.headers["X-Emulator-Error"]
    s2s = requests.post(server.url + "/CheckCredits", json={"UserName": "a", "Password": "b"})
    assert s2s.json()["StatusCode"] == "1", "each gateway has its own bound"
    control.account("serwersms", "defined", password="pw")
    assert (
        "items"
        in requests.post(
            server.url + "/account/limits.json", json={"username": "defined", "password": "pw"}
        ).json()
    )
    control.reset()
    assert (
        "items"
        in requests.post(
            server.url + "/account/limits.json", json={"username": "user3", "password": "x"}
        ).json()
    )


def test_what_the_address_book_keeps_is_bounded(
    server: EmulatorServer, control: EmulatorClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from emulator.providers.serwersms import models

    shop = {"username": "shop", "password": "pw"}
    big = requests.post(
        server.url + "/templates/add.json", json={**shop, "name": "t", "text": "x" * 100_000}
    )
    assert big.json()["error"]["code"] == 1006
    assert "at most 2000" in big.headers["X-Emulator-Error"]
    monkeypatch.setattr(models, "MAX_ENTRIES", 4)
    for n in range(4):
        added = requests.post(
            server.url + "/templates/add.json", json={**shop, "name": f"t{n}", "text": "hello"}
        )
        assert added.json()["success"] is True
    full = requests.post(server.url + "/groups/add.json", json={**shop, "name": "g"})
    assert full.json()["error"]["code"] == 1005
    assert "at most 4 address-book entries" in full.headers["X-Emulator-Error"]
    upload = requests.post(server.url + "/templates/delete.json", json={**shop, "id": 1})
    assert upload.status_code == 200


def test_a_bind_beyond_this_machine_without_a_token_warns(tmp_path: Path) -> None:
    def banner(*args: str, env: dict[str, str] | None = None) -> str:
        proc = subprocess.Popen(
            [sys.executable, "-m", "emulator", "serve", "--port", "0", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, **(env or {})},
        )
        assert proc.stdout is not None
        printed = ""
        while line := proc.stdout.readline():
            printed += line
            if "serving on" in line:
                break
        proc.terminate()
        proc.communicate(timeout=20)
        return printed

    assert "without a control token" in banner("--host", "0.0.0.0")
    assert "without a control token" not in banner(
        "--host", "0.0.0.0", env={"SMS_EMULATOR_CONTROL_TOKEN": "s3cret"}
    )
    assert "warning" not in banner("--host", "127.0.0.1")


def test_the_openapi_cache_holds_one_copy_per_document_whatever_the_host(
    server: EmulatorServer, control: EmulatorClient
) -> None:
    from emulator.control.docs import CACHE

    for n in range(30):
        answer = requests.get(
            server.url + "/_emulator/openapi/serwersms.json",
            headers={"Host": f"h{n}.localhost:{server.port}"},
        )
        assert answer.json()["servers"][0]["url"] == f"http://h{n}.localhost:{server.port}"
    assert server.app is not None and len(server.app[CACHE]) <= 3
