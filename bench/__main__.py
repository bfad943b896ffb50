"""``python -m bench``: run the benchmarks and print ratios against same-run baselines."""

from __future__ import annotations

import argparse

from . import bulk, startup, throughput


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--seconds", type=float, default=5, help="seconds per load run")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds (median)")
    args = parser.parse_args()
    result = throughput.send_text_sms(args.seconds, args.rounds)
    print(f"{result.name}: {result.subject.rps:,.0f} req/s "
          f"(p50 {result.subject.p50_ms:.2f} ms, p99 {result.subject.p99_ms:.2f} ms); "
          f"bare aiohttp {result.baseline.rps:,.0f} req/s; ratio {result.ratio:.2f} "
          f"(target >= 0.60); non-2xx {result.subject.errors}")
    big = bulk.send_100k()
    print(f"SerwerSMS send_sms to {bulk.NUMBERS:,} numbers: answered in {big.seconds:.2f} s "
          f"(target < 2 s); stored {big.stored:,} messages; "
          f"{big.rss_per_message:,.0f} bytes of memory per stored message")
    ours, theirs = startup.startup("emulator"), startup.startup("pytest-httpserver")
    reset, fixture = startup.reset_ms()
    print(f"fixture start-up: import {ours.import_ms:.0f} ms + ready {ours.ready_ms:.0f} ms; "
          f"pytest-httpserver {theirs.import_ms:.0f} + {theirs.ready_ms:.0f} ms; ratio "
          f"{ours.total_ms / theirs.total_ms:.1f} (target <= 1.5); reset {reset:.2f} ms "
          f"(target < 5), per-test fixture {fixture:.2f} ms")


if __name__ == "__main__":
    main()
