"""The facilitator's console: the page, the programme's clock, the seating and the moves,
who may join and who has, the reception desk, the page links, the survey and the action
plan's statuses."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app import auth
from app.actions import (
    action_plan,
    admission,
    erasure,
    exports,
    registration,
    seating,
    series,
    sessions,
    survey,
)
from app.documents import printed
from app.i18n import N_, NN_, translate
from app.live.delivery import Audience
from app.live.view import EventView
from app.refusal import Refusal
from app.schemas import ActionPatch, FollowUpIn, SurveyPatch
from app.templating import links
from app.web import urls
from app.web.deps import RowIdPath, ServicesDep, SettingsDep, list_sent, page_language
from app.web.pages.forms import (
    AbsenceForm,
    ActionDraftForm,
    ActionMoveForm,
    ControlForm,
    ErasureForm,
    FloodReviewForm,
    FollowUpForm,
    ImportForm,
    JoiningForm,
    LinkForm,
    MoveForm,
    ReceptionForm,
    RemovalForm,
    SurveyOpenForm,
    posted,
)
from app.web.pages.visits import (
    ConsoleFormVisit,
    ConsoleVisit,
    Facilitator,
    Seating,
    cookie_of,
    live_context,
    note,
    render_page,
    set_cookie,
)

router = APIRouter()

Controller = Annotated[auth.Identity, cookie_of(
    auth.FACILITATOR, denied=N_("Only the facilitator may control the rounds."))]


def _host_urls(base: str, view: EventView) -> dict[int, str]:
    return {t.id: links.host_url(base, view, t) for t in view.tables}


@router.get("/f/{event_id}", response_class=HTMLResponse)
def console(visit: ConsoleVisit, request: Request, services: ServicesDep) -> Response:
    base = urls.base_url(request)
    follow_up_number = series.next_number(services, visit.view.event)
    return render_page(request, visit.language, "pages/console.html", page_name="facilitator",
                       audience=Audience("facilitator", visit.language, base=base),
                       documents=exports.console_documents(services, visit.identity, base),
                       follow_up_title=series.default_title(visit.view.event, follow_up_number),
                       follow_up_number=follow_up_number,
                       **live_context(visit.view))


@router.post("/f/{event_id}/control")
def control_from_console(identity: Controller,
                         command: Annotated[ControlForm, posted(ControlForm)],
                         request: Request, services: ServicesDep) -> Response:
    return note(request, sessions.control(services, identity, command).value.note)


@router.post("/f/{event_id}/seats")
def move_from_console(identity: Seating, move: Annotated[MoveForm, posted(MoveForm)],
                      request: Request, services: ServicesDep) -> Response:
    seating.move(services, identity, move)
    return note(request)


@router.post("/f/{event_id}/seating/plan")
def plan_from_console(identity: Facilitator, request: Request,
                      services: ServicesDep) -> Response:
    if seating.plan_now(services, identity).value.changed:
        return note(request, N_("The moves are planned: the route slips can be printed."))
    return note(request, N_("The moves were planned already; nothing changed."))


@router.post("/f/{event_id}/seating/rebalance")
def rebalance_from_console(identity: Facilitator, request: Request,
                           services: ServicesDep) -> Response:
    moved = seating.rebalance(services, identity).value.moved
    if not moved:
        return note(request, N_("The home tables mix as well as they can already; "
                                "nobody moved."))
    return note(request, NN_("%(num)s person has another home table for a better mix.",
                             "%(num)s people have another home table for a better mix."),
                num=moved)


@router.post("/f/{event_id}/absence")
def absence_from_console(identity: Seating, absence: Annotated[AbsenceForm, posted(AbsenceForm)],
                         request: Request, services: ServicesDep) -> Response:
    seating.mark_absent(services, identity, absence.participant_id, absence.absent)
    return note(request)


@router.post("/f/{event_id}/joining")
def joining_from_console(identity: Facilitator,
                         joining: Annotated[JoiningForm, posted(JoiningForm)],
                         request: Request, services: ServicesDep) -> Response:
    admission.set_joining(services, identity, joining.open)
    return note(request, N_("Joining is open again.") if joining.open
                else N_("Joining is closed."))


@router.post("/f/{event_id}/join_code")
def join_code_from_console(identity: Facilitator, request: Request,
                           services: ServicesDep) -> Response:
    admission.new_join_code(services, identity)
    return note(request, N_("A new join code is on the projector; the old one no longer works."))


@router.post("/f/{event_id}/participants/{participant_id}/remove")
def remove_from_console(identity: Facilitator, participant_id: RowIdPath,
                        removal: Annotated[RemovalForm, posted(RemovalForm)],
                        request: Request, services: ServicesDep) -> Response:
    removed = admission.remove_participants(services, identity, [participant_id],
                                            removal.hide_cards).value
    if removed.hidden_cards:
        return note(request, N_("Removed; their cards are hidden."))
    return note(request, N_("Removed."))


@router.post("/f/{event_id}/join_flood")
def flood_review_from_console(identity: Facilitator,
                              review: Annotated[FloodReviewForm, posted(FloodReviewForm)],
                              request: Request, services: ServicesDep) -> Response:
    """The console's review of a flood of joins: remove the ticked people (and hide their
    cards), or keep everyone; either way the notice goes."""
    admission.review_flood(services, identity, review.remove)
    if not review.remove:
        return note(request, N_("Everyone who joined stays."))
    return note(request, NN_("Removed %(num)s person; their cards are hidden.",
                             "Removed %(num)s people; their cards are hidden."),
                num=len(review.remove))


@router.post("/f/{event_id}/reception")
def reception_from_console(identity: Facilitator,
                           arrival: Annotated[ReceptionForm, posted(ReceptionForm)],
                           request: Request, services: ServicesDep) -> Response:
    """The answer beside the desk: the person's table now (the one seat rule, as `GET
    …/seating` has it for this round), their whole route and their slip to print."""
    added = sessions.register(services, identity, arrival).value
    return _reception_answer(request, added.view, added.person_id, "reception-answer")


def _reception_answer(request: Request, view: EventView, participant_id: int,
                      answer_id: str) -> Response:
    """Where someone the reception let in sits now and their route, with their slip."""
    person = view.person(participant_id)
    return render_page(request, page_language(request), "fragments/_reception_answer.html",
                       view=view, person=person, table_now=view.table(view.table_id_of(person)),
                       route=view.full_route(person), answer_id=answer_id,
                       arrived=answer_id == "arrival-answer")


@router.get("/f/{event_id}/participants/{participant_id}/slip", response_class=HTMLResponse)
def route_slip(visit: ConsoleVisit, participant_id: RowIdPath, request: Request) -> Response:
    """One person's route slip, a page to print at once (the reception's latecomer); as
    the sheets of slips, only once the moves are planned."""
    person = visit.view.person(participant_id)
    if person is None:
        raise Refusal("not_found", N_("There is no such participant in this event."))
    exports.check_ready(visit.view, "routes.pdf")
    return render_page(request, visit.language, "pages/route_slip.html", view=visit.view,
                       **printed.single_slip(visit.view, person, visit.language))


@router.post("/f/{event_id}/participants/import")
def import_from_console(identity: Facilitator, upload: Annotated[ImportForm, posted(ImportForm)],
                        data: Annotated[bytes, Depends(list_sent)], request: Request,
                        services: ServicesDep) -> Response:
    """The upload of a pre-registration list: `dry_run=true` draws the preview (rows and
    problems; the import button when there are none), else everyone is stored and the
    preview says how many."""
    language = page_language(request)
    if upload.dry_run:
        return render_page(request, language, "fragments/_import_preview.html",
                           checked=registration.check(services, identity, data), imported=None)
    count = len(registration.import_people(services, identity, data).value.people)
    return render_page(request, language, "fragments/_import_preview.html",
                       imported=count, checked=None, flash_kind="note",
                       flash_text=translate(language, NN_(
                           "Imported %(num)s person.", "Imported %(num)s people."), num=count))


@router.post("/f/{event_id}/participants/{participant_id}/arrival")
def arrival_from_console(identity: Facilitator, participant_id: RowIdPath, request: Request,
                         services: ServicesDep) -> Response:
    """Someone pre-registered ticked in: the answer below the expected list, as the desk's."""
    view = seating.arrive(services, identity, participant_id).value
    return _reception_answer(request, view, participant_id, "arrival-answer")


@router.post("/f/{event_id}/tokens")
def new_link_from_console(identity: Facilitator, link: Annotated[LinkForm, posted(LinkForm)],
                          request: Request, services: ServicesDep) -> Response:
    admission.new_link(services, identity, link.role, link.table_id, link.revoke)
    if link.revoke:
        return note(request, N_("The co-facilitator's link no longer works."))
    return note(request, N_("The new link is in the list; the old device is signed out."))


@router.get("/f/{event_id}/hosts", response_class=HTMLResponse)
def host_sheet(visit: ConsoleVisit, request: Request) -> Response:
    return render_page(request, visit.language, "pages/hosts_print.html", view=visit.view,
                       host_urls=_host_urls(urls.base_url(request), visit.view))


@router.post("/f/{event_id}/survey/start")
def survey_from_console(identity: Facilitator, request: Request,
                        services: ServicesDep) -> Response:
    """A survey with the default questions of a 協働 workshop (the API sets others)."""
    survey.start_default(services, identity)
    return note(request, N_("The survey is ready: open it when people should answer."))


@router.post("/f/{event_id}/survey/open")
def survey_open_from_console(identity: Facilitator,
                             opening: Annotated[SurveyOpenForm, posted(SurveyOpenForm)],
                             request: Request, services: ServicesDep) -> Response:
    survey.set_open(services, identity, SurveyPatch(open=opening.open))
    return note(request, N_("The survey is open on the phones.") if opening.open
                else N_("The survey is closed."))


@router.post("/f/{event_id}/actions")
def action_from_console(identity: Facilitator,
                        drafted: Annotated[ActionDraftForm, posted(ActionDraftForm)],
                        request: Request, services: ServicesDep) -> Response:
    """An action drafted for a KJ group (a top group of the harvest) on the console."""
    action_plan.draft(services, identity, drafted)
    return note(request, N_("The action is added: the room sees it."))


@router.post("/f/{event_id}/actions/{action_id}/status")
def action_status_from_console(identity: Facilitator, action_id: RowIdPath,
                               move: Annotated[ActionMoveForm, posted(ActionMoveForm)],
                               request: Request, services: ServicesDep) -> Response:
    """An action's status moved on (its button), with what happened."""
    action_plan.edit(services, identity, action_id,
                     ActionPatch(status=move.status, note=move.note))
    return note(request)


@router.post("/f/{event_id}/follow_up")
def follow_up_from_console(identity: Facilitator,
                           form: Annotated[FollowUpForm, posted(FollowUpForm)],
                           request: Request, services: ServicesDep,
                           settings: SettingsDep) -> Response:
    """The next event of the series (POST …/follow_up's action), then its console: this
    browser gets the new event's facilitator cookie, as the start page gives it."""
    view = series.follow_up(services, identity, FollowUpIn.model_validate(form.spec())).value
    response = note(request, N_("%(title)s is made: its console opens."), title=view.event.title)
    response.headers["HX-Redirect"] = f"/f/{view.event.id}"
    set_cookie(response, settings, auth.FACILITATOR, view.event.id,
               view.event.facilitator_token)
    return response


ERASURES = {
    "anonymise": (N_("Erase the names of this event?"),
                  N_("Every participant's name, reading and email becomes “Participant 1”, "
                     "“Participant 2”, … and every link but this console stops working "
                     "(phones, hosts, the projector, the co-facilitator). Cards, groups, "
                     "dots, survey answers and every figure stay; the documents made so far "
                     "are thrown away and made again without names."),
                  N_("Erase the names")),
    "delete": (N_("Delete this event?"),
               N_("The event and everything in it (people, cards, groups, dots, survey "
                  "answers, documents) are deleted, and every link to it stops working."),
               N_("Delete the event")),
}
"""What each erasure's confirmation page says: its heading, text and button."""


def _erasure_step(visit, request: Request, confirm: ErasureForm, what: str) -> Response | None:
    """The confirmation page, unless this post confirms (None: go on)."""
    if confirm.confirmed:
        return None
    heading, text, button = (translate(visit.language, msgid) for msgid in ERASURES[what])
    return render_page(request, visit.language, "pages/erasure_confirm.html", view=visit.view,
                       what=what, heading=heading, text=text, button=button)


@router.post("/f/{event_id}/anonymise")
def anonymise_from_console(visit: ConsoleFormVisit,
                           confirm: Annotated[ErasureForm, posted(ErasureForm)],
                           request: Request, services: ServicesDep) -> Response:
    """Erase names: the first post asks again; the confirmed one erases and goes back to
    the console (its own link stays valid)."""
    step = _erasure_step(visit, request, confirm, "anonymise")
    if step is not None:
        return step
    erasure.anonymise(services, visit.identity)
    return RedirectResponse(f"/f/{visit.view.event.id}", status_code=303)


@router.post("/f/{event_id}/delete")
def delete_from_console(visit: ConsoleFormVisit,
                        confirm: Annotated[ErasureForm, posted(ErasureForm)],
                        request: Request, services: ServicesDep) -> Response:
    """Delete the event: the first post asks again; the confirmed one deletes it and goes
    to the start page."""
    step = _erasure_step(visit, request, confirm, "delete")
    if step is not None:
        return step
    erasure.delete(services, visit.identity)
    return RedirectResponse("/", status_code=303)
