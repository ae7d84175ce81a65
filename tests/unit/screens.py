"""Test helpers: a small event built from records, and a screen that applies pushed
fragments the way the htmx ws extension does (out-of-band swaps by id: replace the
element, insert an element's children `afterbegin:#list` or `afterend:#item`, `delete`),
then counts the rail's cards as js/board.js does.

A push for an element that is not on the screen fails the test, as it logs an error in the
browser (htmx:oobErrorNoTarget)."""

from __future__ import annotations

from lxml import html

from app import rounds
from app.records import CardRecord, EventRecord, GroupRecord, PersonRecord, TableRecord
from app.view import SessionView

THEMES = ("見守り", "見守り", "子育て")


def event_record(**changes) -> EventRecord:
    fields = dict(id="S1", title="市民協働ワーキング", language="ja", join_code="ACDEFG",
                  facilitator_token="f", projector_token="p", cofacilitator_token=None,
                  created_at_ms=0,
                  card_max_length=140, vote_budget=3, voting_open=True, votes_revealed=False,
                  board_view="table", joining_open=True,
                  projector_screen="auto", date="", start_time="", venue="", organiser="",
                  purpose="", time_zone="Asia/Tokyo", flood_since_ms=None, flood_until_ms=None,
                  vote_on="cards")
    return EventRecord(**{**fields, **changes})


def table_records(count: int = 3) -> list[TableRecord]:
    return [TableRecord(n, n, f"テーブル{n}", THEMES[(n - 1) % len(THEMES)], None, f"h{n}")
            for n in range(1, count + 1)]


def person_records(count: int = 4, tables: int = 3) -> list[PersonRecord]:
    return [PersonRecord(n, f"秘密の名前{n}", "citizen", "", "", (n - 1) % tables + 1, 0, False)
            for n in range(1, count + 1)]


def card_record(card_id: str, table_id: int = 1, created: int = 1, phase: int = 0,
                participant_id: int | None = 1, text: str = "見守りの担い手",
                **changes) -> CardRecord:
    fields = dict(id=card_id, table_id=table_id, phase_index=phase, round_index=0,
                  author_kind="participant" if participant_id else "host",
                  participant_id=participant_id, text=text, colour="yellow", hidden=False,
                  group_id=None, created_at_ms=created, merged_into=None)
    return CardRecord(**{**fields, **changes})


def make_view(session: EventRecord | None = None, cards=(), votes=(),
              groups: list[GroupRecord] = (), tables: int = 3, people: int = 4,
              seq: int = 0, group_votes=()) -> SessionView:
    program = rounds.preset("standard", lambda msgid: msgid)
    return SessionView(session or event_record(), table_records(tables), program,
                       rounds.initial_state(program), person_records(people, tables),
                       groups=list(groups), cards=list(cards), votes=list(votes),
                       group_votes=list(group_votes), seq=seq)


class Screen:
    """A page's live pieces, kept up to date by pushed frames."""

    def __init__(self, snapshot: str):
        self.root = html.fragment_fromstring(snapshot, create_parent="main")

    def element(self, element_id: str):
        found = self.root.xpath(f'//*[@id="{element_id}"]')
        assert len(found) <= 1, f"two elements with id {element_id}"
        assert found, f"a push targets #{element_id}, which is not on the screen"
        return found[0]

    def apply(self, frame: str) -> None:
        for pushed in html.fragments_fromstring(frame):
            if isinstance(pushed, str):
                assert not pushed.strip(), f"text outside an element: {pushed!r}"
                continue
            swap = pushed.attrib.pop("hx-swap-oob", "true")
            style, _, selector = swap.partition(":")
            if style == "true":
                target = self.element(pushed.get("id"))
                target.getparent().replace(target, pushed)
                pushed.tail = target.tail
            elif style == "delete":
                target = self.element(selector.removeprefix("#"))
                target.getparent().remove(target)
            elif style == "afterbegin":
                target = self.element(selector.removeprefix("#"))
                for position, child in enumerate(list(pushed)):
                    target.insert(position, child)
            elif style == "afterend":
                target = self.element(selector.removeprefix("#"))
                parent = target.getparent()
                index = parent.index(target)
                for offset, child in enumerate(list(pushed), start=1):
                    parent.insert(index + offset, child)
            else:
                raise AssertionError(f"unexpected swap {swap!r}")
        self._count_rails()

    def _count_rails(self) -> None:
        """What js/board.js does after every push: each rail count says how many cards its
        list holds (the pushes never send it)."""
        for count in self.root.xpath("//*[@data-rail-count]"):
            listed = self.root.xpath(f'//*[@id="{count.get("data-rail-count")}"]/li[@data-card]')
            count.text = str(len(listed))

    def shape(self, element_id: str) -> tuple:
        """The element as a comparable tree: tags, attributes and text, no white space."""
        return _shape(self.element(element_id))


def _shape(element) -> tuple:
    text = " ".join((element.text or "").split())
    children = tuple(_shape(child) for child in element if isinstance(child.tag, str))
    tails = tuple(" ".join((child.tail or "").split()) for child in element)
    return (element.tag, tuple(sorted(element.attrib.items())), text, children,
            tuple(t for t in tails if t))
