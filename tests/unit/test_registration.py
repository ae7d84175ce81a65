"""Reading a pre-registration list (pure): CSV in UTF-8, UTF-8 with BOM and CP932, XLSX;
Japanese or English headers; every problem named by its row and column; and the 50音
order of readings."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from app.documents.seating_files import read_people, sheet_rows
from app.refusal import Refusal
from app.text import fifty_sound_key, hiragana, is_reading, reading_key

LIST = ("氏名,ふりがな,所属,テーマ,メールアドレス\r\n"
        "髙橋 一郎,たかはし いちろう,市民,1,ichiro@example.jp\r\n"
        "﨑山 花子,サキヤマ ハナコ,ＮＰＯ,子ども,\r\n")


@pytest.mark.parametrize("encoding", ["cp932", "utf-8", "utf-8-sig"])
def test_a_list_reads_alike_in_cp932_utf8_and_utf8_with_bom(encoding):
    sheet = read_people(sheet_rows(LIST.encode(encoding)))
    assert sheet.problems == []
    assert [(p.name, p.furigana, p.affiliation, p.theme, p.email, p.row)
            for p in sheet.people] == [
        ("髙橋 一郎", "たかはし いちろう", "citizen", "1", "ichiro@example.jp", 2),
        ("﨑山 花子", "サキヤマ ハナコ", "npo", "子ども", "", 3)]


def test_a_workbook_reads_like_its_csv_numbers_without_dot_zero():
    book = Workbook()
    for row in ([["Name", "Furigana", "Affiliation", "Theme", "E-mail"],
                 ["Ann", "あん", "business", 2, None], [None, None, None, None, None],
                 ["Bo", "", "community", 1.0, "bo@example.org"]]):
        book.active.append(row)
    data = io.BytesIO()
    book.save(data)
    people = read_people(sheet_rows(data.getvalue())).people
    assert [(p.name, p.theme, p.email, p.row) for p in people] == [
        ("Ann", "2", "", 2), ("Bo", "1", "bo@example.org", 4)]


def test_every_problem_is_named_by_row_and_column_not_only_the_first():
    text = "名前,所属\nA,市民\n,行政\nB,学生\nC,宇宙人\n"
    sheet = read_people(sheet_rows(text.encode()))
    assert [(p.row, p.column) for p in sheet.problems] == [
        (3, "name"), (4, "affiliation"), (5, "affiliation")]
    assert "'学生'" in str(sheet.problems[1].refusal)
    assert len(sheet.people) == 4  # the rows are still counted


@pytest.mark.parametrize("data", [b"PK\x03\x04broken", b"\xff\xfe\x00\x81\x00"])
def test_a_file_that_is_no_table_is_refused_whole(data):
    with pytest.raises(Refusal):
        sheet_rows(data)


def test_readings_are_kana_in_either_script():
    assert is_reading("やまだ たろう") and is_reading("ヤマダ・タロー") and is_reading("ﾔﾏﾀﾞ")
    assert not is_reading("山田") and not is_reading("Yamada")
    assert hiragana("ｶﾞｯｺｳ") == "がっこう"


def test_the_50_sound_order_is_a_dictionarys():
    readings = ["わたなべ", "さとう", "サトウ", "ごとう", "こばやし", "きよた", "きょう",
                "あべ", "いとう"]
    assert sorted(readings, key=reading_key) == [
        "あべ", "いとう", "きょう", "きよた", "ごとう", "こばやし", "さとう", "サトウ",
        "わたなべ"]
    people = [("", "Zed"), ("たなか", "田中"), ("", "Amy"), ("あおき", "青木")]
    assert [name for _, name in sorted(people, key=lambda p: fifty_sound_key(*p))] == [
        "青木", "田中", "Amy", "Zed"]  # without furigana after, by name
