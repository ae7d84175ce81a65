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


def test_charts_per_table_and_per_shared_theme():
    tables = [SimpleNamespace(id=1, number=1, name="A", theme="子ども"),
              SimpleNamespace(id=2, number=2, name="B", theme="子ども"),
              SimpleNamespace(id=3, number=3, name="C", theme="防災")]
    cards = [SimpleNamespace(table_id=1, text="子どもの居場所"),
             SimpleNamespace(table_id=2, text="居場所と公園"),
             SimpleNamespace(table_id=3, text="避難所の公園")]
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
