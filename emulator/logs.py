"""Readable logs: one line per request and per callback, with secrets masked.

Passwords and tokens never reach the log: query parameters named like secrets are masked, user
info in callback URLs too, and headers are not logged at all.

Under the command line (``serve``, ``exec``) these lines skip Python's ``logging`` machinery
(a LogRecord, a caller lookup, a time format and a write per line): each line is formatted
once, kept, and all lines of a loop turn are written to standard error in one go (and at
shutdown), so a slow reader of standard error (a terminal, a CI log pipe) holds the emulator
up once per loop turn, not once per request. Written to a file, a line costs about as much
either way (docs/benchmarks.md). Embedded in another program
(``EmulatorServer``), they go through ``logging`` as usual, so the host's configuration
applies. ``--log-format json`` writes every line, these and the rest, as one JSON object.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from typing import IO
from urllib.parse import parse_qsl, urlencode

import orjson
from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

from .core.jsondata import JsonObject
from .httpio import REDACTED, SECRET_KEYS

ACCESS = logging.getLogger("emulator.access")
HTTP = logging.getLogger("emulator.http")
"""What aiohttp's HTTP server logs (requests it could not parse, handlers that failed), behind
:class:`NoRawRequest`."""
TEXT_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"
FORMATS = ("text", "json")


def redact_query(query: str) -> str:
    if not query:
        return ""
    pairs = parse_qsl(query, keep_blank_values=True)
    return urlencode([(k, REDACTED if k.lower() in SECRET_KEYS else v) for k, v in pairs])


class _Stamp:
    """``2026-11-22 07:21:29,094`` as logging writes it, the seconds part formatted once a
    second."""

    def __init__(self) -> None:
        self._second = -1
        self._text = ""

    def __call__(self, now: float) -> str:
        second = int(now)
        if second != self._second:
            self._second = second
            self._text = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(second))
        return f"{self._text},{int((now - second) * 1000):03d}"


class LineLog:
    """Info lines of requests and callbacks, written once per loop turn."""

    def __init__(self, stream: IO[str], json_format: bool) -> None:
        self.stream = stream
        self.json_format = json_format
        self._lines: list[str] = []
        self._stamp = _Stamp()
        self._flushing = False

    def write(self, logger: str, message: str, fields: JsonObject) -> None:
        if self.json_format:
            self.add(
                orjson.dumps(
                    {
                        "time": self._stamp(time.time()),
                        "level": "INFO",
                        "logger": logger,
                        "message": message,
                        **fields,
                    }
                ).decode()
            )
        else:
            self.text(logger, message)

    def text(self, logger: str, message: str) -> None:
        self.add(f"{self._stamp(time.time())} INFO    {logger}: {message}")

    def add(self, line: str) -> None:
        self._lines.append(line)
        if not self._flushing:
            self._flushing = True
            try:
                asyncio.get_running_loop().call_soon(self.flush)
            except RuntimeError:  # no loop: write at once
                self.flush()

    def flush(self) -> None:
        self._flushing = False
        if self._lines:
            lines, self._lines = self._lines, []
            self.stream.write("\n".join(lines) + "\n")
            self.stream.flush()


_LINES: LineLog | None = None  # set by configure(): the process's own log, like logging's


def info(logger: logging.Logger, message: str, **fields: object) -> None:
    """One request or callback line: the fast way under the command line, else ``logging``."""
    if _LINES is not None:
        if logger.isEnabledFor(logging.INFO):
            _LINES.write(logger.name, message, fields)
    else:
        logger.info("%s", message)


def flush() -> None:
    if _LINES is not None:
        _LINES.flush()


class NoRawRequest(logging.Filter):
    """A request the server could not parse (a line or header too long, a character no header
    may hold) is logged without its bytes: aiohttp's own message quotes the start of the line,
    which may hold ``password=`` or a Bearer token."""

    def filter(self, record: logging.LogRecord) -> bool:
        from aiohttp.http_exceptions import HttpProcessingError

        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, HttpProcessingError):
            remote = record.args[0] if isinstance(record.args, tuple) and record.args else "?"
            record.msg = "a request from %s could not be read (%s, HTTP %s); not logged"
            record.args = (remote, type(error).__name__, error.code)
            record.exc_info = None
            record.exc_text = None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


HTTP.addFilter(NoRawRequest())


class JSONFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data = {
            "time": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(data).decode()


def configure(level: str, log_format: str) -> None:
    """The command line's logging: every line to standard error, text or JSON."""
    global _LINES
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        JSONFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT)
    )
    logging.basicConfig(level=getattr(logging, level.upper()), handlers=[handler], force=True)
    _LINES = LineLog(sys.stderr, log_format == "json")


class AccessLogger(AbstractAccessLogger):
    """``127.0.0.1 POST /messages/send_sms.json?username=shop&password=*** -> 200 (1.4 ms)``"""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        """(Called only while the logger is enabled: aiohttp asks ``enabled`` first.)"""
        query = request.query_string
        path = f"{request.path}?{redact_query(query)}" if query else request.path
        remote, method, status = request.remote, request.method, response.status
        message = f"{remote} {method} {path} -> {status} ({time * 1000:.1f} ms)"
        lines = _LINES
        if lines is None:
            self.logger.info("%s", message)
        elif lines.json_format:
            lines.write(
                self.logger.name,
                message,
                {
                    "remote": remote,
                    "method": method,
                    "path": path,
                    "status": status,
                    "ms": round(time * 1000, 1),
                },
            )
        else:  # no dictionary of fields per request
            lines.text(self.logger.name, message)

    @property
    def enabled(self) -> bool:
        return self.logger.isEnabledFor(logging.INFO)
