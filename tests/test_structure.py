"""The shape the code promises: both providers built from the same parts, handlers that only
parse, call and render, the garbage collector left alone in a host process, and README's map
of the modules kept whole."""

from __future__ import annotations

import ast
import gc
import io
import re
import subprocess
import sys
import tokenize
from pathlib import Path

import pytest
import requests

from emulator.testing.server import EmulatorServer

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "emulator"
PROVIDERS = PACKAGE / "providers"
PARTS = {
    "__init__",
    "routes",
    "endpoint",
    "handlers",
    "wire",
    "errors",
    "notifications",
    "models",
    "service",
}


def _parts(provider: str) -> set[str]:
    return {
        p.stem
        for p in (PROVIDERS / provider).iterdir()
        if p.suffix == ".py" or (p.is_dir() and (p / "__init__.py").exists())
    }


def _imports(path: Path) -> set[str]:
    """The modules ``path`` imports, as absolute names (``emulator.core.gsm``, ``aiohttp``)."""
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")
            if node.level:
                base = base[: len(base) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


LAYERS = {
    # package: what it must not import (a name, or a package and everything below it)
    "core": ("aiohttp", "emulator.httpio", "emulator.callbacks", "emulator.providers",
             "emulator.control", "emulator.context", "emulator.app"),
    "providers": ("emulator.control",),
}  # fmt: skip


@pytest.mark.parametrize("package", sorted(LAYERS))
def test_layers(package: str) -> None:
    """The core knows no HTTP, no callbacks and no gateway; the gateways know nothing of the
    control API."""
    for path in sorted((PACKAGE / package).rglob("*.py")):
        for module in _imports(path):
            for banned in LAYERS[package]:
                assert module != banned and not module.startswith(banned + "."), (
                    f"{path.relative_to(ROOT)} imports {module}"
                )


def test_nothing_in_the_core_is_named_after_a_gateway() -> None:
    for path in sorted((PACKAGE / "core").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            name = getattr(node, "name", None) or getattr(node, "id", None) or ""
            assert not re.search(r"serwer|server2|s2s", str(name), re.IGNORECASE), (
                f"{path.relative_to(ROOT)}: {name}"
            )


def test_both_providers_have_the_same_parts() -> None:
    assert _parts("server2sms") == PARTS
    assert _parts("serwersms") == PARTS


def _handler_modules() -> list[Path]:
    return [
        PROVIDERS / "server2sms" / "handlers.py",
        *sorted((PROVIDERS / "serwersms" / "handlers").glob("*.py")),
    ]


def test_handlers_import_no_other_handler_and_never_the_dispatcher() -> None:
    for path in _handler_modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and path.parent.name == "handlers":
                assert node.level != 1, f"{path.name} imports a sibling handler module"
            if isinstance(node, ast.Attribute):
                assert node.attr != "dispatcher", f"{path.name} calls the callback dispatcher"


def test_handlers_leave_sending_and_logins_to_the_rules() -> None:
    """Creating messages and changing logins are business rules (service.py, models.py):
    handlers parse, call them, and render."""
    for path in _handler_modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            name = node.func.attr
            assert name not in ("new_batch", "add_messages"), (
                f"{path.name} creates messages itself ({name})"
            )
            owner = node.func.value
            if isinstance(owner, ast.Attribute) and owner.attr == "accounts":
                assert name in ("get",), f"{path.name} changes logins itself ({name})"


SMALL_SENDS = """
import gc, sys
from emulator.app import create_app
from emulator.config import Settings
from emulator.context import CONTEXT
from emulator.core import gsm
from emulator.core.accounts import AccountSpec
from emulator.memory import SETTLE_EVERY
from emulator.providers.pipeline import Call
from emulator.providers.server2sms import service
from emulator.providers.server2sms.models import NAME

ctx = create_app(Settings(), own_process=True)[CONTEXT]
account = ctx.accounts.define(AccountSpec.from_data(NAME, {"username": "u", "credits": 10**9},
                                                    origin="api"))
call = Call(ctx, ctx.backends[NAME], "SendTextSMS", {}, account, None)
for n in range(SETTLE_EVERY + 1):
    service.send(call, service.Send("sms", "", ((f"+4179{n:07d}", None),), gsm.analyse("hi"), {}))
sys.exit(0 if gc.get_freeze_count() > 0 else 1)
"""


def test_the_emulators_own_process_settles_its_store_after_small_sends() -> None:
    """On the real clock nobody may look at the messages of a load test again (they are asleep,
    off the schedule): the store is still frozen every SETTLE_EVERY messages, or full
    collections re-scan it and stall requests for tens of milliseconds."""
    subprocess.run([sys.executable, "-c", SMALL_SENDS], cwd=ROOT, check=True, timeout=120)


def test_an_embedded_emulator_leaves_the_host_garbage_collector_alone() -> None:
    """A bulk send (past memory.BULK numbers) in EmulatorServer must not pause or freeze the
    collector of the process that embeds it."""
    frozen, thresholds = gc.get_freeze_count(), gc.get_threshold()
    with EmulatorServer(clock="manual") as emulator:
        numbers = [f"+4850{n:07d}" for n in range(6000)]
        answer = requests.post(
            f"{emulator.url}/messages/send_sms",
            json={"username": "gc", "password": "x", "phone": numbers, "text": "hi"},
            timeout=60,
        )
        assert answer.json()["queued"] == 6000
        assert gc.isenabled() and gc.get_threshold() == thresholds
        assert gc.get_freeze_count() == frozen
        requests.post(
            f"{emulator.url}/_emulator/clock/advance", json={"seconds": 60}, timeout=60
        ).raise_for_status()
        assert gc.get_freeze_count() == frozen


def test_readme_maps_every_module() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Where things are", 1)[1].split("\n## ", 1)[0]
    named = set(re.findall(r"`([^`]+)`", section))
    words = {w for entry in named for w in re.split(r"[\s,/]+", entry)}
    missing = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "__init__.py" and path.parent != PACKAGE:
            continue  # a package is named by its directory
        if path.stem not in words and path.name not in words:
            missing.append(str(path.relative_to(ROOT)))
    assert missing == []


def test_every_any_says_why() -> None:
    """``Any`` only where a type checker cannot follow a value, each with its reason in a
    ``# Any...`` comment on its line or the one before or after (JSON read from outside is the named
    ``JsonObject`` of emulator/core/jsondata.py, whose docstring says why)."""
    unexplained = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "jsondata.py":
            continue
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type != tokenize.NAME or token.string != "Any":
                continue
            row = token.start[0]
            here = lines[row - 1]
            if here.lstrip().startswith(("from typing import", "import ")):
                continue
            if not any("# Any" in line for line in lines[row - 2 : row + 1]):
                unexplained.append(f"{path.relative_to(ROOT)}:{row}: {here.strip()}")
    assert unexplained == []


def test_readme_instructions_command_runs() -> None:
    assert "python -m bench.instructions --help" in (ROOT / "README.md").read_text(encoding="utf-8")
    shown = subprocess.run(
        [sys.executable, "-m", "bench.instructions", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "valgrind" in shown


def test_readme_profile_command_runs_and_charges_samples_to_parts() -> None:
    from bench.profile import OUTSIDE, part_of, shares

    assert "python -m bench.profile --help" in (ROOT / "README.md").read_text(encoding="utf-8")
    shown = subprocess.run(
        [sys.executable, "-m", "bench.profile", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "--before" in shown and "--log" in shown
    root = "main (emulator/cli.py:233);run (asyncio/runners.py:190)"
    assert part_of(root + ";send (emulator/providers/serwersms/service.py:120)") == "business rules"
    assert (
        part_of(root + ";Timeline.run_due (emulator/core/timeline.py:172);_heappop (heapq.py:1)")
        == "status changes and their events"
    )
    assert (
        part_of(root + ";Gateway.add_messages (emulator/core/gateway.py:110)")
        == "storing the message"
    )
    assert (
        part_of(
            root + ";Gateway.add_messages (emulator/core/gateway.py:110);"
            "Timeline.sleep (emulator/core/timeline.py:160)"
        )
        == "status changes and their events"
    )
    assert part_of(root + ";_run_once (asyncio/base_events.py:1922)") == OUTSIDE
    assert shares(f"{root};text (emulator/providers/server2sms/wire.py:27) 3\n{root} 1\n") == {
        "parsing and validating": 0.75,
        OUTSIDE: 0.25,
    }
