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


def digits_of(number: str) -> str:
    """The digits a number is written with, an international ``00`` read as ``+``."""
    digits = "".join(ch for ch in number if "0" <= ch <= "9")
    return digits[2:] if digits.startswith("00") else digits


NATIONAL_DIGITS = 9  # the shortest number written without its country code that still matches


def match_key(number: str) -> str:
    """Equal for any two spellings that :func:`same_number` can match: a cheap index key."""
    return digits_of(number)[-NATIONAL_DIGITS:]


def same_number(stored: str, asked: str) -> bool:
    """The one rule for "the same phone number", used by rules, filters, waits and the test
    client: ``+41790000001`` is also ``0041790000001`` or ``41 79 000 00 01``, and
    ``+48500600700`` is also ``500 600 700`` (a national number of at least 9 digits, after
    a trunk ``0``, matches the end of the international one)."""
    want = digits_of(asked)
    have = digits_of(stored)
    if not want:
        return stored == asked
    if have == want:
        return True
    national = want[1:] if want[0] == "0" else want  # a trunk prefix: 079 … in Switzerland
    return len(national) >= NATIONAL_DIGITS and have.endswith(national)


def starts_with(stored: str, prefix: str) -> bool:
    """``+48500600700`` starts with ``+48500``, ``0048500`` and (nationally) ``500``: the
    prefix is read from the start, or after a country code of one to three digits."""
    want = digits_of(prefix)
    have = digits_of(stored)
    if not want:
        return True
    if prefix.lstrip().startswith(("+", "00")):
        return have.startswith(want)
    return any(have.startswith(want, skip) for skip in range(4))


def ends_with(stored: str, suffix: str) -> bool:
    want = digits_of(suffix)
    return digits_of(stored).endswith(want) if want else stored.endswith(suffix)
