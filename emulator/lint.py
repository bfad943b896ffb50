"""``sms-emulator analyse``: what texts cost on a gateway, and why, for a CI lint step over
translation files. The same analysis as ``POST /_emulator/analyse`` and every message's
``cost``; no emulator needs to run.

Texts come from the arguments, from ``--file`` (a ``.json`` file: every string in it, named by
its key path; any other file: every non-empty line) or from ``-`` (standard input, by line).
``--max-parts N`` and ``--gsm7`` turn it into a check: exit 1, naming each offending text and
the characters to blame.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path

from .control.views import cost_view
from .core.gsm import Cost, Culprit
from .core.jsondata import Document
from .providers import BY_NAME, PROVIDERS

Named = tuple[str, str]  # where a text comes from, and the text


class LintError(Exception):
    """A file that cannot be read (exit 2)."""


def add_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("texts", nargs="*", metavar="TEXT", help="texts to analyse; - reads stdin")
    parser.add_argument(
        "--file",
        action="append",
        default=[],
        metavar="F",
        help="a file of texts: .json (every string, named by its key path) or one per line",
    )
    parser.add_argument(
        "--provider",
        choices=[p.name for p in PROVIDERS],
        default=PROVIDERS[0].name,
        help=f"the gateway whose rules apply (default: {PROVIDERS[0].name})",
    )
    parser.add_argument("--utf", action="store_true", help="serwersms: send as Unicode (FULL)")
    parser.add_argument(
        "--force-gsm", action="store_true", help="server2sms: ForceGSM7bit (replace with ?)"
    )
    parser.add_argument(
        "--type",
        choices=("eco", "full", "voice", "mms"),
        default=None,
        help="serwersms: the message type (default: full with --utf, else eco)",
    )
    parser.add_argument(
        "--max-parts", type=int, default=None, metavar="N", help="fail (exit 1) above N parts"
    )
    parser.add_argument(
        "--gsm7",
        action="store_true",
        help="fail (exit 1) on any character GSM-7 cannot carry (UCS-2, or replaced)",
    )
    parser.add_argument("--json", action="store_true", help="print JSON: one object per text")


def _texts(args: argparse.Namespace) -> Iterator[Named]:
    for n, text in enumerate(args.texts, 1):
        if text == "-":
            yield from _lines("stdin", sys.stdin.read())
        else:
            yield f"argument {n}", text
    for name in args.file:
        path = Path(name)
        try:
            content = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise LintError(f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}") from exc
        if path.suffix.lower() == ".json":
            try:
                yield from _strings(path.name, json.loads(content))
            except json.JSONDecodeError as exc:
                raise LintError(f"{path} is not JSON: {exc}") from exc
        else:
            yield from _lines(path.name, content)


def _lines(source: str, content: str) -> Iterator[Named]:
    for number, line in enumerate(content.splitlines(), 1):
        if line.strip():
            yield f"{source}:{number}", line


def _strings(where: str, value: object) -> Iterator[Named]:
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(f"{where}:{key}" if ":" not in where else f"{where}.{key}", item)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(f"{where}[{index}]", item)


def _blamed(culprits: tuple[Culprit, ...]) -> str:
    """Each character once: ``’ (12, 40; U+2019 → ')``."""
    places: dict[str, list[Culprit]] = {}
    for culprit in culprits:
        places.setdefault(culprit.char, []).append(culprit)
    return ", ".join(
        f"{char} ({', '.join(str(c.index) for c in found)}; {found[0].codepoint}"
        + (f" → {found[0].suggestion}" if found[0].suggestion else "")
        + ")"
        for char, found in places.items()
    )


def describe(cost: Cost) -> str:
    """One line: "3 parts · UCS-2, 140 units because of ’ (12; U+2019 → ') · as GSM-7: 1 part"."""
    parts = f"{cost.parts} part{'s' * (cost.parts != 1)}"
    line = [f"{parts} · {'UCS-2' if cost.encoding == 'ucs2' else 'GSM-7'}, {cost.units} units"]
    if cost.ucs2_because:
        line[0] += f" because of {_blamed(cost.ucs2_because)}"
    if cost.replaced:
        line.append(f"replaced by the gateway: {_blamed(cost.replaced)}")
    if cost.extension:
        line.append(f"two septets each: {', '.join(c.char for c in cost.extension)}")
    if cost.gsm7_parts != cost.parts or cost.encoding == "ucs2":
        line.append(f"as GSM-7: {cost.gsm7_parts} part{'s' * (cost.gsm7_parts != 1)}")
    return " · ".join(line)


def problems(cost: Cost, max_parts: int | None, gsm7: bool) -> list[str]:
    found = []
    if max_parts is not None and cost.parts > max_parts:
        found.append(f"{cost.parts} parts, more than {max_parts}")
    culprits = cost.ucs2_because + cost.replaced
    if gsm7 and culprits:
        found.append(f"not GSM-7: {_blamed(culprits)}")
    return found


def run(args: argparse.Namespace) -> int:
    provider = BY_NAME[args.provider]
    options = {"utf": args.utf, "force_gsm": args.force_gsm, "type": args.type}
    failed = 0
    results: list[Document] = []
    try:
        texts = list(_texts(args))
    except LintError as exc:
        print(f"sms-emulator analyse: {exc}", file=sys.stderr)
        return 2
    if not texts:
        print("sms-emulator analyse: no text given (TEXT, --file F or -)", file=sys.stderr)
        return 2
    for name, text in texts:
        cost = provider.quote(text, options)
        wrong = problems(cost, args.max_parts, args.gsm7)
        failed += bool(wrong)
        if args.json:
            results.append({"name": name, "text": text, **cost_view(cost), "problems": wrong})
        else:
            print(f"{name}: {describe(cost)}")
            for problem in wrong:
                print(f"  FAIL {name}: {problem}")
    if args.json:
        json.dump(results, sys.stdout, ensure_ascii=False, indent=2)
        print()
    if failed:
        print(f"{failed} of {len(texts)} text(s) break the check", file=sys.stderr)
    return 1 if failed else 0
