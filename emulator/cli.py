"""``sms-emulator``: serve the fake gateways, run a command beside them, wait for them, check
their health."""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
import urllib.parse
from pathlib import Path

from . import __version__, lint, logs, probe, snapshot
from .access import is_loopback
from .config import ENV_PREFIX, ConfigError, Settings, build_settings
from .execute import EMULATOR_FAILED, execute
from .httpio import mask_url
from .launch import launched
from .serving import StartupError
from .tls import DEFAULT_DIR_SHOWN as TLS_DIR_DEFAULT

DESCRIPTION = """\
A local emulator of the server2sms JSON API and the SerwerSMS.pl HTTPS API v2.

  sms-emulator serve                 start on http://127.0.0.1:8080
  sms-emulator serve --port 0 --port-file port.txt
  sms-emulator exec -- phpunit       run a command with the emulator beside it
  sms-emulator wait --port-file port.txt --timeout 30
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

EXEC_HELP = """\
Start the emulator on a free port, run COMMAND with SMS_EMULATOR_URL (and SERVER2SMS_API_URL,
SERWERSMS_API_URL) in its environment, stop the emulator, print a summary, and exit with
COMMAND's exit code (125: the emulator failed; 126/127: COMMAND cannot be run / was not found).
  sms-emulator exec --clock manual -- vendor/bin/phpunit
"""


DEFAULTS = Settings()


def default(name: str) -> str:
    """``default: <the Settings default>`` for a help text, so that no help can state a
    default the code does not have (a test reads every help text back)."""
    value = getattr(DEFAULTS, name)
    return f"default: {'none' if value is None else value}"


def _serve_options(p: argparse.ArgumentParser, *, free_port: bool = False) -> None:
    """The options of ``serve`` (and of ``exec``, which picks a free port by default)."""
    p.add_argument("--host", help=f"address to bind ({default('host')}; 0.0.0.0 for all)")
    p.add_argument(
        "--port",
        type=int,
        help="port to bind (default: 0, a free one)"
        if free_port
        else f"port to bind ({default('port')}; 0 picks a free one)",
    )
    p.add_argument(
        "--port-file",
        help=f"write the bound port to this file once serving ({default('port_file')})",
    )
    p.add_argument(
        "--url-file",
        help="write the base URL to this file once serving (healthcheck"
        f" and wait read it; {default('url_file')})",
    )
    p.add_argument(
        "--config",
        dest="config_file",
        help=f"TOML file with settings and accounts ({default('config_file')})",
    )
    p.add_argument(
        "--import",
        dest="import_file",
        metavar="FILE",
        help="start from a state document (GET /_emulator/state, --export-on-exit, "
        f"sms-emulator state export; {default('import_file')})",
    )
    p.add_argument(
        "--export-on-exit",
        metavar="FILE",
        help="write the state document here when stopped (SIGINT, SIGTERM): a new file, "
        f"then renamed, so a failed export leaves the last one ({default('export_on_exit')})",
    )
    p.add_argument(
        "--data",
        metavar="FILE",
        help="keep the state in this SQLite file, so that a restart (even after kill -9) "
        "comes back with everything; made with mode 0600, one emulator at a time "
        f"({default('data')}, memory only)",
    )
    p.add_argument(
        "--strict-accounts",
        action="store_const",
        const=True,
        default=None,
        help="refuse user names that no fixture, config or control call defined",
    )
    p.add_argument(
        "--clock",
        choices=("real", "manual"),
        help=f"'manual' freezes time until POST /_emulator/clock/advance ({default('clock')})",
    )
    p.add_argument(
        "--delivery-delay",
        type=float,
        help="seconds per delivery step: a message is delivered after about that "
        f"long ({default('delivery_delay')})",
    )
    p.add_argument("--seed", type=int, help=f"seed for generated codes and ids ({default('seed')})")
    p.add_argument(
        "--no-fixtures",
        dest="fixtures",
        action="store_const",
        const=False,
        default=None,
        help="do not load the sample accounts from fixtures/",
    )
    p.add_argument(
        "--max-messages",
        type=int,
        help="keep at most this many messages; past it, the oldest ones with a "
        "final status are pruned (default: none, no limit)",
    )
    p.add_argument(
        "--max-age",
        metavar="DURATION",
        help="prune messages final for longer than this: seconds, or 90s, 15m, 12h, 7d "
        f"(for an emulator that runs for days; {default('max_age')}, no limit)",
    )
    p.add_argument(
        "--control-token",
        help="require this token for /_emulator/ endpoints (prefer the variable "
        f"{ENV_PREFIX}CONTROL_TOKEN: flags show in `ps`; "
        f"{default('control_token')})",
    )
    p.add_argument(
        "--allowed-host",
        dest="allowed_hosts",
        action="append",
        metavar="NAME",
        help="a host name the control API answers to besides loopback names and IP "
        "addresses (repeatable; '*' for any), e.g. a Docker service name",
    )
    p.add_argument(
        "--callback-attempts", type=int, help=f"tries per callback ({default('callback_attempts')})"
    )
    p.add_argument(
        "--callback-timeout",
        type=float,
        help=f"seconds per callback try ({default('callback_timeout')})",
    )
    p.add_argument(
        "--callback-backoff",
        type=float,
        help="seconds before the first retry, doubled for each next one, on the "
        f"emulator's clock ({default('callback_backoff')})",
    )
    p.add_argument(
        "--callback-backoff-max",
        type=float,
        help=f"at most this many seconds between tries ({default('callback_backoff_max')})",
    )
    p.add_argument(
        "--tls",
        action="store_const",
        const=True,
        default=None,
        help="serve HTTPS with a certificate signed by the emulator's own CA (its "
        "ca.pem is printed at start: trust it once)",
    )
    p.add_argument(
        "--tls-dir",
        help=f"where that CA is kept, and reused on every start (default: {TLS_DIR_DEFAULT})",
    )
    p.add_argument(
        "--log-level",
        choices=("debug", "info", "warning", "error"),
        help=f"the least important lines logged ({default('log_level')})",
    )
    p.add_argument(
        "--log-format",
        choices=("text", "json"),
        help="'json' writes every log line as one JSON object, for log collectors "
        f"({default('log_format')})",
    )
    p.add_argument(
        "--no-access-log",
        dest="access_log",
        action="store_const",
        const=False,
        default=None,
        help="do not log a line per request (logged by default)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sms-emulator",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        allow_abbrev=False,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    serve_parser = sub.add_parser(
        "serve",
        help="start the emulator",
        description=SERVE_HELP,
        allow_abbrev=False,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _serve_options(serve_parser)
    exec_parser = sub.add_parser(
        "exec",
        allow_abbrev=False,
        help="run a command with the emulator beside it",
        description=EXEC_HELP,
        usage="sms-emulator exec [serve options] -- COMMAND [ARG ...]",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _serve_options(exec_parser, free_port=True)
    exec_parser.add_argument("run", nargs=argparse.REMAINDER, metavar="-- COMMAND")
    wait = sub.add_parser(
        "wait",
        allow_abbrev=False,
        help="wait until an emulator is healthy (exit 0) or time out (exit 1)",
        description="Poll /_emulator/health until it answers ready, for CI scripts. The "
        "address: --url, or --port-file (waited for until serve writes it), or "
        "the URL file serve writes (SMS_EMULATOR_URL_FILE).",
    )
    where = wait.add_mutually_exclusive_group()
    where.add_argument(
        "--url",
        default=None,
        help=f"base URL (default: the URL file {ENV_PREFIX}URL_FILE names, else "
        f"http(s)://${ENV_PREFIX}HOST:${ENV_PREFIX}PORT as "
        f"{ENV_PREFIX}TLS says, else http://127.0.0.1:8080)",
    )
    where.add_argument(
        "--port-file", default=None, help="the file serve --port-file writes; waited for, then read"
    )
    wait.add_argument("--timeout", type=float, default=30.0, help="seconds (default: 30.0)")
    health = sub.add_parser(
        "healthcheck",
        allow_abbrev=False,
        help="check once that an emulator is healthy (exit 0) or not (exit 1)",
        description="One request to <url>/_emulator/health; for Docker HEALTHCHECK.",
    )
    health.add_argument(
        "--url",
        default=None,
        help=f"base URL (default: the URL file {ENV_PREFIX}URL_FILE names, else "
        f"http(s)://${ENV_PREFIX}HOST:${ENV_PREFIX}PORT as "
        f"{ENV_PREFIX}TLS says, else http://127.0.0.1:8080)",
    )
    docs = sub.add_parser(
        "openapi",
        allow_abbrev=False,
        help="write the OpenAPI 3.1 documents of both gateways and the control API",
        description="Write server2sms.json, serwersms.json and control.json (OpenAPI 3.1, "
        "generated from schemas/) for Postman, Insomnia, Bruno or a client "
        "generator.",
    )
    docs.add_argument("--out", required=True, help="folder to write them to")
    saved = sub.add_parser(
        "state",
        allow_abbrev=False,
        help="export or import the whole state of a running emulator",
        description="GET /_emulator/state into FILE (written whole or not at all, mode 0600: it "
        "carries passwords), or PUT FILE there (refused with the place of the first problem, "
        "changing nothing).",
    )
    saved.add_argument("action", choices=("export", "import"))
    saved.add_argument("file", metavar="FILE")
    saved.add_argument(
        "--url",
        default=None,
        help=f"base URL (default: the URL file {ENV_PREFIX}URL_FILE names, else "
        f"http(s)://${ENV_PREFIX}HOST:${ENV_PREFIX}PORT as "
        f"{ENV_PREFIX}TLS says, else http://127.0.0.1:8080)",
    )
    saved.add_argument(
        "--token",
        default=None,
        help=f"the control token (default: {ENV_PREFIX}CONTROL_TOKEN, else none)",
    )
    texts = sub.add_parser(
        "analyse",
        allow_abbrev=False,
        help="what texts cost on a gateway and why (a CI lint step)",
        description=lint.__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    lint.add_options(texts)
    return parser


def write_openapi(out: str) -> int:
    import json

    from .openapi import NAMES, document
    from .validation import SchemaRegistry

    folder = Path(out)
    schemas = SchemaRegistry()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for name in NAMES:
            text = json.dumps(document(name, schemas), indent=2, ensure_ascii=False)
            (folder / f"{name}.json").write_text(text + "\n")
    except OSError as exc:
        print(f"sms-emulator openapi: cannot write to {folder}: {exc.strerror}", file=sys.stderr)
        return 1
    print(f"wrote {', '.join(f'{n}.json' for n in NAMES)} to {folder}")
    return 0


def transfer(action: str, file: str, url: str | None, token: str | None) -> int:
    """``state export|import``: a running emulator's state to or from ``file``."""
    try:
        address = probe.checked_url(url) if url else probe.default_url()
        token = token or os.environ.get(f"{ENV_PREFIX}CONTROL_TOKEN") or None
        if action == "export":
            snapshot.download(address, token, Path(file))
            print(f"wrote the state of {address} to {file}")
        else:
            snapshot.upload(address, token, Path(file))
            print(f"{address} now has the state in {file}")
    except (probe.BadAddress, snapshot.SnapshotError) as exc:
        print(f"sms-emulator state {action}: {exc}", file=sys.stderr)
        return 1
    return 0


def healthcheck(url: str | None) -> int:
    try:
        address = probe.checked_url(url) if url else probe.default_url()
    except probe.BadAddress as exc:
        print(f"unhealthy: {exc}")
        return 1
    ok, detail = probe.healthy(address, timeout=5)
    print("healthy" if ok else f"unhealthy: {detail}")
    return 0 if ok else 1


def wait(url: str | None, port_file: str | None, timeout: float) -> int:
    try:
        if port_file:
            path = Path(port_file)
            found, detail = probe.wait_ready(
                lambda: probe.url_from_port_file(path), timeout, either_scheme=True
            )
        else:
            address = probe.checked_url(url) if url else probe.default_url()
            found, detail = probe.wait_ready(lambda: address, timeout)
    except probe.BadAddress as exc:
        print(f"sms-emulator wait: {exc}", file=sys.stderr)
        return 2
    if not detail:
        print(f"{found} is ready")
        return 0
    where = found or f"the emulator of {port_file}"
    print(f"{where} was not ready within {timeout:g} s (last answer: {detail})", file=sys.stderr)
    return 1


def inbox_url(base: str, token: str | None) -> str:
    """The inbox's address, with the control token when there is one, so opening it works."""
    query = f"?{urllib.parse.urlencode({'token': token})}" if token else ""
    return f"{base}/_emulator/ui/{query}"


async def serve(settings: Settings) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):  # before anyone can learn the port
        loop.add_signal_handler(sig, stop.set)
    async with launched(settings) as (listening, ctx):
        if not settings.control_token and not is_loopback(settings.host):
            print(
                f"sms-emulator: warning: serving on {settings.host} without a control token: "
                "anyone who can reach this port can read every message and drive the "
                f"emulator (/_emulator/); set {ENV_PREFIX}CONTROL_TOKEN",
                file=sys.stderr,
                flush=True,
            )
        if listening.tls_ca:
            print(f"TLS: trust this CA certificate: {listening.tls_ca}", flush=True)
        print(f"sms-emulator {__version__} serving on {listening.url}", flush=True)
        print(f"  web inbox: {inbox_url(listening.url, settings.control_token)}", flush=True)
        await stop.wait()
        print("stopping", flush=True)
    logs.flush()
    pending = ctx.pending_at_shutdown
    if pending:
        print(f"stopped; {len(pending)} callback(s) were still pending:", flush=True)
        for job in pending:
            print(
                f"  #{job.id} {job.kind} {mask_url(job.url)} ({len(job.attempts)} attempt(s))",
                flush=True,
            )
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
        return wait(args.url, args.port_file, args.timeout)
    if args.command == "openapi":
        return write_openapi(args.out)
    if args.command == "analyse":
        return lint.run(args)
    if args.command == "state":
        return transfer(args.action, args.file, args.url, args.token)
    flags = {k: v for k, v in vars(args).items() if k not in ("command", "run")}
    if args.command == "exec":
        flags["port"] = 0 if flags.get("port") is None else flags["port"]
    try:
        settings = build_settings(flags)
    except ConfigError as exc:
        print(f"sms-emulator: {exc}", file=sys.stderr)
        return 2 if args.command == "serve" else EMULATOR_FAILED
    logs.configure(settings.log_level, settings.log_format)
    if args.command == "exec":
        command = args.run[1:] if args.run[:1] == ["--"] else args.run
        return execute(settings, command)
    try:
        asyncio.run(serve(settings))
    except StartupError as exc:
        print(f"sms-emulator: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(
            f"sms-emulator: cannot serve on {settings.host}:{settings.port}: {exc.strerror}",
            file=sys.stderr,
        )
        return 1
    return 0
