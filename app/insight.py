"""Suggested KJ groups: the cards that say similar things, found offline. Pure: card ids and
texts in, suggestions out; no web framework, no database, nothing fetched.

A card becomes TF-IDF weights over three kinds of feature: its keywords (app/keywords.py:
compounds kept, each with its parts, so 民生委員 is near 委員), its kanji (one kanji carries
meaning: 災, 児, 店) and its character 2–3-grams (spellings: 子ども, 子供, こども). Latent
semantic analysis (truncated SVD) folds features that occur together into shared
dimensions, and seeded k-means on the unit vectors makes k = n^(5/12) groups (between ∛n
and √n). A card far from its group's centre is left out rather than forced in, and so is
a group left with fewer than MIN_CARDS cards or whose cards share no keyword (nothing to
name it by). Each group is named after its most distinctive shared keywords (used on
many of its cards, on few others).

The figures below were chosen on bench/data/cards_labelled.csv (bench/insight.py).
"""

from __future__ import annotations

import hashlib
import math
import re
import threading
import unicodedata
from collections import Counter, OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

from app import keywords

WEIGHTS = {"words": 1.0, "kanji": 1.0, "chars": 0.7}
"""Each kind of feature's share of a card's vector."""
DIMENSIONS = 30
"""Of the latent space, at most a third of the cards' number: more keeps rare words apart,
fewer merges unrelated ones; as many as there are cards would fold nothing together."""
MIN_SIMILARITY = 0.45
"""A card whose cosine to its group's centre is lower is an outlier."""
MIN_CARDS = 3
KEYWORDS_SHOWN = 5
NAME_WORDS = 2
NAME_SHARE = 0.15
"""A word names a group when at least this share of its cards use it (and two at least)."""
NAME_SEPARATOR = "・"
MAX_NAME = 60
"""A group name's limit (app/cards.py)."""

KANJI = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
NOT_WORD = re.compile(r"[\W_]+")


@dataclass(frozen=True)
class Suggestion:
    id: str
    """The same cards always give the same id."""
    name: str
    keywords: tuple[str, ...]
    cards: tuple[str, ...]
    """Card ids in the order they were given."""


def suggestion_id(card_ids: Sequence[str]) -> str:
    return hashlib.sha256("\n".join(sorted(card_ids)).encode()).hexdigest()[:16]


def group_count(n: int) -> int:
    """n^(5/12): the geometric middle of ∛n and √n (8 groups for 150 cards, 24 for 2000)."""
    return max(1, round(n ** (5 / 12)))


def _word_features(text: str) -> list[str]:
    found = []
    for term in keywords.terms(text):
        found.append(term.word)
        if len(term.parts) > 1:
            found.extend(term.parts)
    return found


def _kanji(text: str) -> list[str]:
    return KANJI.findall(text)


def _plain(text: str) -> str:
    return NOT_WORD.sub(" ", unicodedata.normalize("NFKC", text))


def vectors(texts: Sequence[str], seed: int):
    """The cards' unit vectors in the latent space (rows; a card without any feature is a
    zero row)."""
    from scipy.sparse import hstack
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.preprocessing import normalize

    kinds = {"words": TfidfVectorizer(analyzer=_word_features, sublinear_tf=True),
             "kanji": TfidfVectorizer(analyzer=_kanji, sublinear_tf=True),
             "chars": TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 3),
                                      preprocessor=_plain, sublinear_tf=True)}
    blocks = []
    for name, vectoriser in kinds.items():
        try:
            blocks.append(WEIGHTS[name] * vectoriser.fit_transform(texts))
        except ValueError:  # not one feature of this kind in any card
            continue
    if not blocks:
        return None
    features = normalize(hstack(blocks).tocsr())
    dimensions = min(DIMENSIONS, features.shape[0] // 3, features.shape[1] - 1)
    if dimensions < 2:
        return normalize(features.toarray())
    return normalize(TruncatedSVD(dimensions, random_state=seed).fit_transform(features))


def suggest(cards: Sequence[tuple[str, str]], seed: int = 0,
            limit: int | None = None) -> list[Suggestion]:
    """Suggested groups of `cards` ((id, text), in board order), largest first; at most
    `limit` of them. The same cards and seed give the same suggestions."""
    if len(cards) < 2 * MIN_CARDS or limit == 0:
        return []
    from sklearn.cluster import KMeans
    from sklearn.preprocessing import normalize

    texts = [text for _, text in cards]
    points = vectors(texts, seed)
    if points is None:
        return []
    k = min(group_count(len(cards)), len(cards) // MIN_CARDS)
    found = KMeans(k, n_init=10, random_state=seed).fit(points)
    centres = normalize(found.cluster_centers_)
    similarity = (points * centres[found.labels_]).sum(axis=1)
    members: dict[int, list[int]] = {}
    for index, (label, near) in enumerate(zip(found.labels_, similarity, strict=True)):
        if near >= MIN_SIMILARITY:
            members.setdefault(int(label), []).append(index)
    chosen = [rows for rows in members.values() if len(rows) >= MIN_CARDS]
    card_words = [tuple(t.word for t in keywords.terms(text) if t.noun) for text in texts]
    used = Counter(word for words in card_words for word in words)
    suggestions = [s for rows in chosen if (s := _suggestion(cards, rows, card_words, used))]
    suggestions.sort(key=lambda s: (-len(s.cards), s.id))
    return suggestions[:limit]


def _suggestion(cards: Sequence[tuple[str, str]], rows: list[int],
                card_words: list[tuple[str, ...]], used: Counter) -> Suggestion | None:
    """The suggestion of these rows, or None when their cards share no keyword."""
    ids = tuple(cards[row][0] for row in rows)
    name, shown = _name(rows, card_words, used, len(cards))
    return Suggestion(suggestion_id(ids), name, shown, ids) if name else None


def _name(rows: list[int], card_words: list[tuple[str, ...]], used: Counter,
          total: int) -> tuple[str, tuple[str, ...]]:
    """The group's name and keywords (nouns). Words rank by distinctiveness: the cards using
    one here times its inverse document frequency. The name is the first ones used on
    NAME_SHARE of the cards (else the first used on two), leaving out a word inside another
    (外国人 beside 外国人住民); "" when the cards share no keyword. The keywords are the
    name's words, then the best ranked."""
    here = Counter(word for row in rows for word in card_words[row])
    first_use = {}
    for row in rows:
        for word in card_words[row]:
            first_use.setdefault(word, len(first_use))
    ranked = sorted(here, key=lambda w: (-here[w] * math.log(1 + total / used[w]),
                                         first_use[w]))
    common = max(2, NAME_SHARE * len(rows))
    naming: list[str] = []
    for word in (w for w in ranked if here[w] >= common):
        if len(naming) < NAME_WORDS and not any(word in o or o in word for o in naming):
            naming.append(word)
    if not naming:
        naming = [w for w in ranked if here[w] > 1][:1]
    shown = tuple(dict.fromkeys([*naming, *ranked]))[:KEYWORDS_SHOWN]
    return NAME_SEPARATOR.join(naming)[:MAX_NAME], shown


class Recent:
    """The suggestions made lately, per event: what an accept finds its suggestion in
    (the worker's own memory, bounded; a miss is recomputed by the caller)."""

    def __init__(self, size: int = 2000):
        self.size = size
        self._kept: OrderedDict[tuple[str, str], Suggestion] = OrderedDict()
        self._lock = threading.Lock()

    def keep(self, session_id: str, suggestions: Sequence[Suggestion]) -> None:
        with self._lock:
            for suggestion in suggestions:
                self._kept[(session_id, suggestion.id)] = suggestion
                self._kept.move_to_end((session_id, suggestion.id))
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)

    def get(self, session_id: str, suggestion_id: str) -> Suggestion | None:
        with self._lock:
            return self._kept.get((session_id, suggestion_id))
