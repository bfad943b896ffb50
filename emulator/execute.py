"""``sms-emulator exec [serve options] -- COMMAND...``: the emulator around one command.

For CI in any language: start the emulator on a free port, run the command with the
emulator's addresses in its environment, stop the emulator, print a one-screen summary, and
exit with the command's exit code. The emulator's own failures have codes of their own, as
``env`` and ``docker run`` do: 125 (the emulator could not start), 126 (the command cannot be
run), 127 (the command was not found).
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections import Counter
from collections.abc import Mapping

from . import logs
from .callbacks import FAILED
from .config import Settings
from .context import Context
from .launch import launched
from .serving import StartupError

EMULATOR_FAILED = 125
CANNOT_RUN = 126
NOT_FOUND = 127


def environment(url: str) -> dict[str, str]:
    """What the command learns: the emulator's base URL, and each gateway's base URL under
    the names client libraries and their users read."""
    return {
        "SMS_EMULATOR_URL": url,
        "SERVER2SMS_API_URL": url,
        "SERVER2SMS_URL": url,
        "SERWERSMS_API_URL": url + "/",
        "SERWERSMS_URL": url + "/",
    }


def summary(ctx: Context) -> str:
    """Messages per provider and status, and the callbacks that did not get through."""
    statuses = Counter((m.batch.provider, m.status) for m in ctx.gateway.store.messages.values())
    lines = ["sms-emulator: summary"]
    if not statuses:
        lines.append("  no message was sent")
    for provider in sorted({p for p, _ in statuses}):
        counts = ", ".join(
            f"{n} {status}" for (p, status), n in sorted(statuses.items()) if p == provider
        )
        lines.append(
            f"  {provider}: {sum(n for (p, _), n in statuses.items() if p == provider)}"
            f" messages ({counts})"
        )
    jobs = ctx.pending_at_shutdown
    failed = [j for j in ctx.dispatcher.jobs.values() if j.state == FAILED]
    total = len(ctx.dispatcher.jobs)
    lines.append(f"  callbacks: {total} made, {len(failed)} failed, {len(jobs)} pending")
    for job in [*failed, *jobs][:10]:
        last = job.attempts[-1].error if job.attempts else "not tried yet"
        lines.append(f"    #{job.id} {job.state} {job.kind}: {last}")
    return "\n".join(lines)


async def _run(settings: Settings, command: list[str], environ: Mapping[str, str]) -> int:
    async with launched(settings) as (listening, ctx):
        try:
            process = await asyncio.create_subprocess_exec(
                *command, env={**environ, **environment(listening.url)}
            )
        except FileNotFoundError:
            print(f"sms-emulator exec: command not found: {command[0]}", file=sys.stderr)
            return NOT_FOUND
        except PermissionError:
            print(f"sms-emulator exec: cannot run {command[0]}", file=sys.stderr)
            return CANNOT_RUN
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):  # passed on; the command decides
            loop.add_signal_handler(sig, process.send_signal, sig)
        code = await process.wait()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
    logs.flush()
    print(summary(ctx), file=sys.stderr, flush=True)
    return code if code >= 0 else 128 - code  # killed by signal N: 128 + N, as shells say


def execute(settings: Settings, command: list[str]) -> int:
    if not command:
        print(
            "sms-emulator exec: no command given (sms-emulator exec [options] -- COMMAND)",
            file=sys.stderr,
        )
        return 2
    try:
        return asyncio.run(_run(settings, command, os.environ))
    except (OSError, StartupError) as exc:
        print(f"sms-emulator exec: the emulator failed: {exc}", file=sys.stderr)
        return EMULATOR_FAILED
