"""Phone number normalisation, the way each gateway documents it."""

from __future__ import annotations

import re

_NOISE = re.compile(r"[\s\-./()\"']")
_DIGITS = re.compile(r"\+?\d+")
MIN_DIGITS = 6
MAX_DIGITS = 15


def international(raw: str) -> str | None:
    """``+41 79 000 00 00``, ``0041790000000`` or ``41790000000`` → ``+41790000000``.

    server2sms takes MSISDNs with ``+``, with ``00`` or as bare international digits.
    Returns ``None`` for anything that is not a plausible international number.
    """
    if raw[:1] == "+" and raw[1:].isdigit() and raw[1:2] != "0" and raw.isascii():
        return raw if MIN_DIGITS < len(raw) <= MAX_DIGITS + 1 else None
    number = _NOISE.sub("", raw)
    if not _DIGITS.fullmatch(number):
        return None
    digits = number.lstrip("+")
    if not number.startswith("+") and digits.startswith("00"):
        digits = digits[2:]
    if not MIN_DIGITS <= len(digits) <= MAX_DIGITS or digits.startswith("0"):
        return None
    return "+" + digits


def polish(raw: str) -> str | None:
    """SerwerSMS.pl's rule: Polish numbers are completed, foreign ones need ``+``.

    ``500 600 700``, ``48500600700`` and ``0048.500600700`` all become ``+48500600700``; a
    foreign number is accepted only with its ``+`` (or ``00``) prefix. Returns ``None`` when the
    number cannot be read.
    """
    if len(raw) == 12 and raw.startswith("+48") and raw[1:].isdigit() and raw.isascii():
        return raw
    number = _NOISE.sub("", raw)
    if not _DIGITS.fullmatch(number):
        return None
    if number.startswith("+"):
        digits = number[1:]
    elif number.startswith("00"):
        digits = number[2:]
    elif len(number) == 9:
        digits = "48" + number
    elif len(number) == 11 and number.startswith("48"):
        digits = number
    else:
        return None
    if digits.startswith("48") and len(digits) != 11:
        return None
    if not MIN_DIGITS <= len(digits) <= MAX_DIGITS or digits.startswith("0"):
        return None
    return "+" + digits
