"""Every server2sms method over real HTTP: success and each error it can return."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from emulator.providers.server2sms.errors import STATUS_CODES
from emulator.testing.client import EmulatorClient
from emulator.testing.server import EmulatorServer

Call = Callable[..., dict[str, Any]]
ME = {"UserName": "ACME", "Password": "pw"}


def ok(answer: dict[str, Any]) -> None:
    assert (answer["StatusCode"], answer["StatusInfo"]) == ("1", "OK"), answer


def code(answer: dict[str, Any], expected: str) -> None:
    assert answer["StatusCode"] == expected, answer
    assert answer["StatusInfo"] == STATUS_CODES[expected]


def credits(s2s: Call, who: dict[str, str] = ME) -> str:
    return s2s("CheckCredits", who)["Credits"]


# -- CheckCredits and accounts --------------------------------------------------------------


def test_check_credits_of_a_new_account_shows_the_default_balance(s2s: Call) -> None:
    answer = s2s("CheckCredits", {"UserName": "userkey", "Password": "secret"})
    assert answer == {"Credits": "1000", "StatusCode": "1", "StatusInfo": "OK"}
    assert list(answer) == ["Credits", "StatusCode", "StatusInfo"]


def test_a_fixture_account_enforces_its_password(s2s: Call) -> None:
    assert credits(s2s, {"UserName": "EMULATOR0001", "Password": "secret"}) == "100"
    answer = s2s("CheckCredits", {"UserName": "EMULATOR0001", "Password": "wrong"})
    assert answer == {"StatusCode": "3", "StatusInfo": "Authorization failed."}


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"UserName": "ACME"},
        {"Password": "pw"},
        {"UserName": "", "Password": "pw"},
        {"UserName": {"a": 1}, "Password": "pw"},
    ],
)
def test_missing_or_malformed_credentials_fail_authorization(s2s: Call, body: dict) -> None:
    code(s2s("CheckCredits", body), "3")


def test_userkey_is_accepted_for_username(s2s: Call) -> None:
    assert s2s("CheckCredits", {"UserKey": "ACME", "Password": "pw"})["Credits"] == "1000"


def test_an_account_defined_through_the_control_api(s2s: Call, control: EmulatorClient) -> None:
    control.account("server2sms", "TEAM", password="s3cret", credits=12.5)
    assert credits(s2s, {"UserName": "TEAM", "Password": "s3cret"}) == "12.5"
    code(s2s("CheckCredits", {"UserName": "TEAM", "Password": "nope"}), "3")


def test_strict_accounts_refuse_unknown_users(make_sms_emulator: Any) -> None:
    import requests

    emulator = make_sms_emulator(strict_accounts=True)
    unknown = requests.post(emulator.url + "/CheckCredits", json=ME).json()
    assert unknown["StatusCode"] == "3"
    known = requests.post(
        emulator.url + "/CheckCredits", json={"UserName": "EMULATOR0001", "Password": "secret"}
    ).json()
    assert known["Credits"] == "100"


# -- SendTextSMS ----------------------------------------------------------------------------


def send(s2s: Call, **fields: Any) -> dict[str, Any]:
    return s2s("SendTextSMS", {**ME, "Recipients": ["+41790000000"], "MessageText": "hi", **fields})


def test_send_text_sms_stores_one_message_per_recipient(s2s: Call, control: EmulatorClient) -> None:
    ok(
        send(
            s2s,
            Originator="MyShop",
            Recipients=["+41790000000:76532", "0041790000001"],
            FlashingSMS="True",
            AffiliateID="259956",
            ForceGSM7bit=False,
        )
    )
    first, second = control.messages(provider="server2sms")
    assert (first["recipient"], first["ref"], first["sender"]) == (
        "+41790000000",
        "76532",
        "MyShop",
    )
    assert second["recipient"] == "+41790000001"
    assert re.fullmatch(r"\d+", second["ref"]), "a TRN is assigned when none is given"
    detail = control.message(first["id"])
    assert detail["options"]["flash"] is True
    assert detail["options"]["affiliate_id"] == "259956"
    assert detail["request"]["body"]["Password"] == "***"


def test_credits_are_charged_per_part_per_recipient(s2s: Call) -> None:
    ok(
        send(
            s2s, Recipients=["+41790000000", "+41790000001", "+41790000002"], MessageText="x" * 161
        )
    )  # 2 parts × 3 recipients
    assert credits(s2s) == "994"
    ok(send(s2s, MessageText="ż" * 71))  # UCS-2: 2 parts
    assert credits(s2s) == "992"


def test_not_enough_credits_sends_nothing(s2s: Call, control: EmulatorClient) -> None:
    control.account("server2sms", "ACME", credits=5)
    code(send(s2s, Recipients=[f"+4179000000{i}" for i in range(6)]), "5")
    assert control.messages() == []
    assert credits(s2s) == "5"
    ok(send(s2s, Recipients=[f"+4179000000{i}" for i in range(5)]))
    assert credits(s2s) == "0"
    code(send(s2s), "5")


@pytest.mark.parametrize(
    ("text", "parts", "encoding"),
    [
        ("a" * 160, 1, "gsm7"),
        ("a" * 161, 2, "gsm7"),
        ("€" * 80, 1, "gsm7"),
        ("€" * 81, 2, "gsm7"),
        ("ż" * 70, 1, "ucs2"),
        ("ż" * 71, 2, "ucs2"),
        ("😀" * 35, 1, "ucs2"),
        ("😀" * 36, 2, "ucs2"),
        ("a" * 459, 3, "gsm7"),
    ],
)
def test_parts_are_counted_as_the_network_counts_them(
    s2s: Call, control: EmulatorClient, text: str, parts: int, encoding: str
) -> None:
    ok(send(s2s, MessageText=text))
    [message] = control.messages()
    assert (message["parts"], message["encoding"]) == (parts, encoding)
    assert credits(s2s) == str(1000 - parts)


def test_force_gsm7bit_keeps_a_text_in_gsm(s2s: Call, control: EmulatorClient) -> None:
    ok(send(s2s, MessageText="Grüezi 😀 ż", ForceGSM7bit=True))
    [message] = control.messages()
    assert (message["text"], message["encoding"]) == ("Grüezi ? ?", "gsm7")


@pytest.mark.parametrize("recipients", [[], [""], "", None, {"a": 1}])
def test_no_recipient_is_code_20(s2s: Call, recipients: Any) -> None:
    code(send(s2s, Recipients=recipients), "20")


def test_missing_recipients_field_is_code_20(s2s: Call) -> None:
    code(s2s("SendTextSMS", {**ME, "MessageText": "hi"}), "20")


def test_missing_or_malformed_text_is_code_11(s2s: Call) -> None:
    code(s2s("SendTextSMS", {**ME, "Recipients": ["+41790000000"]}), "11")
    code(send(s2s, MessageText=["not", "text"]), "11")


def test_alphanumeric_originator_longer_than_11_is_code_10(s2s: Call) -> None:
    ok(send(s2s, Originator="ElevenChars"))
    code(send(s2s, Originator="TwelveChars!"), "10")
    code(send(s2s, Originator="+12345678901234567890"), "10")


def test_numeric_originator_must_be_unlocked_first(s2s: Call) -> None:
    code(send(s2s, Originator="+41791234567"), "30")


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("URLBufferedMessageNotification", "17"),
        ("URLDeliveryNotification", "18"),
        ("URLNonDeliveryNotification", "19"),
    ],
)
def test_invalid_notification_urls(s2s: Call, field: str, expected: str) -> None:
    code(send(s2s, **{field: "https://cb.example/" + "x" * 190}), expected)
    code(send(s2s, **{field: "ftp://cb.example/x"}), expected)
    code(send(s2s, **{field: 42}), expected)
    ok(send(s2s, **{field: "https://cb.example/" + "x" * 181}))  # exactly 200 characters


@pytest.mark.parametrize(
    "value", ["tomorrow", "2025-13-01T00:00:00Z", "3112202599", "32122025183000"]
)
def test_invalid_deferred_delivery_time_is_code_22(s2s: Call, value: str) -> None:
    code(send(s2s, DeferredDeliveryTime=value), "22")


def test_validation_order_is_auth_recipients_originator_urls_time_credits(
    s2s: Call, control: EmulatorClient
) -> None:
    bad = {
        "Recipients": [],
        "Originator": "x" * 12,
        "URLDeliveryNotification": "ftp://x",
        "DeferredDeliveryTime": "never",
    }
    code(
        s2s(
            "SendTextSMS", {"UserName": "EMULATOR0001", "Password": "no", **bad, "MessageText": "x"}
        ),
        "3",
    )
    code(send(s2s, **bad), "20")
    code(send(s2s, **{**bad, "Recipients": ["+41790000000"]}), "10")
    code(send(s2s, **{**bad, "Recipients": ["+41790000000"], "Originator": "ok"}), "18")
    code(send(s2s, Recipients=["+41790000000"], DeferredDeliveryTime="never"), "22")
    control.account("server2sms", "ACME", credits=0)
    code(send(s2s), "5")


# -- SendSimpleTextSMS ----------------------------------------------------------------------


def test_send_simple_text_sms_takes_a_string_or_a_list(s2s: Call, control: EmulatorClient) -> None:
    ok(
        s2s(
            "SendSimpleTextSMS",
            {
                **ME,
                "Originator": "Shop",
                "Recipients": "+41790000000;+41790000001:ID7",
                "MessageText": "hi",
                "ForceGSM7bit": True,
            },
        )
    )
    ok(s2s("SendSimpleTextSMS", {**ME, "Recipients": ["+41790000002"], "MessageText": "yo"}))
    assert [(m["recipient"], m["text"]) for m in control.messages()] == [
        ("+41790000000", "hi"),
        ("+41790000001", "hi"),
        ("+41790000002", "yo"),
    ]
    assert control.messages()[1]["ref"] == "ID7"
    code(s2s("SendSimpleTextSMS", {**ME, "Recipients": "", "MessageText": "x"}), "20")
    code(
        s2s(
            "SendSimpleTextSMS",
            {**ME, "Recipients": ["+41790000000"], "MessageText": "x", "Originator": "x" * 12},
        ),
        "10",
    )
    control.account("server2sms", "ACME", credits=0)
    code(s2s("SendSimpleTextSMS", {**ME, "Recipients": ["+41790000000"], "MessageText": "x"}), "5")


# -- originators ----------------------------------------------------------------------------


def test_originator_unlock_flow(s2s: Call, control: EmulatorClient) -> None:
    number = {**ME, "Originator": "+41791234567"}
    code(s2s("CheckOriginatorAuthorization", number), "30")
    ok(s2s("SendOriginatorUnlockCode", number))
    [sms] = control.messages(recipient="+41791234567", kind="unlock")
    unlock_code = re.search(r"\d{8}", sms["text"]).group()
    assert credits(s2s) == "1000", "the unlock SMS is free"
    code(s2s("CheckOriginatorAuthorization", number), "30")
    code(s2s("UnlockOriginator", {**number, "UnlockCode": "00000000"}), "30")
    ok(s2s("UnlockOriginator", {**number, "UnlockCode": unlock_code, "AffiliateID": ""}))
    code(s2s("CheckOriginatorAuthorization", number), "31")
    code(s2s("SendOriginatorUnlockCode", number), "31")
    code(s2s("UnlockOriginator", {**number, "UnlockCode": unlock_code}), "31")
    ok(send(s2s, Originator="+41791234567"))
    ok(send(s2s, Originator="0041791234567"))


def test_unlock_code_also_accepted_as_originator_unlock_code(
    s2s: Call, control: EmulatorClient
) -> None:
    ok(s2s("SendOriginatorUnlockCode", {**ME, "Originator": "+41791234567"}))
    unlock_code = re.search(r"\d{8}", control.messages(kind="unlock")[0]["text"]).group()
    ok(
        s2s(
            "UnlockOriginator",
            {**ME, "Originator": "+41791234567", "OriginatorUnlockCode": unlock_code},
        )
    )


def test_unlocking_is_per_account(s2s: Call, control: EmulatorClient) -> None:
    control.account("server2sms", "ACME", originators=["+41791234567"])
    code(s2s("CheckOriginatorAuthorization", {**ME, "Originator": "+41791234567"}), "31")
    code(
        s2s(
            "CheckOriginatorAuthorization",
            {"UserName": "OTHER", "Password": "x", "Originator": "+41791234567"},
        ),
        "30",
    )


def test_originator_checks_for_text_and_invalid_values(s2s: Call) -> None:
    code(s2s("CheckOriginatorAuthorization", {**ME, "Originator": "MyShop"}), "28")
    code(s2s("CheckOriginatorAuthorization", {**ME, "Originator": "TwelveChars!"}), "10")
    code(s2s("CheckOriginatorAuthorization", {**ME}), "10")
    code(s2s("SendOriginatorUnlockCode", {**ME, "Originator": "MyShop"}), "10")
    code(s2s("UnlockOriginator", {**ME, "Originator": "", "UnlockCode": "1"}), "10")


def test_fixture_account_has_the_documented_originator_unlocked(s2s: Call) -> None:
    code(
        s2s(
            "CheckOriginatorAuthorization",
            {"UserName": "username", "Password": "password", "Originator": "+4176000000"},
        ),
        "31",
    )


# -- tokens ---------------------------------------------------------------------------------


def token_sms(s2s: Call, **fields: Any) -> dict[str, Any]:
    return s2s("SendTokenSMS", {**ME, "Recipients": "+41790000000", **fields})


def verify(
    s2s: Call, code_: str, reference: str = "", phone: str = "+41790000000"
) -> dict[str, Any]:
    return s2s(
        "VerifyToken",
        {**ME, "PhoneNumber": phone, "TokenReference": reference, "VerificationCode": code_},
    )


def test_token_from_a_mask_in_message_data(s2s: Call, control: EmulatorClient) -> None:
    ok(
        token_sms(
            s2s,
            TokenMask="###-AAA",
            MessageData="Your code: <VERIFICATIONCODE>.",
            TokenReference="login",
            TokenValidity="5",
            Originator="Shop",
        )
    )
    [sms] = control.messages(kind="token")
    match = re.fullmatch(r"Your code: (\d{3}-[A-Z]{3})\.", sms["text"])
    assert match, sms["text"]
    assert sms["sender"] == "Shop"
    token = match.group(1)
    code(verify(s2s, "000-XXX", "login"), "37")
    code(verify(s2s, token, "other"), "38")
    ok(verify(s2s, token.lower(), "login"))  # case-insensitive by default
    ok(verify(s2s, token, "login"))  # verified tokens keep verifying
    assert credits(s2s) == "999"


def test_default_mask_and_code_only_text(s2s: Call, control: EmulatorClient) -> None:
    ok(token_sms(s2s))
    [sms] = control.messages(kind="token")
    assert re.fullmatch(r"[A-Z0-9]{4}", sms["text"])
    assert sms["sender"] == "+41790000000", "without Originator the recipient is the sender"
    ok(verify(s2s, sms["text"]))


def test_explicit_code_case_sensitive(s2s: Call, control: EmulatorClient) -> None:
    ok(
        token_sms(
            s2s, VerificationCode="qL1x!", TokenCaseSensitive="1", MessageData="no placeholder here"
        )
    )
    assert control.messages(kind="token")[0]["text"] == "qL1x!"
    code(verify(s2s, "QL1X!"), "37")
    ok(verify(s2s, "qL1x!"))


def test_token_expires_on_the_emulator_clock(s2s: Call, control: EmulatorClient) -> None:
    ok(token_sms(s2s, VerificationCode="1234", TokenValidity=2))
    control.advance(121)
    code(verify(s2s, "1234"), "38")


def test_a_new_token_replaces_the_old_one(s2s: Call) -> None:
    ok(token_sms(s2s, VerificationCode="1111"))
    ok(token_sms(s2s, VerificationCode="2222"))
    code(verify(s2s, "1111"), "37")
    ok(verify(s2s, "2222"))


def test_token_errors(s2s: Call, control: EmulatorClient) -> None:
    code(verify(s2s, "1234", phone="+41799999999"), "38")
    code(token_sms(s2s, Recipients=""), "20")
    code(token_sms(s2s, TokenValidity="five"), "11")
    code(token_sms(s2s, TokenValidity="0"), "11")
    code(token_sms(s2s, Originator="TwelveChars!"), "10")
    code(token_sms(s2s, URLDeliveryNotification="nope"), "18")
    control.account("server2sms", "ACME", credits=0)
    code(token_sms(s2s), "5")
    code(s2s("VerifyToken", {**ME, "PhoneNumber": "+41790000000"}), "37")


# -- vouchers -------------------------------------------------------------------------------


def test_vouchers_move_credits_between_accounts(s2s: Call) -> None:
    answer = s2s(
        "CreateVoucher",
        {**ME, "NumberOfVouchers": "2", "AmountCreditsPerVoucher": "10", "Remarks": "gift"},
    )
    ok(answer)
    first, second = answer["VoucherCodes"]
    assert credits(s2s) == "980"
    friend = {"UserName": "FRIEND", "Password": "x"}
    ok(s2s("RedeemVoucher", {**friend, "RedeemCode": first}))
    assert credits(s2s, friend) == "1010"
    code(s2s("RedeemVoucher", {**friend, "RedeemCode": first}), "27")
    code(s2s("RedeemVoucher", {**friend, "RedeemCode": "NOPE-NOPE"}), "26")
    ok(s2s("RedeemVoucher", {**ME, "RedeemCode": second.lower()}))
    assert credits(s2s) == "990"

    mine = s2s("GetVoucherTransactions", ME)["vouchers"]
    assert len(mine) == 2
    code_, amount, created, redeemed, remark = mine[0].split(";")
    assert (code_, amount, remark) == (first, "10", "gift")
    assert created.endswith("Z") and redeemed.endswith("Z")
    theirs = s2s("GetVoucherTransactions", friend)["vouchers"]
    assert theirs == [f"{first};10;;{redeemed};"], "creation and remark are only for the creator"


def test_voucher_errors(s2s: Call, control: EmulatorClient) -> None:
    for number, amount in [("0", "1"), ("two", "1"), ("1", "-5"), ("1", "abc"), ("1", True)]:
        code(
            s2s(
                "CreateVoucher",
                {**ME, "NumberOfVouchers": number, "AmountCreditsPerVoucher": amount},
            ),
            "11",
        )
    code(s2s("CreateVoucher", {**ME, "NumberOfVouchers": 3, "AmountCreditsPerVoucher": 400}), "5")
    assert credits(s2s) == "1000"
    ok(s2s("CreateVoucher", {**ME, "NumberOfVouchers": 1, "AmountCreditsPerVoucher": 2.5}))
    assert credits(s2s) == "997.5"
    code(s2s("RedeemVoucher", ME), "26")


# -- no-credential methods ------------------------------------------------------------------


def test_version_info(s2s: Call) -> None:
    answer = s2s("VersionInfo", {})
    ok(answer)
    assert answer["VersionInfo"].split()[0] == "1.0"
    assert "build:" in answer["VersionInfo"]


def test_list_all_status_codes_is_the_full_table(s2s: Call) -> None:
    answer = s2s("ListAllStatusCodes")
    ok(answer)
    table = {c["StatusCode"]: c["StatusInfo"] for c in answer["StatusCodes"]}
    assert table == STATUS_CODES
    assert table["3"] == "Authorization failed."
    assert len(table) == 39


def test_method_names_are_case_insensitive(server: EmulatorServer, http: Any) -> None:
    for path in ("checkCredits", "CHECKCREDITS", "checkcredits"):
        answer = http.post(f"{server.url}/{path}", json=ME)
        assert answer.json()["Credits"] == "1000"
