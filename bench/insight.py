"""Suggested groups benchmark: how long app/insight.py takes for 100, 500 and 2000 cards,
and how well its groups agree with groups made by hand, against a baseline in the same run.

The cards are bench/data/cards_labelled.csv: 480 sticky notes of a municipal workshop
written for this project (12 themes: 見守り, 子育て, 防災, 空き家, 交通, 商店街, 情報発信,
担い手, 健康, 環境, 多文化, 公園; 40 each, worded variously), each with the theme it was
written for. A set of n cards takes them in a seeded shuffle; past 480, a card comes back
with filler before or after it (やっぱり…, …と思う: 14 × 13 ways, none a keyword) so that
every text is distinct and the analysis cache cannot help.

- time: `cold` analyses every text (the keyword cache emptied first), `warm` the same
  cards again, as on the server, where the live keyword charts analysed each card as it
  came; the one-off imports (scikit-learn, Janome's dictionary) are printed apart.
- agreement: adjusted Rand index (ARI) with the hand-given themes. The suggestions leave
  outliers out: `ARI all` counts each left-out card as a group of its own, `ARI placed`
  only the cards placed (with `placed`, their share). The baseline, character 1–3-gram
  TF-IDF and k-means with the same k, places every card.

Benchmarks report, they do not judge: exit status 0 whatever the figures.

    .venv/bin/python bench/insight.py               # 100, 500, 2000 cards
    .venv/bin/python bench/insight.py --sizes 500 --seeds 5   # agreement over 5 seeds
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

LABELLED = ROOT / "bench" / "data" / "cards_labelled.csv"
BEFORE = ("", "やっぱり", "とにかく", "まず", "なんとか", "ぜひ", "これからは", "いつも",
          "本当に", "少しでも", "もっと", "前から", "できれば", "そろそろ", "なるべく")
AFTER = ("", "と思う", "と思います", "かもしれない", "のでは", "気がする", "ですよね",
         "と感じる", "と良いと思う", "のかな", "です", "だと思う", "ところです", "よね")
"""Filler around a card that comes back: a sticky note's hedges, keywords in none of them."""


def labelled() -> list[tuple[str, str]]:
    """(text, theme) of every hand-labelled card."""
    with LABELLED.open(encoding="utf-8") as source:
        return [(row["text"], row["label"]) for row in csv.DictReader(source)]


def cards_of(n: int, seed: int = 0) -> list[tuple[str, str, str]]:
    """n (id, text, theme), every text distinct."""
    rows = labelled()
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


def baseline(texts: list[str], k: int, seed: int) -> list[int]:
    """Character n-gram TF-IDF and k-means: what one would try first."""
    from sklearn.cluster import KMeans
    from sklearn.feature_extraction.text import TfidfVectorizer

    features = TfidfVectorizer(analyzer="char", ngram_range=(1, 3),
                               sublinear_tf=True).fit_transform(texts)
    return KMeans(k, n_init=10, random_state=seed).fit(features).labels_.tolist()


def agreement(themes: list[str], groups: list[int | None]) -> tuple[float, float, float]:
    """(ARI with every left-out card alone, ARI over the placed cards, share placed)."""
    from sklearn.metrics import adjusted_rand_score

    alone = [g if g is not None else -1 - i for i, g in enumerate(groups)]
    placed = [i for i, g in enumerate(groups) if g is not None]
    inside = adjusted_rand_score([themes[i] for i in placed], [groups[i] for i in placed]) \
        if placed else 0.0
    return adjusted_rand_score(themes, alone), inside, len(placed) / len(groups)


def run(n: int, seed: int) -> dict:
    from app import insight, keywords

    cards = cards_of(n, seed)
    pairs = [(card_id, text) for card_id, text, _ in cards]
    themes = [theme for _, _, theme in cards]
    keywords.terms.cache_clear()
    keywords.words.cache_clear()
    started = time.perf_counter()
    found = insight.suggest(pairs, seed)
    cold = time.perf_counter() - started
    started = time.perf_counter()
    again = insight.suggest(pairs, seed)
    warm = time.perf_counter() - started
    assert again == found, "the same cards and seed gave other suggestions"
    group_of = {card_id: number for number, s in enumerate(found) for card_id in s.cards}
    ours = agreement(themes, [group_of.get(card_id) for card_id, _ in pairs])
    k = insight.group_count(n)
    started = time.perf_counter()
    base = baseline([text for _, text in pairs], k, seed)
    base_seconds = time.perf_counter() - started
    return {"n": n, "k": k, "suggestions": len(found), "cold": cold, "warm": warm,
            "ours": ours, "baseline": agreement(themes, base)[0], "baseline_s": base_seconds,
            "names": [s.name for s in found[:6]]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 500, 2000])
    parser.add_argument("--seeds", type=int, default=1,
                        help="seeds 0..N-1 for the shuffle and the clustering")
    options = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; "
          f"{len(labelled())} labelled cards, {len({t for _, t in labelled()})} themes")
    started = time.perf_counter()
    import sklearn.cluster  # noqa: F401
    import sklearn.decomposition  # noqa: F401
    import sklearn.feature_extraction.text  # noqa: F401

    from app import keywords
    keywords.tokenizer()
    print(f"one-off: imports and Janome's dictionary {time.perf_counter() - started:.2f} s\n")
    print("| cards | k | suggestions | cold s | warm s | ARI all | ARI placed | placed "
          "| baseline ARI | baseline s |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    names: list[tuple[int, list[str]]] = []
    for n in options.sizes:
        for seed in range(options.seeds):
            r = run(n, seed)
            every, inside, share = r["ours"]
            print(f"| {n}{f' (seed {seed})' if options.seeds > 1 else ''} | {r['k']} "
                  f"| {r['suggestions']} | {r['cold']:.2f} | {r['warm']:.2f} | {every:.3f} "
                  f"| {inside:.3f} | {share:.0%} | {r['baseline']:.3f} "
                  f"| {r['baseline_s']:.2f} |", flush=True)
            if seed == 0:
                names.append((n, r["names"]))
    for n, shown in names:
        print(f"\n{n} cards, the largest suggestions: {' / '.join(shown)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
