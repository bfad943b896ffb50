"""``sms-emulator``: serve the fake gateways, wait for them, check their health."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import signal
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from . import __version__
from .app import create_app
from .config import ENV_PREFIX, ConfigError, Settings, build_settings
from .context import CONTEXT
from .httpio import mask_url
from .serving import StartupError, listen

DESCRIPTION = """\
A local emulator of the server2sms JSON API and the SerwerSMS.pl HTTPS API v2.

  sms-emulator serve                 start on http://127.0.0.1:8080
  sms-emulator serve --port 0 --port-file port.txt
  sms-emulator wait --url http://127.0.0.1:8080 --timeout 30
  sms-emulator healthcheck

Every option can also be set with an SMS_EMULATOR_<NAME> environment variable
(e.g. SMS_EMULATOR_PORT=9000) or in a TOML file given with --config.
"""

SERVE_HELP = """\
Serve both gateways on one port:
  server2sms  POST /<Method>             e.g. POST /SendTextSMS
  SerwerSMS   POST /<group>/<action>     e.g. POST /messages/send_sms.json
  control     /_emulator/...             health, messages, clock, rules, web inbox at /_emulator/ui/
Any user name is accepted (a fresh account with default credits) unless --strict-accounts.
"""


def _serve_parser(sub: Any) -> None:
    p = sub.add_parser("serve", help="start the emulator", description=SERVE_HELP,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--host", help="address to bind (default 127.0.0.1; 0.0.0.0 for all)")
    p.add_argument("--port", type=int, help="port to bind (default 8080; 0 picks a free one)")
    p.add_argument("--port-file", help="write the bound port to this file once serving")
    p.add_argument("--config", dest="config_file", help="TOML file with settings and accounts")
    p.add_argument("--strict-accounts", action="store_const", const=True, default=None,
                   help="refuse user names that no fixture, config or control call defined")
    p.add_argument("--clock", choices=("real", "manual"),
                   help="'manual' freezes time until POST /_emulator/clock/advance")
    p.add_argument("--delivery-delay", type=float,
                   help="seconds per delivery step (default 0.5: delivered after about 0.5 s)")
    p.add_argument("--seed", type=int, help="seed for generated codes and ids (default 0)")
    p.add_argument("--no-fixtures", dest="fixtures", action="store_const", const=False,
                   default=None, help="do not load the sample accounts from fixtures/")
    p.add_argument("--max-messages", type=int,
                   help="keep at most this many messages; older delivered ones are pruned")
    p.add_argument("--control-token",
                   help="require this token for /_emulator/ endpoints (prefer the variable "
                        f"{ENV_PREFIX}CONTROL_TOKEN: flags show in `ps`)")
    p.add_argument("--allowed-host", dest="allowed_hosts", action="append", metavar="NAME",
                   help="a host name the control API answers to besides loopback names and IP "
                        "addresses (repeatable; '*' for any), e.g. a Docker service name")
    p.add_argument("--callback-attempts", type=int, help="tries per callback (default 8)")
    p.add_argument("--callback-timeout", type=float, help="seconds per callback try (default 5)")
    p.add_argument("--callback-backoff", type=float,
                   help="seconds before the first retry, doubled for each next one (default "
                        "0.5; on the emulator's clock)")
    p.add_argument("--callback-backoff-max", type=float,
                   help="at most this many seconds between tries (default 30)")
    p.add_argument("--tls", action="store_const", const=True, default=None,
                   help="serve HTTPS with a generated self-signed certificate")
    p.add_argument("--tls-dir", help="where the certificate and its CA go (default: a temp dir)")
    p.add_argument("--log-level", choices=("debug", "info", "warning", "error"))
    p.add_argument("--no-access-log", dest="access_log", action="store_const", const=False,
                   default=None, help="do not log a line per request (logged by default)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sms-emulator", description=DESCRIPTION,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    _serve_parser(sub)
    wait = sub.add_parser(
        "wait", help="wait until an emulator is healthy (exit 0) or time out (exit 1)",
        description="Poll <url>/_emulator/health until it answers ready, for CI scripts.")
    wait.add_argument("--url", default=None, help="base URL (default http://127.0.0.1:8080)")
    wait.add_argument("--timeout", type=float, default=30.0, help="seconds (default 30)")
    health = sub.add_parser(
        "healthcheck", help="check once that an emulator is healthy (exit 0) or not (exit 1)",
        description="One request to <url>/_emulator/health; for Docker HEALTHCHECK.")
    health.add_argument("--url", default=None,
                        help=f"base URL (default http://127.0.0.1:${ENV_PREFIX}PORT or 8080)")
    return parser


def _default_url() -> str:
    try:
        settings = build_settings({})
    except ConfigError:
        settings = Settings()
    scheme = "https" if settings.tls else "http"
    host = "127.0.0.1" if settings.host in ("0.0.0.0", "::", "") else settings.host
    return f"{scheme}://{host}:{settings.port}"


def _healthy(url: str, timeout: float) -> tuple[bool, str]:
    import ssl

    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        with urllib.request.urlopen(url.rstrip("/") + "/_emulator/health", timeout=timeout,
                                    context=context) as answer:
            data = json.loads(answer.read())
            return bool(data.get("ready")), data.get("status", "")
    except urllib.error.HTTPError as exc:
        return False, f"HTTP {exc.code}"
    except (OSError, ValueError) as exc:
        return False, str(exc)


def healthcheck(url: str | None) -> int:
    ok, detail = _healthy(url or _default_url(), timeout=5)
    print("healthy" if ok else f"unhealthy: {detail}")
    return 0 if ok else 1


def wait(url: str | None, timeout: float) -> int:
    import time

    url = url or _default_url()
    deadline = time.monotonic() + timeout
    detail = ""
    while time.monotonic() < deadline:
        ok, detail = _healthy(url, timeout=max(0.1, min(2.0, deadline - time.monotonic())))
        if ok:
            print(f"{url} is ready")
            return 0
        time.sleep(0.1)
    print(f"{url} was not ready within {timeout:g} s (last answer: {detail})", file=sys.stderr)
    return 1


def inbox_url(base: str, token: str | None) -> str:
    """The inbox's address, with the control token when there is one, so opening it works."""
    query = f"?{urllib.parse.urlencode({'token': token})}" if token else ""
    return f"{base}/_emulator/ui/{query}"


def _configure_logging(level: str) -> None:
    logging.basicConfig(level=getattr(logging, level.upper()),
                        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s")
    logging.getLogger("aiohttp.access").setLevel(logging.INFO)


def write_atomically(path: Path, text: str) -> None:
    """Whoever polls the file sees nothing or everything, never half a port number; a failed
    write leaves nothing behind."""
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        partial.write_text(text)
        partial.replace(path)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise StartupError(f"cannot write the port file {path}: {exc.strerror}") from None


def forget_port_file(path: Path) -> None:
    """A port file left by an earlier run would send a waiting script to a dead port."""
    try:
        path.unlink(missing_ok=True)
    except OSError as exc:
        raise StartupError(f"cannot replace the port file {path}: {exc.strerror}") from None


async def serve(settings: Settings) -> None:
    port_file = Path(settings.port_file) if settings.port_file else None
    if port_file is not None:
        forget_port_file(port_file)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):  # before anyone can learn the port
        loop.add_signal_handler(sig, stop.set)
    app = create_app(settings)
    listening = await listen(app, settings)
    ctx = app[CONTEXT]
    try:
        await ctx.ready.wait()
        if port_file is not None:
            write_atomically(port_file, f"{listening.port}\n")
    except BaseException:
        await listening.runner.cleanup()
        raise
    if listening.tls_ca:
        print(f"TLS: trust this CA certificate: {listening.tls_ca}", flush=True)
    print(f"sms-emulator {__version__} serving on {listening.url}", flush=True)
    print(f"  web inbox: {inbox_url(listening.url, settings.control_token)}", flush=True)
    await stop.wait()
    print("stopping", flush=True)
    await listening.runner.cleanup()
    if port_file is not None:
        port_file.unlink(missing_ok=True)
    pending = ctx.pending_at_shutdown
    if pending:
        print(f"stopped; {len(pending)} callback(s) were still pending:", flush=True)
        for job in pending:
            print(f"  #{job.id} {job.kind} {mask_url(job.url)} ({len(job.attempts)} attempt(s))",
                  flush=True)
    else:
        print("stopped; no callback was pending", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    if args.command == "healthcheck":
        return healthcheck(args.url)
    if args.command == "wait":
        return wait(args.url, args.timeout)
    flags = {k: v for k, v in vars(args).items() if k != "command"}
    try:
        settings = build_settings(flags)
    except ConfigError as exc:
        print(f"sms-emulator: {exc}", file=sys.stderr)
        return 2
    _configure_logging(settings.log_level)
    try:
        asyncio.run(serve(settings))
    except StartupError as exc:
        print(f"sms-emulator: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"sms-emulator: cannot serve on {settings.host}:{settings.port}: {exc.strerror}",
              file=sys.stderr)
        return 1
    return 0
