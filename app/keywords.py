"""Keywords: the words the cards of a table (or a theme, or the whole event) use most. Pure:
texts in, ranked (word, count) out; no web framework, no database.

Japanese goes through Janome, a morphological analyser whose dictionary ships inside its
PyPI wheel (IPADIC), so nothing is downloaded at run time. Kept: nouns, adjectives and verbs
in their dictionary form (見守り → 見守る; a negated verb such as 足りない is left out, its
dictionary form would say the opposite); left out: particles, auxiliaries, symbols,
numbers, pronouns, dependent nouns (こと, ため), single hiragana or katakana and a stop list
of filler (こと, もの, 思う, 必要 …). Nouns next to each other make one compound, the rule of
Janome's CompoundNounFilter, narrowed: only content nouns join (not numbers, pronouns,
dependent or adverbial nouns), and a noun suffix joins the noun before it (者, 会: 高齢者,
町内会) unless it only counts or pluralises (年, たち, さん). So 民生委員, 地域包括支援センター,
空き教室 and 子ども食堂 each count as one word: IPADIC tags 空き and 子ども as plain nouns, so
no extra rule for 空き+noun or ひらがな+kanji is needed. A prefix that changes its noun
stays on it (不登校, 未就学児). Each word keeps its parts (`terms`), for the suggested
groups (app/insight.py).
Words the dictionary does not know stay whole: Janome guesses a katakana run at once
(クルッパ), but reads a hiragana name as known pieces around a guess (くるっぱを: くるう +
ぱを), which are joined again into one word (see _whole_unknown_words). A single kanji is
a keyword only where it stands alone as a word, and 子 then counts as 子ども (its plural,
which the dictionary knows), so that the two never stand side by side.
A list can leave out words: those the event's theme titles or questions all use
(仕組み, when every theme title has it; prompted_words), given as plain data.
Latin-script runs are English: words of two letters or more, lower-cased (acronyms such as
NPO or SNS kept in capitals), without a short list of stop words. Text is NFKC-normalised
first, so full-width letters and digits count as their plain forms.

A word counts once per card: the chart says how many cards use it, and one card that repeats
a word cannot push it up. Ties keep the order in which the words first appeared.
"""

from __future__ import annotations

import heapq
import re
import threading
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from typing import NamedTuple

LATIN = re.compile(r"[A-Za-z][A-Za-z'’-]*")
KANA_ONLY = re.compile(r"^[\u3041-\u309f\u30a0-\u30ffー]+$")
HIRAGANA_RUN = re.compile(r"^[\u3041-\u309fー]+$")
NUMERIC = re.compile(r"^[\d.,:/%〇一二三四五六七八九十百千万億]+$")

JAPANESE_STOP_WORDS = frozenset("""
こと もの ため よう ところ とき 時 事 物 方 感じ 点 中 上 下 前 後 他 ほか 等 など 的 気 さん
たち ら 人たち 皆 みんな 自分 私 僕 俺 我々 これ それ あれ どれ ここ そこ あそこ どこ 今 今回
今後 以上 以下 場合 部分 毎日 最近 本当 一番 色々 いろいろ 様々 さまざま 全て すべて 何 なに
する なる ある いる できる 思う 言う いう 考える 行く 来る くる やる おる れる られる せる
いい 良い よい ない 多い 無い 欲しい ほしい 必要 大切 大事 重要
""".split())
"""Words so common at any table that they would top every chart."""

JAPANESE_STOP_VERBS = frozenset("""
する なる ある いる できる 思う 言う いう 考える 行く いく 来る くる やる おる 出来る 見る
くれる もらう あげる しまう みる おく 持つ 感じる わかる 分かる
""".split())

ENGLISH_STOP_WORDS = frozenset("""
a about above after again against all also am an and any are as at be because been before
being below between both but by can could did do does doing don down during each few for from
further had has have having he her here hers herself him himself his how i if in into is it its
itself just let me more most my myself no nor not now of off on once only or other our ours
out over own same she should so some such than that the their theirs them then there these
they this those through to too under until up very was we were what when where which while
who whom why will with would you your yours we'd we'll we're i'm it's don't can't isn't
get got make made think thing things lot lots really want need like many much one two
""".split())

RULES_VERSION = 1
"""Raise it whenever the rules below change what `terms` finds: terms kept in the database
under an older version are then ignored and a text is analysed again (app/store/
keyword_terms.py)."""

CHART_LENGTHS = {"facilitator": 10, "projector": 6}
"""How many words each keyword chart shows (templates/fragments/_keywords.html)."""

NOUN_SUFFIX_DROP = frozenset(("たち", "ら", "さん", "様", "ども", "等", "など", "達"))
"""Suffixes not worth joining (子ども + たち stays 子ども)."""

NOUNS_LEFT_OUT = frozenset(("数", "代名詞", "非自立", "副詞可能", "接続詞的", "特殊",
                            "動詞非自立的"))
"""Kinds of noun that are never a keyword and end a compound: numbers, pronouns, こと, 今後."""

PREFIXES_LEFT_OUT = frozenset("各 諸 毎 当 本 某 両 御".split())
"""Prefixes that only point or honour (各地域 is 地域); the others join the noun after
them, which they change (不登校, 未就学児, 非正規雇用, 再利用)."""

WORD_ENDING_FORMS = frozenset(("基本形", "体言接続", "連用形", "連用テ接続", "命令ｅ", "命令ｙｏ",
                               "命令ｉ", "命令ｒｏ"))
"""Forms a verb, adjective or auxiliary can take at the end of a word of its own."""

NOUN_PARTICLES = frozenset("を が の に は と で も へ や から まで より".split())
"""Particles that follow a noun, where an unknown word that swallowed one ends."""

GUESSED = ["名詞", "固有名詞", "未知語", "*"]
"""The part of speech of a word made whole from pieces of an unknown hiragana run."""

PLAIN_NOUN = "本"
"""A noun put before a piece of text to read it as what follows a noun."""

_tokenizer = None
_lock = threading.Lock()


class Term(NamedTuple):
    """One keyword of a text: its parts (民生委員 is ("民生", "委員")) and whether it is a
    noun (or an English word) rather than a verb or an adjective."""

    parts: tuple[str, ...]
    noun: bool

    @property
    def word(self) -> str:
        return "".join(self.parts)


def tokenizer():
    """Janome's tokenizer, built once on first use (loading its dictionary takes a moment)
    and shared; `_lock` also serialises tokenising, which is cheap next to building it."""
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                from janome.tokenizer import Tokenizer

                _tokenizer = Tokenizer()
    return _tokenizer


class _Token(NamedTuple):
    surface: str
    pos: list[str]
    base: str
    form: str
    """The conjugated form (連用タ接続 …), "*" for words that do not conjugate."""
    conjugation: str
    """The conjugation type (五段・ラ行 …), "*" for words that do not conjugate."""
    known: bool
    """In the dictionary; False for a word Janome guessed (未知語)."""


def _tokens(text: str) -> list[_Token]:
    analyser = tokenizer()
    with _lock:
        return [_Token(t.surface, t.part_of_speech.split(","), t.base_form, t.infl_form,
                       t.infl_type, t.node_type != "UNKNOWN")
                for t in analyser.tokenize(text)]


def _japanese_terms(text: str) -> list[Term]:
    """The keywords of a Japanese text."""
    tokens = _whole_unknown_words(_tokens(text))
    found: list[tuple[list[str], bool]] = []
    compound: list[str] | None = None
    """The parts of the compound noun being read, while nouns follow each other."""
    prefix = ""
    """A prefix that changes the meaning of the noun after it (不, 未, 非, 再 …)."""
    for index, token in enumerate(tokens):
        surface, pos = token.surface, token.pos
        kind, sub = pos[0], pos[1]
        if kind == "接頭詞" and sub == "名詞接続":
            compound = None
            prefix = prefix + surface if surface not in PREFIXES_LEFT_OUT and _is_kanji(surface) \
                else ""
            continue
        if kind == "名詞" and sub == "接尾":
            if compound is not None and pos[2] != "助数詞" and surface not in NOUN_SUFFIX_DROP:
                compound[-1] += surface
            else:
                compound = None
            prefix = ""
            continue
        if pos is GUESSED:
            found.append(([surface], True))
            compound = None
            prefix = ""
            continue
        if kind == "名詞" and sub not in NOUNS_LEFT_OUT and _has_letter(surface):
            if compound is None:
                compound = []
                found.append((compound, True))
            compound.append(prefix + surface if prefix else _plural_noun(surface))
            prefix = ""
            continue
        compound = None
        prefix = ""
        if kind == "形容詞" and sub == "自立":
            word = token.base if token.base != "*" else surface
        elif kind == "動詞" and sub == "自立":
            word = token.base if token.base != "*" else surface
            if (word in JAPANESE_STOP_VERBS or _negated(tokens, index)
                    or _verb_fragment(token)):
                continue
        else:
            continue
        found.append(([word], False))
    return [Term(tuple(parts), noun) for parts, noun in found if _keep_japanese("".join(parts))]


def _whole_unknown_words(tokens: list[_Token]) -> list[_Token]:
    """The tokens with each word the dictionary does not know made whole again. Janome
    reads an unknown run of hiragana as known pieces around a guessed one: くるっぱを is
    くるっ (くるう, a verb) + ぱを (a guess that swallowed the particle). The guess is joined
    to the pieces before it that cannot end a word there (a verb or an auxiliary in a
    form that needs a continuation, such as くるっ before た or て), and the particle it
    swallowed is read again with the rest of the text; the whole is a name (GUESSED).
    Katakana runs need nothing: Janome guesses a whole unknown katakana run at once
    (クルッパ)."""
    pending = list(reversed(tokens))
    done: list[_Token] = []
    while pending:
        token = pending.pop()
        if token.known or not HIRAGANA_RUN.match(token.surface):
            done.append(token)
            continue
        start = len(done)
        while start > 0 and _continues_into(done[start - 1],
                                            done[start - 2] if start > 1 else None):
            start -= 1
        cut = _particle_start(token.surface)
        word = "".join(t.surface for t in done[start:]) + token.surface[:cut]
        del done[start:]
        done.append(_Token(word, GUESSED, word, "*", "*", False))
        if cut < len(token.surface):
            rest = token.surface[cut:] + "".join(t.surface for t in reversed(pending))
            pending = list(reversed(_tokens(PLAIN_NOUN + rest)[1:]))
    return done


def _continues_into(token: _Token, before: _Token | None) -> bool:
    """Whether a hiragana piece is the start of the unknown word after it: an earlier
    guess, or a verb, adjective or auxiliary in a form that cannot end there (くるっ, the
    連用タ接続 of くるう, needs た or て after it). An auxiliary only when a piece like that
    comes before it and the auxiliary is not the continuation that piece asks for
    (ふ・なっ・し・ー; not なっ・た, nor after a word of its own: 好き・な)."""
    if not HIRAGANA_RUN.match(token.surface):
        return False
    if not token.known:
        return True
    if token.pos[0] == "助動詞":
        return token.base not in ("た", "だ") and before is not None \
            and before.pos[0] in ("動詞", "形容詞") and _continues_into(before, None)
    return token.pos[0] in ("動詞", "形容詞") and token.form not in WORD_ENDING_FORMS


def _particle_start(guess: str) -> int:
    """Where a particle starts in an unknown hiragana guess (ぱを: 1), len(guess) when it
    has none: the first place where, after a plain noun, Janome reads one of the particles
    that follow nouns."""
    for cut in range(1, len(guess)):
        after_noun = _tokens(PLAIN_NOUN + guess[cut:])
        if (len(after_noun) > 1 and after_noun[0].surface == PLAIN_NOUN
                and after_noun[1].pos[0] == "助詞" and after_noun[1].surface in NOUN_PARTICLES):
            return cut
    return len(guess)


@lru_cache(maxsize=4096)
def _plural_noun(noun: str) -> str:
    """A one-kanji noun whose plural the dictionary knows as a word of its own counts as
    that word: 子 (その子, 外国人の子) is 子ども, which would otherwise stand beside it."""
    if len(noun) != 1 or not _is_kanji(noun):
        return noun
    plural = _tokens(noun + "ども")
    return plural[0].surface if len(plural) == 1 and plural[0].pos[0] == "名詞" else noun


def _verb_fragment(token: _Token) -> bool:
    """A five-step verb written as its kanji alone is a piece of a longer word that the
    dictionary read as a verb (障がい → 障, 障る); its own forms always carry kana."""
    return token.conjugation.startswith("五段") and _is_kanji(token.surface)


def _is_kanji(text: str) -> bool:
    return bool(text) and all("\u4e00" <= ch <= "\u9fff" or ch == "々" for ch in text)


def _negated(tokens: list[_Token], index: int) -> bool:
    """A verb followed by ない/ぬ/ず (ません included): its dictionary form would say the
    opposite (足りない is not 足りる)."""
    for token in tokens[index + 1:index + 4]:
        if token.pos[0] != "助動詞":
            return False
        if token.base in ("ない", "ぬ", "ん", "ず"):
            return True
    return False


def _has_letter(text: str) -> bool:
    """Janome tags a run of symbols it does not know (<, </) as a noun."""
    return any(unicodedata.category(ch).startswith("L") for ch in text)


def _keep_japanese(word: str) -> bool:
    if word in JAPANESE_STOP_WORDS or NUMERIC.match(word):
        return False
    if len(word) == 1 and KANA_ONLY.match(word):
        return False
    return _has_letter(word)


def _english_word(raw: str) -> str | None:
    word = raw.strip("'’-")
    if len(word) < 2:
        return None
    if word.isupper() and len(word) <= 6:
        return word  # an acronym: NPO, SNS, ICT
    word = word.lower().replace("’", "'")
    if word.endswith("'s"):
        word = word[:-2]
    if len(word) < 2 or word in ENGLISH_STOP_WORDS:
        return None
    return word


REMEMBERED_LIMIT = 65536
"""How many texts' stored terms (remember) are kept at most; beyond, the oldest half goes."""

_remembered: dict[str, tuple[Term, ...]] = {}


def remember(known: dict[str, tuple[Term, ...]]) -> None:
    """Terms analysed earlier (stored with the cards, app/store/keyword_terms.py), so that
    `terms` of those texts does not run the analyser again: a restart reads them back."""
    _remembered.update(known)
    if len(_remembered) > REMEMBERED_LIMIT:
        for text in list(_remembered)[:len(_remembered) // 2]:
            del _remembered[text]


def terms(text: str) -> tuple[Term, ...]:
    """The keywords of one card, each word once, in order of appearance: remembered, or
    analysed once per text (cached), so a chart recomputed on every new card analyses only
    the new card."""
    found = _remembered.get(text)
    return found if found is not None else analysed_terms(text)


def terms_as_data(found: Iterable[Term]) -> list:
    """Terms as plain JSON data: [[parts], noun] each."""
    return [[list(term.parts), term.noun] for term in found]


def terms_of_data(data: Iterable) -> tuple[Term, ...]:
    """The terms that terms_as_data wrote."""
    return tuple(Term(tuple(parts), bool(noun)) for parts, noun in data)


@lru_cache(maxsize=16384)
def analysed_terms(text: str) -> tuple[Term, ...]:
    """The keywords of one card, analysed (Janome for Japanese): see `terms`."""
    text = unicodedata.normalize("NFKC", text)
    found: list[Term] = []
    position = 0
    for match in LATIN.finditer(text):
        if match.start() > position:
            found += _japanese_terms(text[position:match.start()])
        english = _english_word(match.group())
        if english:
            found.append(Term((english,), True))
        position = match.end()
    if position < len(text):
        found += _japanese_terms(text[position:])
    first: dict[str, Term] = {}
    for term in found:
        first.setdefault(term.word, term)
    return tuple(first.values())


@lru_cache(maxsize=16384)
def words(text: str) -> tuple[str, ...]:
    """The keywords of one card, each once, in order of appearance."""
    return tuple(term.word for term in terms(text))


def prepare(texts: Iterable[str]) -> None:
    """Analyse texts ahead of time (in a worker thread), so that charts drawn later only
    read the cache; builds the tokenizer on first use."""
    for text in texts:
        words(text)


def prompted_words(themes: Iterable[str], questions: Iterable[str]) -> frozenset[str]:
    """The words an event's prompts put in everyone's mouth, left out of its keyword lists:
    those every theme title uses (仕組み in 「見守りの仕組み」 and 「子育ての仕組みづくり」 would
    top every list) and those every round question uses."""
    titles = dict.fromkeys(theme.strip() for theme in themes if theme.strip())
    return _shared(titles) | _shared(questions)


def _shared(texts: Iterable[str]) -> frozenset[str]:
    """The words that every text uses (none of none): its keywords, their parts and the
    dictionary's nouns in it (仕組みづくり is one keyword, 仕組み one of its nouns)."""
    found: frozenset[str] | None = None
    for text in texts:
        nouns = (t.surface for t in _tokens(unicodedata.normalize("NFKC", text))
                 if t.pos[0] == "名詞" and t.pos[1] not in (*NOUNS_LEFT_OUT, "接尾"))
        mine = frozenset((*(w for term in terms(text) for w in (term.word, *term.parts)),
                          *filter(_keep_japanese, nouns)))
        found = mine if found is None else found & mine
    return found or frozenset()


class Tally:
    """How many texts use each word, kept up to date as texts come and go. `top` ranks like
    `ranked` would over the same texts in their order: most used first, ties in order of
    first use, the `left_out` words (prompted_words) not at all. A text is known by its `key`,
    which sorts in the texts' order (a card's (created_at_ms, id)), so a word's first use
    is its smallest (key, position)."""

    def __init__(self, left_out: frozenset[str] = frozenset()) -> None:
        self._left_out = left_out
        self._uses: dict[str, dict[object, int]] = {}
        """word -> {key of a text using it: the word's position in that text}"""
        self._first: dict[str, tuple] = {}
        self._top: dict[int | None, list[tuple[str, int]]] = {}

    def add(self, key: object, text: str) -> None:
        for position, word in enumerate(words(text)):
            self._uses.setdefault(word, {})[key] = position
            first = self._first.get(word)
            if first is None or (key, position) < first:
                self._first[word] = (key, position)
        self._top.clear()

    def remove(self, key: object, text: str) -> None:
        for word in words(text):
            uses = self._uses.get(word)
            if uses is None or uses.pop(key, None) is None:
                continue
            if not uses:
                del self._uses[word], self._first[word]
            elif self._first[word][0] == key:
                self._first[word] = min((k, p) for k, p in uses.items())
        self._top.clear()

    def top(self, limit: int | None = 10) -> list[tuple[str, int]]:
        """[(word, number of texts using it)]; cached until the texts change."""
        if limit not in self._top:
            def rank(word: str) -> tuple:
                return -len(self._uses[word]), self._first[word]

            shown = [word for word in self._uses if word not in self._left_out]
            chosen = (sorted(shown, key=rank) if limit is None
                      else heapq.nsmallest(limit, shown, key=rank))
            self._top[limit] = [(word, len(self._uses[word])) for word in chosen]
        return self._top[limit]


def ranked(texts: Iterable[str], limit: int | None = 10,
           left_out: frozenset[str] = frozenset()) -> list[tuple[str, int]]:
    """[(word, number of texts using it)], most used first; ties in order of first use;
    without the `left_out` words."""
    tally = Tally(left_out)
    for index, text in enumerate(texts):
        tally.add(index, text)
    return tally.top(limit)


def bar_width(count: int, top: int, step: int = 5) -> int:
    """A bar's width in percent of the longest, rounded to `step` (CSS classes .bar--wN: the
    page's CSP forbids style attributes), at least one step so that every bar shows."""
    if top <= 0:
        return 0
    return max(step, min(100, round(count * 100 / top / step) * step))


class Charts:
    """The keyword charts of an event, kept up to date card by card: the whole event, each
    table, and each theme that spans several tables (otherwise a table's chart already is
    its theme's), without the `left_out` words (prompted_words). Tables are objects with
    id, number, name and theme."""

    def __init__(self, tables: Iterable, left_out: frozenset[str] = frozenset()) -> None:
        self.tables = list(tables)
        themes: dict[str, list[int]] = {}
        for table in self.tables:
            if (table.theme or "").strip():
                themes.setdefault(table.theme.strip(), []).append(table.id)
        shared = any(len(ids) > 1 for ids in themes.values())
        self.themes = list(themes) if shared else []
        self._theme_of = {t: theme for theme, ids in themes.items() for t in ids} \
            if shared else {}
        self.all = Tally(left_out)
        self.by_table = {table.id: Tally(left_out) for table in self.tables}
        self.by_theme = {theme: Tally(left_out) for theme in self.themes}

    def _tallies(self, table_id: int) -> list[Tally]:
        found = [self.all, self.by_table.get(table_id)]
        theme = self._theme_of.get(table_id)
        if theme is not None:
            found.append(self.by_theme[theme])
        return [tally for tally in found if tally is not None]

    def add(self, table_id: int, key: object, text: str) -> None:
        for tally in self._tallies(table_id):
            tally.add(key, text)

    def remove(self, table_id: int, key: object, text: str) -> None:
        for tally in self._tallies(table_id):
            tally.remove(key, text)

    def names_of(self, table_id: int) -> list[str]:
        """The charts a card of this table counts in, by name: "all", "table-{id}" and,
        when its theme spans several tables, "theme-{position of the theme}"."""
        found = ["all", f"table-{table_id}"]
        theme = self._theme_of.get(table_id)
        if theme is not None:
            found.append(f"theme-{self.themes.index(theme)}")
        return found

    def chart(self, name: str, limit: int = 8) -> list[tuple[str, int]]:
        """One chart by its name (see names_of): the ranked words."""
        kind, _, number = name.partition("-")
        if kind == "all":
            return self.all.top(limit)
        if kind == "table":
            return self.by_table[int(number)].top(limit)
        return self.by_theme[self.themes[int(number)]].top(limit)

    def charts(self, limit: int = 8) -> dict:
        """{"all": ranked, "tables": [(table, ranked)], "themes": [(theme, ranked)]}"""
        return {
            "all": self.all.top(limit),
            "tables": [(table, self.by_table[table.id].top(limit)) for table in self.tables],
            "themes": [(theme, self.by_theme[theme].top(limit)) for theme in self.themes],
        }


def charts(tables: Iterable, cards: Iterable, limit: int = 8,
           left_out: frozenset[str] = frozenset()) -> dict:
    """The keyword charts (see Charts) of tables and visible cards (objects with table_id
    and text), the cards in their order."""
    built = Charts(tables, left_out)
    for index, card in enumerate(cards):
        built.add(card.table_id, index, card.text)
    return built.charts(limit)
