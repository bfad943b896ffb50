"""The official Python client (serwersmsv2api, ``import serwersms``) pointed at the emulator:
every method it offers, in JSON and in XML."""

from __future__ import annotations

import json
from typing import Any

import pytest
from lxml import etree
from serwersms import SerwerSMS
from sw_support import xml_data

from emulator.testing.client import EmulatorClient
from emulator.testing.server import EmulatorServer

TOKEN = "python-client-token"


@pytest.fixture(params=["json", "xml"])
def api(
    request: pytest.FixtureRequest, server: EmulatorServer, control: EmulatorClient
) -> SerwerSMS:
    client = SerwerSMS(TOKEN)
    client.api_url = server.url + "/"
    client.format = request.param
    return client


def read(api: SerwerSMS, text: str) -> Any:
    if api.format == "json":
        return json.loads(text)
    root = etree.fromstring(text.encode())
    data = xml_data(root)
    return {"error": data} if root.tag == "error" else data


def items(data: Any) -> list[Any]:
    found = data.get("items") or []
    return found if isinstance(found, list) else [found]


def yes(value: Any) -> bool:
    return value in (True, "1")


def number(value: Any) -> int:
    return int(value)


def test_send_sms_and_reports(api: SerwerSMS, control: EmulatorClient) -> None:
    sent = read(api, api.message.send_sms("500600700", "Hello", "", {"details": "true"}))
    assert yes(sent["success"]) and number(sent["queued"]) == 1
    [item] = items(sent)
    assert item["phone"] == "+48500600700"
    control.advance(1)
    report = read(api, api.message.reports({"id": item["id"]}))
    [row] = items(report)
    assert (row["id"], row["status"], row["type"]) == (item["id"], "delivered", "eco")
    viewed = read(api, api.message.view(item["id"], {}))
    assert viewed["status"] == "delivered"


def test_send_personalized(api: SerwerSMS, control: EmulatorClient) -> None:
    sent = read(
        api,
        api.message.send_personalized(
            [{"phone": "500600700", "text": "First"}, {"phone": "600700800", "text": "Second"}],
            "",
            {"details": "true"},
        ),
    )
    assert number(sent["queued"]) == 2
    # serwersmsv2api 0.0.2 joins with "]|[" and then cuts four characters off the end, so the
    # last text loses its last letter on its way to the gateway; the emulator shows it.
    assert {(m["recipient"], m["text"]) for m in control.messages()} == {
        ("+48500600700", "First"),
        ("+48600700800", "Secon"),
    }


def test_send_voice_and_mms(api: SerwerSMS, control: EmulatorClient) -> None:
    voice = read(api, api.message.send_voice("500600700", {"text": "Your code is 1234"}))
    assert yes(voice["success"])
    added = read(api, api.file.add("mms", {"url": "https://static.serwersms.pl/files/demo.jpg"}))
    mms = read(api, api.message.send_mms("500600700", "Picture", {"file_id": added["id"]}))
    assert yes(mms["success"])
    assert sorted(m["kind"] for m in control.messages()) == ["mms", "voice"]


def test_delete_scheduled_message(api: SerwerSMS, control: EmulatorClient) -> None:
    sent = read(
        api,
        api.message.send_sms(
            "500600700",
            "Later",
            "",
            {"date": "2099-01-01 10:00:00", "details": "true", "unique_id": "order123"},
        ),
    )
    [item] = items(sent)
    assert read(api, api.message.reports({"status": "saved"}))["items"]
    deleted = read(api, api.message.delete(item["id"], None))
    assert yes(deleted["success"]) and number(deleted["correct"]) == 1
    again = read(api, api.message.delete(item["id"], None))
    assert not yes(again["success"])


def test_recived_and_nd_injection(api: SerwerSMS) -> None:
    assert yes(read(api, api.message.send_nd("+48600700800", "Hi ND"))["success"])
    assert yes(read(api, api.message.send_ndi("+48600700800", "Hi NDI", "+48500000001"))["success"])
    nd = items(read(api, api.message.recived("nd", {})))
    assert [(r["type"], r["text"]) for r in nd] == [("nd", "Hi ND")]
    ndi = items(read(api, api.message.recived("ndi", {})))
    assert ndi[0]["to_number"] == "+48500000001"


def test_account(api: SerwerSMS) -> None:
    assert yes(
        read(
            api,
            api.account.add(
                {"phone": "500600700", "email": "a@b.pl", "first_name": "Jan", "last_name": "K"}
            ),
        )["success"]
    )
    limits = read(api, api.account.limits({"show_type": "true"}))
    assert items(limits)[0]["type"] == "eco"
    assert limits["account"]["type"] == "prepaid"
    assert read(api, api.account.help())["telephone"]
    assert items(read(api, api.account.messages()))


def test_blacklist(api: SerwerSMS) -> None:
    assert yes(read(api, api.blacklist.add("500600720"))["success"])
    assert yes(read(api, api.blacklist.check("500600720"))["exists"])
    listed = items(read(api, api.blacklist.index("", {})))
    assert listed[0]["phone"] == "+48500600720"
    assert yes(read(api, api.blacklist.delete("500600720"))["success"])
    assert not yes(read(api, api.blacklist.check("500600720"))["exists"])


def test_contacts_and_groups(api: SerwerSMS) -> None:
    group = read(api, api.group.add("Customers"))
    group_id = group["id"]
    contact = read(api, api.contact.add(group_id, "500600800", {"first_name": "Anna"}))
    found = items(read(api, api.contact.index(group_id, "", {})))
    assert [(c["phone"], c["first_name"]) for c in found] == [("+48500600800", "Anna")]
    assert read(api, api.contact.view(contact["id"]))["first_name"] == "Anna"
    assert yes(
        read(api, api.contact.edit(contact["id"], group_id, "500600801", {"city": "Gdańsk"}))[
            "success"
        ]
    )
    assert read(api, api.contact.view(contact["id"]))["city"] == "Gdańsk"
    assert read(api, api.group.view(group_id))["name"] == "Customers"
    assert number(read(api, api.group.view(group_id))["count"]) == 1
    assert items(read(api, api.group.index("Cust", {})))[0]["id"] == group_id
    assert yes(read(api, api.group.edit(group_id, "Clients"))["success"])
    checked = items(read(api, api.group.check("500600801")))
    assert checked[0]["group_name"] == "Clients"
    imported = read(
        api,
        api.contact.imports(
            "New group",
            [
                {
                    "phone": "500600700",
                    "email": "x@y.pl",
                    "first_name": "A",
                    "last_name": "B",
                    "company": "C",
                },
                {
                    "phone": "600700800",
                    "email": "",
                    "first_name": "D",
                    "last_name": "E",
                    "company": "",
                },
            ],
        ),
    )
    assert number(imported["correct"]) == 2
    assert len(items(read(api, api.contact.index(imported["id"], "", {})))) == 2
    assert yes(read(api, api.contact.delete(contact["id"]))["success"])
    assert yes(read(api, api.group.delete(group_id))["success"])


def test_phones(api: SerwerSMS) -> None:
    checked = read(api, api.phone.check("500600700", None))
    assert (checked["phone"], checked["status"]) == ("+48500600700", "OK")
    assert yes(read(api, api.phone.test("500600700"))["correct"])
    assert not yes(read(api, api.phone.test("12"))["correct"])


def test_senders(api: SerwerSMS) -> None:
    assert yes(read(api, api.sender.add("NewSender"))["success"])
    assert read(api, api.sender.add("NewSender"))["error"]["code"] in (4400, "4400")
    names = [s["name"] for s in items(read(api, api.sender.index({"predefined": "true"})))]
    assert "INFORMACJA" in names
    mine = items(read(api, api.sender.index({})))
    assert (mine[0]["name"], mine[0]["status"]) == ("NewSender", "pending_authorization")


def test_files(api: SerwerSMS) -> None:
    voice = read(api, api.file.add("voice", {"url": "https://panel.serwersms.pl/demo/demo.wav"}))
    assert yes(voice["success"])
    assert items(read(api, api.file.index("voice")))[0]["name"] == "demo.wav"
    assert read(api, api.file.view(voice["id"], "voice"))["type"] == "voice"
    assert yes(read(api, api.file.delete(voice["id"], "voice"))["success"])
    assert not items(read(api, api.file.index("voice")))


def test_templates(api: SerwerSMS) -> None:
    added = read(api, api.template.add("Reminder", "See you tomorrow"))
    assert yes(read(api, api.template.edit(added["id"], "Reminder", "See you soon"))["success"])
    assert items(read(api, api.template.index({})))[0]["text"] == "See you soon"
    assert yes(read(api, api.template.delete(added["id"]))["success"])


def test_subaccounts(api: SerwerSMS) -> None:
    added = read(api, api.subaccount.add("clientsub", "secret123", None, {"name": "Sub"}))
    assert yes(added["success"])
    assert items(read(api, api.subaccount.index()))[0]["username"] == "clientsub"
    assert read(api, api.subaccount.view(added["id"]))["name"] == "Sub"
    assert yes(read(api, api.subaccount.limit(added["id"], "eco", 200))["success"])
    assert not yes(read(api, api.subaccount.limit(123, "eco", 200))["success"])
    assert yes(read(api, api.subaccount.delete(added["id"]))["success"])
    assert read(api, api.subaccount.view(added["id"]))["error"]["code"] in (1004, "1004")


def test_payments(api: SerwerSMS) -> None:
    payments = items(read(api, api.payment.index()))
    assert len(payments) == 3
    assert read(api, api.payment.view(payments[0]["id"]))["number"] == payments[0]["number"]
    pdf = api.payment.invoice(payments[0]["id"])
    assert pdf.startswith(b"%PDF-1.4") and pdf.rstrip().endswith(b"%%EOF")


def test_stats(api: SerwerSMS, control: EmulatorClient) -> None:
    read(api, api.message.send_sms(["500600700", "500609991"], "Stats", "", {}))
    control.advance(1)
    [row] = items(read(api, api.stat.index({})))
    assert (number(row["delivered"]), number(row["undelivered"])) == (1, 1)


def test_premium_and_quiz(api: SerwerSMS) -> None:
    assert "items" in read(api, api.premium.index()) or read(api, api.premium.index()) == {}
    refused = read(api, api.premium.send("500600700", "Wiadomosc", 71200, 123456))
    assert int(refused["error"]["code"]) == 4201
    assert int(read(api, api.premium.quiz(123))["error"]["code"]) == 1004


def test_error_view(api: SerwerSMS) -> None:
    answer = read(api, api.error.view(1001))
    assert int(answer["error"]["code"]) == 1001
    assert answer["error"]["type"] == "InvalidUser"
