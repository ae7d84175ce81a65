"""The one rule for every text people type (titles, table names, themes, questions, names,
expectations, cards, group names): pure.

Refused everywhere: control characters (C0 but tab and line breaks, DEL, C1), lone
surrogates (they cannot be stored or sent as UTF-8) and direction overrides (invisible,
they can make a name read backwards on the console). Kept text is NFC-normalised; a
one-line field has every run of white space (line breaks too) folded into one space, a
longer one is only trimmed.
"""

from __future__ import annotations

import unicodedata

BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
                          "\u2066\u2067\u2068\u2069")
WHITE_SPACE = frozenset("\t\n\r")


def forbidden(ch: str) -> bool:
    if ch in WHITE_SPACE:
        return False
    return unicodedata.category(ch) in ("Cc", "Cs") or ch in BIDI_CONTROLS


def has_forbidden(text: str) -> bool:
    return any(forbidden(ch) for ch in text)


def normalised(text: str, one_line: bool = True) -> str:
    folded = " ".join(text.split()) if one_line else text.strip()
    return unicodedata.normalize("NFC", folded)
