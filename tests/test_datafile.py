"""``serve --data FILE``: the state kept in SQLite across restarts, ``kill -9`` included, and
the files it refuses to touch."""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import sqlite3
import stat
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families
from test_cli import run, serve  # noqa: F401 - the fixture that starts `serve` processes

from emulator.datafile import APPLICATION_ID, SCHEMA
from emulator.testing.receiver import CallbackReceiver
from emulator.testing.server import EmulatorServer

Serve = Callable[..., Any]  # Any: test_cli.Served
DATA = Path(__file__).parent / "data"


def _send(url: str, session: requests.Session, phone: str) -> list[str]:
    answer = session.post(
        url + "/messages/send_sms.json",
        json={"username": "shop", "password": "x", "phone": phone, "text": "hi", "details": True},
        timeout=10,
    ).json()
    return [item["id"] for item in answer["items"]]


def _all_ids(url: str) -> list[str]:
    ids: list[str] = []
    cursor = 0
    while True:
        page = requests.get(
            url + "/_emulator/messages", params={"limit": 1000, "cursor": cursor}, timeout=10
        ).json()
        ids += [item["id"] for item in page["items"]]
        if not page["items"]:
            return ids
        cursor = page["items"][-1]["seq"]


def _killed(served: Any) -> None:
    served.proc.send_signal(signal.SIGKILL)
    served.proc.wait()


def test_a_restart_after_kill_9_comes_back_with_everything(serve: Serve, tmp_path: Path) -> None:  # noqa: F811
    data = tmp_path / "emulator.db"
    first = serve("--clock", "manual", "--data", str(data))
    sent = _send(first.url, requests.Session(), "500600700")
    requests.post(
        first.url + "/_emulator/rules",
        json={"recipient": "500600701", "times": 2, "outcome": "unknown_subscriber"},
        timeout=10,
    )
    requests.post(
        first.url + "/_emulator/accounts",
        json={"provider": "server2sms", "username": "shop", "password": "pw", "credits": 7},
        timeout=10,
    )
    before = requests.get(first.url + "/_emulator/state", timeout=10).json()
    assert stat.S_IMODE(data.stat().st_mode) == 0o600  # it carries passwords
    _killed(first)

    second = serve("--clock", "manual", "--data", str(data))
    after = requests.get(second.url + "/_emulator/state", timeout=10).json()
    assert {**after, "events": 0} == {**before, "events": 0}
    requests.post(second.url + "/_emulator/clock/advance", json={"seconds": 5}, timeout=10)
    message = requests.get(f"{second.url}/_emulator/messages/{sent[0]}", timeout=10).json()
    assert message["status"] == "delivered"  # in flight, it went on to its outcome
    assert _send(second.url, requests.Session(), "500600702") != sent  # ids go on
    health = requests.get(second.url + "/_emulator/health", timeout=10).json()
    assert health["data_file"]["path"] == str(data) and health["data_file"]["bytes"] > 0
    metrics = requests.get(second.url + "/_emulator/metrics", timeout=10).text
    [size] = [
        sample.value
        for family in text_string_to_metric_families(metrics)
        for sample in family.samples
        if sample.name == "sms_emulator_data_file_bytes"
    ]
    assert size > 0
    second.stop()

    third = serve("--clock", "manual", "--data", str(data))  # after a clean stop too
    assert len(_all_ids(third.url)) == 2
    third.stop()


def test_every_answered_send_survives_kill_9_under_load(serve: Serve, tmp_path: Path) -> None:  # noqa: F811
    data = tmp_path / "emulator.db"
    acknowledged: list[str] = []
    chance = random.Random(24)
    for round_ in range(3):
        served = serve("--data", str(data), "--no-access-log")
        stop = threading.Event()

        def load(
            worker: int, url: str = served.url, stop: threading.Event = stop, at: int = round_
        ) -> None:
            session = requests.Session()
            n = 0
            while not stop.is_set():
                n += 1
                try:
                    ids = _send(url, session, f"5{at}{worker}{n:06d}")
                except (requests.RequestException, ValueError):
                    return  # the emulator is gone: this answer never came
                acknowledged.extend(ids)

        workers = [threading.Thread(target=load, args=(w,)) for w in range(4)]
        for worker in workers:
            worker.start()
        stop.wait(chance.uniform(0.3, 1.2))  # a random moment under load
        _killed(served)
        stop.set()
        for worker in workers:
            worker.join()

    served = serve("--data", str(data))
    kept = _all_ids(served.url)
    assert len(kept) == len(set(kept))  # none twice
    assert set(acknowledged) <= set(kept)  # every answered send is there
    assert len(acknowledged) > 30  # the load did run
    served.stop()


def test_a_second_emulator_on_the_same_file_is_refused(serve: Serve, tmp_path: Path) -> None:  # noqa: F811
    data = tmp_path / "emulator.db"
    first = serve("--data", str(data))
    second = run("serve", "--port", "0", "--data", str(data))
    assert second.returncode == 1
    assert f"the data file {data} is in use by another emulator" in second.stderr
    first.stop()


def _refused(data: Path, *expected: str) -> None:
    before = data.read_bytes()
    answer = run("serve", "--port", "0", "--data", str(data))
    assert answer.returncode == 1
    for text in expected:
        assert text in answer.stderr
    assert data.read_bytes() == before  # never wiped or overwritten


def test_files_it_cannot_use_stop_the_start_and_are_left_alone(tmp_path: Path) -> None:
    other = tmp_path / "notes.txt"
    other.write_text("not a database")
    _refused(other, f"{other} is not an emulator data file", "name another --data file")

    foreign = tmp_path / "foreign.db"
    with sqlite3.connect(foreign) as db:
        db.execute("CREATE TABLE t (x)")
    _refused(foreign, f"{foreign} is an SQLite file of another program")

    newer = tmp_path / "newer.db"
    with sqlite3.connect(newer) as db:
        db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        db.execute("CREATE TABLE state (id INTEGER PRIMARY KEY, document TEXT)")
        db.execute("PRAGMA user_version = 99")
    _refused(newer, f"the data file {newer} was written by a newer emulator", "run that version")

    corrupt = tmp_path / "corrupt.db"
    with sqlite3.connect(corrupt) as db:
        db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        db.execute("CREATE TABLE state (id INTEGER PRIMARY KEY, document TEXT)")
        db.execute("INSERT INTO state VALUES (1, 'x')")
    raw = bytearray(corrupt.read_bytes())
    raw[100:4096] = os.urandom(3996)  # the first page's tree, past the header
    corrupt.write_bytes(bytes(raw))
    _refused(corrupt, f"the data file {corrupt} cannot be read", "it is left as it is")

    missing = tmp_path / "no" / "such" / "folder.db"
    answer = run("serve", "--port", "0", "--data", str(missing))
    assert answer.returncode == 1 and "check that its folder exists" in answer.stderr


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_an_unreadable_file_is_refused(tmp_path: Path) -> None:
    data = tmp_path / "emulator.db"
    data.write_bytes(b"")
    data.chmod(0)
    answer = run("serve", "--port", "0", "--data", str(data))
    assert answer.returncode == 1 and f"cannot open the data file {data}" in answer.stderr


def test_max_age_prunes_messages_final_for_longer(serve: Serve, tmp_path: Path) -> None:  # noqa: F811
    served = serve("--clock", "manual", "--max-age", "1m", "--data", str(tmp_path / "e.db"))
    session = requests.Session()
    [old] = _send(served.url, session, "500600700")
    assert _all_ids(served.url) == [old]
    advance = served.url + "/_emulator/clock/advance"
    requests.post(advance, json={"seconds": 50}, timeout=10)  # final after ~1 s
    [new] = _send(served.url, session, "500600701")
    requests.post(advance, json={"seconds": 20}, timeout=10)
    assert _all_ids(served.url) == [new]  # final for 69 s: gone; the other for 19 s
    health = requests.get(served.url + "/_emulator/health", timeout=10).json()
    assert health["pruned"] == 1
    requests.post(advance, json={"seconds": 3600}, timeout=10)
    assert _all_ids(served.url) == []
    served.stop()


def test_max_age_takes_a_duration() -> None:
    answer = run("serve", "--port", "0", "--max-age", "7 weeks")
    assert answer.returncode == 2
    assert "setting 'max_age' must be a duration" in answer.stderr


def test_callback_retries_owed_at_a_kill_are_made_after_the_restart(
    serve: Serve,  # noqa: F811
    tmp_path: Path,
) -> None:
    """A dlr_url that is down: the report is retried; the emulator is killed while a retry is
    owed; after the restart (the receiver up now) the retry that fell due meanwhile is made
    at once, and the journal keeps every attempt."""
    with socket.socket() as probe:  # a port nobody listens on, for the receiver later
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    data = tmp_path / "emulator.db"
    options = ("--data", str(data), "--callback-attempts", "20", "--callback-backoff", "0.2",
               "--callback-backoff-max", "0.2")  # fmt: skip
    first = serve(*options)
    requests.post(
        first.url + "/_emulator/accounts",
        json={
            "provider": "serwersms",
            "username": "shop",
            "password": "x",
            "dlr_url": f"http://127.0.0.1:{port}/dlr",
        },
        timeout=10,
    )
    [sent] = _send(first.url, requests.Session(), "500600700")
    failed = requests.get(
        first.url + "/_emulator/callbacks/wait", params={"state": "pending", "timeout": "10"},
        timeout=15,
    ).json()["items"]  # fmt: skip
    assert failed and failed[0]["message_id"] == sent
    _killed(first)

    receiver = CallbackReceiver(port=port).start()
    try:
        second = serve(*options)
        [call] = receiver.wait_for(1, timeout=10)
        assert "/dlr" in call.url
        [job] = requests.get(
            second.url + "/_emulator/callbacks/wait",
            params={"state": "delivered", "timeout": "10"},
            timeout=15,
        ).json()["items"]
        assert job["message_id"] == sent
        outcomes = [attempt["outcome"] for attempt in job["attempts"]]
        assert outcomes[0] != "ok" and outcomes[-1] == "ok"  # the failed ones kept
        second.stop()
    finally:
        receiver.stop()


def test_a_file_of_the_previous_layout_is_migrated(serve: Serve, tmp_path: Path) -> None:  # noqa: F811
    data = tmp_path / "emulator.db"
    data.write_bytes((DATA / "layout-1.db").read_bytes())  # layout 1: no index, jobs in state
    served = serve("--clock", "manual", "--data", str(data))
    for start in (1, 2):  # said as it happens: a long migration does not look like a hang
        assert f"migrating the data file {data} from layout {start} to {start + 1}" in (
            served.startup
        )
    after = requests.get(served.url + "/_emulator/state", timeout=10).json()
    before = json.loads((DATA / "layout-1.state.json").read_text())
    assert {**after, "events": 0} == {**before, "events": 0}
    served.stop()
    with sqlite3.connect(data) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA == 3
        indexes = db.execute("SELECT name FROM sqlite_master WHERE type = 'index'").fetchall()
        assert ("batches_in_order",) in indexes
        assert db.execute("SELECT count(*) FROM jobs").fetchone()[0] == 2  # moved to rows
    assert [job["state"] for job in before["callbacks"]["jobs"]] == ["pending", "pending"]


def test_the_embedded_server_keeps_its_state_in_a_data_file_too(tmp_path: Path) -> None:
    data = str(tmp_path / "emulator.db")
    with EmulatorServer(data=data) as first:
        sent = _send(first.url, requests.Session(), "500600700")
    with EmulatorServer(data=data) as second:
        assert _all_ids(second.url) == sent


def test_a_file_another_program_holds_locked_is_refused(serve: Serve, tmp_path: Path) -> None:  # noqa: F811
    data = tmp_path / "emulator.db"
    serve("--data", str(data)).stop()
    holder = sqlite3.connect(data, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # say, a script writing to it
    try:
        _refused(data, f"the data file {data} is locked by another program")
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_a_commit_that_fails_is_not_answered_as_kept(tmp_path: Path) -> None:
    """A full disk (SQLite's page limit, set on the emulator's own connection): the send is
    answered 503 in the gateway's format and health says why; once there is room again, the
    next commit writes it too."""
    data = tmp_path / "emulator.db"
    with EmulatorServer(data=str(data)) as server:
        assert server.context.data is not None
        db = server.context.data._db
        pages = db.execute("PRAGMA page_count").fetchone()[0]
        server.call(_run(db, f"PRAGMA max_page_count = {pages}"))
        body = {"username": "shop", "password": "x", "phone": "500600700", "text": "x" * 600}
        answer = requests.post(server.url + "/messages/send_sms.json", json=body, timeout=10)
        assert answer.status_code == 503 and "error" in answer.json()  # the gateway's format
        assert "cannot write the data file" in answer.headers["X-Emulator-Error"]
        health = requests.get(server.url + "/_emulator/health", timeout=10).json()
        assert "full" in health["data_file"]["error"]
        server.call(_run(db, "PRAGMA max_page_count = 1073741823"))
        later = _send(server.url, requests.Session(), "500600701")
        kept = _all_ids(server.url)
    with EmulatorServer(data=str(data)) as again:
        assert _all_ids(again.url) == kept and later[0] in kept and len(kept) == 2


async def _run(db: sqlite3.Connection, statement: str) -> None:
    db.execute(statement)  # on the emulator's loop, where its connection is used


def test_max_age_prunes_finished_callbacks_too(serve: Serve) -> None:  # noqa: F811
    served = serve("--clock", "manual", "--max-age", "60", "--callback-attempts", "1")
    requests.post(
        served.url + "/_emulator/accounts",
        json={
            "provider": "serwersms",
            "username": "shop",
            "password": "x",
            "dlr_url": "http://127.0.0.1:9/down",
        },
        timeout=10,
    )
    session, advance = requests.Session(), served.url + "/_emulator/clock/advance"

    def journal() -> list[str | None]:
        jobs = requests.get(served.url + "/_emulator/callbacks", timeout=10).json()["items"]
        return [job["message_id"] for job in jobs]

    [first] = _send(served.url, session, "500600700")
    requests.post(advance, json={"seconds": 30}, timeout=30)
    [second] = _send(served.url, session, "500600701")
    requests.post(advance, json={"seconds": 45}, timeout=30)  # the first over for ~74 s
    assert journal() == [first, second]  # (nothing finished since the first was old enough)
    [third] = _send(served.url, session, "500600702")
    requests.post(advance, json={"seconds": 5}, timeout=30)
    assert journal() == [second, third]
    served.stop()
