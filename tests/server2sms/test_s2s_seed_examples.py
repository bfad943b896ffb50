"""The documentation's examples, sent the way its jQuery examples send them.

jQuery 1.8.3's ``$.ajax({type: 'POST', dataType: 'json', data: JSON.stringify(...)})`` posts the
JSON text with its default form content type and a JSON Accept header, from a web page on
another origin (so the answer needs CORS headers).
"""

from __future__ import annotations

import json
from typing import Any

import requests

from emulator.testing.client import EmulatorClient
from emulator.testing.server import EmulatorServer
from emulator.validation import SchemaRegistry

JQUERY_HEADERS = {
    "Content-Type": "application/x-www-form-urlencoded; charset=UTF-8",
    "Accept": "application/json, text/javascript, */*; q=0.01",
    "Origin": "http://localhost:8000",
}


def jquery_post(server: EmulatorServer, method: str, data: dict[str, Any]) -> requests.Response:
    return requests.post(f"{server.url}/{method}", data=json.dumps(data), headers=JQUERY_HEADERS)


def test_check_credits_example(
    server: EmulatorServer, control: EmulatorClient, schemas: SchemaRegistry
) -> None:
    answer = jquery_post(server, "CheckCredits", {"UserName": "userkey", "Password": "secret"})
    assert answer.status_code == 200
    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    assert answer.headers["Content-Type"].startswith("application/json")
    data = answer.json()
    schemas.check("server2sms", "CheckCredits", "response", data)
    assert list(data) == ["Credits", "StatusCode", "StatusInfo"]
    assert data == {"Credits": "1000", "StatusCode": "1", "StatusInfo": "OK"}


def test_send_text_sms_example(
    server: EmulatorServer, control: EmulatorClient, schemas: SchemaRegistry
) -> None:
    example = {
        "UserName": "username",
        "Password": "password",
        "Originator": "+4176000000",
        "Recipients": ["+4170000000:76532", "+4170000001:HT763t"],
        "MessageText": "hello from jsonsms",
    }
    answer = jquery_post(server, "SendTextSMS", example)
    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    data = answer.json()
    schemas.check("server2sms", "SendTextSMS", "response", data)
    assert data == {"StatusCode": "1", "StatusInfo": "OK"}
    sent = control.messages()
    assert [(m["recipient"], m["ref"], m["sender"], m["text"]) for m in sent] == [
        ("+4170000000", "76532", "+4176000000", "hello from jsonsms"),
        ("+4170000001", "HT763t", "+4176000000", "hello from jsonsms"),
    ]


def test_send_simple_text_sms_example_page_posts_to_send_text_sms(
    server: EmulatorServer, schemas: SchemaRegistry
) -> None:
    # The documentation's SendSimpleTextSMS example page is a copy of SendTextSMS's; the
    # simple method takes the same request body.
    example = {
        "UserName": "username",
        "Password": "password",
        "Originator": "+4176000000",
        "Recipients": ["+4170000000:76532", "+4170000001:HT763t"],
        "MessageText": "hello from jsonsms",
    }
    data = jquery_post(server, "SendSimpleTextSMS", example).json()
    schemas.check("server2sms", "SendSimpleTextSMS", "response", data)
    assert data == {"StatusCode": "1", "StatusInfo": "OK"}


def test_cors_preflight_is_answered(server: EmulatorServer) -> None:
    answer = requests.options(
        server.url + "/SendTextSMS",
        headers={
            "Origin": "http://localhost:8000",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert answer.status_code == 204
    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in answer.headers["Access-Control-Allow-Methods"]


def test_documented_request_templates_are_accepted(
    server: EmulatorServer, schemas: SchemaRegistry
) -> None:
    """Each method's documented request object, with its empty strings, gets a valid answer."""
    templates = {
        "CheckCredits": {"UserName": "", "Password": ""},
        "SendTextSMS": {
            "UserName": "",
            "Password": "",
            "Originator": "",
            "Recipients": [""],
            "MessageText": "",
            "DeferredDeliveryTime": "",
            "FlashingSMS": "",
            "URLBufferedMessageNotification": "",
            "URLDeliveryNotification": "",
            "URLNonDeliveryNotification": "",
            "AffiliateID": "",
            "ForceGSM7bit": True,
        },
        "SendSimpleTextSMS": {
            "UserName": "",
            "Password": "",
            "Originator": "",
            "Recipients": "",
            "MessageText": "",
            "ForceGSM7bit": True,
        },
        "InquireDeliveryNotifications": {
            "UserName": "",
            "Password": "",
            "TransactionReferenceNumbers": "",
        },
        "SendOriginatorUnlockCode": {"UserName": "", "Password": "", "Originator": ""},
        "UnlockOriginator": {
            "UserName": "",
            "Password": "",
            "Originator": "",
            "UnlockCode": "",
            "AffiliateID": "",
        },
        "CheckOriginatorAuthorization": {"UserName": "", "Password": "", "Originator": ""},
        "SendTokenSMS": {
            "UserName": "",
            "Password": "",
            "Originator": "",
            "Recipients": "",
            "MessageData": "",
            "TokenReference": "",
            "TokenValidity": "",
            "TokenMask": "",
            "VerificationCode": "",
            "TokenCaseSensitive": "",
            "URLBufferedMessageNotification": "",
            "URLDeliveryNotification": "",
            "URLNonDeliveryNotification": "",
            "AffiliateID": "",
        },
        "VerifyToken": {
            "UserName": "",
            "Password": "",
            "PhoneNumber": "",
            "TokenReference": "",
            "VerificationCode": "",
        },
        "CreateVoucher": {
            "UserName": "",
            "Password": "",
            "NumberOfVouchers": "",
            "AmountCreditsPerVoucher": "",
            "Remarks": "",
        },
        "GetVoucherTransactions": {"UserName": "", "Password": ""},
        "RedeemVoucher": {"UserName": "", "Password": "", "RedeemCode": ""},
        "VersionInfo": {},
        "ListAllStatusCodes": {},
    }
    assert len(templates) == 14
    for method, template in templates.items():
        data = jquery_post(server, method, template).json()
        schemas.check("server2sms", method, "response", data)
        expected = "1" if method in ("VersionInfo", "ListAllStatusCodes") else "3"
        assert data["StatusCode"] == expected, (method, data)
        filled = {**template, "UserName": "ACME", "Password": "pw"} if template else template
        data = jquery_post(server, method, filled).json()
        schemas.check("server2sms", method, "response", data)
        assert data["StatusCode"] != "3", (method, data)
