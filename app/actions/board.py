"""Cards and the harvest board: new cards, groups, moderation, merging and dot voting."""

from __future__ import annotations

from dataclasses import dataclass

from app import auth, cards, keywords, rounds, screens
from app.actions import Done, Services, admission, announce, require
from app.i18n import N_, NN_
from app.live import changes
from app.live.view import EventView
from app.refusal import Refusal
from app.schemas import CardIn
from app.store import cards as store
from app.store import sessions
from app.store.records import CardRecord, EventRecord, GroupRecord


@dataclass(frozen=True)
class CardAnswer:
    card: CardRecord
    created: bool
    """False for a resend: the stored card comes back and nothing is announced."""


def add_card(services: Services, identity: auth.Identity, token: str, spec: CardIn,
             address: str) -> Done[CardAnswer]:
    """A card from a host, a participant or the facilitator (who names the table), rate
    limited per device token, and per client address with a budget a whole venue behind
    one NAT stays within (more is a flood, shown on the console as a flood of joins is);
    over it, only the tokens that sent a few cards already are refused, not an honest
    phone behind the same NAT.
    Written together with the cards of other requests that arrive meanwhile (group
    commit), yet refused or stored on its own."""
    if not identity.at_least(auth.PARTICIPANT):
        raise Refusal("forbidden", N_("Your role may not do this."))
    now = services.now()
    if wait_ms := services.card_limiter.wait(token, now):
        raise Refusal.retry_after(
            "too_many_cards",
            NN_("Too many cards at once. Try again in %(num)s second.",
                "Too many cards at once. Try again in %(num)s seconds."), wait_ms)
    budget_key = f"{identity.event_id} {address}"
    if wait_ms := services.card_budget.wait(budget_key, token, now):
        admission.note_card_flood(services, identity.event_id,
                                  services.card_budget.busy_since(budget_key) or now)
        raise Refusal.retry_after(
            "too_many_cards_from_network",
            NN_("Too many cards from this network at once. Try again in %(num)s second.",
                "Too many cards from this network at once. Try again in %(num)s seconds."),
            wait_ms)
    services.card_limiter.record(token, now)
    services.card_budget.record(budget_key, token, now)
    new = store.NewCard(identity, cards.clean_id(spec.id), spec.text, spec.table_id, now)
    keywords.prepare((new.text,))  # in this request's thread, not the batch's writer's
    added = services.card_commits.submit(
        identity.event_id, new, lambda event_id, batch: _store_cards(services, event_id,
                                                                     batch))
    return Done(CardAnswer(added.card, added.seq is not None),
                (changes.CardAdded(added.card),) if added.seq is not None else ())


def file_card(place: store.Place, new: store.NewCard) -> store.Filed:
    """Whether a new card is valid, and where it goes (app/cards.py): none once the event
    has finished, none longer than the event's longest card; hosts and participants write
    for the table they are at now (tables.table_in_round), the facilitator names one."""
    if place.finished:
        raise Refusal("finished", N_("This event has finished; no more cards can be added."))
    author = new.author
    cards.check_length(new.text, place.max_length)
    own_table = (place.participant_tables.get(author.participant_id)
                 if author.role == auth.PARTICIPANT else author.table_id)
    return store.Filed(cards.decide_table(author.role, new.requested_table, own_table,
                                          place.table_ids),
                       cards.colour_for_phase(place.phase_index))


def _store_cards(services: Services, event_id: str,
                 batch: list[store.NewCard]) -> list[store.Added | Refusal]:
    """The cards of a group commit stored, and each change it made announced once."""
    outcomes = store.add_cards(services.engine, event_id, batch, file_card)
    by_seq: dict[int, list[changes.CardAdded]] = {}
    for added in outcomes:
        if isinstance(added, store.Added) and added.seq is not None:
            by_seq.setdefault(added.seq, []).append(changes.CardAdded(added.card))
    for seq in sorted(by_seq):
        announce(services, event_id, seq, *by_seq[seq])
    return outcomes


@dataclass(frozen=True)
class Found:
    """The near-identical cards of an event, with the view they were found in."""

    view: EventView
    duplicates: list[cards.Duplicates]


def list_cards(services: Services, identity: auth.Identity, after: str | None = None,
               limit: int | None = None) -> store.Listed:
    """The cards oldest first, all or `limit` after the card `after`, and their weights;
    hidden ones for the facilitator only."""
    return store.list_cards(services.engine, identity.event_id,
                            include_hidden=identity.role == auth.FACILITATOR,
                            after=after, limit=limit)


def create_group(services: Services, identity: auth.Identity,
                 name: object) -> Done[GroupRecord]:
    require(identity, auth.FACILITATOR)
    group, seq = store.create_group(services.engine, identity.event_id,
                                    cards.clean_group_name(name), services.now())
    return Done(group, announce(services, identity.event_id, seq,
                                changes.GroupSaved(group, created=True)))


def rename_group(services: Services, identity: auth.Identity, group_id: int,
                 name: object) -> Done[GroupRecord]:
    require(identity, auth.FACILITATOR)
    group, seq = store.rename_group(services.engine, identity.event_id, group_id,
                                    cards.clean_group_name(name))
    return Done(group, announce(services, identity.event_id, seq,
                                changes.GroupSaved(group, created=False)))


def delete_group(services: Services, identity: auth.Identity, group_id: int) -> Done[int]:
    """The group goes; its cards go back to the ungrouped pile."""
    require(identity, auth.FACILITATOR)
    seq = store.delete_group(services.engine, identity.event_id, group_id)
    return Done(group_id, announce(services, identity.event_id, seq,
                                   changes.GroupDeleted(group_id)))


CARD_CHANGES = (("group_id", changes.CardGrouped), ("text", changes.CardEdited),
                ("hidden", changes.CardHidden))
"""What each field of a card change announces, in the order they are announced."""


def change_card(services: Services, identity: auth.Identity, card_id: str,
                edits: dict) -> Done[store.Weighed]:
    """The facilitator hides or shows a card, edits its text or moves it to a group; a
    table host or a participant edits or withdraws (hides) a card of their own while its
    round is open (_own_card_edits)."""
    require(identity, auth.PARTICIPANT)
    if not edits:
        raise Refusal("invalid", N_("Send at least one of hidden, text or group_id."))
    rules = (_card_edits(edits) if identity.role == auth.FACILITATOR
             else _own_card_edits(identity, edits))
    changed, seq = store.update_card(services.engine, identity.event_id, card_id, rules)
    announced = [change(changed.card) for name, change in CARD_CHANGES if name in edits]
    return Done(changed, announce(services, identity.event_id, seq, *announced))


def _card_edits(edits: dict) -> store.EditRules:
    """The rules of the facilitator's edits of a card, as the store reads it: a text as
    any card's (a merged card may stay as long as it is: an edit must not cut it short),
    `hidden` true or false, and no merged card shown again but by an unmerge."""
    def fields(card: CardRecord, max_length: int, _clock: rounds.ClockState) -> dict:
        checked = {}
        if "text" in edits:
            limit = cards.MAX_MERGED_TEXT if len(card.text) > max_length else max_length
            checked["text"] = cards.clean_text(edits["text"], limit)
        if "hidden" in edits:
            if not isinstance(edits["hidden"], bool):
                raise Refusal("invalid", N_("'hidden' must be true or false."))
            if not edits["hidden"] and card.merged_into:
                raise Refusal("already_merged", N_("That card was already merged."))
            checked["hidden"] = edits["hidden"]
        if "group_id" in edits:
            checked["group_id"] = edits["group_id"]
        return checked

    return fields


def _own_card_edits(identity: auth.Identity, edits: dict) -> store.EditRules:
    """The rules of an author's edits of their own card (a table host's cards of their
    table, a participant's own): its text, or `hidden: true` to withdraw it, while the
    phase it was written in runs and the event has not finished. Anyone else's card is
    403; moving a card to a group or showing one again is the facilitator's."""
    if "group_id" in edits or edits.get("hidden", True) is not True:
        raise Refusal("forbidden", N_("Only the facilitator may group a card or show it again."))

    def fields(card: CardRecord, max_length: int, clock: rounds.ClockState) -> dict:
        if not cards.written_by(card, identity.role, identity.table_id,
                                identity.participant_id):
            raise Refusal("forbidden", N_("You can change only your own cards."))
        if card.hidden:
            raise Refusal("refused", N_("That card was withdrawn or hidden already."))
        if card.phase_index != clock.phase_index or clock.status == rounds.FINISHED:
            raise Refusal("refused", N_("That round is over: its cards stay as they are."))
        checked: dict = {"hidden": True} if "hidden" in edits else {}
        if "text" in edits:
            checked["text"] = cards.clean_text(edits["text"], max_length)
        return checked

    return fields


MAX_CARDS_AT_ONCE = 200


def group_cards(services: Services, identity: auth.Identity, card_ids: list[str],
                group_id: int | None) -> Done[list[CardRecord]]:
    """The facilitator moves the selected cards into one group (or out of every group)."""
    require(identity, auth.FACILITATOR)
    if not card_ids:
        raise Refusal("invalid", N_("Select the cards to move first."))
    if len(card_ids) > MAX_CARDS_AT_ONCE:
        raise Refusal("invalid", N_("Move at most %(limit)s cards at once."),
                      limit=MAX_CARDS_AT_ONCE)
    moved, seq = store.group_cards(services.engine, identity.event_id, card_ids, group_id)
    return Done(moved, announce(services, identity.event_id, seq,
                                *(changes.CardGrouped(card) for card in moved)))


def merge(services: Services, identity: auth.Identity, keep_id: str,
          other_ids: list[str]) -> Done[store.Merged]:
    """Merge cards into one that keeps the combined text, their dots and their weight."""
    require(identity, auth.FACILITATOR)
    merged = store.merge_cards(services.engine, identity.event_id, keep_id, other_ids,
                               merged_text)
    return Done(merged, announce(services, identity.event_id, merged.seq, changes.CardsMerged(
        merged.kept, tuple(merged.others), tuple(merged.votes))))


def merged_text(keep: CardRecord, others: list[CardRecord]) -> str:
    """A merge's rules (app/cards.py): the kept card's new text, or a Refusal."""
    cards.check_merge(keep, others)
    return cards.merged_text([keep.text, *(o.text for o in others)])


@dataclass(frozen=True)
class MergePreview:
    view: EventView
    keep: CardRecord
    others: list[CardRecord]


def merge_preview(services: Services, identity: auth.Identity, keep_id: str,
                  other_ids: list[str]) -> MergePreview:
    """What a merge would fold, for the facilitator to confirm first; nothing changes. The
    merge's own rules answer now what the merge would answer."""
    require(identity, auth.FACILITATOR)
    view = sessions.load_view(services.engine, identity.event_id)
    chosen = [view.card(card_id) for card_id in (keep_id, *dict.fromkeys(other_ids))]
    if None in chosen:
        raise Refusal("no_card", store.NO_CARD)
    cards.check_merge(chosen[0], chosen[1:])
    return MergePreview(view, chosen[0], chosen[1:])


def unmerge(services: Services, identity: auth.Identity, card_id: str) -> Done[store.Merged]:
    """Undo the merges into a card: the merged cards are back with their dots, the kept
    card has its own text and weight back."""
    require(identity, auth.FACILITATOR)
    restored = store.unmerge_cards(services.engine, identity.event_id, card_id,
                                   cards.check_unmerge)
    return Done(restored, announce(services, identity.event_id, restored.seq,
                                   changes.CardsUnmerged(restored.kept, tuple(restored.others),
                                                         tuple(restored.votes))))


def duplicates(services: Services, identity: auth.Identity) -> Found:
    """Groups of near-identical visible cards, offered as merges (app/cards.py)."""
    require(identity, auth.FACILITATOR)
    view = sessions.load_view(services.engine, identity.event_id)
    return Found(view, cards.near_duplicates(view.board_cards()))


def vote(services: Services, identity: auth.Identity, card_id: str, delta: int) -> Done[dict]:
    """A dot put on a card (+1) or taken back (-1), from a participant's phone."""
    _require_voter(identity)
    voted = store.vote(services.engine, identity.event_id, identity.participant_id, card_id,
                       delta, dot_rules)
    return Done(voted.mine, announce(services, identity.event_id, voted.seq,
                                     changes.DotsChanged(voted.vote)))


def vote_group(services: Services, identity: auth.Identity, group_id: int,
               delta: int) -> Done[dict]:
    """A dot put on a KJ group (+1) or taken back (-1), when the event votes on groups."""
    _require_voter(identity)
    voted = store.vote_group(services.engine, identity.event_id, identity.participant_id,
                             group_id, delta, dot_rules)
    return Done(voted.mine, announce(services, identity.event_id, voted.seq,
                                     changes.GroupDotsChanged(voted.vote)))


def dot_rules(ballot: store.Ballot, target: str, delta: int) -> None:
    """A dot goes on what the event votes on ("cards" or "groups"), only while voting is
    open, and one more only while the voter has dots left (app/cards.py)."""
    if not ballot.voting_open:
        raise Refusal("voting_closed", N_("Voting is not open right now."))
    cards.check_vote_target(ballot.vote_on, target)
    if delta > 0:
        cards.check_vote(ballot.dots_used, ballot.budget)


def _require_voter(identity: auth.Identity) -> None:
    if identity.role != auth.PARTICIPANT:
        raise Refusal("forbidden", N_("Only participants vote, from their phones."))


def my_votes(services: Services, identity: auth.Identity) -> dict | None:
    """A participant's own dots; None for any other role."""
    if identity.role != auth.PARTICIPANT:
        return None
    return store.participant_votes(services.engine, identity.event_id,
                                   identity.participant_id)


def change_board(services: Services, identity: auth.Identity,
                 edits: dict) -> Done[EventRecord]:
    """The board's layout (`view`), the projector's screen (`screen`) and its board pages
    (`pages`), and the dot voting (`budget`, `open`, `revealed` — which closes voting
    unless `open` comes with it —, `vote_on`)."""
    require(identity, auth.FACILITATOR)
    event, seq = store.set_board(services.engine, identity.event_id, _board_settings(edits))
    announced = []
    if "view" in edits:
        announced.append(changes.LayoutChosen(event.board_layout))
    if "screen" in edits:
        announced.append(changes.ScreenChosen(event.projector_screen))
    if "pages" in edits:
        announced.append(changes.PagesCommanded(event.projector_paused,
                                                event.projector_page_turns))
    if edits.keys() & {"budget", "open", "revealed", "vote_on"}:
        announced.append(changes.VotingChanged(event.vote_budget, event.voting_open,
                                               event.votes_revealed, event.vote_on))
    return Done(event, announce(services, identity.event_id, seq, *announced))


BOARD_RULES = {"vote_on": cards.clean_vote_on, "budget": cards.clean_budget,
               "view": cards.clean_layout, "screen": screens.clean_choice,
               "pages": screens.clean_pages}
"""Each board setting's rule (app/cards.py, app/screens.py): its value to store or a
Refusal."""


def _board_settings(edits: dict) -> dict:
    """The board settings as the rules take them; `open` and `revealed` true or false."""
    for name in ("open", "revealed"):
        if name in edits and not isinstance(edits[name], bool):
            raise Refusal("invalid", N_("'%(field)s' must be true or false."), field=name)
    return {name: BOARD_RULES[name](value) if name in BOARD_RULES else value
            for name, value in edits.items()}
