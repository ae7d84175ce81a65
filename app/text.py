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


# --- readings (furigana) ------------------------------------------------------------------

_SMALL_KANA = str.maketrans("ぁぃぅぇぉっゃゅょゎゕゖ", "あいうえおつやゆよわかけ")
_VOICING_MARKS = frozenset("\u3099\u309a")
_NOT_SOUNDS = frozenset(" ・ー-")
"""Spaces, the middle dot and the long vowel mark: no place of their own in 50音 order."""


def hiragana(text: str) -> str:
    """A reading in hiragana: half-width and full-width katakana alike become hiragana."""
    folded = unicodedata.normalize("NFKC", text)
    return "".join(chr(ord(ch) - 0x60) if "ァ" <= ch <= "ヶ" else ch for ch in folded)


def is_reading(text: str) -> bool:
    """Only kana (hiragana or katakana), spaces, the middle dot and the long vowel mark."""
    return all("ぁ" <= ch <= "ゖ" or ch in _NOT_SOUNDS or ch in "ゝゞ"
               for ch in hiragana(text))


def reading_key(text: str) -> tuple[str, str]:
    """The 50音 (gojūon) order of a reading, as a dictionary sorts: small kana as large
    ones and voiced kana as plain ones first (か, が, き), then the exact kana to break ties."""
    exact = "".join(ch for ch in hiragana(text) if ch not in _NOT_SOUNDS)
    plain = "".join(ch for ch in unicodedata.normalize("NFD", exact)
                    if ch not in _VOICING_MARKS).translate(_SMALL_KANA)
    return plain, exact


def fifty_sound_key(reading: str, name: str) -> tuple:
    """People in 50音 order of their furigana; those without one after them, by name."""
    return (0, *reading_key(reading), name) if reading.strip() else (1, "", "", name)
