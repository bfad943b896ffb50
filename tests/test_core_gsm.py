"""GSM 03.38 encoding choice and part counting (pure functions)."""

from __future__ import annotations

import pytest

from emulator.core import gsm


@pytest.mark.parametrize(
    ("text", "encoding", "units", "parts"),
    [
        ("", gsm.GSM7, 0, 1),
        ("a" * 160, gsm.GSM7, 160, 1),
        ("a" * 161, gsm.GSM7, 161, 2),
        ("a" * 306, gsm.GSM7, 306, 2),
        ("a" * 307, gsm.GSM7, 307, 3),
        ("€" * 80, gsm.GSM7, 160, 1),
        ("€" * 81, gsm.GSM7, 162, 2),
        ("{}[]~|^\\\f€", gsm.GSM7, 20, 1),
        ("@£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ¤¡ÄÖÑÜ§¿äöñüà", gsm.GSM7, 42, 1),
        ("ç", gsm.UCS2, 1, 1),
        ("ż" * 70, gsm.UCS2, 70, 1),
        ("ż" * 71, gsm.UCS2, 71, 2),
        ("ż" * 134, gsm.UCS2, 134, 2),
        ("ż" * 135, gsm.UCS2, 135, 3),
        ("😀" * 35, gsm.UCS2, 70, 1),
        ("😀" * 36, gsm.UCS2, 72, 2),
        ("`", gsm.UCS2, 1, 1),
    ],
)
def test_encoding_units_and_parts(text: str, encoding: str, units: int, parts: int) -> None:
    info = gsm.analyse(text)
    assert (info.encoding, info.units, info.parts) == (encoding, units, parts)


def test_an_escape_pair_is_not_split_across_parts() -> None:
    # 152 plain characters then '€' (2 septets): the pair does not fit in part 1 (153).
    text = "a" * 152 + "€" + "a" * 10
    assert gsm.analyse(text).units == 164
    assert gsm.analyse(text).parts == 2
    # 152 + 2 pushes the pair to part 2: 2 + 152 = 154 > 153 → 3 parts.
    assert gsm.analyse("a" * 152 + "€" + "a" * 152).parts == 3


def test_a_surrogate_pair_is_not_split_across_parts() -> None:
    text = "ż" * 66 + "😀" + "ż" * 66
    assert gsm.analyse(text).units == 134
    assert gsm.analyse(text).parts == 3


def test_force_gsm_replaces_what_gsm_cannot_carry() -> None:
    info = gsm.analyse("Zażółć 😀", force_gsm=True)
    assert info.encoding == gsm.GSM7
    assert info.text == "Za???? ?"


def test_forced_unicode() -> None:
    assert gsm.analyse("plain", unicode=True).encoding == gsm.UCS2


# -- what a text costs, and why ----------------------------------------------------------------


def _cost(text: str, force_gsm: bool = False, gsm7: str | None = None) -> gsm.Cost:
    info = gsm.analyse(text, force_gsm=force_gsm)
    replacement = gsm.to_gsm(text) if gsm7 is None else gsm7
    return gsm.explain(text, info.encoding, info.parts, replacement, "credits")


@pytest.mark.parametrize(
    ("length", "parts", "per_part"),
    [(160, 1, 160), (161, 2, 153), (306, 2, 153), (307, 3, 153), (918, 6, 153)],
)
def test_the_gsm7_boundaries(length: int, parts: int, per_part: int) -> None:
    cost = _cost("a" * length)
    assert (cost.encoding, cost.parts, cost.units, cost.per_part) == (
        "gsm7",
        parts,
        length,
        per_part,
    )
    assert cost.ucs2_because == cost.extension == cost.replaced == ()
    assert (cost.gsm7_parts, cost.charged, cost.charged_as_gsm7) == (parts, parts, parts)


@pytest.mark.parametrize(
    ("length", "parts", "per_part"), [(70, 1, 70), (71, 2, 67), (134, 2, 67), (135, 3, 67)]
)
def test_the_ucs2_boundaries_and_what_gsm7_would_take(
    length: int, parts: int, per_part: int
) -> None:
    text = "’" + "a" * (length - 1)
    cost = _cost(text, gsm7="'" + "a" * (length - 1))
    assert (cost.encoding, cost.parts, cost.units, cost.per_part) == (
        "ucs2",
        parts,
        length,
        per_part,
    )
    assert cost.ucs2_because == (gsm.Culprit("’", 0, "U+2019", "'"),)
    assert (cost.gsm7_parts, cost.charged_as_gsm7) == (1, 1)  # one apostrophe: 1 part in GSM-7


def test_extension_characters_cost_two_septets_and_are_never_split() -> None:
    text = "a" * 152 + "€" + "a" * 10
    cost = _cost(text)
    assert (cost.units, cost.parts) == (164, 2)
    assert cost.extension == (gsm.Culprit("€", 152, "U+20AC", None),)
    assert [c.char for c in _cost("{[~]}|^\\").extension] == list("{[~]}|^\\")
    assert _cost("€" * 80).parts == 1 and _cost("€" * 81).parts == 2


def test_surrogate_pairs_are_never_split() -> None:
    text = "ż" * 66 + "😀" + "ż" * 66  # the pair would straddle the end of part 2
    cost = _cost(text)
    assert (cost.units, cost.parts) == (134, 3)
    assert [c.char for c in cost.ucs2_because] == ["ż"] * 66 + ["😀"] + ["ż"] * 66
    assert cost.ucs2_because[66] == gsm.Culprit("😀", 66, "U+1F600", None)


@pytest.mark.parametrize(
    ("text", "units", "code_points"),
    [
        ("👍🏽", 4, ["U+1F44D", "U+1F3FD"]),  # a thumb and its skin tone: two characters
        ("🇵🇱", 4, ["U+1F1F5", "U+1F1F1"]),  # a flag: two regional indicators
        ("👩‍💻", 5, ["U+1F469", "U+200D", "U+1F4BB"]),  # joined by a zero-width joiner
    ],
)
def test_emoji_with_modifiers_and_flags(text: str, units: int, code_points: list[str]) -> None:
    cost = _cost(text)
    assert (cost.encoding, cost.units, cost.parts) == ("ucs2", units, 1)
    assert [c.codepoint for c in cost.ucs2_because] == code_points
    assert cost.gsm7_parts == 1
    assert _cost(text * 17).parts == (1 if units * 17 <= 70 else -(-units * 17 // 67))


def test_a_forced_gsm7_text_says_what_was_replaced() -> None:
    cost = _cost("Zażółć", force_gsm=True)
    assert cost.encoding == "gsm7" and cost.ucs2_because == ()
    assert [(c.char, c.index, c.suggestion) for c in cost.replaced] == [
        ("ż", 2, "z"), ("ó", 3, "o"), ("ł", 4, "l"), ("ć", 5, "c")
    ]  # fmt: skip


def test_unlock_codes_are_free_and_the_rate_multiplies() -> None:
    assert gsm.explain("a" * 200, "gsm7", 2, "a" * 200, "credits", 0).charged == 0
    assert gsm.explain("a" * 200, "gsm7", 2, "a" * 200, "full", 1).charged == 2
