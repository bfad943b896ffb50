"""Safe on a shared machine and against any web page: what the control API's guards did not
cover (issue "what the control-API guards do not yet cover"), each item a reproduction."""

from __future__ import annotations

import socket
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests

from emulator.testing.client import EmulatorClient
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


def test_an_absolute_form_target_for_another_host_is_refused(server: EmulatorServer,
                                                            control: EmulatorClient) -> None:
    body = b'{"mode":"real"}'
    for path in (b"/_emulator/clock", b"/CheckCredits"):
        answer = raw(server, b"POST http://evil.com" + path + b" HTTP/1.1\r\n"
                     b"Host: localhost\r\nOrigin: http://evil.com\r\nConnection: close\r\n"
                     b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
        assert answer.startswith(b"HTTP/1.1 403"), answer[:200]
    assert control.clock()["mode"] == "manual", "the clock was not switched"
    same = raw(server, b"GET http://localhost/_emulator/clock HTTP/1.1\r\nHost: localhost\r\n"
                       b"Connection: close\r\n\r\n")
    assert same.startswith(b"HTTP/1.1 200"), "an absolute target for the Host itself is fine"


@pytest.mark.parametrize("host", ["localhost:80@evil.com", "[::1]evil.com", "localhost:evil",
                                  "127.0.0.1:80/x"])
def test_a_host_header_that_is_no_host_is_refused(server: EmulatorServer, host: str) -> None:
    for path in ("/_emulator/messages", "/messages/reports.json"):
        answer = requests.get(server.url + path, headers={"Host": host},
                              params={"username": "a", "password": "b"})
        assert answer.status_code == 403, (host, path)


def test_an_origin_is_compared_with_the_host_header(server: EmulatorServer,
                                                   control: EmulatorClient) -> None:
    port = urlsplit(server.url).port
    same = requests.post(server.url + "/_emulator/clock", json={"mode": "real"},
                         headers={"Origin": f"http://127.0.0.1:{port}"})
    assert same.status_code == 200
    other = requests.post(server.url + "/_emulator/clock", json={"mode": "manual"},
                          headers={"Origin": "http://localhost:3000"})
    assert other.status_code == 403


