"""GSM 03.38 text analysis: which encoding a text needs and how many SMS parts it takes.

Rules (3GPP TS 23.038): a text whose every character is in the basic table or the extension
table travels as GSM 7-bit, extension characters costing two septets; anything else makes the
whole text UCS-2, where characters outside the Basic Multilingual Plane cost two 16-bit units.
One part holds 160 septets or 70 units; a concatenated part loses a 6-octet header and holds
153 or 67. A character (an escape pair or a surrogate pair) is never split across two parts,
so a concatenated part may hold one unit less.

The basic table's 0x09 is the capital ``Ç`` as the ETSI table prints it; the small ``ç`` is not
GSM (as in common segment calculators), so a text containing it goes UCS-2.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

GSM7 = "gsm7"
UCS2 = "ucs2"

GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENSION = frozenset("\f^{}\\[~]|€")

SINGLE_PART_UNITS = {GSM7: 160, UCS2: 70}
MULTI_PART_UNITS = {GSM7: 153, UCS2: 67}
REPLACEMENT = "?"


@dataclass(frozen=True, slots=True)
class TextInfo:
    """What a text costs: its encoding, its length in septets or UCS-2 units, and its parts."""

    text: str
    encoding: str
    units: int
    parts: int


GSM_ALL = GSM_BASIC | GSM_EXTENSION


def is_gsm(text: str) -> bool:
    return GSM_ALL.issuperset(text)


def to_gsm(text: str) -> str:
    """Replace every character GSM 7-bit cannot carry with ``?`` (what ForceGSM7bit does)."""
    return "".join(ch if ch in GSM_ALL else REPLACEMENT for ch in text)


_SPECIAL = {
    "ł": "l",
    "Ł": "L",
    "đ": "d",
    "Đ": "D",
    "œ": "oe",
    "Œ": "OE",
    "„": '"',
    "”": '"',
    "“": '"',
    "’": "'",
    "‘": "'",
    "–": "-",
    "—": "-",
    "…": "...",
}


def transliterate(text: str) -> str:
    """Keep GSM characters; turn others into their plain letters (``ż`` → ``z``, ``ł`` → ``l``)
    and anything left into ``?`` — what a gateway does to a text sent without Unicode."""
    if is_gsm(text):
        return text
    out = []
    for ch in text:
        if ch in GSM_ALL:
            out.append(ch)
            continue
        plain = _SPECIAL.get(ch) or "".join(
            c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c)
        )
        out.append(plain if plain and GSM_ALL.issuperset(plain) else REPLACEMENT)
    return "".join(out)


def _doubles(text: str, encoding: str) -> frozenset[str]:
    """The characters of ``text`` that cost two units: escape or surrogate pairs."""
    if encoding == GSM7:
        return GSM_EXTENSION.intersection(text)
    return frozenset(ch for ch in set(text) if ord(ch) > 0xFFFF)


def count_parts(text: str, units: int, encoding: str, doubles: frozenset[str]) -> int:
    """Pack characters greedily into parts without splitting a pair across a boundary."""
    if units <= SINGLE_PART_UNITS[encoding]:
        return 1
    size = MULTI_PART_UNITS[encoding]
    if not doubles:
        return -(-units // size)
    parts, used = 1, 0
    for ch in text:
        cost = 2 if ch in doubles else 1
        if used + cost > size:
            parts += 1
            used = 0
        used += cost
    return parts


@lru_cache(maxsize=4096)
def analyse(text: str, *, force_gsm: bool = False, unicode: bool | None = None) -> TextInfo:
    """Analyse ``text`` (cached: the same texts come back, e.g. a shop's confirmations).

    ``force_gsm`` replaces what GSM cannot carry; ``unicode`` forces UCS-2 when true and GSM
    when false (SerwerSMS's ``utf`` flag); ``None`` picks the encoding from the text.
    """
    if force_gsm or unicode is False:
        text = text if is_gsm(text) else to_gsm(text)
        encoding = GSM7
    elif unicode:
        encoding = UCS2
    else:
        encoding = GSM7 if is_gsm(text) else UCS2
    doubles = _doubles(text, encoding)
    units = len(text) + sum(text.count(ch) for ch in doubles)
    return TextInfo(text, encoding, units, count_parts(text, units, encoding, doubles))


# -- why a text costs what it costs ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Culprit:
    """One character that matters to the cost: where it is in the text, and what GSM-7 could
    carry instead (None when nothing fits)."""

    char: str
    index: int  # in code points, in the text as given
    codepoint: str  # "U+2019"
    suggestion: str | None


@dataclass(frozen=True, slots=True)
class Cost:
    """What a text as sent costs and why; the amounts are in ``unit`` (a gateway's credits or
    a limit), per recipient."""

    encoding: str
    parts: int
    units: int  # septets (GSM-7) or 16-bit units (UCS-2)
    per_part: int  # what one part holds: 160 or 70 alone, 153 or 67 in a concatenated message
    ucs2_because: tuple[Culprit, ...]  # the characters GSM-7 cannot carry (when it went UCS-2)
    extension: tuple[Culprit, ...]  # GSM-7 extension characters: two septets each
    replaced: tuple[Culprit, ...]  # what the gateway replaced to send it as GSM-7
    gsm7_parts: int  # what it takes as GSM-7, with the gateway's own replacement
    gsm7_units: int
    charged: int
    charged_as_gsm7: int
    unit: str


def suggestion(char: str) -> str | None:
    """A GSM-7 stand-in for ``char`` (``’`` → ``'``, ``ą`` → ``a``), or None."""
    plain = transliterate(char)
    return None if plain == REPLACEMENT else plain


def _culprit(index: int, char: str, suggest: bool = True) -> Culprit:
    return Culprit(char, index, f"U+{ord(char):04X}", suggestion(char) if suggest else None)


@lru_cache(maxsize=4096)
def explain(text: str, encoding: str, parts: int, gsm7: str, unit: str, rate: int = 1) -> Cost:
    """Why ``text`` (as the client gave it), sent as ``encoding`` in ``parts`` parts, costs
    what it does; ``gsm7``: the text as the gateway sends it as GSM-7 (its own replacement);
    ``rate``: how many ``unit`` one part is charged (0: free, or not sent)."""
    foreign = tuple(_culprit(i, ch) for i, ch in enumerate(text) if ch not in GSM_ALL)
    as_gsm7 = analyse(gsm7, unicode=False)
    units = analyse(text, unicode=True).units if encoding == UCS2 else as_gsm7.units
    single = units <= SINGLE_PART_UNITS[encoding]
    gsm = encoding == GSM7
    return Cost(
        encoding=encoding,
        parts=parts,
        units=units,
        per_part=(SINGLE_PART_UNITS if single else MULTI_PART_UNITS)[encoding],
        ucs2_because=() if gsm else foreign,
        extension=tuple(_culprit(i, c, False) for i, c in enumerate(text) if c in GSM_EXTENSION)
        if gsm
        else (),
        replaced=foreign if gsm else (),
        gsm7_parts=as_gsm7.parts,
        gsm7_units=as_gsm7.units,
        charged=parts * rate,
        charged_as_gsm7=as_gsm7.parts * rate,
        unit=unit,
    )
