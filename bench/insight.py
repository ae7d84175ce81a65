"""Suggested groups benchmark: how well app/insight.py's groups agree with groups made by
hand, against the method it replaced, and how long it takes for 100, 500 and 2000 cards.

The cards are hand-labelled sticky notes of municipal workshops written for this project:
bench/data/cards_labelled.csv (480 cards, 12 themes: 見守り, 子育て, 防災, 空き家, 交通,
商店街, 情報発信, 担い手, 健康, 環境, 多文化, 公園; 40 each) and bench/data/cards_labelled_2.csv
(180 cards, 9 other themes: 観光, 農業, 学校教育, 医療, 働き方, 移住, バリアフリー, 動物,
行政手続き; 20 each), written later by another hand to check that the method is not tuned
to the first set. A set of n cards takes them in a seeded shuffle; past the set's size, a
card comes back with filler before or after it (やっぱり…, …と思う: 14 × 13 ways, none a
keyword) so that every text is distinct and no cache can help.

- agreement: adjusted Rand index (ARI) with the hand-given themes. The suggestions leave
  outliers out: `ARI all` counts each left-out card as a group of its own, `ARI placed`
  only the cards placed (with `placed`, their share). `before` is the method this one
  replaced (TF-IDF of keywords, kanji and character n-grams, LSA, seeded k-means; kept
  below as `previous_suggest`), scored the same way; `n-grams` is character 1–3-gram
  TF-IDF and k-means with the same k, placing every card.
- time: `cold` analyses every text (the analysis caches emptied first, the model loaded),
  `warm` the same cards again, as on the server when the facilitator asks again; the
  one-off imports and loading of the word vectors are printed apart, with the process's
  peak resident memory.

Benchmarks report, they do not judge: exit status 0 whatever the figures.

    .venv/bin/python bench/insight.py                        # agreement over 4 seeds, times
    .venv/bin/python bench/insight.py --seeds 8 --sizes 100 500 2000
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SETS = {"cards_labelled": ROOT / "bench" / "data" / "cards_labelled.csv",
        "cards_labelled_2": ROOT / "bench" / "data" / "cards_labelled_2.csv"}
BEFORE = ("", "やっぱり", "とにかく", "まず", "なんとか", "ぜひ", "これからは", "いつも",
          "本当に", "少しでも", "もっと", "前から", "できれば", "そろそろ", "なるべく")
AFTER = ("", "と思う", "と思います", "かもしれない", "のでは", "気がする", "ですよね",
         "と感じる", "と良いと思う", "のかな", "です", "だと思う", "ところです", "よね")
"""Filler around a card that comes back: a sticky note's hedges, keywords in none of them."""


def labelled(name: str) -> list[tuple[str, str]]:
    """(text, theme) of every hand-labelled card of a set."""
    with SETS[name].open(encoding="utf-8") as source:
        return [(row["text"], row["label"]) for row in csv.DictReader(source)]


def cards_of(name: str, n: int, seed: int = 0) -> list[tuple[str, str, str]]:
    """n (id, text, theme) of a set, every text distinct."""
    rows = labelled(name)
    rng = random.Random(seed)
    order = rng.sample(rows, len(rows))
    phrasings = [(b, a) for b in BEFORE for a in AFTER if b or a]
    found, seen = [], set()
    for index in range(n):
        text, theme = order[index % len(order)]
        if index >= len(order):
            before, after = phrasings[rng.randrange(len(phrasings))]
            text = f"{before}{'、' if before else ''}{text}{after}"
        if text in seen:
            text = f"{text}（{index}）"
        seen.add(text)
        found.append((f"card-{index:05d}", text, theme))
    return found


def previous_suggest(cards: list[tuple[str, str]], seed: int) -> list:
    """The suggestions of the method app/insight.py used before (up to this benchmark's
    change): TF-IDF over keywords (with their parts), kanji and character 2–3-grams,
    LSA (truncated SVD, 30 dimensions at most), seeded k-means (k = n^(5/12)), cards
    under cosine 0.45 to their centre left out, groups named as now."""
    import re
    import unicodedata

    from scipy.sparse import hstack
    from sklearn.cluster import KMeans
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.preprocessing import normalize

    from app import insight, keywords

    kanji = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
    not_word = re.compile(r"[\W_]+")
    texts = [text for _, text in cards]
    kinds = ((1.0, TfidfVectorizer(analyzer=insight.keyword_features, sublinear_tf=True)),
             (1.0, TfidfVectorizer(analyzer=kanji.findall, sublinear_tf=True)),
             (0.7, TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 3), sublinear_tf=True,
                                   preprocessor=lambda t: not_word.sub(
                                       " ", unicodedata.normalize("NFKC", t)))))
    features = normalize(hstack([weight * v.fit_transform(texts) for weight, v in kinds])
                         .tocsr())
    dimensions = min(30, features.shape[0] // 3, features.shape[1] - 1)
    points = normalize(TruncatedSVD(dimensions, random_state=seed).fit_transform(features))
    k = min(insight.group_count(len(cards)), len(cards) // insight.MIN_CARDS)
    found = KMeans(k, n_init=10, random_state=seed).fit(points)
    near = (points * normalize(found.cluster_centers_)[found.labels_]).sum(axis=1)
    members: dict[int, list[int]] = {}
    for index, (label, cosine) in enumerate(zip(found.labels_, near, strict=True)):
        if cosine >= 0.45:
            members.setdefault(int(label), []).append(index)
    card_words = [tuple(t.word for t in keywords.terms(text) if t.noun) for text in texts]
    used = Counter(word for words in card_words for word in words)
    return [s for rows in members.values() if len(rows) >= insight.MIN_CARDS
            and (s := insight.named_suggestion(cards, rows, card_words, used))]


def ngram_baseline(texts: list[str], k: int, seed: int) -> list[int]:
    """Character n-gram TF-IDF and k-means: what one would try first."""
    from sklearn.cluster import KMeans
    from sklearn.feature_extraction.text import TfidfVectorizer

    features = TfidfVectorizer(analyzer="char", ngram_range=(1, 3),
                               sublinear_tf=True).fit_transform(texts)
    return KMeans(k, n_init=10, random_state=seed).fit(features).labels_.tolist()


def agreement(themes: list[str], pairs: list[tuple[str, str]],
              suggestions: list) -> tuple[float, float, float]:
    """(ARI with every left-out card alone, ARI over the placed cards, share placed)."""
    from sklearn.metrics import adjusted_rand_score

    group_of = {card_id: number for number, s in enumerate(suggestions) for card_id in s.cards}
    groups = [group_of.get(card_id) for card_id, _ in pairs]
    alone = [g if g is not None else -1 - i for i, g in enumerate(groups)]
    placed = [i for i, g in enumerate(groups) if g is not None]
    inside = adjusted_rand_score([themes[i] for i in placed], [groups[i] for i in placed]) \
        if placed else 0.0
    return adjusted_rand_score(themes, alone), inside, len(placed) / len(groups)


def compare(name: str, n: int, seed: int) -> dict:
    """The agreement of the suggestions, the previous method's and the n-grams' on n cards."""
    from sklearn.metrics import adjusted_rand_score

    from app import insight

    cards = cards_of(name, n, seed)
    pairs = [(card_id, text) for card_id, text, _ in cards]
    themes = [theme for _, _, theme in cards]
    k = insight.group_count(n)
    return {"ours": agreement(themes, pairs, insight.suggest(pairs)),
            "before": agreement(themes, pairs, previous_suggest(pairs, seed)),
            "ngrams": adjusted_rand_score(themes, ngram_baseline([t for _, t in pairs], k,
                                                                 seed))}


def timed(n: int) -> dict:
    """Seconds of the suggestions for n cards of the first set, cold then warm."""
    from app import insight, keywords

    cards = cards_of("cards_labelled", n)
    pairs = [(card_id, text) for card_id, text, _ in cards]
    keywords.terms.cache_clear()
    keywords.words.cache_clear()
    insight.content_words.cache_clear()
    started = time.perf_counter()
    found = insight.suggest(pairs)
    cold = time.perf_counter() - started
    started = time.perf_counter()
    again = insight.suggest(pairs)
    warm = time.perf_counter() - started
    assert again == found, "the same cards gave other suggestions"
    started = time.perf_counter()
    previous_suggest(pairs, 0)
    return {"cold": cold, "warm": warm, "suggestions": len(found),
            "before": time.perf_counter() - started, "names": [s.name for s in found[:6]]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 500, 2000],
                        help="card counts timed")
    parser.add_argument("--seeds", type=int, default=4,
                        help="seeds 0..N-1 for the shuffles compared")
    options = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    started = time.perf_counter()
    import scipy.cluster.hierarchy  # noqa: F401
    import sklearn.cluster  # noqa: F401
    import sklearn.feature_extraction.text  # noqa: F401

    from app import insight, keywords
    keywords.tokenizer()
    imported = time.perf_counter() - started
    started = time.perf_counter()
    insight.language()
    loaded = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"one-off: imports and Janome's dictionary {imported:.2f} s; ja-ginza's tokenizer "
          f"and vectors {loaded:.2f} s; peak RSS {peak:.0f} MB\n")
    print("| set | cards | seeds | ARI all | ARI placed | placed | before: ARI all "
          "| before: placed | n-grams ARI |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name in SETS:
        size = len(labelled(name))
        for n in (size // 3, size * 2 // 3, size):
            runs = [compare(name, n, seed) for seed in range(options.seeds)]

            def mean(pick, runs=runs):
                return statistics.mean(pick(r) for r in runs)

            print(f"| {name} | {n} | {options.seeds} | {mean(lambda r: r['ours'][0]):.3f} "
                  f"(min {min(r['ours'][0] for r in runs):.3f}) "
                  f"| {mean(lambda r: r['ours'][1]):.3f} | {mean(lambda r: r['ours'][2]):.0%} "
                  f"| {mean(lambda r: r['before'][0]):.3f} "
                  f"| {mean(lambda r: r['before'][2]):.0%} | {mean(lambda r: r['ngrams']):.3f} |",
                  flush=True)
    print("\n| cards | suggestions | cold s | warm s | before s |\n|---|---|---|---|---|")
    names = []
    for n in options.sizes:
        r = timed(n)
        print(f"| {n} | {r['suggestions']} | {r['cold']:.2f} | {r['warm']:.2f} "
              f"| {r['before']:.2f} |", flush=True)
        names.append((n, r["names"]))
    for n, shown in names:
        print(f"\n{n} cards, the largest suggestions: {' / '.join(shown)}")
    print(f"\npeak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
