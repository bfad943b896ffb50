"""The documented demo account and the seed's examples, field for field, in JSON and XML."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from lxml import etree

from emulator.testing.client import EmulatorClient
from emulator.testing.server import EmulatorServer

TEXT = "This is a test message from SerwerSMS.pl"
SENT_1 = {
    "success": True,
    "queued": 1,
    "unsent": 0,
    "items": [
        {
            "id": "c2451e1302",
            "phone": "+48500600700",
            "status": "queued",
            "queued": "2014-10-16 16:49:05",
            "parts": 1,
            "text": TEXT,
        }
    ],
}
SENT_2_XML = """<result>
<success>1</success>
<queued>1</queued>
<unsent>0</unsent>
<items>
<item>
<id>c2451e1302</id>
<phone>+48783820099</phone>
<status>queued</status>
<queued>2014-10-17 16:00:15</queued>
<parts>1</parts>
<text>This is a test message from SerwerSMS.pl</text>
</item>
</items>
</result>"""
REPLY = {
    "items": [
        {
            "id": 2469266,
            "type": "eco",
            "phone": "+48783820099",
            "recived": "2014-10-16 16:52:03",
            "message_id": "c2451e1302",
            "blacklist": False,
            "text": "Thank you for this information. Regards",
        }
    ]
}


def canonical(xml: bytes | str) -> bytes:
    parser = etree.XMLParser(remove_blank_text=True)
    root = etree.fromstring(xml.encode() if isinstance(xml, str) else xml, parser)
    return etree.tostring(root, method="c14n")


def test_sent_sms_1_json(sw: Any) -> None:
    answer = sw(
        "messages/send_sms",
        {"phone": "500 600 700", "text": TEXT, "details": True},
        auth=("demo", "demo"),
    )
    assert answer == SENT_1


def test_sent_sms_2_xml(server: EmulatorServer, control: EmulatorClient) -> None:
    answer = requests.post(
        server.url + "/messages/send_sms.xml",
        data={
            "username": "demo",
            "password": "demo",
            "phone": "48783820099",
            "text": TEXT,
            "details": "1",
        },
    )
    assert answer.status_code == 200
    assert canonical(answer.content) == canonical(SENT_2_XML)
    assert answer.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')


def test_eco_reply_json(sw: Any) -> None:
    assert sw("messages/recived", {}, auth="bearer:demo") == REPLY
    assert sw("messages/recived", {"type": "eco"}, auth=("demo", "demo"), fmt="") == REPLY


def test_eco_reply_xml(sw: Any) -> None:
    answer = sw("messages/recived", {}, auth="bearer:demo", fmt="xml")
    assert answer == {
        "items": [
            {
                "id": "2469266",
                "type": "eco",
                "phone": "+48783820099",
                "recived": "2014-10-16 16:52:03",
                "message_id": "c2451e1302",
                "blacklist": "0",
                "text": "Thank you for this information. Regards",
            }
        ]
    }


def test_received_spelling(sw: Any) -> None:
    [item] = sw("messages/received", {}, auth="bearer:demo")["items"]
    assert item["received"] == "2014-10-16 16:52:03" and "recived" not in item


def test_demo_reports_are_the_two_documented_messages(sw: Any) -> None:
    items = sw("messages/reports", {}, auth=("demo", "demo"))["items"]
    assert [(i["id"], i["phone"], i["queued"], i["text"]) for i in items] == [
        ("c2451e1302", "+48500600700", "2014-10-16 16:49:05", TEXT),
        ("c2451e1302", "+48783820099", "2014-10-17 16:00:15", TEXT),
    ]
    assert sw("messages/view", {"id": items[0]["id"]}, auth="bearer:demo")["id"] == "c2451e1302"


def test_demo_sends_store_nothing(sw: Any, control: EmulatorClient) -> None:
    for path, params in [
        ("messages/send_sms", {"phone": "500600700", "text": "Other", "details": True}),
        (
            "messages/send_personalized",
            {"messages": [{"phone": "500600700", "text": "P"}], "details": True},
        ),
        ("messages/send_voice", {"phone": "500600700", "text": "V", "details": True}),
        (
            "messages/send_mms",
            {"phone": "500600700", "title": "M", "file_id": "b67d70c22d", "details": True},
        ),
    ]:
        answer = sw(path, params, auth=("demo", "demo"))
        assert answer["success"] is True and answer["items"], path
    assert control.messages() == []
    assert len(sw("messages/reports", {}, auth="bearer:demo")["items"]) == 2
    limits = sw("account/limits", {}, auth="bearer:demo")["items"]
    assert limits[0] == {"type": "eco", "chars_limit": "918/6", "value": "no_limit"}


@pytest.mark.parametrize(
    ("path", "params", "check"),
    [
        ("messages/delete", {"id": "c2451e1302"}, lambda a: a["success"] is False),
        ("messages/recived", {"type": "nd"}, lambda a: a == {"items": []}),
        ("messages/send_nd", {"phone": "500600700", "text": "x"}, lambda a: a["success"] is False),
        (
            "messages/send_ndi",
            {"phone": "500600700", "text": "x", "ndi_number": "500600701"},
            lambda a: a["success"] is False,
        ),
        (
            "account/add",
            {"phone": "5", "email": "e", "first_name": "f", "last_name": "l"},
            lambda a: a["error"]["code"] == 4312,
        ),
        ("account/help", {}, lambda a: a["telephone"]),
        ("account/messages", {}, lambda a: a["items"]),
        ("contacts/index", {}, lambda a: len(a["items"]) == 2),
        ("groups/index", {}, lambda a: a["items"][0]["name"] == "Test API"),
        ("groups/check", {"phone": "600700800"}, lambda a: a["items"]),
        ("files/index", {"type": "mms"}, lambda a: a["items"][0]["id"] == "b67d70c22d"),
        ("files/index", {"type": "voice"}, lambda a: a["items"]),
        ("payments/index", {}, lambda a: a["items"]),
        ("phones/check", {"phone": "500600700"}, lambda a: a["phone"] == "+48500600700"),
        ("phones/test", {"phone": "500600700"}, lambda a: a["correct"] is True),
        ("premium/index", {}, lambda a: a["items"][0]["id"] == 120270659),
        (
            "premium/send",
            {"phone": "500600700", "text": "Wiadomosc", "gate": 71200, "id": 123456},
            lambda a: a["error"]["code"] == 4201,
        ),
        ("quiz/view", {"id": 123}, lambda a: a["error"]["code"] == 1004),
        ("senders/index", {"personalized": True}, lambda a: "items" in a),
        ("stats/index", {}, lambda a: "items" in a),
        (
            "subaccounts/add",
            {
                "subaccount_username": "x123",
                "subaccount_password": "pass1234",
                "subaccount_id": 21973,
            },
            lambda a: a["error"]["code"] == 4500,
        ),
        ("subaccounts/index", {}, lambda a: a["items"]),
        ("subaccounts/view", {"id": 123}, lambda a: a["error"]["code"] == 1004),
        ("subaccounts/view", {"id": 21973}, lambda a: a["username"] == "demo_sub"),
        (
            "subaccounts/limit",
            {"id": 123, "type": "eco", "value": 200},
            lambda a: a["success"] is False,
        ),
        ("subaccounts/delete", {"id": 123}, lambda a: a["success"] is False),
        ("templates/index", {}, lambda a: a["items"][0]["name"] == "Tytuł szablonu 1"),
        ("error/1000", {}, lambda a: a["error"]["code"] == 1000),
    ],
)
def test_the_demo_table(sw: Any, path: str, params: dict[str, Any], check: Any) -> None:
    answer = sw(path, params, auth=("demo", "demo"))
    assert check(answer), answer


def test_demo_blacklist_add_check_delete(sw: Any) -> None:
    assert sw("blacklist/add", {"phone": "500600720"}, auth="bearer:demo")["success"] is True
    assert sw("blacklist/check", {"phone": "500600720"}, auth="bearer:demo")["exists"] is True
    assert sw("blacklist/delete", {"phone": "500600720"}, auth="bearer:demo")["success"] is True


def test_demo_contacts_and_templates_round_trip(sw: Any) -> None:
    group = sw("groups/index", {}, auth="bearer:demo")["items"][0]["id"]
    added = sw("contacts/add", {"group_id": group, "phone": "500600800"}, auth="bearer:demo")
    assert added["success"] is True
    edited = sw(
        "contacts/edit",
        {"id": added["id"], "group_id": group, "phone": "500600801"},
        auth="bearer:demo",
    )
    assert edited == {"success": True, "id": added["id"]}
    assert sw("contacts/delete", {"id": added["id"]}, auth="bearer:demo") == {"success": True}
    template = sw("templates/add", {"name": "n", "text": "t"}, auth="bearer:demo")
    assert sw("templates/delete", {"id": template["id"]}, auth="bearer:demo")["success"]


def test_documented_curl_examples(server: EmulatorServer) -> None:
    # curl -X POST -d 'username=webapi_demo&password=demo' .../messages/send_sms.json
    answer = requests.post(
        server.url + "/messages/send_sms.json",
        data="username=webapi_demo&password=demo",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert answer.json()["error"]["code"] == 2000, "authorized, but no phone or text"
    answer = requests.post(
        server.url + "/messages/send_sms.json",
        headers={"Authorization": "Bearer 2c13788a69f5f34564998566f3cd2560"},
    )
    assert answer.json()["error"]["code"] == 2000
    assert requests.get(server.url + "/error/1000").json() == {
        "error": {
            "code": 1000,
            "type": "InvalidAction",
            "message": "Not specified action to execute",
        }
    }
