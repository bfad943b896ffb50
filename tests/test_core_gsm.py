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
