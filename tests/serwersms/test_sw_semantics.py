"""What sends do: test mode, numbers, ECO/FULL, text, unique_id, schedules, limits, blacklist,
and the lifecycle seen through reports and stats."""

from __future__ import annotations

from typing import Any

import pytest

from emulator.testing.client import EmulatorClient


def test_test_mode_answers_like_a_send_and_stores_nothing(sw: Any, control: EmulatorClient) -> None:
    dry = sw(
        "messages/send_sms", {"phone": ["500600700", "1"], "text": "x", "test": 1, "details": 1}
    )
    assert (dry["queued"], dry["unsent"]) == (1, 1)
    assert [i["status"] for i in dry["items"]] == ["queued", "unsent"]
    assert control.messages() == []
    assert sw("account/limits", {})["items"][1]["value"] == "1000"


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("500 600 700", "+48500600700"),
        ("48500600700", "+48500600700"),
        ("0048.500600700", "+48500600700"),
        ("+48 500-600-700", "+48500600700"),
        ("+41790000000", "+41790000000"),
        ("0041790000000", "+41790000000"),
    ],
)
def test_phone_numbers_are_normalised_as_documented(sw: Any, raw: str, normalised: str) -> None:
    answer = sw("messages/send_sms", {"phone": raw, "text": "x", "sender": "Shop", "details": True})
    assert answer["items"][0]["phone"] == normalised
    assert answer["queued"] == 1


@pytest.mark.parametrize("raw", ["41790000000", "12345", "500600700800", "abc"])
def test_foreign_numbers_need_a_plus(sw: Any, raw: str) -> None:
    answer = sw("messages/send_sms", {"phone": raw, "text": "x", "sender": "Shop", "details": True})
    assert (answer["queued"], answer["items"][0]["error_code"]) == (0, 2200)


def test_eco_goes_to_polish_networks_only(sw: Any) -> None:
    answer = sw(
        "messages/send_sms", {"phone": ["+41790000000", "500600700"], "text": "x", "details": True}
    )
    assert [i["status"] for i in answer["items"]] == ["unsent", "queued"]
    assert answer["items"][0]["error_code"] == 2207


def test_eco_and_full_by_sender(sw: Any, control: EmulatorClient) -> None:
    sw("messages/send_sms", {"phone": "500600700", "text": "eco"})
    sw(
        "messages/send_sms",
        {"phone": "500600700", "text": "full", "sender": "Shop", "flash": True, "speed": True},
    )
    control.advance(1)
    eco, full = sw("messages/reports", {})["items"]
    assert (eco["type"], eco["sender"], eco["cost"]) == ("eco", "", 0.09)
    assert (full["type"], full["sender"], full["flash"], full["cost"]) == (
        "full",
        "Shop",
        True,
        0.12,
    )
    limits = {i["type"]: i["value"] for i in sw("account/limits", {})["items"]}
    assert (limits["eco"], limits["full"]) == ("no_limit", "999")


def test_utf_and_parts(sw: Any, control: EmulatorClient) -> None:
    plain = sw(
        "messages/send_sms",
        {"phone": "500600700", "text": "Zażółć gęślą jaźń", "sender": "Shop", "details": True},
    )
    assert plain["items"][0]["parts"] == 1
    unicode = sw(
        "messages/send_sms",
        {"phone": "500600700", "text": "ż" * 71, "sender": "Shop", "utf": True, "details": True},
    )
    assert unicode["items"][0]["parts"] == 2
    eco_utf = sw(
        "messages/send_sms", {"phone": "500600700", "text": "ż" * 71, "utf": True, "details": True}
    )
    assert eco_utf["items"][0]["parts"] == 1, "ECO cannot send Unicode: letters lose accents"
    assert [m["encoding"] for m in control.messages()] == ["gsm7", "ucs2", "gsm7"]
    long = sw("messages/send_sms", {"phone": "500600700", "text": "a" * 919})
    assert long["error"]["code"] == 3102


def test_unique_id_rules(sw: Any, control: EmulatorClient) -> None:
    answer = sw(
        "messages/send_sms",
        {
            "phone": ["500600700", "600700800"],
            "text": "x",
            "unique_id": ["order1", "order2"],
            "details": True,
        },
    )
    assert answer["queued"] == 2
    assert [m["ref"] for m in control.messages()] == ["order1", "order2"]
    assert sw("messages/view", {"unique_id": "order2"})["phone"] == "+48600700800"
    assert sw("messages/reports", {"unique_id": "order1"})["items"][0]["phone"] == "+48500600700"
    for bad, code in (
        (["order1"], 3202),
        (["ok1", "no"], 3200),
        (["ok1", "not-ok"], 3200),
        (["x" * 51, "ok2"], 3200),
        (["same1", "same1"], 3201),
    ):
        refused = sw(
            "messages/send_sms",
            {"phone": ["500600700", "600700800"], "text": "x", "unique_id": bad},
        )
        assert refused["error"]["code"] == code, bad
    assert len(control.messages()) == 2, "a refused send stores nothing"


def test_scheduled_message_is_saved_and_deletable(sw: Any, control: EmulatorClient) -> None:
    when = control.clock()["timestamp"] + 3600
    from emulator.core.timefmt import local_datetime

    answer = sw(
        "messages/send_sms",
        {
            "phone": ["500600700", "600700800"],
            "text": "later",
            "date": local_datetime(when),
            "unique_id": ["a11", "b22"],
            "details": True,
        },
    )
    first, second = (i["id"] for i in answer["items"])
    saved = sw("messages/reports", {"status": "saved"})["items"]
    assert [r["status"] for r in saved] == ["saved", "saved"]
    assert sw("messages/delete", {"unique_id": "a11"}) == {
        "success": True,
        "correct": 1,
        "failed": 0,
    }
    control.advance(3601)
    rows = {r["id"]: r for r in sw("messages/reports", {})["items"]}
    assert first not in rows, "a deleted message is gone from reports"
    assert rows[second]["status"] == "delivered"
    assert sw("messages/delete", {"id": second}) == {"success": False, "correct": 0, "failed": 1}
    reuse = sw("messages/send_sms", {"phone": "500600700", "text": "again", "unique_id": "a11"})
    assert reuse["queued"] == 1, "deleting freed the unique_id"


def test_more_than_100000_numbers_sends_nothing(sw: Any, control: EmulatorClient) -> None:
    numbers = [f"+4850{i:07d}" for i in range(100_001)]
    assert sw("messages/send_sms", {"phone": numbers, "text": "x"})["error"]["code"] == 3110
    messages = [{"phone": "500600700", "text": str(i)} for i in range(10_001)]
    answer = sw("messages/send_personalized", {"messages": messages})
    assert answer["error"]["code"] == 3110
    assert control.messages() == []


def test_the_blacklist_blocks_sends(sw: Any) -> None:
    sw("blacklist/add", {"phone": "600700800"})
    answer = sw(
        "messages/send_sms", {"phone": ["500600700", "600700800"], "text": "x", "details": True}
    )
    assert [(i["phone"], i["status"]) for i in answer["items"]] == [
        ("+48500600700", "queued"),
        ("+48600700800", "unsent"),
    ]
    assert answer["items"][1]["error_code"] == 2206
    report = sw("messages/reports", {"status": "unsent"})["items"][0]
    assert (report["reason"], report["cost"]) == ("number_is_blacklisted", 0.0)


def test_unauthorized_sender_names(sw: Any, control: EmulatorClient) -> None:
    control.account(
        "serwersms",
        "shop",
        password="secret",
        senders=[
            {"name": "Shop", "status": "authorized"},
            {"name": "Pending", "status": "pending_authorization"},
        ],
    )
    ok = sw(
        "messages/send_sms", {"phone": "500600700", "text": "x", "sender": "Shop", "details": True}
    )
    assert ok["queued"] == 1
    refused = sw(
        "messages/send_sms",
        {"phone": "500600700", "text": "x", "sender": "Pending", "details": True},
    )
    assert refused["items"][0]["error_code"] == 2205
    numeric = sw("messages/send_sms", {"phone": "500600700", "text": "x", "sender": "500600700"})
    assert numeric["queued"] == 1


def test_limits_reflect_what_was_spent(sw: Any, control: EmulatorClient) -> None:
    control.account(
        "serwersms", "shop", password="secret", limits={"eco": 3, "full": 10, "voice": 1, "mms": 1}
    )
    sw("messages/send_sms", {"phone": ["500600700", "600700800"], "text": "x"})
    sw("messages/send_sms", {"phone": "500600700", "text": "a" * 200, "sender": "Shop"})
    limits = {i["type"]: i["value"] for i in sw("account/limits", {})["items"]}
    assert limits == {
        "eco": "1",
        "full": "8",
        "voice": "1",
        "mms": "1",
        "lookup": "not_available",
        "hlr": "not_available",
    }
    assert (
        sw("messages/send_sms", {"phone": ["500600700", "600700800"], "text": "x"})["error"]["code"]
        == 3000
    )


def test_reports_filter_and_page(sw: Any, control: EmulatorClient) -> None:
    sw("messages/send_sms", {"phone": ["500600700", "500609991", "600700800"], "text": "a"})
    sw("messages/send_sms", {"phone": "500600700", "text": "b", "sender": "Shop"})
    control.advance(1)
    everything = sw("messages/reports", {})["items"]
    assert [r["status"] for r in everything] == [
        "delivered",
        "undelivered",
        "delivered",
        "delivered",
    ]
    assert everything[1]["reason"] == "wrong_number"
    assert len(sw("messages/reports", {"status": "delivered"})["items"]) == 3
    assert len(sw("messages/reports", {"type": "full"})["items"]) == 1
    assert len(sw("messages/reports", {"phone": "500600700"})["items"]) == 2
    page = sw("messages/reports", {"limit": 3, "page": 2, "order": "desc"})
    assert page["paging"] == {"page": 2, "count": 2}
    assert [r["text"] for r in page["items"]] == ["a"]
    stat_id = sw("stats/index", {})["items"][0]["id"]
    assert len(sw("messages/reports", {"stat_id": stat_id})["items"]) == 3
    before = sw("messages/reports", {"date_to": "2000-01-01 00:00:00"})["items"]
    assert before == []


def test_lifecycle_statuses_in_reports(sw: Any, control: EmulatorClient) -> None:
    sw("messages/send_sms", {"phone": ["500609995", "500609997"], "text": "x"})
    assert {r["status"] for r in sw("messages/reports", {})["items"]} == {"in_progress"}
    control.advance(0.15)
    assert {r["status"] for r in sw("messages/reports", {"status": "pending"})["items"]} == {"sent"}
    control.advance(5)
    buffered, never = sw("messages/reports", {})["items"]
    assert (buffered["status"], never["status"]) == ("delivered", "sent")
    assert buffered["sent"] and buffered["delivered"] and never["delivered"] is None


def test_stats_aggregate_per_send(sw: Any, control: EmulatorClient) -> None:
    sw("messages/send_sms", {"phone": ["500600700", "500609991", "500609997"], "text": "s"})
    sw("messages/send_sms", {"phone": "500600700", "text": "f", "sender": "Shop"})
    control.advance(1)
    first, second = sw("stats/index", {})["items"]
    assert (first["delivered"], first["undelivered"], first["pending"], first["type"]) == (
        1,
        1,
        1,
        "eco",
    )
    assert (second["delivered"], second["type"], second["text"]) == (1, "full", "f")
    assert [s["type"] for s in sw("stats/index", {"type": "full"})["items"]] == ["full"]


def test_groups_as_recipients(sw: Any, control: EmulatorClient) -> None:
    group = sw("groups/add", {"name": "VIP"})["id"]
    sw("contacts/add", {"group_id": group, "phone": "500600700"})
    contact = sw("contacts/add", {"phone": "600700800"})["id"]
    answer = sw("messages/send_sms", {"group_id": group, "contact_id": [contact], "text": "x"})
    assert answer["queued"] == 2
    assert sorted(m["recipient"] for m in control.messages()) == ["+48500600700", "+48600700800"]
    report = sw("messages/reports", {"show_contact": True})["items"][0]
    assert report["contact"]["phone"] == report["phone"]


def test_incoming_messages_filters_and_read(sw: Any, control: EmulatorClient) -> None:
    sent = sw("messages/send_sms", {"phone": "500600700", "text": "Question?", "details": 1})
    control.inject_reply("serwersms", "shop", "500600700", "Yes")
    control.inject_reply(
        "serwersms", "shop", "600700800", "ND text", type="nd", to_number="+48500000000"
    )
    eco = sw("messages/recived", {"type": "eco"})["items"]
    assert [(r["phone"], r["text"], r["message_id"]) for r in eco] == [
        ("+48500600700", "Yes", sent["items"][0]["id"])
    ]
    assert len(sw("messages/recived", {})["items"]) == 2
    assert len(sw("messages/recived", {"read": True})["items"]) == 2
    assert sw("messages/recived", {"read": True})["items"] == [], "read ones are not repeated"
    assert len(sw("messages/recived", {"phone": "600700800"})["items"]) == 1


def test_hlr_follows_the_magic_numbers(sw: Any, receiver: Any, control: EmulatorClient) -> None:
    single = sw("phones/check", {"phone": "500609991"})
    assert (single["status"], single["description"]) == ("ERR", "UNKNOWN_SUBSCRIBER")
    many = sw(
        "phones/check",
        {"phone": "500600700,500609996", "url": receiver.url + "/hlr?id=#ID#&stan=#STAN#"},
    )
    assert [i["status"] for i in many["items"]] == ["OK", "ERR"]
    assert many["items"][1]["description"] == "ABSENT_SUBSCRIBER_SM"
    [call] = receiver.wait_for(1)
    assert call.query == {"id": many["id"], "stan": "done"}
    assert sw("phones/check", {"id": many["id"]})["items"] == many["items"]
    looked = sw("phones/lookup", {"phone": "600700800"})
    assert looked["network"] == "T-Mobile" and "description" not in looked
