"""The OpenAPI documents: valid OpenAPI 3.1, covering every route of the route tables,
describing what real clients send, and holding against schemathesis run on the live emulator
(a fixed seed, so every run sends the same requests)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import requests
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from schemathesis import checks
from schemathesis_run import run

from emulator.control.routes import PREFIX, ROUTES
from emulator.providers.server2sms.routes import OPERATIONS as SERVER2SMS
from emulator.providers.serwersms.routes import OPERATIONS as SERWERSMS
from emulator.testing.receiver import CallbackReceiver
from emulator.testing.server import EmulatorServer

NAMES = ("server2sms", "serwersms", "control")


def fetch(server: EmulatorServer, name: str) -> dict[str, Any]:
    answer = requests.get(f"{server.url}/_emulator/openapi/{name}.json")
    assert answer.status_code == 200
    data: dict[str, Any] = answer.json()
    return data


def request_schema(
    document: dict[str, Any], path: str, media: str = "application/json"
) -> dict[str, Any]:
    ref = document["paths"][path]["post"]["requestBody"]["content"][media]["schema"]["$ref"]
    schema: dict[str, Any] = document["components"]["schemas"][ref.rsplit("/", 1)[1]]
    return schema


@pytest.mark.parametrize("name", NAMES)
def test_each_document_is_valid_openapi_3_1(server: EmulatorServer, name: str) -> None:
    document = fetch(server, name)
    assert document["openapi"].startswith("3.1")
    validate(document)
    assert document["servers"][0]["url"] == server.url
    index = requests.get(server.url + "/_emulator/openapi/").json()
    assert [d["name"] for d in index["documents"]] == list(NAMES)


def test_the_documents_cover_every_route(server: EmulatorServer) -> None:
    server2sms = fetch(server, "server2sms")
    assert set(server2sms["paths"]) == {f"/{method}" for method in SERVER2SMS}
    serwersms = fetch(server, "serwersms")
    assert set(serwersms["paths"]) == {
        f"/{name}{suffix}" for name in SERWERSMS for suffix in ("", ".json", ".xml")
    }
    control = fetch(server, "control")
    documented = {
        (method.upper(), path) for path, item in control["paths"].items() for method in item
    }
    assert documented == {(r.method, PREFIX + r.path) for r in ROUTES}
    served = {
        (r.method, r.resource.canonical)
        for r in server.app.router.routes()  # type: ignore
        if r.resource is not None
        and r.resource.canonical.startswith(PREFIX)
        and "{tail" not in r.resource.canonical
        and "/static/" not in r.resource.canonical
        and r.method != "HEAD"
        and not r.resource.canonical.endswith(("/ui", "/docs"))
    }
    assert served == documented


def test_documented_statuses_and_descriptions(server: EmulatorServer) -> None:
    server2sms = fetch(server, "server2sms")
    codes = server2sms["components"]["schemas"]["StatusCode"]["oneOf"]
    assert {"const": "3", "title": "Authorization failed."} in codes
    send = server2sms["paths"]["/SendTextSMS"]["post"]
    assert send["description"].startswith("Send single or multipart text messages")
    example = send["requestBody"]["content"]["application/json"]["examples"]["documented"]
    assert example["value"]["Originator"] == "+4176000000"
    serwersms = fetch(server, "serwersms")
    xml = serwersms["paths"]["/messages/send_sms.xml"]["post"]["responses"]["200"]["content"]
    assert set(xml) == {"application/xml"}
    assert set(serwersms["components"]["securitySchemes"]) == {"bearer", "username", "password"}
    assert "1001 InvalidUser" in serwersms["components"]["schemas"]["Error"]["description"]


def test_the_seeds_server2sms_examples_fit_the_document(server: EmulatorServer) -> None:
    document = fetch(server, "server2sms")
    checked = 0
    for path, item in document["paths"].items():
        content = item["post"]["requestBody"]["content"]["application/json"]
        for example in content.get("examples", {}).values():
            Draft202012Validator(request_schema(document, path)).validate(example["value"])
            checked += 1
    assert checked == 3  # CheckCredits, SendTextSMS, SendSimpleTextSMS show one each


def test_what_the_official_serwersms_client_sends_fits_the_document(server: EmulatorServer) -> None:
    from serwersms import SerwerSMS

    from emulator.providers.serwersms.wire import form_params

    document = fetch(server, "serwersms")
    with CallbackReceiver() as capture:  # records exactly what the client sends
        client = SerwerSMS("official-client-token")
        client.api_url = capture.url + "/"
        calls = [
            lambda: client.message.send_sms("500600700", "Hello", "", {"details": "true"}),
            lambda: client.message.send_sms(
                "500600700", "Later", "Shop", {"date": "2030-01-01 10:00", "test": "true"}
            ),
            lambda: client.message.reports({"id": "abc"}),
            lambda: client.message.view("abc", {}),
            lambda: client.message.send_voice("500600700", {"text": "Your code is 1"}),
            lambda: client.message.send_nd("+48600700800", "Hi ND"),
        ]
        for call in calls:
            call()
        sent = capture.wait_for(len(calls))
    for request in sent:
        body = request.body.decode()
        params = json.loads(body) if body.lstrip().startswith("{") else form_params(body)
        schema = request_schema(document, request.path)
        errors = [e.message for e in Draft202012Validator(schema).iter_errors(params)]
        assert errors == [], (request.path, params)


def test_sms_emulator_openapi_writes_the_documents(tmp_path: Path) -> None:
    out = tmp_path / "openapi"
    result = subprocess.run(
        [sys.executable, "-m", "emulator", "openapi", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == [f"{n}.json" for n in sorted(NAMES)]
    for name in NAMES:
        written = json.loads((out / f"{name}.json").read_text())
        validate(written)
        first = written["servers"][0]  # imported into Postman, it must not point at production
        assert first["url"] == "{base}"
        assert first["variables"]["base"]["default"] == "http://127.0.0.1:8080"
        assert all(
            "serwersms.pl" not in s["url"] and "server2sms.com" not in s["url"]
            for s in written["servers"][:1]
        )


def _wait_now(case: Any) -> list[Any]:
    """Long polls answer at once (timeout 0); one that finds nothing answers 408 as
    documented, which schemathesis's 'valid data is accepted' check cannot know. A state
    document means more than its schema says (a random generator's state, a rule's regular
    expression): one that fits the schema may still be refused, with a 400 naming where."""
    if case.path.endswith("/wait"):
        case.query = {**(case.query or {}), "timeout": 0}
        return [checks.positive_data_acceptance]
    if case.path.endswith("/state") and case.method == "PUT":
        return [checks.positive_data_acceptance]
    return []


@pytest.mark.parametrize(
    ("name", "examples"), [("server2sms", 12), ("serwersms", 4), ("control", 6)]
)
def test_schemathesis_finds_nothing(server: EmulatorServer, name: str, examples: int) -> None:
    counts = run(fetch(server, name), server.url, name, examples, _wait_now)
    requests.post(server.url + "/_emulator/reset", json={})
    document = fetch(server, name)
    operations = sum(len(item) for item in document["paths"].values())
    assert counts.operations == operations - (name == "control")  # all but the event stream
    assert counts.requests >= counts.operations
    assert counts.failures == [], "\n\n".join(counts.failures[:5])


def test_readmes_schemathesis_commands(tmp_path: Path) -> None:
    """README's command-line runs, as written but for the emulator's port."""
    import os
    import re

    from emulator.testing.server import EmulatorServer as Server

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = readme[readme.index("## OpenAPI documents") : readme.index("## In your pytest")]
    [block] = [b for b in re.findall(r"```sh\n(.*?)```", section, re.S) if "schemathesis run" in b]
    commands = [c for c in block.replace("\\\n", " ").splitlines() if "schemathesis run" in c]
    assert len(commands) == 2
    schemathesis = Path(sys.executable).with_name("schemathesis")
    with Server(clock="manual", access_log=False) as emulator:
        for command in commands:
            args = command.replace("http://127.0.0.1:8080", emulator.url).split()[1:]
            done = subprocess.run(
                [str(schemathesis), *args],
                capture_output=True,
                text=True,
                timeout=300,
                cwd=tmp_path,
                env={**os.environ, "NO_COLOR": "1"},
            )
            assert done.returncode == 0, done.stdout[-3000:]
            assert "No issues found" in done.stdout
