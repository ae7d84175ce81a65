"""The action plan's rules and live pieces, without a server: the status machine and its
refusals, roles by stakeholder code, and what a drafted action or a raised hand pushes —
the same pieces a fresh snapshot draws, hands counted per affiliation and never named."""

import io
from dataclasses import replace

import docx
import pytest
from pydantic import ValidationError

from app import stakeholders
from app.documents import report, series
from app.live import changes, delivery
from app.refusal import Refusal
from app.schemas import ActionIn, status_move
from app.store.records import (
    ACTION_MOVES,
    ACTION_STATUSES,
    ActionRecord,
    ActionStepRecord,
    GroupRecord,
    VolunteerRecord,
)
from tests.fixtures.documents import NAMES, NOW, TIMELINE, report_view
from tests.fixtures.screens import make_view, person_records
from tests.unit.test_live_render import AUDIENCES, push, snapshots
from tests.unit.test_series_report import follow_up_of

ACTION = ActionRecord(1, "S1", 1, None, "見守りカフェを開く",
                      (("citizen", "担い手"), ("city", "公民館の会場")), "2027-03-31",
                      "proposed", 10)


def test_statuses_move_only_forward_one_step_or_to_dropped():
    path = ["proposed", "agreed", "in_progress", "done"]
    for current, wanted in zip(path, path[1:], strict=False):
        assert status_move(current, wanted) == wanted
    for current in ("proposed", "agreed", "in_progress"):
        assert status_move(current, "dropped") == "dropped"
    refused = [(c, w) for c in ACTION_STATUSES for w in (*ACTION_STATUSES, "finished", 3)
               if w != c and w not in ACTION_MOVES[c]]
    assert ("proposed", "done") in refused and ("done", "dropped") in refused
    assert ("agreed", "proposed") in refused and ("dropped", "agreed") in refused
    for current, wanted in refused:
        with pytest.raises(Refusal) as caught:
            status_move(current, wanted)
        assert caught.value.code == "status_move" and caught.value.status == 409


def test_roles_take_the_stakeholder_codes_in_their_order_and_refuse_others():
    spec = ActionIn(what=" 見守りカフェ ", roles={"npo": "ノウハウ", "citizen": "担い手",
                                                 "city": " "})
    assert spec.roles == (("citizen", "担い手"), ("npo", "ノウハウ"))
    assert [code for code, _ in spec.roles] == [c for c in stakeholders.AFFILIATIONS
                                                 if c in ("citizen", "npo")]
    for roles in ({"mayor": "予算"}, ["citizen"], {"city": 3}):
        with pytest.raises(ValidationError):
            ActionIn(what="見守り", roles=roles)
    with pytest.raises(ValidationError):
        ActionIn(what="見守り", due="2027-02-30")


def deliver_to_screens(view, *announced):
    screens = snapshots(view)
    outgoing = delivery.Delivery(view, {"facilitator", "participant"})
    outgoing.apply(changes.Batch("S1", view.seq + 1, announced))
    texts = {a: "".join(frames) for a, frames in outgoing.texts(AUDIENCES).items()}
    push(screens, outgoing)
    fresh = snapshots(view)
    for audience in AUDIENCES:
        for piece in delivery.PAGE_PIECES[audience.page]:
            assert screens[audience].shape(piece) == fresh[audience].shape(piece), (
                audience, piece)
    return texts, outgoing.json


def test_a_drafted_action_and_raised_hands_push_counts_never_names():
    people = [replace(p, affiliation=a) for p, a in
              zip(person_records(4), ("citizen", "citizen", "npo", "city"), strict=True)]
    view = make_view()
    view.apply(changes.SeatingChanged((), tuple(people)))
    texts, _ = deliver_to_screens(view, changes.GroupSaved(GroupRecord(7, "居場所", 5), True))
    console = next(t for a, t in texts.items() if a.page == "facilitator")
    assert 'id="action-groups"' in console and "居場所" in console.split('id="action-groups"')[1]
    texts, _ = deliver_to_screens(view, changes.ActionSaved(
        ACTION, created=True, steps=(ActionStepRecord(1, "S1", "proposed", "", 10),)))
    by_page = {(a.page, a.table_id, a.participant_id): t for a, t in texts.items()}
    assert "公民館の会場" in by_page[("projector", None, None)]
    assert 'data-action-id="1"' in by_page[("host", 1, None)]
    assert ("host", 2, None) not in by_page  # another table's tablet gets nothing

    hands = [changes.HandRaised(VolunteerRecord(1, person.id), raised=True)
             for person in people[:3]]
    texts, json = deliver_to_screens(view, *hands)
    assert stakeholders.volunteers(view, 1) == [("citizen", 2), ("npo", 1)]
    assert view.raised_by(1) == {1} and view.raised_by(4) == frozenset()
    every_text = [*texts.values(), *json["participant"], *json["facilitator"]]
    assert not any("秘密の名前" in text for text in every_text)
    assert '"volunteers": {"citizen": 2, "npo": 1}' in json["participant"][-1]
    phone = next(t for a, t in texts.items() if a.participant_id == 1)
    assert 'data-lower-hand="1"' in phone and 'data-volunteers="3"' in phone

    lowered = changes.HandRaised(VolunteerRecord(1, 1), raised=False)
    texts, _ = deliver_to_screens(view, lowered, changes.ActionSaved(
        replace(ACTION, status="agreed"), created=False,
        steps=(ActionStepRecord(1, "S1", "agreed", "合意", 20),)))
    assert stakeholders.volunteers(view, 1) == [("citizen", 1), ("npo", 1)]
    assert [step.status for step in view.action_steps[1]] == ["proposed", "agreed"]
    console = next(t for a, t in texts.items() if a.page == "facilitator")
    assert 'data-status="agreed"' in console and 'data-move="in_progress"' in console


def test_the_report_and_its_docx_have_the_action_plan_by_theme_with_roles_and_hands():
    view = report_view("ja")
    assert "アクションプラン" not in report.build(view, TIMELINE, "ja", NOW).headings
    view.apply(changes.ActionSaved(replace(ACTION, session_id="s1", table_id=2), created=True))
    for person in view.participants[:2]:
        view.apply(changes.HandRaised(VolunteerRecord(1, person.id), raised=True))
    built = report.build(view, TIMELINE, "ja", NOW)
    section = next(s for s in built.sections if s.heading == "アクションプラン")
    assert [b.text for b in section.blocks if isinstance(b, report.Subheading)] == [
        "テーマ: Children"]
    cells = [[c.text for c in row.cells] for table in
             docx.Document(io.BytesIO(report.to_docx(built))).tables for row in table.rows]
    row = next(r for r in cells if r[0].startswith(ACTION.what))
    assert row[0] == f"{ACTION.what}（Table 2）" and "行政: 公民館の会場" in row[1]
    assert row[2:4] == ["2027年3月31日（水）", "提案"]
    assert sum(int(part.rsplit(" ", 1)[1]) for part in row[4].split(" · ")) == 2
    assert not any(name in cell for name in NAMES for r in cells for cell in r)


def test_the_series_report_lists_each_sessions_actions_with_their_progress():
    first = report_view("ja")
    second = follow_up_of(first)
    steps = (ActionStepRecord(1, "s1", "proposed", "", 10),
             ActionStepRecord(1, "s1", "agreed", "", 20),
             ActionStepRecord(1, "s2", "in_progress", "会場を予約した", 30))
    first.apply(changes.ActionSaved(replace(ACTION, session_id="s1", status="in_progress"),
                                    created=True, steps=steps))
    built = series.build([first, second], "ja", NOW)
    blocks = next(s for s in built.sections if s.heading == "アクションとその進捗").blocks
    assert [b.text for b in blocks if isinstance(b, report.Subheading)] == [
        "第1回 Working together 2026"]  # the second session drafted none
    (table,) = [b for b in blocks if isinstance(b, report.Table)]
    (row,) = table.rows
    assert row[0].startswith(ACTION.what) and row[3] == "進行中"
    assert row[-1] == ("第1回: 提案", "第1回: 合意済み", "第2回: 進行中 (会場を予約した)")


def test_an_earlier_sessions_action_is_reviewed_on_the_console_only():
    view = make_view()
    view.sessions_before = {"S0": "市民協働ワーキング（第1回）"}
    earlier = replace(ACTION, id=9, session_id="S0", table_id=None, status="agreed")
    texts, _ = deliver_to_screens(view, changes.ActionSaved(
        replace(earlier, status="in_progress"), created=False,
        steps=(ActionStepRecord(9, "S1", "in_progress", "会場を予約した", 30),)))
    assert view.actions == {} and view.earlier_actions[9].status == "in_progress"
    assert {a.page for a in texts} == {"facilitator"}
    review = texts[next(a for a in texts)].split('id="action-review"')[1]
    assert "第1回" in review and "会場を予約した" in review and 'data-move="done"' in review
