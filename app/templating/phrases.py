"""Japanese line breaks between phrases, never inside one (「参／加」, 「保／存」): BudouX
(Google's phrase model, shipped in its PyPI wheel) marks the places where a line may break
with <wbr>, so every browser breaks there (with `word-break: keep-all`, app.css) — WebKit
included, which lacks Chromium's `word-break: auto-phrase`. Pure; cached by text."""

from __future__ import annotations

import re
from functools import lru_cache

import budoux
from markupsafe import Markup, escape

_parser = budoux.load_default_japanese_parser()
_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff66-\uff9f]")
_KEEP_TOGETHER = re.compile(r"(?:第|[0-9０-９])$")
"""A phrase ending like this stays with the next: 「第1回」, 「3人」 are one word."""


@lru_cache(maxsize=20_000)
def split(text: str) -> tuple[str, ...]:
    """The phrases of a Japanese text, in order."""
    parts: list[str] = []
    for phrase in _parser.parse(text):
        if parts and _KEEP_TOGETHER.search(parts[-1]):
            parts[-1] += phrase
        else:
            parts.append(phrase)
    return tuple(parts)


@lru_cache(maxsize=20_000)
def phrases(text: str) -> Markup:
    """`text`, escaped, with <wbr> between its phrases (unchanged when it has no Japanese)."""
    if not _JAPANESE.search(text):
        return escape(text)
    return Markup('<span class="phrases">{}</span>').format(
        Markup("<wbr>").join(escape(part) for part in split(text)))


def print_phrases(text: str) -> Markup:
    """The same breaks for WeasyPrint (the printed exports), which has no `word-break:
    keep-all`: each phrase is a span that does not wrap (class `phrase`, `white-space:
    nowrap` in the documents' style sheets), so lines break between phrases. A class, not an
    inline style: WeasyPrint parses each element's style attribute on its own."""
    if not _JAPANESE.search(text):
        return escape(text)
    return Markup("<wbr>").join(Markup('<span class="phrase">{}</span>')
                                .format(part) for part in split(text))
