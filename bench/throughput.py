"""Send throughput at 50 concurrent connections: both providers' send endpoints against the
bare aiohttp handler (one core each, wrk on the other core), and moto's server mode publishing
an SNS SMS, all in the same run."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass

from .harness import Load, bare_command, emulator_command, median_load, post_json, server, wrk

BENCH_ACCOUNT = {
    "provider": "server2sms",
    "username": "bench",
    "password": "bench",
    "credits": 10**12,
}
SENDS = {
    "server2sms SendTextSMS": (
        "/SendTextSMS",
        json.dumps(
            {
                "UserName": "bench",
                "Password": "bench",
                "Originator": "Bench",
                "Recipients": ["+41790000000"],
                "MessageText": "hello from the benchmark",
            }
        ),
    ),
    "SerwerSMS messages/send_sms": (
        "/messages/send_sms.json",
        json.dumps(
            {
                "username": "bench",
                "password": "bench",
                "phone": "500600700",
                "text": "hello from the benchmark",
            }
        ),
    ),
}
MOTO_BODY = "Action=Publish&PhoneNumber=%2B15555555555&Message=hello&Version=2010-03-31"
MOTO_AUTH = (
    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250101/us-east-1/sns/aws4_request, "
    "SignedHeaders=host, Signature=0"
)


@dataclass
class Comparison:
    name: str
    subject: Load  # log off
    baseline: Load  # bare aiohttp
    logged: Load  # the default configuration: one log line per request

    @property
    def ratio(self) -> float:
        return self.subject.rps / self.baseline.rps

    @property
    def logged_ratio(self) -> float:
        return self.logged.rps / self.baseline.rps

    @property
    def log_cost(self) -> float:
        """Throughput lost to the request log."""
        return 1 - self.logged.rps / self.subject.rps


def _measure(command: list[str], path: str, body: str, seconds: float, setup: bool) -> Load:
    with server(command) as url:
        if setup:
            post_json(url + "/_emulator/accounts", BENCH_ACCOUNT)
        wrk(url + path, body, 1)  # warm up
        return wrk(url + path, body, seconds)


def compare(name: str, seconds: float, rounds: int) -> Comparison:
    path, body = SENDS[name]
    subject, baseline, logged = [], [], []
    for _ in range(rounds):
        baseline.append(_measure(bare_command(), path, body, seconds, setup=False))
        subject.append(_measure(emulator_command(), path, body, seconds, setup=True))
        logged.append(_measure(emulator_command(default_log=True), path, body, seconds, setup=True))
    return Comparison(name, median_load(subject), median_load(baseline), median_load(logged))


def moto_publish(seconds: float, rounds: int) -> Load | None:
    """moto's server mode answering SNS Publish to a phone number (None if moto is missing)."""
    moto = shutil.which("moto_server")
    if moto is None:
        return None
    loads = []
    for _ in range(rounds):
        with server([moto, "-p", "{port}"], ready_path="/moto-api/") as url:
            wrk(
                url + "/",
                MOTO_BODY,
                1,
                content_type="application/x-www-form-urlencoded",
                headers={"Authorization": MOTO_AUTH},
            )
            loads.append(
                wrk(
                    url + "/",
                    MOTO_BODY,
                    seconds,
                    content_type="application/x-www-form-urlencoded",
                    headers={"Authorization": MOTO_AUTH},
                )
            )
    return median_load(loads)
