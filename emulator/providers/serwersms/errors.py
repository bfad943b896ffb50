"""SerwerSMS.pl error codes: ``{"error": {"code", "type", "message"}}`` with HTTP 200.

The table is the gateway's own list of general messages (``komunikaty-ogolne``), as the
official Java client 2.0.0 ships it: every code and type as listed there; the English texts of
1000–3005 are the documentation's, the others are written in the same style. Which code the
emulator answers for which refusal is in docs/decisions.md.
"""

from __future__ import annotations

from ...core.jsondata import Document
from ..pipeline import Refusal

INVALID_ACTION = 1000
INVALID_USER = 1001
INVALID_ID = 1004
NO_PERMISSION = 1005
INVALID_DATA = 1006
SYSTEM_ERROR = 1010
INVALID_TOKEN = 1012
REQUIRED = 2000
INVALID_PHONE = 2001
INVALID_ERROR_CODE = 2002
MESSAGE_TOO_LONG = 3102
INVALID_SEND_FILE = 3109
TOO_MANY_MESSAGES = 3110
UNIQUE_ID_CHARACTERS = 3200
UNIQUE_ID_REPEATED = 3201
UNIQUE_ID_COUNT = 3202
FILE_MISSING = 4001
FILE_INVALID = 4002
HLR_FORBIDDEN = 4102
HLR_EXHAUSTED = 4103
PREMIUM_INVALID = 4201
ACCOUNT_LOGIN_TAKEN = 4312
SENDER_EXISTS = 4400
SENDER_NUMBER = 4401
SENDER_INVALID = 4402
SENDER_DEMO = 4406
SUBACCOUNT_FORBIDDEN = 4500
SUBACCOUNT_OF_SUBACCOUNT = 4501
SUBACCOUNT_LOGIN_TAKEN = 4502
SUBACCOUNT_NO_TEMPLATE = 4503
SUBACCOUNT_INVALID_LOGIN = 4504

_ACCOUNT_FIELDS = (
    "login",
    "password",
    "phone number",
    "e-mail address",
    "first name",
    "last name",
    "company name",
)

ERRORS: dict[int, tuple[str, str]] = {
    1000: ("InvalidAction", "Not specified action to execute"),
    1001: ("InvalidUser", "Incorrect login or password"),
    1002: ("InvalidRole", "The user does not have permission to use the API"),
    1003: ("InvalidIP", "Unauthorized IP address"),
    1004: ("InvalidID", "Invalid parameter ID"),
    1005: ("InvalidRole", "No permission"),
    1006: ("InvalidData", "Incorrect data format"),
    1007: ("InvalidRole", "Account is not fully active"),
    1008: ("InvalidRole", "The user does not have permission to view the numbers"),
    1009: ("InvalidIP", "The IP address is blocked"),
    1010: ("SystemError", "The system is temporarily unavailable"),
    1011: ("InvalidToken", "The API token has expired"),
    1012: ("InvalidToken", "Invalid API token"),
    2000: ("ValidationRequiredError", "Missing required parameters"),
    2001: ("ValidationPhoneError", "Invalid phone number"),
    2002: ("ValidationCodeError", "Invalid error code"),
    3000: ("SendError", "Exhausted the limit of available SMS ECO+"),
    3001: ("SendError", "No permission to send messages SMS ECO+"),
    3002: ("SendError", "Exhausted the limit of available SMS FULL"),
    3003: ("SendError", "No permission to send messages SMS FULL"),
    3004: ("SendError", "Exhausted the limit of available MMS"),
    3005: ("SendError", "No permission to send MMS"),
    3006: ("SendError", "Exhausted the limit of available VOICE"),
    3007: ("SendError", "No permission to send VOICE"),
    3008: ("SendError", "No permission to send Flash SMS"),
    3009: ("SendError", "No permission to send SMS"),
    3100: ("SendError", "Sending messages is blocked"),
    3101: ("SendError", "The message is empty"),
    3102: ("SendError", "The message is longer than allowed"),
    3103: ("SendError", "Invalid recipient number"),
    3104: ("SendError", "No phone numbers given"),
    3105: ("SendError", "Invalid message content"),
    3106: ("SendError", "The sender name cannot be used"),
    3107: ("SendError", "No permission to send personalized messages"),
    3108: ("SendError", "Invalid sending time"),
    3109: ("SendError", "Invalid file"),
    3110: ("SendError", "Too many messages in one request (at most 100000)"),
    3111: ("SendError", "Uniqueness error"),
    3200: ("SendError", "Invalid characters in unique_id"),
    3201: ("SendError", "The unique_id values are not unique"),
    3202: ("SendError", "The number of personalized messages and of unique_id values differ"),
    3330: ("MessageError", "No messages"),
    3331: ("MessageError", "Too many records to show"),
    4000: ("FileError", "The file is too large"),
    4001: ("FileError", "The file does not exist"),
    4002: ("FileInvalid", "Invalid file"),
    4100: ("PhoneError", "Connection error"),
    4101: ("PhoneError", "Invalid phone number"),
    4102: ("PhoneError", "No permission to check numbers (HLR)"),
    4103: ("PhoneError", "Exhausted the limit of available HLR"),
    4104: ("PhoneError", "The account is blocked"),
    4105: ("PhoneError", "Waiting for the answer"),
    4106: ("PhoneError", "Invalid identifier"),
    4200: ("PremiumError", "Sending error"),
    4201: ("PremiumError", "Invalid data"),
    **{4300 + n: ("AccountError", f"Missing {field}") for n, field in enumerate(_ACCOUNT_FIELDS)},
    4307: ("AccountError", "Invalid phone number"),
    4308: ("AccountError", "Invalid e-mail address"),
    4309: ("AccountError", "The login is too short"),
    4310: ("AccountError", "Invalid login"),
    4311: ("AccountError", "Invalid company name"),
    4312: ("AccountError", "The login is taken"),
    4313: ("AccountError", "Registration error"),
    4320: ("AccountError", "Missing current password"),
    4321: ("AccountError", "Wrong current password"),
    4322: ("AccountError", "Missing new password"),
    4323: ("AccountError", "The new passwords differ"),
    4324: ("AccountError", "Missing login"),
    4325: ("AccountError", "Invalid login"),
    4400: ("SenderExists", "The sender name exists"),
    4401: ("SenderError", "A phone number cannot be added as a sender name"),
    4402: ("SenderInvalid", "Invalid sender name"),
    4403: ("SenderError", "Invalid phone number"),
    4404: ("SenderError", "Invalid code or phone number"),
    4405: ("SenderError", "The number is already active"),
    4406: ("SenderError", "The demo account cannot add sender names"),
    4407: ("SenderError", "The free test package allows one own sender name"),
    4500: ("SubaccountError", "No permission to the users section"),
    4501: ("SubaccountError", "A subaccount cannot create subaccounts"),
    4502: ("SubaccountError", "The login is taken"),
    4503: ("SubaccountError", "No permission template"),
    4504: ("SubaccountError", "Invalid login or password"),
    4600: ("BlacklistError", "No operation to perform"),
    4601: ("BlacklistPhoneExists", "The number is already on the list"),
    4602: ("BlacklistError", "The number was not found"),
}

# Per-recipient failures (the SQL API's table), shown on unsent send items; ``reason`` is the
# value reports carry.
RECIPIENT_ERRORS: dict[str, tuple[int, str]] = {
    "wrong_number": (2200, "Nieprawidlowy numer odbiorcy"),
    "limit_exhausted": (2201, "Wyczerpany limit wiadomosci"),
    "wrong_sender_name": (2205, "Nieprawidlowa nazwa nadawcy"),
    "number_is_blacklisted": (2206, "Numer znajduje sie na czarnej liscie"),
    "sending_to_foreign_networks_is_locked": (2207, "Wysylka do sieci zagranicznych zablokowana"),
}


class ApiError(Refusal[int]):
    """Answer with this error (HTTP 200, as the gateway does); ``detail`` says why."""

    def __init__(self, code: int, detail: str = "") -> None:
        super().__init__(code, detail or ERRORS[code][1])


def error_body(code: int) -> Document:
    type_, message = ERRORS[code]
    return {"error": {"code": code, "type": type_, "message": message}}
