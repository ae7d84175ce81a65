"""Keywords from Japanese and English cards (app/keywords.py)."""

from types import SimpleNamespace

from app import keywords


def test_japanese_sentences_give_their_nouns_without_particles():
    assert keywords.words("高齢者の見守り活動が大切です。") == ("高齢者", "見守る", "活動")
    found = keywords.words("町内会と学校をつなぐ場がほしい")
    assert found[:2] == ("町内会", "学校")
    for particle in ("と", "を", "が", "の", "は", "です"):
        assert particle not in found


def test_japanese_function_words_numbers_and_stop_words_are_left_out():
    assert keywords.words("それはとても良いことだと思う") == ()
    found = keywords.words("2025年に子どもたちの居場所を3つ作る")
    assert "子ども" in found and "居場所" in found
    assert not {"2025", "2025年", "3", "つ", "たち", "に", "を"} & set(found)


def test_english_words_are_lower_cased_without_stop_words():
    found = keywords.words("The Community garden needs more volunteers; community events!")
    assert found == ("community", "garden", "needs", "volunteers", "events")


def test_mixed_cards_and_full_width_letters():
    assert keywords.words("ＮＰＯ法人とSNSで発信") == ("NPO", "法人", "SNS", "発信")
    assert keywords.words("地域のcommunity cafe") == ("地域", "community", "cafe")


def test_markup_in_a_card_is_only_text():
    assert keywords.words("<b>太字</b>にならないこと") == ("太字",)


def test_ranking_counts_cards_and_keeps_ties_in_order_of_first_use():
    texts = ["地域の見守り", "居場所が地域にほしい", "見守り活動と居場所", "地域 地域 地域"]
    assert keywords.ranked(texts) == [("地域", 3), ("見守る", 2), ("居場所", 2), ("活動", 1)]
    assert keywords.ranked(texts, limit=2) == [("地域", 3), ("見守る", 2)]
    assert keywords.ranked(["公園の遊具", "居場所と公園", "居場所"]) == [
        ("公園", 2), ("居場所", 2), ("遊具", 1)]
    assert keywords.ranked(["居場所", "居場所と公園", "公園の遊具"]) == [
        ("居場所", 2), ("公園", 2), ("遊具", 1)]
    assert keywords.ranked([]) == []


def test_bar_widths_are_steps_of_five_and_never_empty():
    assert keywords.bar_width(10, 10) == 100
    assert keywords.bar_width(5, 10) == 50
    assert keywords.bar_width(1, 100) == 5
    assert keywords.bar_width(0, 0) == 0
    assert all(keywords.bar_width(n, 7) % 5 == 0 for n in range(1, 8))


def tables_and_cards(themes: tuple[str, str], texts: tuple[str, str, str]) -> tuple:
    """Tables 1 and 2 share the first theme, table 3 has the second; a card at each."""
    tables = [SimpleNamespace(id=n, number=n, name="ABC"[n - 1], theme=themes[n == 3])
              for n in (1, 2, 3)]
    return tables, [SimpleNamespace(table_id=n, text=text)
                    for n, text in zip((1, 2, 3), texts, strict=True)]


def test_charts_per_table_and_per_shared_theme():
    tables, cards = tables_and_cards(("子ども", "防災"),
                                     ("子どもの居場所", "居場所と公園", "避難所の公園"))
    charts = keywords.charts(tables, cards)
    assert charts["all"][:2] == [("居場所", 2), ("公園", 2)]
    assert [(t.id, ranked) for t, ranked in charts["tables"]][2] == (
        3, [("避難所", 1), ("公園", 1)])
    assert charts["themes"] == [("子ども", [("居場所", 2), ("子ども", 1), ("公園", 1)]),
                                ("防災", [("避難所", 1), ("公園", 1)])]
    own_themes = [SimpleNamespace(id=1, number=1, name="A", theme="x"),
                  SimpleNamespace(id=2, number=2, name="B", theme="y")]
    assert keywords.charts(own_themes, cards)["themes"] == []


def test_a_negated_verb_is_left_out_and_a_plain_one_kept():
    assert keywords.words("見守りボランティアが足りない") == ("見守る", "ボランティア")
    assert keywords.words("人手が足りません") == ("人手",)
    assert keywords.words("つながりを作りました") == ("つながり", "作る")


def test_compound_nouns_count_as_one_word():
    assert keywords.words("民生委員の成り手がいない")[0] == "民生委員"
    assert keywords.words("地域包括支援センターに相談する") == ("地域包括支援センター", "相談")
    assert keywords.words("学校の空き教室を活用") == ("学校", "空き教室", "活用")
    assert keywords.words("子ども食堂を増やしたい") == ("子ども食堂", "増やす")
    assert keywords.words("民生委員さんと子どもたち") == ("民生委員", "子ども")
    assert keywords.terms("地域包括支援センター")[0].parts == ("地域", "包括", "支援", "センター")
    assert keywords.ranked(["民生委員が大切", "民生委員と委員会", "委員"]) == [
        ("民生委員", 2), ("委員会", 1), ("委員", 1)]


def test_filler_is_left_out_and_numbers_or_symbols_end_a_compound():
    assert keywords.words("そういうことが必要だと思うし大事なものだ") == ()
    assert keywords.words("見守りのためにできること") == ("見守る",)
    assert keywords.words("3つの空き家と2025年の防災") == ("空き家", "防災")
    assert keywords.words("居場所<づくり>") == ("居場所",)
    assert [t.noun for t in keywords.terms("空き家を活かす")] == [True, False]


def test_a_name_the_dictionary_does_not_know_stays_whole():
    """Janome reads くるっぱを as くるっ (くるう) + ぱを (a guess): the pieces join again."""
    sentences = {
        "くるっぱを活用したい": ("くるっぱ", "活用"),
        "市のマスコットくるっぱを活用して地域をPR": ("市", "マスコット", "くるっぱ", "活用",
                                                   "地域", "PR"),
        "くるっぱのグッズを作る": ("くるっぱ", "グッズ", "作る"),
        "くるっぱと一緒に写真": ("くるっぱ", "一緒", "写真"),
        "かわいいくるっぱが大好き": ("かわいい", "くるっぱ", "大好き"),
        "みんなでくるっぱ": ("くるっぱ",),
        "くるっぱをみんなで応援": ("くるっぱ", "応援"),
        "くるっぱとふなっしー": ("くるっぱ", "ふなっしー"),
        "クルッパと一緒に": ("クルッパ", "一緒"),
    }
    for text, found in sentences.items():
        assert keywords.words(text) == found, text
    ranked = keywords.ranked(["くるっぱを活用したい", "くるっぱのグッズを作る", "くるっぱが大好き"])
    assert ranked[0] == ("くるっぱ", 3)
    assert not any(word in ("くるう", "ぱを") or word.startswith("ぱ") for word, _ in ranked)


def test_known_words_around_an_unknown_one_keep_their_reading():
    assert keywords.words("好きなくるっぱ") == ("好き", "くるっぱ")
    assert keywords.words("よくなったくるっぱ") == ("くるっぱ",)
    assert keywords.words("ぐんまちゃんを使う") == ("ぐんまちゃん", "使う")


def test_a_single_kanji_is_a_word_only_where_it_stands_alone():
    """子 as a word of its own is 子ども (the dictionary knows 子ども as its plural), so the two
    never stand side by side; a kanji the dictionary read out of a longer word (障 of 障がい)
    is no keyword, and a prefix stays on its noun (不登校 is not 登校)."""
    texts = ["外国人の子の日本語指導", "子どもの居場所がほしい", "その子に合った支援"]
    ranked = dict(keywords.ranked(texts))
    assert ranked["子ども"] == 3 and "子" not in ranked
    assert keywords.words("障がいのある人") == ("人",)
    assert keywords.words("不登校の子ども") == ("不登校", "子ども")
    assert keywords.words("未就学児と老老介護") == ("未就学児", "老老介護")
    assert keywords.words("各地域のお店") == ("地域", "店")


def test_words_every_theme_title_or_question_uses_are_left_out_of_the_lists():
    themes = ["高齢者を見守る仕組み", "子育てを支える仕組みづくり", "防災の仕組み", "防災の仕組み"]
    questions = ["地域でできることは？", "地域で始めるには？"]
    prompted = keywords.prompted_words(themes, questions)
    assert {"仕組み", "地域"} <= prompted
    assert not {"高齢者", "見守る", "防災", "子育て"} & prompted
    assert keywords.prompted_words(themes, []) == {"仕組み"}
    assert keywords.prompted_words([" ", ""], []) == frozenset()
    texts = ["見守りの仕組みがない", "仕組みを作る", "地域の仕組み", "高齢者の見守り"]
    assert keywords.ranked(texts)[0] == ("仕組み", 3)
    assert keywords.ranked(texts, left_out=prompted) == [("見守る", 2), ("作る", 1),
                                                           ("高齢者", 1)]


def test_charts_leave_out_the_prompted_words_and_keep_counting_them():
    tables, cards = tables_and_cards(("居場所の仕組み", "防災の仕組み"),
                                     ("居場所の仕組みと公園", "仕組みと居場所",
                                      "避難所の仕組みと防災"))
    left_out = keywords.prompted_words([t.theme for t in tables], [])
    built = keywords.Charts(tables, left_out)
    for index, card in enumerate(cards):
        built.add(card.table_id, index, card.text)
    charts = built.charts()
    assert charts["all"] == [("居場所", 2), ("公園", 1), ("避難所", 1), ("防災", 1)]
    assert charts["themes"][0] == ("居場所の仕組み", [("居場所", 2), ("公園", 1)])
    assert [ranked for _, ranked in charts["tables"]][2] == [("避難所", 1), ("防災", 1)]
    built.remove(1, 0, cards[0].text)
    assert built.charts()["all"] == [("居場所", 1), ("避難所", 1), ("防災", 1)]
