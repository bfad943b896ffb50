"""State documents in files: ``serve --import`` / ``--export-on-exit`` across a restart, and
``sms-emulator state export|import`` against a running emulator."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import requests
from test_cli import run, serve  # noqa: F401 - the fixture that starts `serve` processes


def _send(url: str, phone: str) -> str:
    answer = requests.post(
        url + "/messages/send_sms.json",
        json={"username": "shop", "password": "x", "phone": phone, "text": "hi", "details": True},
        timeout=10,
    ).json()
    message_id: str = answer["items"][0]["id"]
    return message_id


def test_a_restart_with_export_on_exit_and_import_keeps_everything(
    serve: object,  # noqa: F811
    tmp_path: Path,
) -> None:
    saved = tmp_path / "state.json"
    first = serve("--clock", "manual", "--export-on-exit", str(saved))  # type: ignore[operator]
    sent = _send(first.url, "500600700")
    requests.post(
        first.url + "/_emulator/rules",
        json={"recipient": "500600701", "times": 2, "outcome": "unknown_subscriber"},
    )
    before = requests.get(first.url + "/_emulator/state", timeout=10).json()
    assert "written" not in first.stop()
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600  # it carries passwords
    second = serve("--clock", "manual", "--import", str(saved))  # type: ignore[operator]
    after = requests.get(second.url + "/_emulator/state", timeout=10).json()
    assert {**after, "events": 0} == {**before, "events": 0}
    message = requests.get(f"{second.url}/_emulator/messages/{sent}", timeout=10).json()
    assert message["status"] == "queued"
    requests.post(second.url + "/_emulator/clock/advance", json={"seconds": 5}, timeout=10)
    message = requests.get(f"{second.url}/_emulator/messages/{sent}", timeout=10).json()
    assert message["status"] == "delivered"  # in flight, it went on to its outcome
    assert _send(second.url, "500600702") != sent  # ids go on, never again
    second.stop()


def test_an_import_that_cannot_be_read_stops_the_start_and_names_the_file(
    tmp_path: Path,
) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": "sms-gateway-emulator state", "version": 99}')
    answer = run("serve", "--port", "0", "--import", str(broken))
    assert answer.returncode == 1
    assert f"cannot import: {broken} is not a state document" in answer.stderr
    assert "version" in answer.stderr
    missing = run("serve", "--port", "0", "--import", str(tmp_path / "nope.json"))
    assert missing.returncode == 1 and "nope.json does not exist" in missing.stderr


def test_a_failed_export_keeps_the_previous_one(serve: object, tmp_path: Path) -> None:  # noqa: F811
    folder = tmp_path / "exports"
    folder.mkdir()
    saved = folder / "state.json"
    saved.write_text("the previous export")
    served = serve("--export-on-exit", str(saved))  # type: ignore[operator]
    os.chmod(folder, 0o500)  # the folder cannot take the new file
    try:
        served.proc.send_signal(15)
        out, _ = served.proc.communicate(timeout=20)
    finally:
        os.chmod(folder, 0o700)
    if os.geteuid() == 0:  # root writes anyway: the export simply succeeds
        assert json.loads(saved.read_text())["format"] == "sms-gateway-emulator state"
        return
    assert served.proc.returncode == 1
    assert f"cannot export the state: cannot write {saved}" in out
    assert saved.read_text() == "the previous export"


def test_state_export_and_import_against_running_emulators(
    serve: object,  # noqa: F811
    tmp_path: Path,
) -> None:
    one = serve("--clock", "manual")  # type: ignore[operator]
    other = serve("--clock", "manual", "--control-token", "s3cret")  # type: ignore[operator]
    _send(one.url, "500600700")
    saved = tmp_path / "one.json"
    exported = run("state", "export", "--url", one.url, str(saved))
    assert exported.returncode == 0, exported.stderr
    refused = run("state", "import", "--url", other.url, str(saved))
    assert refused.returncode == 1 and "answered 401" in refused.stderr
    imported = run(
        "state", "import", "--url", other.url, str(saved),
        env={"SMS_EMULATOR_CONTROL_TOKEN": "s3cret"},
    )  # fmt: skip
    assert imported.returncode == 0, imported.stderr
    messages = requests.get(
        other.url + "/_emulator/messages",
        headers={"Authorization": "Bearer s3cret"},
        timeout=10,
    ).json()["items"]
    assert [m["recipient"] for m in messages] == ["+48500600700"]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({**json.loads(saved.read_text()), "clock": {"mode": "x"}}))
    answer = run("state", "import", "--url", one.url, str(bad))
    assert answer.returncode == 1 and "clock" in answer.stderr
    one.stop()
    other.stop()
