"""The server2sms status codes, delivery statuses and reason codes, word for word.

Texts are the ASPSMS texts the server2sms API shares (spelling and punctuation kept). Codes 26
and 27 are unassigned in every public list; the emulator uses them for an unknown and an already
redeemed voucher (see docs/decisions.md).
"""

from __future__ import annotations

from ..pipeline import Refusal

OK = "1"
UNKNOWN_METHOD = "2"  # "Connect failed.": no method was reached (docs/decisions.md)
AUTHORIZATION_FAILED = "3"
NOT_ENOUGH_CREDITS = "5"
ACCESS_DENIED = "25"
INVALID_ORIGINATOR = "10"
INVALID_DATA = "11"
INVALID_URL_BUFFERED = "17"
INVALID_URL_DELIVERY = "18"
INVALID_URL_NON_DELIVERY = "19"
MISSING_RECIPIENT = "20"
INVALID_DEFERRED_TIME = "22"
MISSING_TRN = "23"
SERVICE_UNAVAILABLE = "24"
UNKNOWN_VOUCHER = "26"
VOUCHER_REDEEMED = "27"
NO_ORIGINATOR_RESTRICTIONS = "28"
ORIGINATOR_NOT_AUTHORIZED = "30"
ORIGINATOR_AUTHORIZED = "31"
TOKEN_NOT_AUTHORIZED = "37"
TOKEN_NOT_FOUND = "38"

STATUS_CODES: dict[str, str] = {
    "1": "OK",
    "2": "Connect failed.",
    "3": "Authorization failed.",
    "4": "Binary file not found. Please check the location.",
    "5": "Not enough credits available. Please recharge your account to proceed.",
    "6": "Time out error.",
    "7": "Transmission error. Please try it again.",
    "8": "Invalid UserKey. Please check the spelling of the UserKey.",
    "9": "Invalid Password.",
    "10": "Invalid originator. A maximum of 11 characters is allowed for alphanumeric originators.",
    "11": "Invalid message date. Please verify the data.",
    "12": "Invalid binary data. Please verify the data.",
    "13": "Invalid binary file. Please check the file type.",
    "14": "Invalid MCC. Please check the number.",
    "15": "Invalid MNC. Please check the number.",
    "16": "Invalid XSer.",
    "17": "Invalid URL buffered message notification string.",
    "18": "Invalid URL delivery notification string.",
    "19": "Invalid URL non delivery notification string.",
    "20": "Missing a recipient. Please specify at least one recipient.",
    "21": "Missing binary data. Please specify some data.",
    "22": "Invalid deferred delivery time. Please check the format.",
    "23": "Missing transaction reference number.",
    "24": "Service temporarely not available.",
    "25": "User access denied.",
    "26": "Invalid voucher code.",
    "27": "Voucher code already redeemed.",
    "28": "No Originator Restrictions.",
    "29": "Originator Authorization Pending.",
    "30": "Originator Not Authorized.",
    "31": "Originator already authorized",
    "32": "No Notification Recipient Restrictions.",
    "33": "Notification Recipient Authorization Pending.",
    "34": "Notification Recipient Not Authorized.",
    "35": "Notification Recipient Already Authorized.",
    "36": "Security Token authorization pending",
    "37": "Security Token not authorized",
    "38": "Security Token not found",
    "39": "Security Token already authorized",
}

# Delivery status (DST) as reported by InquireDeliveryNotifications and the <DST> tag.
DST_NOT_YET = "-1"
DST_DELIVERED = "0"
DST_BUFFERED = "1"
DST_NOT_DELIVERED = "2"
DELIVERY_STATUSES: dict[str, str] = {
    "-1": "Not yet submitted or rejected",
    "0": "Delivered",
    "1": "Buffered",
    "2": "Not delivered",
}

REASON_DELIVERED = "000"
REASON_CODES: dict[str, str] = {
    "000": "Unknown subscriber",
    **{f"{n:03d}": "Service temporary not available" for n in range(1, 9)},
    "009": "Illegal error code",
    "010": "Network time-out",
    "030": "Originator not authorized",
    "031": "Originator already authorized",
    "100": "Facility not supported",
    "101": "Unknown subscriber",
    "102": "Facility not provided",
    "103": "Call barred",
    "104": "Operation barred",
    "105": "SC congestion",
    "106": "Facility not supported",
    "107": "Absent subscriber",
    "108": "Delivery fail",
    "109": "SC congestion",
    "110": "Protocol error",
    "111": "MS not equipped",
    "112": "Unknown SC",
    "113": "SC congestion",
    "114": "Illegal MS",
    "115": "MS not a subscriber",
    "116": "Error in MS",
    "117": "SMS lower layer not provisioned",
    "118": "System fail",
    "119": "PLMN system failure",
    "120": "HLR system failure",
    "121": "VLR system failure",
    "122": "Previous VLR system failure",
    "123": "Controlling MSC system failure",
    "124": "VMSC system failure",
    "125": "EIR system failure",
    "126": "System failure",
    "127": "Unexpected data value",
    "200": "Error in address service centre",
    "201": "Invalid absolute Validity Period",
    "202": "Short message exceeds maximum",
    "203": "Unable to Unpack GSM message",
    "204": "Unable to convert to IA5 ALPHABET",
    "205": "Invalid validity period format",
    "206": "Invalid destination address",
    "207": "Duplicate message submit",
    "208": "Invalid message type indicator",
}


class ApiError(Refusal[str]):
    """Answer with this status code (HTTP 200, as the gateway does); ``detail`` says why."""


def status(code: str, **extra: str) -> dict[str, str]:
    """A server2sms answer: StatusCode and StatusInfo (plus any extra fields), all strings."""
    return {"StatusCode": code, "StatusInfo": STATUS_CODES[code], **extra}
