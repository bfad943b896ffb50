"""phones/check (HLR), phones/lookup and phones/test.

HLR answers follow the magic-number table: a number that would not be delivered answers
``ERR`` with the matching HLR error, the others ``OK``. A check of several numbers answers at
once (``status: done``), keeps the result under an id for later ``id=`` queries, and calls the
``url`` template (``#ID#``, ``#STAN#``) when one is given.
"""

from __future__ import annotations

from ....core import phones
from ....core.jsondata import Document
from .. import service, wire
from ..endpoint import Call, account_state
from ..errors import INVALID_ID, INVALID_PHONE, REQUIRED, ApiError

HLR_ERRORS = {
    "unknown_subscriber": "UNKNOWN_SUBSCRIBER",
    "invalid_destination": "UNKNOWN_SUBSCRIBER",
    "call_barred": "CALL_BARRED",
    "system_failure": "SYSTEM_FAILURE",
    "buffered_then_delivered": "ABSENT_SUBSCRIBER_SM",
    "buffered_then_expired": "ABSENT_SUBSCRIBER_SM",
}
MAX_HLR_NUMBERS = 50_000


def _result(call: Call, phone: str, describe: bool) -> Document:
    outcome = call.ctx.gateway.outcomes.for_recipient(phone)
    error = HLR_ERRORS.get(outcome.name)
    network = call.backend.network(phone)
    result: Document = {
        "phone": phone,
        "status": "ERR" if error else "OK",
        "imsi": network["mnc"],
        "network": network["network"],
        "ported": False,
        "network_ported": None,
    }
    if describe:
        result["description"] = error
    return result


def _check(call: Call, kind: str) -> Document:
    jobs = call.backend.hlr_jobs
    job_id = wire.text(call.params.get("id")).strip()
    if job_id and not wire.given(call.params.get("phone")):
        if job_id not in jobs:
            raise ApiError(INVALID_ID, f"no {kind} job {job_id!r}")
        return jobs[job_id]
    raw = wire.strings(call.params.get("phone"))
    if not raw:
        raise ApiError(REQUIRED, "missing required parameter 'phone'")
    if len(raw) > MAX_HLR_NUMBERS:
        raise ApiError(INVALID_PHONE, f"{len(raw)} numbers; at most {MAX_HLR_NUMBERS}")
    describe = kind == "hlr"
    if len(raw) == 1:
        phone = phones.polish(raw[0])
        if phone is None:
            raise ApiError(INVALID_PHONE, f"{raw[0]!r} is not a phone number")
        service.use_limit(account_state(call), kind, 1)
        return _result(call, phone, describe)
    service.use_limit(account_state(call), kind, len(raw))
    items: list[Document] = []
    for number in raw:
        phone = phones.polish(number)
        if phone is None:
            items.append(
                {
                    "phone": number,
                    "status": "ERR",
                    "imsi": None,
                    "network": None,
                    "ported": False,
                    "network_ported": None,
                    **({"description": "INVALID_NUMBER"} if describe else {}),
                }
            )
        else:
            items.append(_result(call, phone, describe))
    job_id = call.backend.file_id()
    answer = {"id": job_id, "status": service.HLR_DONE, "process": 100, "items": items}
    jobs[job_id] = answer
    service.checks_done(call, job_id, wire.text(call.params.get("url")).strip())
    return answer


def check(call: Call) -> Document:
    return _check(call, "hlr")


def lookup(call: Call) -> Document:
    return _check(call, "lookup")


def test(call: Call) -> Document:
    return {"correct": phones.polish(wire.text(call.params.get("phone"))) is not None}
