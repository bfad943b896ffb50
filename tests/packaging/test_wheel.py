"""Build the wheel, install it in a fresh virtual environment outside the repository, and run a
downstream project's tests with the plugin there, once plainly and once with ``pytest -n 2``."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROJECT = Path(__file__).resolve().parent / "downstream"


def run(args: list[str | Path], **kw: object) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([str(a) for a in args], capture_output=True, text=True,
                            timeout=600, **kw)  # type: ignore[call-overload]
    assert result.returncode == 0, f"{args}\n{result.stdout}\n{result.stderr}"
    return result


def test_the_wheel_in_a_fresh_environment(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    run([sys.executable, "-m", "pip", "wheel", ROOT, "--no-deps", "-q", "-w", dist])
    [wheel] = dist.glob("sms_gateway_emulator-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "emulator/_data/schemas/server2sms/SendTextSMS.request.json" in names
    assert "emulator/_data/schemas/serwersms/messages.send_sms.response.json" in names
    assert "emulator/_data/fixtures/outcomes.json" in names
    assert "emulator/control/ui/inbox.js" in names
    assert any(n.endswith("entry_points.txt") for n in names)

    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", venv])
    python = venv / "bin" / "python"
    run([python, "-m", "pip", "install", "-q", wheel, "pytest", "pytest-xdist"])
    assert "serve" in run([venv / "bin" / "sms-emulator", "--help"]).stdout

    project = tmp_path / "project"
    shutil.copytree(PROJECT, project)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "PYTHONPATH"))}
    run([python, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=project, env=env)

    workers = tmp_path / "workers.txt"
    run([python, "-m", "pytest", "-q", "-n", "2", "-p", "no:cacheprovider"], cwd=project,
        env={**env, "WORKERS_FILE": str(workers)})
    served = {tuple(line.split()) for line in workers.read_text().splitlines()}
    by_worker = {worker: {url for w, url in served if w == worker} for worker, _ in served}
    assert set(by_worker) == {"gw0", "gw1"}
    assert all(len(urls) == 1 for urls in by_worker.values()), "one emulator per worker"
    assert by_worker["gw0"] != by_worker["gw1"]
