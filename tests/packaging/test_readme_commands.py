"""Every command and recipe of README.md runs as written (but for the port), so none can rot.

Each fenced block is either run here or named in ``RUN_ELSEWHERE`` with the test (or the reason)
that covers it; a new block that is neither fails the first test. Shell blocks run in bash with
``set -eu`` against an emulator started for the purpose; each ``# {...}`` line under a command
is an answer it must print.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from packaged import ROOT

BIN = Path(sys.executable).parent  # sms-emulator and the test tools of this checkout's venv
RUN_ELSEWHERE = {
    "python3 -m venv .venv": "the quick start's install: what .ci/run does on every CI run",
    "bash .ci/run": "CI itself",
    "pip install schemathesis": "tests/reliability/test_openapi.py::test_readmes_schemathesis_"
    "commands",
    "sms-emulator exec --clock manual": "tests/packaging/test_readme_recipes.py",
    "sms-emulator serve --port 0 --port-file": "tests/packaging/test_readme_recipes.py",
    "steps:": "tests/packaging/test_readme_recipes.py (the GitHub Actions workflow)",
    "docker build": "no Docker engine on these machines; tests/test_dockerfile.py lints the "
    "image and checks its promises",
    "services:": "no Docker engine on these machines (Compose services); "
    "tests/test_dockerfile.py checks the image's /data",
}


def readme_blocks() -> list[tuple[str, str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```(\w*)\n(.*?)```", text, re.S)


def covered_elsewhere(block: str) -> bool:
    return any(block.lstrip().startswith(start) for start in RUN_ELSEWHERE)


def blocks(language: str) -> list[str]:
    return [
        code for lang, code in readme_blocks() if lang == language and not covered_elsewhere(code)
    ]


def environment(**extra: str) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SMS_EMULATOR_", "PYTEST"))}
    return {**clean, "PATH": f"{BIN}{os.pathsep}{clean['PATH']}", **extra}


class Served:
    def __init__(self, proc: subprocess.Popen[str], port: int, banner: str) -> None:
        self.proc, self.port, self.banner = proc, port, banner

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.communicate(timeout=20)


def start(args: list[str], cwd: Path, **env: str) -> Served:
    """``args`` (a serve command) in the background; returns once it says where it serves."""
    proc = subprocess.Popen(
        args,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=environment(**env),
    )
    assert proc.stdout is not None
    banner = ""
    while line := proc.stdout.readline():
        banner += line
        if "serving on" in line:
            banner += proc.stdout.readline()  # the inbox's address comes next
            return Served(proc, int(line.rsplit(":", 1)[1]), banner)
    raise AssertionError(f"it did not start: {banner}")


@pytest.fixture
def emulator(tmp_path: Path) -> Iterator[Served]:
    served = start([str(BIN / "sms-emulator"), "serve", "--port", "0"], tmp_path)
    yield served
    served.stop()


def test_every_block_is_run_somewhere() -> None:
    runnable = {"sh", "python", "toml"}
    for language, code in readme_blocks():
        assert covered_elsewhere(code) or language in runnable, (language, code[:60])
    for start_of_block in RUN_ELSEWHERE:
        assert any(code.lstrip().startswith(start_of_block) for _, code in readme_blocks()), (
            f"RUN_ELSEWHERE names a block README no longer has: {start_of_block!r}"
        )


def test_every_shell_block_runs_and_prints_what_it_says(emulator: Served, tmp_path: Path) -> None:
    scripts = [code for code in blocks("sh") if "sms-emulator serve" not in code]
    assert len(scripts) >= 4
    for script in scripts:
        ported = script.replace("127.0.0.1:8080", f"127.0.0.1:{emulator.port}")
        done = subprocess.run(
            ["bash", "-eu", "-o", "pipefail", "-c", ported],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
            env=environment(),
        )
        assert done.returncode == 0, f"{script}\n{done.stdout}\n{done.stderr}"
        for expected in re.findall(r"^# (\{.*\})$", script, re.M):
            compact = json.dumps(json.loads(expected), separators=(",", ":"), ensure_ascii=False)
            assert compact in done.stdout, (expected, done.stdout)
    assert sorted(p.name for p in (tmp_path / "openapi").iterdir()) == [
        "control.json",
        "server2sms.json",
        "serwersms.json",
    ]


def test_the_security_sections_token_command_serves_with_a_token(tmp_path: Path) -> None:
    [command] = [code.strip() for code in blocks("sh") if "sms-emulator serve" in code]
    served = start(["bash", "-c", command], tmp_path, SMS_EMULATOR_PORT="0")  # bash execs it
    try:
        assert re.search(r"/_emulator/ui/\?token=[0-9a-f]{32}", served.banner), served.banner
    finally:
        served.stop()


def test_the_pytest_examples_pass_in_a_project_of_their_own(tmp_path: Path) -> None:
    examples = [code for code in blocks("python") if "def test_" in code]
    assert len(examples) == 3
    for number, code in enumerate(examples):
        (tmp_path / f"test_readme_{number}.py").write_text(code)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        env=environment(),
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "5 passed" in done.stdout  # the confirmation test runs once per language


def test_the_python_script_runs(tmp_path: Path) -> None:
    [script] = [code for code in blocks("python") if "def test_" not in code]
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env=environment(),
    )
    assert done.returncode == 0, done.stderr
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+ manual\n", done.stdout)


def test_the_config_file_example_serves(tmp_path: Path) -> None:
    [toml] = [code for code in blocks("toml") if "[[rules]]" not in code]
    config = tmp_path / "emulator.toml"
    config.write_text(toml)
    served = start(
        [str(BIN / "sms-emulator"), "serve", "--config", str(config), "--port", "0"], tmp_path
    )
    try:
        import requests

        url = f"http://127.0.0.1:{served.port}"
        credits = requests.post(
            url + "/CheckCredits", json={"UserName": "ACME", "Password": "secret"}
        ).json()
        assert credits["Credits"] == "50"
        assert requests.get(url + "/_emulator/clock").json()["mode"] == "manual"
    finally:
        served.stop()


def test_the_scenario_example_does_what_it_says(tmp_path: Path) -> None:
    """The shop whose dlr_url is down and whose first two sends fail, kept in a data file;
    a reset comes back to it."""
    import requests

    [toml] = [code for code in blocks("toml") if "[[rules]]" in code]
    config = tmp_path / "shop.toml"
    config.write_text(toml)
    args = ["serve", "--config", str(config), "--data", str(tmp_path / "e.db"), "--port", "0"]
    served = start([str(BIN / "sms-emulator"), *args], tmp_path)
    url = f"http://127.0.0.1:{served.port}"

    def send() -> dict[str, object]:
        body = {"username": "shop", "password": "secret", "phone": "500600701", "text": "hi"}
        answer: dict[str, object] = requests.post(
            url + "/messages/send_sms.json", json=body, timeout=10
        ).json()
        return answer

    try:
        for _ in range(2):
            assert send()["error"] == {
                "code": 3000,
                "type": "SendError",
                "message": "Exhausted the limit of available SMS ECO+",
            }
        assert send()["success"] is True
        requests.post(url + "/_emulator/clock/advance", json={"seconds": 3600}, timeout=30)
        [callback] = requests.get(url + "/_emulator/callbacks", timeout=10).json()["items"]
        assert callback["state"] == "failed" and len(callback["attempts"]) > 1
        [reply] = requests.get(url + "/_emulator/replies", timeout=10).json()["items"]
        assert reply["text"] == "STOP"
        requests.post(url + "/_emulator/reset", timeout=10)
        assert requests.get(url + "/_emulator/messages", timeout=10).json()["items"] == []
        [rule] = requests.get(url + "/_emulator/rules", timeout=10).json()["items"]
        assert rule["used"] == 0 and rule["times"] == 2
        assert len(requests.get(url + "/_emulator/replies", timeout=10).json()["items"]) == 1
        assert "error" in send()  # failing again, as seeded
    finally:
        served.stop()
