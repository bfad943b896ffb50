"""Hostile input against every provider and control endpoint (hypothesis): never a 500, always
the provider's own error format."""

from __future__ import annotations

import json
import socket
from typing import Any
from urllib.parse import quote

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from emulator.providers.server2sms.errors import STATUS_CODES
from emulator.providers.server2sms.routes import OPERATIONS as S2S
from emulator.providers.serwersms.routes import OPERATIONS as SW
from emulator.testing.server import EmulatorServer

FUZZ = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
SPECIAL = "<>&\"'\x00\x01\x0b\x1f\r\n\t\x1b\x7f\x85\u2028\ud7ff\ufffe\U0001f600]]>--><![CDATA[&amp;"
HUGE = [
    1e308,
    -1e308,
    1.7976931348623157e308,
    5e-324,
    2**63,
    -(2**63),
    2**64 + 1,
    10**400,
    "9" * 400,
    "-" + "9" * 400,
    "1e400",
    "1e308",
    "0x7fffffff",
    "1_000",
]

texts = st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from(SPECIAL), max_size=40)
scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | texts
    | st.sampled_from(HUGE)
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts, inner, max_size=4),
    max_leaves=12,
)


def body_for(fields: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    """Objects whose keys are the endpoint's own fields (and some noise), any values."""
    keys = st.sampled_from(fields) | texts if fields else texts
    return st.dictionaries(keys, values, max_size=8)


raw_bodies = st.one_of(
    st.binary(max_size=200),
    st.sampled_from(
        [
            b"",
            b"{",
            b"[]",
            b"null",
            b"\xff\xfe",
            b'{"a":NaN}',
            b"[" * 5000,
            b'{"a":' * 3000,
            b'{"x":"\\ud800"}',
            b"\x00" * 50,
            "ż".encode("utf-16"),
            b"a=1&b[]=2&b[0][x]=3",
            b"%" * 30,
            b"phone[=1",
            b"phone[0][1][2]=x",
            "phone[¹]=1&phone[²]=2".encode(),
        ]
    ),
    values.map(lambda v: json.dumps(v).encode()),
)
CONTENT_TYPES = [
    None,
    "application/json",
    "application/x-www-form-urlencoded",
    "text/plain; charset=latin-1",
    "multipart/form-data; boundary=zz",
]


def s2s_fields(method: str) -> list[str]:
    from emulator.validation import SchemaRegistry

    return list(SchemaRegistry().schema("server2sms", method, "request")["properties"])


def check_s2s(answer: requests.Response) -> None:
    assert answer.status_code < 500, answer.text
    data = answer.json()
    assert set(data) >= {"StatusCode", "StatusInfo"}
    assert data["StatusInfo"] == STATUS_CODES[data["StatusCode"]]
    assert all(
        isinstance(v, str)
        for k, v in data.items()
        if k not in ("DeliveryNotifications", "StatusCodes", "VoucherCodes", "vouchers")
    )


@pytest.mark.parametrize("method", list(S2S))
def test_server2sms_methods_with_any_json(
    server: EmulatorServer, control: Any, method: str
) -> None:
    @FUZZ
    @given(body=body_for([*s2s_fields(method), "UserName", "Password"]))
    def check(body: dict[str, Any]) -> None:
        body.setdefault("UserName", "fuzz")
        body.setdefault("Password", "x")
        check_s2s(requests.post(f"{server.url}/{method}", json=body))

    check()


@FUZZ
@given(
    raw=raw_bodies,
    content_type=st.sampled_from(CONTENT_TYPES),
    method=st.sampled_from([*S2S, "Nope", "sendtextsms"]),
)
def test_server2sms_raw_bodies(
    server: EmulatorServer, raw: bytes, content_type: str | None, method: str
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    check_s2s(requests.post(f"{server.url}/{method}", data=raw, headers=headers))


SW_ACTIONS = sorted(name for name in SW if "{" not in name)


def check_sw(answer: requests.Response, fmt: str) -> None:
    assert answer.status_code < 500, answer.text
    if answer.headers["Content-Type"].startswith("application/pdf"):
        assert answer.content.startswith(b"%PDF")
        return
    if fmt == "xml":
        root = etree.fromstring(answer.content)  # well-formed, whatever the text held
        assert root.tag in ("result", "error")
        if root.tag == "error":
            assert [child.tag for child in root] == ["code", "type", "message"]
        return
    data = answer.json()
    assert isinstance(data, dict)
    if "error" in data:
        assert set(data["error"]) == {"code", "type", "message"}


@pytest.mark.parametrize("action", SW_ACTIONS)
def test_serwersms_actions_with_any_json(server: EmulatorServer, control: Any, action: str) -> None:
    from emulator.validation import SchemaRegistry

    fields = list(
        SchemaRegistry().schema("serwersms", SW[action].name.replace("/", "."), "request")[
            "properties"
        ]
    )

    @settings(FUZZ, max_examples=25)
    @given(body=body_for(fields), fmt=st.sampled_from(["json", "xml"]))
    def check(body: dict[str, Any], fmt: str) -> None:
        body.update(username="fuzz", password="x")
        check_sw(requests.post(f"{server.url}/{action}.{fmt}", json=body), fmt)

    check()


@FUZZ
@given(
    raw=raw_bodies,
    content_type=st.sampled_from(CONTENT_TYPES),
    action=st.sampled_from([*SW_ACTIONS, "error/1000", "nope/nope", "messages/nope"]),
    fmt=st.sampled_from(["json", "xml", ""]),
)
def test_serwersms_raw_bodies(
    server: EmulatorServer, raw: bytes, content_type: str | None, action: str, fmt: str
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    path = f"{server.url}/{action}" + (f".{fmt}" if fmt else "")
    check_sw(
        requests.post(path + "?username=fuzz&password=x", data=raw, headers=headers), fmt or "json"
    )


@FUZZ
@given(text=texts, phone=texts)
def test_xml_special_characters_in_every_text_field(
    server: EmulatorServer, text: str, phone: str
) -> None:
    for action, body in [
        (
            "messages/send_sms",
            {
                "phone": ["500600700", phone],
                "text": text or "x",
                "sender": text[:11],
                "details": True,
                "test": True,
            },
        ),
        ("contacts/add", {"phone": "500600700", "first_name": text, "description": text}),
        ("templates/add", {"name": text, "text": text}),
        ("senders/add", {"name": text}),
        ("contacts/index", {"search": text}),
        ("templates/index", {}),
        ("messages/send_nd", {"phone": "500600700", "text": text or "x"}),
        ("messages/recived", {}),
    ]:
        answer = requests.post(
            f"{server.url}/{action}.xml", json={"username": "xml", "password": "x", **body}
        )
        check_sw(answer, "xml")


CONTROL = [
    ("GET", "/_emulator/messages"),
    ("GET", "/_emulator/messages/wait"),
    ("GET", "/_emulator/callbacks"),
    ("GET", "/_emulator/replies"),
    ("POST", "/_emulator/reset"),
    ("POST", "/_emulator/accounts"),
    ("PATCH", "/_emulator/accounts/serwersms/fuzz"),
    ("POST", "/_emulator/clock"),
    ("POST", "/_emulator/clock/advance"),
    ("POST", "/_emulator/rules"),
    ("POST", "/_emulator/replies"),
    ("POST", "/_emulator/faults"),
    ("GET", "/_emulator/messages/%00%ff"),
    ("DELETE", "/_emulator/rules/x"),
    ("POST", "/_emulator/callbacks/x/redeliver"),
]


@FUZZ
@given(
    endpoint=st.sampled_from(CONTROL),
    raw=raw_bodies,
    query=st.dictionaries(
        st.sampled_from(
            ["limit", "cursor", "since", "timeout", "count", "recipient", "status", "text"]
        ),
        texts,
        max_size=3,
    ),
)
def test_control_endpoints(
    server: EmulatorServer, endpoint: tuple[str, str], raw: bytes, query: dict[str, str]
) -> None:
    method, path = endpoint
    if path.endswith("/wait"):
        query["timeout"] = "0"
    answer = requests.request(method, server.url + path, data=raw, params=query)
    assert answer.status_code < 500, answer.text
    data = answer.json()
    if answer.status_code >= 400 and answer.status_code != 408:
        assert set(data) == {"error"} and "message" in data["error"]
    requests.delete(server.url + "/_emulator/faults")
    requests.delete(server.url + "/_emulator/rules")
    requests.post(server.url + "/_emulator/clock", json={"mode": "manual"})


# -- odd paths and odd header bytes ------------------------------------------------------------

segment = st.one_of(
    st.sampled_from(
        [
            "SendTextSMS",
            "CheckCredits",
            "messages",
            "send_sms.json",
            "account",
            "limits.xml",
            "_emulator",
            "",
            "{x}",
            "{",
            "}",
            "%7B",
            "%2F",
            "%00",
            "..",
            ".",
            "%ff",
            "%e2%82",
            "a%20b",
            "ż",
            "{method}",
            "error",
            "1000",
        ]
    ),
    texts.map(lambda t: quote(t, safe="")),
)
paths = st.lists(segment, min_size=0, max_size=4).map(
    lambda parts: "/" + "/".join(parts)
) | st.sampled_from(
    ["//SendSimpleTextSMS", "/VersionInfo/", "///", "//account//limits.json//", "/?", "/#"]
)


def check_any(status: int, content_type: str, body: bytes) -> None:
    """Whatever the path: an answer in the format of the API it reached, never a 500."""
    assert status < 500, body
    if status in (204, 302):  # a CORS preflight; the inbox's own redirect
        return
    if content_type.startswith("application/xml"):
        assert etree.fromstring(body).tag in ("result", "error")
        return
    assert content_type.startswith(
        ("application/json", "text/html", "text/css", "text/javascript", "application/pdf")
    ), (content_type, body)
    if content_type.startswith("application/json"):
        data = json.loads(body)
        assert isinstance(data, dict)
        assert (
            "StatusCode" in data
            or "error" in data
            or "items" in data
            or "success" in data
            or "ready" in data
            or data.keys() <= {"items", "count", "next_cursor", "pruned"}
            or len(data) > 0
        )


@FUZZ
@given(
    path=paths,
    method=st.sampled_from(["GET", "POST", "PUT", "OPTIONS"]),
    raw=st.sampled_from([b"", b"{}", b'{"UserName":"a","Password":"b"}', b"username=a&password=b"]),
)
def test_odd_paths_get_an_answer_in_format(
    server: EmulatorServer, path: str, method: str, raw: bytes
) -> None:
    status, headers, body = raw_exchange(
        server,
        f"{method} {path} HTTP/1.1\r\n".encode("utf-8", "surrogateescape"),
        {b"Host": b"127.0.0.1", b"Content-Length": str(len(raw)).encode()},
        raw,
    )
    if status == 400 and headers.get("content-type", "").startswith("text/plain"):
        return  # the HTTP parser itself refused a request line no client can send
    check_any(status, headers.get("content-type", ""), body)


header_bytes = st.binary(min_size=1, max_size=30).filter(
    lambda b: b"\r" not in b and b"\n" not in b
)


@FUZZ
@given(
    name=st.sampled_from(
        [
            b"Authorization",
            b"Content-Type",
            b"Origin",
            b"X-Anything",
            b"Sec-Fetch-Site",
            b"Cookie",
            b"Accept-Charset",
        ]
    ),
    value=header_bytes | header_bytes.map(lambda b: b"Bearer " + b),
    path=st.sampled_from(
        [
            "/CheckCredits",
            "/account/limits.json",
            "/account/limits.xml",
            "/_emulator/messages",
            "/_emulator/reset",
            "/messages/send_sms.json",
        ]
    ),
)
def test_header_bytes_that_are_not_utf8(
    server: EmulatorServer, name: bytes, value: bytes, path: str
) -> None:
    raw = b'{"UserName":"a","Password":"b","username":"a","password":"b"}'
    status, headers, body = raw_exchange(
        server,
        f"POST {path} HTTP/1.1\r\n".encode(),
        {b"Host": b"127.0.0.1", name: value, b"Content-Length": str(len(raw)).encode()},
        raw,
    )
    if status == 400 and headers.get("content-type", "").startswith("text/plain"):
        return  # the HTTP parser refused a header no client can send (e.g. a NUL byte)
    check_any(status, headers.get("content-type", ""), body)


def raw_exchange(
    server: EmulatorServer, request_line: bytes, headers: dict[bytes, bytes], body: bytes
) -> tuple[int, dict[str, str], bytes]:
    """One request as bytes over a socket; the answer must come (no dropped connection)."""
    head = request_line + b"".join(k + b": " + v + b"\r\n" for k, v in headers.items())
    with socket.create_connection(("127.0.0.1", server.port or 0), timeout=10) as sock:
        sock.sendall(head + b"Connection: close\r\n\r\n" + body)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    assert answer, "the connection was closed without an answer"
    top, _, rest = answer.partition(b"\r\n\r\n")
    lines = top.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    fields = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    if fields.get("transfer-encoding") == "chunked":
        rest = _unchunk(rest)
    return status, fields, rest


def _unchunk(data: bytes) -> bytes:
    out = b""
    while data:
        size_line, _, data = data.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            break
        out, data = out + data[:size], data[size + 2 :]
    return out
