"""The ``sms-emulator`` command, run for real in a subprocess."""

from __future__ import annotations

import argparse
import os
import re
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

CLI = [sys.executable, "-m", "emulator"]


def run(
    *args: str, env: dict[str, str] | None = None, timeout: float = 30
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )


class Served:
    def __init__(self, proc: subprocess.Popen[str], url: str, startup: str) -> None:
        self.proc = proc
        self.url = url
        self.startup = startup

    def stop(self) -> str:
        """Stop with SIGTERM; everything the server printed."""
        self.proc.send_signal(signal.SIGTERM)
        out, _ = self.proc.communicate(timeout=20)
        assert self.proc.returncode == 0, out
        return self.startup + out


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[object]:
    started: list[Served] = []

    def start(*args: str, env: dict[str, str] | None = None) -> Served:
        proc = subprocess.Popen(
            [*CLI, "serve", "--port", "0", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, **(env or {})},
        )
        assert proc.stdout is not None
        printed = ""
        while line := proc.stdout.readline():  # blocks until the server says where it is
            printed += line
            if "serving on" in line:
                served = Served(proc, line.rsplit(" ", 1)[1].strip(), printed)
                started.append(served)
                return served
        raise AssertionError(f"the server did not start ({proc.wait()}): {printed}")

    yield start
    for served in started:
        if served.proc.poll() is None:
            served.proc.kill()
            served.proc.wait()


def test_help_says_what_a_newcomer_needs() -> None:
    top = run("--help").stdout
    for word in ("serve", "wait", "healthcheck", "SMS_EMULATOR_", "/_emulator"):
        assert word in top or word in run("serve", "--help").stdout, word
    serve_help = run("serve", "--help").stdout
    for option in (
        "--host",
        "--port",
        "--port-file",
        "--config",
        "--strict-accounts",
        "--clock",
        "--tls",
        "/SendTextSMS",
        "/messages/send_sms.json",
    ):
        assert option in serve_help, option
    assert "--timeout" in run("wait", "--help").stdout
    assert "HEALTHCHECK" in run("healthcheck", "--help").stdout
    assert run().returncode == 2
    assert run("--version").stdout.startswith("sms-emulator ")


def test_serve_port_file_wait_healthcheck_and_clean_stop(serve: object, tmp_path: Path) -> None:
    port_file = tmp_path / "port"
    served = serve("--port-file", str(port_file))  # type: ignore[operator]
    port = int(port_file.read_text())
    assert served.url == f"http://127.0.0.1:{port}"
    assert run("wait", "--url", served.url, "--timeout", "10").returncode == 0
    assert run("healthcheck", "--url", served.url).stdout.strip() == "healthy"
    answer = requests.post(served.url + "/CheckCredits", data='{"UserName":"u","Password":"p"}')
    assert answer.json()["Credits"] == "1000"
    out = served.stop()
    assert "stopped; no callback was pending" in out


def test_wait_and_healthcheck_fail_when_nothing_listens() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        free = sock.getsockname()[1]
    waited = run("wait", "--url", f"http://127.0.0.1:{free}", "--timeout", "0.3")
    assert waited.returncode == 1 and "not ready" in waited.stderr
    checked = run("healthcheck", "--url", f"http://127.0.0.1:{free}")
    assert checked.returncode == 1 and checked.stdout.startswith("unhealthy")


def test_settings_from_environment_and_config_file(serve: object, tmp_path: Path) -> None:
    config = tmp_path / "emulator.toml"
    config.write_text(
        'strict_accounts = true\n\n[[server2sms.accounts]]\nusername = "ACME"\n'
        'password = "s3cret"\ncredits = 42\n'
    )
    served = serve(
        env={
            "SMS_EMULATOR_CLOCK": "manual",  # type: ignore[operator]
            "SMS_EMULATOR_CONFIG_FILE": str(config),
        }
    )
    assert requests.get(served.url + "/_emulator/clock").json()["mode"] == "manual"
    credits = requests.post(
        served.url + "/CheckCredits", json={"UserName": "ACME", "Password": "s3cret"}
    ).json()
    assert credits["Credits"] == "42"
    stranger = requests.post(
        served.url + "/CheckCredits", json={"UserName": "nobody", "Password": "x"}
    ).json()
    assert stranger["StatusCode"] == "3", "strict_accounts from the file"
    served.stop()


def test_flags_win_over_the_environment(serve: object) -> None:
    served = serve("--clock", "real", env={"SMS_EMULATOR_CLOCK": "manual"})  # type: ignore
    assert requests.get(served.url + "/_emulator/clock").json()["mode"] == "real"
    served.stop()


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["--config", "/nonexistent.toml"], {}, "cannot read config file"),
        ([], {"SMS_EMULATOR_PORT": "eighty"}, "setting 'port'"),
        (["--clock", "real"], {"SMS_EMULATOR_DELIVERY_DELAY": "-1"}, "delivery_delay"),
    ],
)
def test_bad_configuration_is_explained(args: list[str], env: dict[str, str], message: str) -> None:
    result = run("serve", *args, env=env)
    assert result.returncode == 2
    assert message in result.stderr


def test_port_in_use_is_explained() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        result = run("serve", "--port", str(sock.getsockname()[1]))
    assert result.returncode == 1
    assert "cannot serve on 127.0.0.1" in result.stderr


def test_tls_with_a_generated_certificate(serve: object, tmp_path: Path) -> None:
    served = serve("--tls", "--tls-dir", str(tmp_path / "tls"))  # type: ignore[operator]
    assert served.url.startswith("https://")
    ca = tmp_path / "tls" / "ca.pem"
    answer = requests.post(
        served.url + "/CheckCredits", json={"UserName": "u", "Password": "p"}, verify=str(ca)
    )
    assert answer.json()["StatusCode"] == "1"
    localhost = served.url.replace("127.0.0.1", "localhost")
    assert requests.get(localhost + "/_emulator/health", verify=str(ca)).ok
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(served.url + "/_emulator/health")
    assert run("healthcheck", "--url", served.url).returncode == 0
    out = served.stop()
    assert f"trust this CA certificate: {ca}" in out


def test_request_log_masks_secrets(serve: object) -> None:
    served = serve()  # type: ignore[operator]
    requests.get(
        served.url + "/account/limits",
        params={"username": "shop", "password": "hunter2", "token": "t0k3n"},
    )
    requests.post(served.url + "/CheckCredits", json={"UserName": "u", "Password": "hunter3"})
    out = served.stop()
    assert "GET /account/limits?username=shop&password=%2A%2A%2A&token=%2A%2A%2A -> 200" in out
    assert "POST /CheckCredits -> 200" in out
    for secret in ("hunter2", "hunter3", "t0k3n"):
        assert secret not in out


def test_pending_callbacks_are_reported_at_shutdown(serve: object) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        dead = sock.getsockname()[1]
    served = serve("--clock", "manual")  # type: ignore[operator]
    requests.post(
        served.url + "/SendTextSMS",
        json={
            "UserName": "u",
            "Password": "p",
            "Recipients": ["+41790000000"],
            "MessageText": "x",
            "URLDeliveryNotification": f"http://127.0.0.1:{dead}/dlr?trn=<TRN>",
        },
    )
    requests.post(served.url + "/_emulator/clock/advance", json={"seconds": 1})
    out = served.stop()
    assert "1 callback(s) were still pending" in out
    assert f"http://127.0.0.1:{dead}/dlr?trn=" in out


def test_an_empty_control_token_is_refused_at_start_up() -> None:
    for args, env in ((["--control-token", ""], {}), ([], {"SMS_EMULATOR_CONTROL_TOKEN": ""})):
        result = run("serve", "--port", "0", *args, env=env)
        assert result.returncode == 2
        assert "control_token' is empty" in result.stderr


def test_the_banner_opens_the_inbox_with_the_token_and_allowed_hosts_apply(serve: object) -> None:
    served = serve(
        "--allowed-host",
        "sms",
        "--allowed-host",  # type: ignore[operator]
        "ci-runner",
        env={"SMS_EMULATOR_CONTROL_TOKEN": "t/k n"},
    )
    inbox_line = served.proc.stdout.readline()  # type: ignore[union-attr]
    assert inbox_line.strip() == f"web inbox: {served.url}/_emulator/ui/?token=t%2Fk+n"
    inbox = requests.get(f"{served.url}/_emulator/ui/?token=t%2Fk+n")
    assert inbox.ok and "SMS inbox" in inbox.text
    for host, status in (("sms", 200), ("ci-runner:8080", 200), ("elsewhere", 403)):
        answer = requests.get(
            served.url + "/_emulator/messages", params={"token": "t/k n"}, headers={"Host": host}
        )
        assert answer.status_code == status, host
    served.stop()


def test_a_port_file_that_cannot_be_written_is_named_and_nothing_is_left(tmp_path: Path) -> None:
    missing = tmp_path / "missing" / "port"
    result = run("serve", "--port", "0", "--port-file", str(missing))
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"sms-emulator: cannot write the port file {missing}: No such file or directory"
    )
    assert "Unclosed" not in result.stderr and "Traceback" not in result.stderr
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("")
    tls = run("serve", "--port", "0", "--tls", "--tls-dir", str(not_a_folder / "tls"))
    assert tls.returncode == 1
    assert f"cannot prepare TLS certificates in {not_a_folder}" in tls.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"], "nothing half-written"


def test_a_stale_port_file_is_replaced_and_removed_at_stop(serve: object, tmp_path: Path) -> None:
    port_file = tmp_path / "port"
    port_file.write_text("1\n")  # a crashed run's
    served = serve("--port-file", str(port_file))  # type: ignore[operator]
    assert port_file.read_text() == served.url.rsplit(":", 1)[1] + "\n"
    assert [p.name for p in tmp_path.iterdir()] == ["port"], "no partial file"
    served.stop()
    assert not port_file.exists()


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('username = "ACME"\ncredits = "lots"', "credits: 'lots' does not match"),
        ('username = "ACME"\npasword = "x"', "'pasword' was unexpected"),
        ('password = "x"', "'username' is a required property"),
        ('username = "ACME"\npassword = { p = "Hunter2-SECRET" }', "password: does not match"),
    ],
)
def test_config_accounts_are_checked_by_the_control_schema(
    tmp_path: Path, table: str, message: str
) -> None:
    config = tmp_path / "emulator.toml"
    config.write_text(f"[[server2sms.accounts]]\n{table}\n")
    result = run("serve", "--port", "0", "--config", str(config))
    assert result.returncode == 2
    assert f"{config}: server2sms.accounts[0]: " in result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr and "Hunter2" not in result.stderr


def test_the_runner_refuses_what_the_cli_refuses() -> None:
    from emulator.config import ConfigError
    from emulator.testing.server import EmulatorServer

    for bad in (
        {"delivery_delay": -1},
        {"callback_backoff_max": float("nan")},
        {"clock": "fast"},
        {"port": 70000},
        {"max_messages": 0},
    ):
        with pytest.raises(ConfigError):
            EmulatorServer(**bad)
    cli = run("serve", "--port", "0", "--delivery-delay", "-1")
    assert cli.returncode == 2 and "delivery_delay" in cli.stderr


DEAD_PROXY = {
    "http_proxy": "http://127.0.0.1:9",
    "HTTP_PROXY": "http://127.0.0.1:9",
    "https_proxy": "http://127.0.0.1:9",
    "HTTPS_PROXY": "http://127.0.0.1:9",
    "ALL_PROXY": "http://127.0.0.1:9",
    "NO_PROXY": "",
    "no_proxy": "",
}


def test_wait_for_a_port_file_that_appears_later_through_a_dead_proxy(tmp_path: Path) -> None:
    port_file = tmp_path / "sms-port"
    waiting = subprocess.Popen(
        [*CLI, "wait", "--port-file", str(port_file), "--timeout", "30"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **DEAD_PROXY},
    )
    server = subprocess.Popen(
        [*CLI, "serve", "--port", "0", "--port-file", str(port_file)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        out, err = waiting.communicate(timeout=30)
        assert waiting.returncode == 0, err
        port = port_file.read_text().strip()
        assert out.strip() == f"http://127.0.0.1:{port} is ready"
        healthy = run("healthcheck", "--url", f"http://127.0.0.1:{port}", env=DEAD_PROXY)
        assert (healthy.returncode, healthy.stdout.strip()) == (0, "healthy")
    finally:
        server.terminate()
        server.wait(10)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:",
        "http://127.0.0.1:99999",
        "127.0.0.1:80",
        "ftp://127.0.0.1:21",
        "http://:8080",
    ],
)
def test_wait_refuses_a_malformed_url_at_once(url: str) -> None:
    import time

    started = time.monotonic()
    result = run("wait", "--url", url, "--timeout", "30")
    assert result.returncode == 2 and "sms-emulator wait:" in result.stderr
    assert time.monotonic() - started < 10, "not waited out"


def test_healthcheck_follows_the_url_file_serve_wrote(serve: object, tmp_path: Path) -> None:
    env = {"SMS_EMULATOR_URL_FILE": str(tmp_path / "url"), **DEAD_PROXY}
    served = serve("--tls", "--tls-dir", str(tmp_path / "tls"), env=env)  # type: ignore[operator]
    assert (tmp_path / "url").read_text().strip() == served.url
    checked = run("healthcheck", env=env)
    assert (checked.returncode, checked.stdout.strip()) == (0, "healthy"), checked.stdout
    served.stop()
    assert not (tmp_path / "url").exists()
    with socket.socket() as closed:  # without the file: host and port settings, here dead
        closed.bind(("127.0.0.1", 0))
        dead = str(closed.getsockname()[1])
    assert run("healthcheck", env={**env, "SMS_EMULATOR_PORT": dead}).returncode == 1


def test_exec_says_when_the_emulator_or_the_command_fails() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = run("exec", "--port", str(taken.getsockname()[1]), "--", "true")
    assert busy.returncode == 125 and "the emulator failed" in busy.stderr
    assert run("exec", "--", "no-such-command-here").returncode == 127
    assert run("exec", "--", "sh", "-c", "kill -TERM $$").returncode == 128 + 15
    seen = run(
        "exec",
        "--",
        sys.executable,
        "-c",
        "import os; print(os.environ['SMS_EMULATOR_URL'], os.environ['SERWERSMS_API_URL'])",
    )
    url, serwersms = seen.stdout.split()
    assert url.startswith("http://127.0.0.1:") and serwersms == url + "/"


def test_json_log_lines_keep_their_content_and_masking(serve: object) -> None:
    import json as json_module

    served = serve("--log-format", "json")  # type: ignore[operator]
    requests.get(
        served.url + "/account/limits",
        params={"username": "shop", "password": "hunter2", "token": "t0k3n"},
    )
    out = served.stop()
    lines = [json_module.loads(line) for line in out.splitlines() if line.startswith("{")]
    [access] = [line for line in lines if line["logger"] == "emulator.access"]
    assert access["method"] == "GET" and access["status"] == 200
    assert access["path"] == "/account/limits?username=shop&password=%2A%2A%2A&token=%2A%2A%2A"
    assert access["message"].endswith(f"-> 200 ({access['ms']:.1f} ms)")
    assert "hunter2" not in out and "t0k3n" not in out


def test_wait_for_a_port_file_follows_the_scheme_serve_serves(
    serve: object, tmp_path: Path
) -> None:
    """``serve --tls --port-file F`` then ``wait --port-file F``: wait finds HTTPS behind it."""
    port_file = tmp_path / "port"
    serve(
        "--tls",
        "--tls-dir",
        str(tmp_path / "tls"),  # type: ignore[operator]
        "--port-file",
        str(port_file),
    )
    waited = run("wait", "--port-file", str(port_file), "--timeout", "10")
    assert waited.returncode == 0, waited.stderr
    assert waited.stdout.strip() == f"https://127.0.0.1:{int(port_file.read_text())} is ready"


@pytest.mark.parametrize(
    "args",
    [
        ["wait", "--port", "9999", "--timeout", "5"],
        ["serve", "--po", "0"],
        ["exec", "--clo", "manual", "--", "true"],
        ["healthcheck", "--ur", "http://127.0.0.1:9"],
        ["openapi", "--ou", "somewhere"],
        ["--vers"],
    ],
)
def test_an_abbreviated_option_is_an_error(args: list[str]) -> None:
    """``wait --port 9999`` was read as ``--port-file 9999`` and waited 30 s in vain."""
    result = run(*args, timeout=10)
    assert result.returncode == 2
    assert "unrecognized arguments" in result.stderr or "required" in result.stderr


def _parsers() -> dict[str, argparse.ArgumentParser]:
    from emulator.cli import build_parser

    parser = build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(commands.choices)


def test_every_help_default_is_the_codes(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Every ``(default: X)`` a help text states is what the code does; every serve option
    that takes a value states one."""
    from dataclasses import fields

    from emulator.config import Settings
    from emulator.tls import DEFAULT_DIR_SHOWN, default_dir

    defaults = Settings()
    names = {f.name for f in fields(Settings)}
    parsers = _parsers()
    for command in ("serve", "exec"):
        for action in parsers[command]._actions:
            if action.dest not in names or action.nargs == 0:
                continue
            help_text = action.help or ""
            if action.dest == "allowed_hosts":
                continue  # a list that starts empty: loopback names are always allowed
            assert "default" in help_text, (command, action.option_strings)
            if action.dest == "tls_dir":
                assert DEFAULT_DIR_SHOWN in help_text
                continue
            stated = re.search(r"default: ([^;),]+)", help_text)
            assert stated is not None, (command, action.option_strings, help_text)
            value = getattr(defaults, action.dest)
            expected = (
                "0"
                if command == "exec" and action.dest == "port"
                else ("none" if value is None else str(value))
            )
            assert stated.group(1).strip() == expected, (command, action.option_strings)
    wait_timeout = next(a for a in parsers["wait"]._actions if a.dest == "timeout")
    assert f"default: {wait_timeout.default}" in (wait_timeout.help or "")
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    assert default_dir() == Path.home() / DEFAULT_DIR_SHOWN.split(",")[0].removeprefix("~/")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert default_dir() == tmp_path / "sms-gateway-emulator" / "tls"
    for wording in ("self-signed", "temp dir"):
        assert wording not in run("serve", "--help").stdout
    provider = next(a for a in parsers["analyse"]._actions if a.dest == "provider")
    assert f"(default: {provider.default})" in (provider.help or "")
    for command in ("wait", "healthcheck", "state"):
        url_help = next(a.help for a in parsers[command]._actions if a.dest == "url")
        assert "SMS_EMULATOR_URL_FILE" in (url_help or "")
        assert "SMS_EMULATOR_PORT" in (url_help or "")


def test_exec_picks_a_free_port_as_its_help_says() -> None:
    result = run(
        "exec", "--", sys.executable, "-c", "import os; print(os.environ['SMS_EMULATOR_URL'])"
    )
    assert result.returncode == 0, result.stderr
    assert not result.stdout.strip().endswith(":8080")


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        (
            '[[server2sms.account]]\nusername = "ACME"\npassword = "pw"\n',
            "unknown key server2sms.account",
        ),
        ("port = 9123.9\n", "setting 'port' must be a whole number, not 9123.9"),
        ('port = "80a"\n', "setting 'port' must be a whole number, not '80a'"),
        ('delivery_delay = "soon"\n', "setting 'delivery_delay' must be a number"),
        ("host = 5\n", "setting 'host' must be a string"),
        ("serwersms = 1\n", "'serwersms' must be a table"),
    ],
)
def test_a_config_typo_names_the_file_and_the_key(tmp_path: Path, toml: str, message: str) -> None:
    config = tmp_path / "emulator.toml"
    config.write_text(toml)
    result = run("serve", "--config", str(config), timeout=10)
    assert result.returncode == 2
    assert f"{config}: " in result.stderr and message in result.stderr, result.stderr
    assert "invalid literal" not in result.stderr


def test_an_environment_typo_names_the_variable() -> None:
    result = run("serve", env={"SMS_EMULATOR_PORT": "80a"}, timeout=10)
    assert result.returncode == 2
    assert "SMS_EMULATOR_PORT: setting 'port' must be a whole number, not '80a'" in result.stderr
