"""The one rule for every text people type (titles, table names, themes, questions, names,
expectations, cards, group names): pure.

Refused everywhere: control characters (C0 but tab and line breaks, DEL, C1), lone
surrogates (they cannot be stored or sent as UTF-8) and direction overrides (invisible,
they can make a name read backwards on the console), and more than `MAX_MARKS` combining
marks on one character (they stack over the neighbouring notes on the projector). Kept
text is NFC-normalised; a one-line field has every run of white space (line breaks too)
folded into one space, a longer one is only trimmed; a text with no visible character
(only zero-width or format characters, Hangul fillers, blanks) counts as empty.
"""

from __future__ import annotations

import unicodedata

from app.i18n import N_
from app.refusal import Refusal

BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
                          "\u2066\u2067\u2068\u2069")
WHITE_SPACE = frozenset("\t\n\r")

INVISIBLE_CATEGORIES = frozenset({"Zs", "Zl", "Zp", "Cc", "Cf", "Cs", "Mn", "Me"})
"""Spaces, controls, format characters (U+200B …) and marks without a base of their own."""
BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
"""Letters and symbols that draw nothing: the Hangul fillers and the blank Braille cell."""
MARKS = frozenset({"Mn", "Me"})
MAX_MARKS = 3
"""Combining marks one character may carry after NFC: enough for Thai, Vietnamese and
emoji keycaps (U+FE0F U+20E3), far from a "Z" with 120 marks."""


def forbidden(ch: str) -> bool:
    if ch in WHITE_SPACE:
        return False
    return unicodedata.category(ch) in ("Cc", "Cs") or ch in BIDI_CONTROLS


def has_forbidden(text: str) -> bool:
    return any(forbidden(ch) for ch in text)


def visible(ch: str) -> bool:
    return ch not in BLANK_LETTERS and unicodedata.category(ch) not in INVISIBLE_CATEGORIES


def stacks_marks(text: str) -> bool:
    """Whether one character carries more than MAX_MARKS combining marks (format
    characters between the marks do not end the stack)."""
    stacked = 0
    for ch in text:
        category = unicodedata.category(ch)
        if category in MARKS:
            stacked += 1
            if stacked > MAX_MARKS:
                return True
        elif category != "Cf":
            stacked = 0
    return False


def refuse_stacked_marks(text: str) -> None:
    if stacks_marks(text):
        raise Refusal("invalid", N_("A character carries too many accents or other combining "
                                    "marks (at most %(limit)s)."), limit=MAX_MARKS)


def normalised(text: str, one_line: bool = True) -> str:
    """The text to keep; "" when nothing in it is visible."""
    folded = " ".join(text.split()) if one_line else text.strip()
    kept = unicodedata.normalize("NFC", folded)
    return kept if any(visible(ch) for ch in kept) else ""
