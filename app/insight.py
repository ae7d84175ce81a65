"""Suggested KJ groups: the cards that say similar things, found offline. Pure: card ids and
texts in, suggestions out; no web framework, no database, nothing fetched.

A card is two blocks, each of unit length, put side by side and normalised:
- its meaning: the average of the word vectors of its content words, the word2vec vectors
  (chiVe, 300 dimensions) that the PyPI package ja-ginza ships inside itself, read through
  spaCy's vocabulary with ja-ginza's own tokenizer (SudachiPy) and none of its pipeline.
  Nouns count fully, verbs and adjectives for VERB_WEIGHT; each word by the square root of
  its inverse document frequency over the cards. The cards' mean is taken away before
  normalising, so what every card of the event shares (地域, 増える) does not pull all of
  them together.
- its keywords (app/keywords.py: compounds kept, each with its parts, so 民生委員 is near
  委員), TF-IDF weighted, with KEYWORD_WEIGHT.
Ward's agglomerative clustering of these makes k = n^(5/12) groups (between ∛n and √n),
and k-means started from Ward's groups moves each card to its nearest group (no random
start: nothing to seed). A card whose cosine to its group's centre is below
MIN_SIMILARITY is left out rather than forced in, and so is a card with neither a known
word nor a keyword, a group left with fewer than MIN_CARDS cards or whose cards share no
keyword (nothing to name it by). Each group is named after its most distinctive shared
keywords (used on many of its cards, on few others).

The same cards give the same suggestions on any CPU and thread count: the cards are
clustered in the order of their ids (not the board's), the clustering uses sparse
products (no BLAS) inside `threadpool_limits(1)`, every similarity is rounded to
DECIMALS places before it is compared, and ties go to the lower index.

Measured with bench/insight.py (adjusted Rand index with hand-given themes, left-out cards
counted as groups of their own, mean over 4 seeds; bench/README.md): on
bench/data/cards_labelled.csv 0.27, 0.34 and 0.38 for 160, 320 and 480 cards (the
TF-IDF/LSA/k-means method before it: 0.18, 0.21, 0.21); on bench/data/cards_labelled_2.csv,
written later to check that the figures are not tuned to the first set, 0.22, 0.35 and
0.48 for 60, 120 and 180 cards (before: 0.03, 0.01, 0.02). Loading the vectors once takes
1–5 s (idle to loaded 2-core machine) and a resident 430 MB; 2000 cards then take 1.3 s
warm, 8 s cold (every text analysed), at a load average of 6.
"""

from __future__ import annotations

import hashlib
import json
import math
import threading
import unicodedata
from collections import Counter, OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from app import keywords

MODEL = "ja_ginza"
"""The spaCy package whose tokenizer and word vectors give a card its meaning (PyPI
ja-ginza: its vectors ship inside the wheel)."""
WORD_WEIGHTS = {"名詞": 1.0, "形状詞": 1.0, "動詞": 0.3, "形容詞": 0.3}
"""Content words by part of speech (SudachiPy's tags) and their weight: what a card is about
lies in its nouns more than in 増える or 良い."""
WORDS_LEFT_OUT = frozenset(("数詞", "非自立可能"))
"""Numbers and words that lean on another (いる, する, なる, こと)."""
KEYWORD_WEIGHT = 0.5
"""The keyword block's length beside the meaning block's 1."""
DECIMALS = 6
"""Similarities are rounded to this many places before they are compared: far above the
floating-point noise of one CPU or thread count against another, far below a difference
that means something."""
MIN_SIMILARITY = 0.25
"""A card whose cosine to its group's centre is lower is an outlier."""
ALONE_SIMILARITY = 0.35
"""… and so is one lower than this that shares no keyword with another card of its group:
a stray's meaning alone can seem near a group's diffuse centre."""
MAX_ITERATIONS = 50
"""Of k-means after Ward; it settles within ten on the benchmark's cards."""
MIN_CARDS = 3
KEYWORDS_SHOWN = 5
NAME_WORDS = 2
NAME_SHARE = 0.15
"""A word names a group when at least this share of its cards use it (and two at least)."""
NAME_SEPARATOR = "・"
MAX_NAME = 60
"""A group name's limit (app/cards.py)."""

_language = None
_lock = threading.Lock()


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


def language():
    """ja-ginza's tokenizer and vocabulary (with the vectors), none of its pipeline, loaded
    once on first use (about a second) and shared; `_lock` also serialises tokenising, as
    SudachiPy's tokenizer is not made for threads."""
    global _language
    if _language is None:
        with _lock:
            if _language is None:
                import spacy
                import spacy.util

                meta = spacy.util.get_package_path(MODEL) / "meta.json"
                pipeline = json.loads(meta.read_text(encoding="utf-8"))["components"]
                _language = spacy.load(MODEL, exclude=pipeline)
    return _language


@lru_cache(maxsize=16384)
def content_words(text: str) -> tuple[tuple[str, float, int], ...]:
    """(dictionary form, weight, row of its vector or -1) of each content word of a card.
    Cached per text, so the suggestions made again over much the same cards analyse only
    the new ones."""
    from spacy.strings import hash_string

    nlp = language()
    with _lock:
        tokens = [(t.text, t.lemma_, t.norm_, t.tag_.split("-"))
                  for t in nlp.tokenizer(unicodedata.normalize("NFKC", text))]
    rows = nlp.vocab.vectors.key2row
    found = []
    for surface, lemma, norm, tag in tokens:
        weight = WORD_WEIGHTS.get(tag[0])
        if weight is None or WORDS_LEFT_OUT & set(tag[1:]):
            continue
        row = next((rows[key] for form in (surface, lemma, norm)
                    if (key := hash_string(form)) in rows), -1)
        found.append((lemma, weight, row))
    return tuple(found)


def keyword_features(text: str) -> list[str]:
    """A card's keywords, each compound with its parts (民生委員, 民生, 委員)."""
    found = []
    for term in keywords.terms(text):
        found.append(term.word)
        if len(term.parts) > 1:
            found.extend(term.parts)
    return found


def _unit_rows(matrix):
    """Each row divided by its length (a zero row stays zero), rounded to DECIMALS."""
    lengths = np.sqrt((matrix * matrix).sum(axis=1, keepdims=True))
    return np.round(matrix / np.where(lengths > 0, lengths, 1.0), DECIMALS)


def meanings(texts: Sequence[str]):
    """The cards' meaning block: dense rows of unit length, zero where no word is known."""
    from scipy.sparse import csr_matrix

    analysed = [content_words(text) for text in texts]
    cards = len(texts)
    used = Counter(lemma for words in analysed for lemma in {w[0] for w in words})
    entries = [(index, row, weight * math.sqrt(math.log(1 + cards / used[lemma])))
               for index, words in enumerate(analysed)
               for lemma, weight, row in words if row >= 0]
    table = language().vocab.vectors.data
    if not entries:
        return np.zeros((cards, table.shape[1]))
    index, row, weight = zip(*entries, strict=True)
    rows, column = np.unique(row, return_inverse=True)
    mix = csr_matrix((weight, (index, column)), shape=(cards, len(rows)))
    points = _unit_rows(mix @ table[rows].astype(np.float64))
    known = points.any(axis=1)
    points[known] -= points[known].mean(axis=0)
    return _unit_rows(points)


@dataclass(frozen=True)
class Points:
    """Cards (or group centres) as rows: the meaning block (dense) beside the keyword
    block (sparse), each row of unit length once joined (zero for a card with neither a
    known word nor a keyword)."""

    meaning: object
    words: object

    def dot(self, other: Points):
        """Every row's dot product with every row of `other`, rounded to DECIMALS."""
        return np.round(self.meaning @ other.meaning.T
                        + (self.words @ other.words.T).toarray(), DECIMALS)

    def rows(self, selection) -> Points:
        return Points(self.meaning[selection], self.words[selection])

    def squared_lengths(self):
        return np.round((self.meaning * self.meaning).sum(axis=1) + np.asarray(
            self.words.multiply(self.words).sum(axis=1)).ravel(), DECIMALS)

    def averaged(self, labels) -> Points:
        """The mean row of each label 0..max(labels), every label used."""
        from scipy.sparse import csr_matrix

        sizes = np.bincount(labels)
        share = csr_matrix((1 / sizes[labels], (labels, np.arange(len(labels)))),
                           shape=(len(sizes), len(labels)))
        return Points(share @ self.meaning, (share @ self.words).tocsr())


def points_of(texts: Sequence[str]) -> Points:
    """The cards' points: meaning and keywords, weighed and joined (KEYWORD_WEIGHT)."""
    from scipy.sparse import csr_matrix
    from sklearn.feature_extraction.text import TfidfVectorizer

    meaning = meanings(texts)
    try:
        words = KEYWORD_WEIGHT * TfidfVectorizer(
            analyzer=keyword_features, sublinear_tf=True).fit_transform(texts)
    except ValueError:  # not one keyword in any card
        words = csr_matrix((len(texts), 1))
    lengths = np.sqrt((meaning * meaning).sum(axis=1)
                      + np.asarray(words.multiply(words).sum(axis=1)).ravel())
    scale = 1 / np.where(lengths > 0, lengths, 1.0)
    words = csr_matrix(words.multiply(scale[:, None]))
    words.data = np.round(words.data, DECIMALS)
    return Points(np.round(meaning * scale[:, None], DECIMALS), words)


def clusters(points: Points, count: int):
    """Each point's group (0..count-1 at most): Ward's clustering of the points, then
    k-means started from its groups until no point moves. No random start; sparse products
    and rounded similarities; BLAS and OpenMP held to one thread."""
    from scipy.cluster.hierarchy import cut_tree, linkage
    from scipy.spatial.distance import squareform
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        similarity = points.dot(points)
        distance = np.sqrt(np.maximum(0.0, 2 - 2 * similarity))
        np.fill_diagonal(distance, 0.0)
        tree = linkage(squareform(distance, checks=False), method="ward")
        labels = cut_tree(tree, n_clusters=count).ravel()
        for _ in range(MAX_ITERATIONS):
            centres = points.averaged(labels)
            nearest = np.argmax(2 * points.dot(centres) - centres.squared_lengths(), axis=1)
            _, moved = np.unique(nearest, return_inverse=True)
            if np.array_equal(moved, labels):
                break
            labels = moved
    return labels


def suggest(cards: Sequence[tuple[str, str]], limit: int | None = None) -> list[Suggestion]:
    """Suggested groups of `cards` ((id, text), in board order), largest first; at most
    `limit` of them. The same cards give the same suggestions, whatever their order."""
    if len(cards) < 2 * MIN_CARDS or limit == 0:
        return []
    texts = [text for _, text in cards]
    by_id = sorted(range(len(cards)), key=lambda row: cards[row][0])
    points = points_of([texts[row] for row in by_id])
    placeable = np.flatnonzero(points.squared_lengths() > 0)
    if len(placeable) < 2 * MIN_CARDS:
        return []
    kept = points.rows(placeable)
    labels = clusters(kept, min(group_count(len(placeable)), len(placeable) // MIN_CARDS))
    centres = kept.averaged(labels)
    near = (kept.dot(centres)[np.arange(len(placeable)), labels]
            / np.sqrt(centres.squared_lengths())[labels])
    card_words = [tuple(t.word for t in keywords.terms(text) if t.noun) for text in texts]
    members: dict[int, list[tuple[int, float]]] = {}
    for index, label, cosine in zip(placeable.tolist(), labels.tolist(), near.tolist(),
                                    strict=True):
        if round(cosine, DECIMALS) >= MIN_SIMILARITY:
            members.setdefault(label, []).append((by_id[index], round(cosine, DECIMALS)))
    chosen = [rows for near_rows in members.values()
              if len(rows := _belonging(near_rows, card_words)) >= MIN_CARDS]
    used = Counter(word for words in card_words for word in words)
    suggestions = [s for rows in chosen
                   if (s := named_suggestion(cards, rows, card_words, used))]
    suggestions.sort(key=lambda s: (-len(s.cards), s.id))
    return suggestions[:limit]


def _belonging(near_rows: list[tuple[int, float]], card_words: list[tuple[str, ...]]
               ) -> list[int]:
    """The rows (board order) of a group's cards that belong in it: near enough to its
    centre and sharing a keyword with another of its cards, or, sharing none, nearer
    (ALONE_SIMILARITY)."""
    here = Counter(word for row, _ in near_rows for word in card_words[row])
    return sorted(row for row, cosine in near_rows
                  if cosine >= ALONE_SIMILARITY or any(here[w] > 1 for w in card_words[row]))


def named_suggestion(cards: Sequence[tuple[str, str]], rows: list[int],
                     card_words: list[tuple[str, ...]], used: Counter) -> Suggestion | None:
    """The suggestion of these rows, or None when their cards share no keyword. Its cards
    are in the order of `rows`; its name does not depend on it (ties of the words go to
    the card with the lowest id)."""
    ids = tuple(cards[row][0] for row in rows)
    name, shown = _name(sorted(rows, key=lambda row: cards[row][0]), card_words, used,
                        len(cards))
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

    def keep(self, event_id: str, suggestions: Sequence[Suggestion]) -> None:
        with self._lock:
            for suggestion in suggestions:
                self._kept[(event_id, suggestion.id)] = suggestion
                self._kept.move_to_end((event_id, suggestion.id))
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)

    def get(self, event_id: str, suggestion_id: str) -> Suggestion | None:
        with self._lock:
            return self._kept.get((event_id, suggestion_id))
