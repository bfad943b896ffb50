"""README's "In CI" recipes, run as written with the installed package, so the docs cannot rot.

Each ```sh block of the section runs in bash (``-eu -o pipefail``) in an empty folder whose
``vendor/bin/phpunit`` is a stand-in for a PHP suite: it sends an SMS to the emulator the way a
PHP client would and checks the answer. The GitHub Actions block's ``run:`` steps run in order,
with the ``actions/checkout`` of the emulator's repository standing as a link to this checkout.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
from pathlib import Path

import pytest
from packaged import ROOT, Installed

SECTION = "## In CI, in any language"
PHPUNIT = """#!/usr/bin/env bash
# A stand-in for a PHP test suite: an SMS through the emulator, checked like a test would.
set -eu
echo "$SMS_EMULATOR_URL" > "${URL_SEEN:-/dev/null}"
answer=$(curl -s -X POST "$SERWERSMS_API_URL"messages/send_sms.json \\
  -d 'username=shop&password=secret&phone=500600700&text=Order 42 shipped')
case "$answer" in *'"success":true'*) ;; *) echo "send failed: $answer"; exit 1 ;; esac
exit "${PHPUNIT_EXIT:-0}"
"""


def blocks(language: str) -> list[str]:
    text = (ROOT / "README.md").read_text()
    section = text[text.index(SECTION) :]
    section = section[: section.index("\n## ", len(SECTION))]
    return re.findall(rf"```{language}\n(.*?)```", section, re.S)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A downstream project with its (stand-in) PHP test runner."""
    runner = tmp_path / "vendor" / "bin" / "phpunit"
    runner.parent.mkdir(parents=True)
    runner.write_text(PHPUNIT)
    runner.chmod(0o755)
    return tmp_path


def shell(
    script: str, cwd: Path, installed: Installed, **env: str
) -> subprocess.CompletedProcess[str]:
    path = f"{installed.bin}{os.pathsep}{os.environ['PATH']}"
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SMS_EMULATOR_", "PYTEST"))}
    return subprocess.run(
        ["bash", "-eu", "-o", "pipefail", "-c", script],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env={**clean, "PATH": path, **env},
    )


def listening(url: str) -> bool:
    host, port = url.rsplit("/", 1)[-1].rsplit(":", 1)
    with socket.socket() as sock:
        return sock.connect_ex((host, int(port))) == 0


def test_the_section_has_the_recipes_the_issue_promises() -> None:
    scripts = blocks("sh")
    assert any("sms-emulator exec" in s for s in scripts)
    assert any("--port-file" in s and "sms-emulator wait" in s for s in scripts)
    [workflow] = blocks("yaml")
    assert "python -m pip install ./sms-gateway-emulator" in workflow


def test_exec_recipe(project: Path, installed: Installed) -> None:
    [recipe] = [s for s in blocks("sh") if "sms-emulator exec" in s]
    seen = project / "url"
    passed = shell(recipe, project, installed, URL_SEEN=str(seen))
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "sms-emulator: summary" in passed.stderr
    assert "serwersms: 1 messages (1 queued)" in passed.stderr
    assert not listening(seen.read_text().strip()), "the emulator was stopped"
    failed = shell(recipe, project, installed, URL_SEEN=str(seen), PHPUNIT_EXIT="3")
    assert failed.returncode == 3, "the command's exit code"
    assert "sms-emulator: summary" in failed.stderr


def test_background_recipe(project: Path, installed: Installed) -> None:
    [recipe] = [s for s in blocks("sh") if "--port-file" in s]
    done = shell(recipe, project, installed)
    assert done.returncode == 0, done.stdout + done.stderr
    assert '"StatusCode":"1"' in done.stdout and '"Credits":"1000"' in done.stdout
    assert "is ready" in done.stdout


def test_github_actions_recipe(project: Path, installed: Installed) -> None:
    [workflow] = blocks("yaml")
    assert "repository:" in workflow and "path: sms-gateway-emulator" in workflow
    (project / "sms-gateway-emulator").symlink_to(ROOT)  # what the second checkout brings
    steps = re.findall(r"^\s*- run: (.+)$", workflow, re.M)
    assert len(steps) == 2
    for step in steps:
        result = shell(step, project, installed)
        assert result.returncode == 0, f"{step}\n{result.stdout}\n{result.stderr}"
    assert "serwersms: 1 messages" in result.stderr
