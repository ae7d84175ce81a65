"""Japanese and English for Jinja and Python.

Catalogs are the .po files under app/locales; they are compiled in memory at start-up, so
no generated .mo file is ever committed or forgotten. Python code marks user-facing
strings with `N_` and translates them where the reader's language is known.
"""

from __future__ import annotations

import gettext
from datetime import date
from functools import cache
from io import BytesIO
from pathlib import Path

from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LANGUAGES = ("ja", "en")
DEFAULT_LANGUAGE = "ja"
LANGUAGE_NAMES = {"ja": "日本語", "en": "English"}
LOCALES = Path(__file__).parent / "locales"


def N_(message: str) -> str:  # noqa: N802 - the conventional gettext marker name
    """Mark a string for extraction; it is translated later, for the reader's language."""
    return message


def NN_(singular: str, plural: str) -> tuple[str, str]:  # noqa: N802 - as N_
    """Mark a message with a plural form; `translate` picks the form by the `num`
    parameter (ngettext), as Jinja's ngettext does."""
    return singular, plural


@cache
def translations(language: str) -> gettext.NullTranslations:
    po_file = LOCALES / language / "LC_MESSAGES" / "messages.po"
    if not po_file.exists():
        return gettext.NullTranslations()
    with po_file.open("rb") as source:
        catalog = read_po(source, locale=language)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def translate(language: str, message: str | tuple[str, str], **params: object) -> str:
    catalog = translations(normalize(language))
    if isinstance(message, tuple):
        text = catalog.ngettext(*message, params["num"])
    else:
        text = catalog.gettext(message)
    return text % params if params else text


def normalize(language: str | None) -> str:
    """A supported language code from anything like 'ja-JP' or 'EN'; Japanese otherwise."""
    code = (language or "").strip().lower()[:2]
    return code if code in LANGUAGES else DEFAULT_LANGUAGE


def from_accept_language(header: str | None) -> str | None:
    """The first supported language a browser asks for, by its q-weights."""
    if not header:
        return None
    weighted = []
    for position, part in enumerate(header.split(",")):
        code, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        weighted.append((-quality, position, code.strip().lower()[:2]))
    for _quality, _position, code in sorted(weighted):
        if code in LANGUAGES:
            return code
    return None


REIWA_FIRST_YEAR = 2019
DAY_PATTERNS = {"ja": "y年M月d日（E）", "en": "EEEE d MMMM y"}
"""How each language writes a day in full: 2026年12月7日（月）, Monday 7 December 2026."""


def day_text(day: date | str, language: str, era: str | None = None) -> str:
    """A day as people write it (Babel's calendar data); with `era="reiwa"` a Japanese text
    counts the year by the era, as many offices date their papers (令和8年12月7日（月）)."""
    day = date.fromisoformat(day) if isinstance(day, str) else day
    language = normalize(language)
    text = format_date(day, DAY_PATTERNS[language], locale=language)
    if language == "ja" and era == "reiwa" and day.year >= REIWA_FIRST_YEAR:
        era_year = day.year - REIWA_FIRST_YEAR + 1
        text = text.replace(f"{day.year}年", f"令和{'元' if era_year == 1 else era_year}年", 1)
    return text
