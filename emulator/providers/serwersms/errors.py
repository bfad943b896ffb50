"""SerwerSMS.pl error codes: ``{"error": {"code", "type", "message"}}`` with HTTP 200.

Codes 1000–3005 are the documented table. 42xx–45xx appear in the official clients' tests
without their texts; the emulator's wording for them, and the codes it adds (3006–3012, 2003),
are listed in docs/decisions.md.
"""

from __future__ import annotations

from ...core.jsondata import Document
from ..pipeline import Refusal

INVALID_ACTION = 1000
INVALID_USER = 1001
INVALID_ID = 1004
NO_PERMISSION = 1005
INVALID_DATA = 1006
REQUIRED = 2000
INVALID_PHONE = 2001
INVALID_ERROR_CODE = 2002
INVALID_UNIQUE_ID = 2003
TOO_MANY_NUMBERS = 3008
TOO_MANY_MESSAGES = 3009
MESSAGE_TOO_LONG = 3010
INVALID_TITLE = 3011
MISSING_FILE = 3012
PREMIUM_INVALID = 4201
ACCOUNT_DEMO = 4312
SENDER_EXISTS = 4407
SENDER_INVALID = 4408
SUBACCOUNT_INVALID = 4500
SUBACCOUNT_TEMPLATE = 4502
FILE_INVALID = 4600
INTERNAL = 5000

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
    2000: ("ValidationRequiredError", "Missing required parameters"),
    2001: ("ValidationPhoneError", "Invalid phone number"),
    2002: ("ValidationCodeError", "Invalid error code"),
    2003: ("ValidationUniqueIdError",
           "Invalid unique_id: 3-50 characters a-z, A-Z, 0-9, one for each recipient"),
    3000: ("SendError", "Exhausted the limit of available SMS ECO+"),
    3001: ("SendError", "No permission to send messages SMS ECO+"),
    3002: ("SendError", "Exhausted the limit of available SMS FULL"),
    3003: ("SendError", "No permission to send messages SMS FULL"),
    3004: ("SendError", "Exhausted the limit of available MMS"),
    3005: ("SendError", "No permission to send MMS"),
    3006: ("SendError", "Exhausted the limit of available VMS"),
    3007: ("SendError", "No permission to send VMS"),
    3008: ("SendError", "Too many numbers in one request (at most 100000)"),
    3009: ("SendError", "Too many personalized messages in one request (at most 10000)"),
    3010: ("SendError", "The message is too long"),
    3011: ("SendError", "Invalid MMS title (at most 40 characters)"),
    3012: ("SendError", "Missing file"),
    3013: ("SendError", "Exhausted the limit of available HLR"),
    3014: ("SendError", "Exhausted the limit of available LOOKUP"),
    4201: ("PremiumError", "Invalid premium SMS, gate or reply limit"),
    4312: ("AccountError", "The account cannot register new accounts"),
    4407: ("SenderError", "The sender name already exists"),
    4408: ("SenderError", "Invalid sender name (1-11 characters)"),
    4500: ("SubaccountError", "Invalid or taken subaccount user name or password"),
    4502: ("SubaccountError", "The template subaccount does not exist"),
    4600: ("FileError", "Invalid file or file type"),
    5000: ("InternalError", "Internal error"),
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
