"""The package as a user gets it: the wheel and the sdist built from this checkout, and the
wheel installed in a fresh virtual environment outside the repository (once per session)."""

from __future__ import annotations

import sys

import pytest
from packaged import ROOT, Installed, run


@pytest.fixture(scope="session")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    base = tmp_path_factory.mktemp("package")
    dist = base / "dist"
    run([sys.executable, "-m", "pip", "wheel", ROOT, "--no-deps", "-q", "-w", dist])
    [wheel] = dist.glob("sms_gateway_emulator-*.whl")
    run([sys.executable, "-m", "build", "--sdist", "-o", dist, ROOT])
    [sdist] = dist.glob("sms_gateway_emulator-*.tar.gz")
    venv = base / "venv"
    run([sys.executable, "-m", "venv", venv])
    run([venv / "bin" / "python", "-m", "pip", "install", "-q", wheel, "pytest", "pytest-xdist"])
    return Installed(wheel, sdist, venv)
