"""The one rule for "the same phone number" (rules, filters, waits and the test client)."""

from __future__ import annotations

import pytest

from emulator.core import phones
from emulator.core.rules import RuleBook


@pytest.mark.parametrize(
    ("stored", "asked"),
    [
        ("+48500600704", "500600704"),
        ("+48500600704", "500 600 704"),
        ("+48500600704", "+48 500-600-704"),
        ("+48500600704", "0048500600704"),
        ("+48500600704", "48500600704"),
        ("+41790000001", "0041790000001"),
        ("+41790000001", "079 000 00 01"),  # nationally, with the trunk 0
    ],
)
def test_spellings_of_one_number_match(stored: str, asked: str) -> None:
    assert phones.same_number(stored, asked)
    assert phones.match_key(stored) == phones.match_key(asked)


@pytest.mark.parametrize(
    ("stored", "asked"),
    [
        ("+48500600704", "500600705"),
        ("+48500600704", "600704"),  # too short to stand for the national number
        ("+41790000001", "+42790000001"),
        ("+48500600704", ""),
    ],
)
def test_other_numbers_do_not(stored: str, asked: str) -> None:
    assert not phones.same_number(stored, asked)


@pytest.mark.parametrize(
    ("match", "pattern", "hit", "miss"),
    [
        ("exact", "500600704", "+48500600704", "+48500600705"),
        ("exact", "0048 500 600 704", "+48500600704", "+41500600704x"),
        ("prefix", "+48500", "+48500600704", "+41500600704"),
        ("prefix", "0048500", "+48500600704", "+48600500704"),
        ("prefix", "500", "+48500600704", "+48600500704"),
        ("suffix", "704", "+48500600704", "+48500600705"),
        ("suffix", "600 704", "+48500600704", "+48500600705"),
        ("regex", r"^\+48500", "+48500600704", "+41500600704"),
    ],
)
def test_rules_match_any_spelling(match: str, pattern: str, hit: str, miss: str) -> None:
    book = RuleBook()
    book.add(recipient=pattern, match=match, delay=1.0)
    assert book.decide("serwersms", "shop", hit, "x") is not None
    assert book.decide("serwersms", "shop", miss, "x") is None
