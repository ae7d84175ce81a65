"""Japanese line breaks between phrases (app/templating/phrases.py), and a table's one name."""

from types import SimpleNamespace

from app.templating import table_label
from app.templating.phrases import phrases


def breaks(text: str) -> list[str]:
    html = str(phrases(text))
    return html.removeprefix('<span class="phrases">').removesuffix("</span>").split("<wbr>")


def test_words_are_never_broken_inside():
    for text, word in (("第1回市民協働ワークショップ", "第1回"), ("イベントに参加する", "参加"),
                       ("カードを保存する", "保存"), ("3人が移動します", "3人")):
        assert any(word in part for part in breaks(text)), (text, breaks(text))
    assert len(breaks("地域の見守りの担い手が足りないので若い世代にも声をかけたい")) > 2


def test_text_is_escaped_and_english_is_left_alone():
    assert "<b>" not in str(phrases("<b>参加</b>")) and "&lt;b&gt;" in str(phrases("<b>参加</b>"))
    assert str(phrases("Table 1 & 2")) == "Table 1 &amp; 2"


def test_a_table_has_one_name_with_its_number():
    assert table_label(SimpleNamespace(number=3, name="Aテーブル")) == "3 Aテーブル"
    assert table_label(SimpleNamespace(number=3, name="テーブル3")) == "テーブル3"
