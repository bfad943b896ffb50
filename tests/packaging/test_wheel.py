"""The wheel, installed in a fresh virtual environment outside the repository, runs a
downstream project's tests with the plugin, once plainly and once with ``pytest -n 2``; the
wheel and the sdist carry what a user and the sdist's own tests need."""

from __future__ import annotations

import os
import shutil
import tarfile
import zipfile
from pathlib import Path

from packaged import ROOT, Installed, run

PROJECT = Path(__file__).resolve().parent / "downstream"


def test_the_wheel_in_a_fresh_environment(installed: Installed, tmp_path: Path) -> None:
    names = zipfile.ZipFile(installed.wheel).namelist()
    assert "emulator/_data/schemas/server2sms/SendTextSMS.request.json" in names
    assert "emulator/_data/schemas/serwersms/messages.send_sms.response.json" in names
    assert "emulator/_data/fixtures/outcomes.json" in names
    assert "emulator/control/ui/inbox.js" in names
    assert "emulator/py.typed" in names
    assert any(n.endswith("entry_points.txt") for n in names)
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    metadata = next(
        zipfile.ZipFile(installed.wheel).read(n).decode()
        for n in names
        if n.endswith(".dist-info/METADATA")
    )
    for line in (
        "License-Expression: MIT",
        "Requires-Python: >=3.11",
        "Classifier: Framework :: Pytest",
        "Classifier: Typing :: Typed",
        "Provides-Extra: dev",
    ):
        assert line in metadata
    python = installed.bin / "python"
    assert "serve" in run([installed.bin / "sms-emulator", "--help"]).stdout
    assert "ruff" not in run([python, "-m", "pip", "list"]).stdout, "no toolchain of ours"

    project = tmp_path / "project"
    shutil.copytree(PROJECT, project)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "PYTHONPATH"))}
    run([python, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=project, env=env)

    workers = tmp_path / "workers.txt"
    run(
        [python, "-m", "pytest", "-q", "-n", "2", "-p", "no:cacheprovider"],
        cwd=project,
        env={**env, "WORKERS_FILE": str(workers)},
    )
    served = {tuple(line.split()) for line in workers.read_text().splitlines()}
    by_worker = {worker: {url for w, url in served if w == worker} for worker, _ in served}
    assert set(by_worker) == {"gw0", "gw1"}
    assert all(len(urls) == 1 for urls in by_worker.values()), "one emulator per worker"
    assert by_worker["gw0"] != by_worker["gw1"]


def test_the_sdist_holds_what_its_tests_read(installed: Installed) -> None:
    with tarfile.open(installed.sdist) as sdist:
        names = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
    for needed in (
        "LICENSE",
        "README.md",
        "Dockerfile",
        "pyproject.toml",
        "emulator/py.typed",
        "docs/decisions.md",
        "schemas/server2sms/SendTextSMS.request.json",
        "fixtures/outcomes.json",
        "tests/conftest.py",
        ".ci/run",
        "bench/run",
    ):
        assert needed in names, needed
    tracked = {str(p.relative_to(ROOT)) for p in (ROOT / "tests").rglob("*.py")}
    assert tracked <= names
