"""Hostile input against every operation of the OpenAPI schema the server serves
(/api/openapi.json), sent to a real server (a uvicorn child process, SQLite and PostgreSQL).

Two passes over each operation:

- generated: schemathesis makes valid and (where the schema can be broken) invalid
  parameters and bodies. Each request is sent to a real event (its session, participant,
  table, card and group ids in the path, its join code in the body) with the right role's
  token and cookie, and spoils one thing more (its "focus"): a wrong, foreign, garbled or
  missing token or another role's; odd Accept, Accept-Language or Origin headers; generated
  or mangled path parameters; the generated body as it is; or a page's form fields (which
  the schema does not list). The rest of a body gets values that the rules accept
  (DOMAIN), so requests get past the first refusal to the rules behind it.
- edges: one request per edge value (NUL and other control characters, numbers in other
  scripts, huge and negative numbers, empty, long, wrong kinds, a missing field) in each
  path parameter, each top-level body field and each form field of an otherwise right
  request. Schemathesis never puts control characters in path parameters, so this pass
  does.

Whatever comes, no answer is a 5xx, and every 4xx in JSON has the error shape of
docs/api.md, `{"error": {"code": str, "message": str}}` (on /api/ every 4xx is JSON; the
pages answer a 4xx with HTML). Schemathesis' own checks run too: not_a_server_error, and
response_schema_conformance: each answer of a documented status matches its documented
schema, with the error shape for the 422 that the schema FastAPI generates documents as
HTTPValidationError. Statuses the schema does not document (401, 403, 404, 409, 429, ...)
are not held against it.

Operations that change the event (finishing it, removing people, merging cards) get a
fresh event every REFRESH requests, so the rest still reach a live one.

Two lengths: `make test` runs the short fuzz (3 generated examples per operation and mode,
each operation on one of the two databases in turn; an eighth of each operation's edge cases
per database, a share that moves from operation to operation, so every edge value meets a
quarter of the operations: about a minute per database in a whole run), `make fuzz` the long one
(WORLDCAFE_FUZZ=full: 25 examples, every edge case on both databases). Bounded and
reproducible: WORLDCAFE_FUZZ_EXAMPLES generated examples (default above) per operation and
mode, derandomized (the same requests on every run), no example database, no shrinking
unless WORLDCAFE_FUZZ_SHRINK=1.
WORLDCAFE_FUZZ_TRACE=<label part> prints the requests of matching operations (with -s),
WORLDCAFE_FUZZ_VERBOSE=1 their statuses, and WORLDCAFE_FUZZ_CHECKS=name,... adds more of
schemathesis' checks.

A page that gains a form (or a field) belongs in FORMS, a field whose rule wants particular
values in DOMAIN: the fuzzer then gets past its first refusal.
"""

from __future__ import annotations

import os
import string
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field

import httpx
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.errors import FailureGroup
from schemathesis.specs.openapi import checks as openapi_checks
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.fixtures import loopback
from tests.fixtures.api import bearer, create_event, join
from tests.fixtures.photos import phone_photo
from tests.fixtures.servers import DATABASES
from tests.fixtures.timing import seconds

pytestmark = pytest.mark.fuzz

FULL = os.environ.get("WORLDCAFE_FUZZ") == "full"
"""The long fuzz (`make fuzz`); else the short one that `make test` runs."""

EXAMPLES = int(os.environ.get("WORLDCAFE_FUZZ_EXAMPLES", "25" if FULL else "3"))
"""Generated examples per operation and generation mode (the short fuzz: on one database
per operation, every other operation on each)."""

EDGE_SHARES = 1 if FULL else 4 * len(DATABASES)
"""The short fuzz sends every EDGE_SHARES-th edge case of an operation to each database,
starting at a place that moves with the operation: each run tries every edge value on a
quarter of the operations (the long fuzz: every edge case on both databases)."""

TRACE = os.environ.get("WORLDCAFE_FUZZ_TRACE")
VERBOSE = bool(os.environ.get("WORLDCAFE_FUZZ_VERBOSE"))

PHASES = [Phase.explicit, Phase.generate]
if os.environ.get("WORLDCAFE_FUZZ_SHRINK"):
    PHASES.append(Phase.shrink)
"""Shrinking a failure to its smallest form takes hundreds of requests more: only on demand.
A failure is reported with the request that failed."""

REFRESH = 50
"""Requests of an operation that changes things before it gets a fresh event (each
operation starts with one)."""

SCHEMA_PATH = "/api/openapi.json"

ERROR_SHAPE = {
    "type": "object",
    "required": ["error"],
    "properties": {"error": {"type": "object", "required": ["code", "message"],
                             "properties": {"code": {"type": "string"},
                                            "message": {"type": "string"}}}},
}

CHECKS = [not_a_server_error, response_schema_conformance] + [
    getattr(openapi_checks, name) for name in
    filter(None, os.environ.get("WORLDCAFE_FUZZ_CHECKS", "").split(","))]
"""Schemathesis' checks that this API passes; WORLDCAFE_FUZZ_CHECKS=name,... adds others of
schemathesis.specs.openapi.checks to try them (status_code_conformance and
content_type_conformance fail: the schema documents only 200/201 and 422, and JSON where the
pages answer HTML)."""

COOKIE_LETTER = {"facilitator": "f", "projector": "p", "host": "h", "participant": "j"}

FORMATS = ("csv", "md", "json", "csv", "md", "json", "pdf", "png")
"""Export formats for `{fmt}`: the cheap ones more often (pdf and png render pages)."""

THEMES = ("高齢者を地域で支え合う", "子どもの成長を地域で支える", "市民参画による魅力発信")
PHASES_SENT = ([{"kind": "intro", "title": "自己紹介", "minutes": 2.5}],
               [{"kind": "plain", "title": "Round 1", "minutes": 0.05, "question": "何が？",
                 "moves": True}, {"kind": "conversation", "title": "x" * 80, "minutes": 600}])

DOMAIN = {
    "title": ("市民協働ワークショップ", "Town meeting", "<b>題</b>", "x" * 120),
    "language": ("ja", "en"),
    "program": ("standard", "world_cafe", "briefing", *PHASES_SENT),
    "tables": ([{"name": "テーブル1", "theme": THEMES[0]}],
               [{"name": "A"}, {"name": "B", "theme": THEMES[1], "capacity": 1}],
               [{"name": f"T{n}", "capacity": 100} for n in range(4)]),
    "action": ("start", "pause", "resume", "next", "previous", "extend", "goto", "finish"),
    "seconds": (60, -60, 3600, -3600, 0, 1),
    "phase_index": (1, 0, 2, 6),
    "from_phase": (0, 1, 2),
    "text": ("見守りの担い手が足りない", "<b>x</b>", "  a \n b  ", "x" * 140, "=1+1",
             "😀" * 10),
    "name": ("山田", "Ana", "担い手", "x" * 40, "<b>名</b>"),
    "affiliation": ("citizen", "city", "npo", "business", "community", "other"),
    "theme": (THEMES[0], "", THEMES[1], THEMES[2]),
    "expectation": ("", "つながり"),
    "kind": ("plain", "intro", "conversation", "return", "briefing", "action"),
    "minutes": (1, 0.05, 20, 600),
    "question": ("", "何が足りない？"),
    "moves": (False, True),
    "capacity": (8, 1, 100),
    "hidden": (False, True),
    "absent": (False, True),
    "open": (True, False),
    "on": ("yes", "no"),
    "revealed": (False, True),
    "joining_open": (True, False),
    "hide_cards": (False, True),
    "budget": (3, 0, 20),
    "view": ("table", "group", "phase", "theme"),
    "screen": ("auto", "timer", "moves", "board", "ranking", "actions", "end"),
    "what": ("見守りカフェを月1回開く", "x" * 300, "<b>やる</b>"),
    "roles": ({"citizen": "担い手", "city": "会場"}, {}, {"npo": "x" * 200},
              {"business": "", "community": "回覧板"}),
    "due": ("2027-03-31", "", None),
    "status": ("agreed", "dropped", "proposed", "in_progress", "done"),
    "note": ("", "区長会で合意した"),
    "role_citizen": ("見守りの担い手", ""),
    "role_city": ("公民館の会場", "x" * 200),
    "card_max_length": (140, 20, 500),
    "role": ("host", "projector", "participant", "facilitator"),
}
"""Values the rules accept (docs/api.md), the first the plainest, for fields whose schema is
only a type: with them a request gets past the first refusal to the rules behind it. A
card's `id` is a new UUID."""

EVENT_FORM = ("title", "language", "program", "table_name", "table_theme", "phase_kind",
              "phase_title", "phase_minutes", "phase_question", "phase_moves",
              "card_max_length")
FORMS = {
    "/": (*EVENT_FORM, "passcode"),
    "/f/{event_id}/edit": EVENT_FORM,
    "/j/{join_code}": ("name", "affiliation", "theme", "expectation"),
    "/f/{event_id}/control": ("action", "seconds", "phase_index", "from_phase"),
    "/f/{event_id}/seats": ("participant_id", "table_id", "phase_index"),
    "/f/{event_id}/absence": ("participant_id", "absent"),
    "/h/{event_id}/absence": ("participant_id", "absent"),
    "/f/{event_id}/joining": ("open",),
    "/f/{event_id}/participants/{participant_id}/remove": ("hide_cards",),
    "/f/{event_id}/tokens": ("role", "table_id"),
    "/f/{event_id}/groups": ("name",),
    "/f/{event_id}/groups/{group_id}": ("name",),
    "/f/{event_id}/cards/{card_id}/edit": ("group_id", "hidden", "text"),
    "/f/{event_id}/merge": ("cards",),
    "/f/{event_id}/group_cards": ("group_id", "cards"),
    "/f/{event_id}/board": ("view", "screen", "budget", "open", "revealed"),
    "/m/{event_id}/votes": ("card_id",),
    "/m/{event_id}/votes/remove": ("card_id",),
    "/h/{event_id}/actions": ("what", "role_citizen", "role_city", "due"),
    "/f/{event_id}/actions/{action_id}/status": ("status", "note"),
    "/m/{event_id}/actions/{action_id}/hand": (),
    "/m/{event_id}/actions/{action_id}/hand/lower": (),
    "/f/{event_id}/photos/{photo_id}/projector": ("on",),
}
"""The fields each page's form sends (app/web/pages/ reads them; the schema does not list
them). Any other POST without a body in the schema gets every field of every form."""

ALL_FORM_FIELDS = tuple(dict.fromkeys(name for fields in FORMS.values() for name in fields))

FORM_ALIASES = {"table_name": "name", "table_theme": "theme", "phase_kind": "kind",
                "phase_title": "title", "phase_minutes": "minutes",
                "phase_question": "question", "phase_moves": "moves"}

NUMBER_FIELDS = {"participant_id", "table_id", "group_id", "phase_index", "from_phase",
                 "seconds", "budget", "card_max_length", "phase_minutes"}

# --- edge values --------------------------------------------------------------------------

FORM_NUMBER_EDGES = ("", "-1", "1e309", "nan", "99999999999999999999", "²", "١٢", "①", " 7 ",
                     "0x10", "\x00")
"""Numbers in a form as people and programs type them: other scripts, notations, edges."""

FORM_TEXT_EDGES = ("", "x" * 10_000, "\x00", "a\x85b", "\u202e", "𠮷" * 61)

JSON_EDGES = {
    "any": (None, [], {}, True, ""),
    "integer": (-1, 2**63, 10**20, 1.5, "1"),
    "number": (-0.0, 1e308, 10**400),
    "boolean": ("yes",),
    "string": ("x" * 10_000, "\x00", "\u202e", "\ud800", 1),
    "array": ([None], ["\x00"], ["x"] * 60),
}
"""Wrong kinds and edges of each JSON type, for a field of that type."""

WHOLE_BODY_EDGES = ([], "x", None, {"": None})

PATH_EDGES = ("\x00{}", "{}\x00", "\u202e{}", "%", "x" * 300, "", "-1", "99999999999999999999",
              "²")
"""Path parameters mangled (`{}` is the real value); the first five for every parameter, all
for numeric ids (participant, table, group) and join codes."""

HOSTILE_NUMBER = st.one_of(
    st.sampled_from(FORM_NUMBER_EDGES),
    # digits and numbers of other scripts: ２, ٣, ², ½, ①, 〇 ...
    st.text(alphabet=st.characters(categories=("Nd", "No", "Nl")), min_size=1, max_size=3),
)
HOSTILE_TEXT = st.one_of(st.sampled_from(FORM_TEXT_EDGES), st.text(max_size=40))

HEADER_TEXT = st.text(alphabet=string.ascii_letters + string.digits + "-;=,.*_", max_size=30)

FOCUS = ("none", "none", "auth", "headers", "path", "body", "body", "form", "form")
"""What one generated request spoils besides what schemathesis generated: nothing, the
credentials, the headers, the path, the body (left as generated) or the page's form."""


MISSING = object()
"""An edge: the field is not sent at all."""


def without_missing(values: dict) -> dict:
    return {name: value for name, value in values.items() if value is not MISSING}


def distinct(values) -> list:
    """Each value once (1, 1.0 and True are equal in Python, but not in JSON)."""
    seen, kept = set(), []
    for value in values:
        key = (type(value), repr(value))
        if key not in seen:
            seen.add(key)
            kept.append(value)
    return kept


def form_plan(fields: tuple[str, ...]):
    """A page's form: every field right but for the spoilt ones, only the spoilt ones, or
    none. A value "@" is the field's real id or a value its rule accepts."""
    def value(name: str):
        one = st.one_of(HOSTILE_NUMBER if name in NUMBER_FIELDS else HOSTILE_TEXT,
                        st.just("@"))
        return st.one_of(one, st.lists(one, max_size=3))

    spoilt = st.fixed_dictionaries({}, optional={name: value(name) for name in fields})
    return st.one_of(st.tuples(st.sampled_from(["all", "some"]), spoilt), st.none())


def plan_for(path: str):
    """How to send one generated case."""
    return st.fixed_dictionaries({
        "focus": st.sampled_from(FOCUS),
        "pick": st.integers(min_value=0, max_value=7),
        "values": st.fixed_dictionaries({name: st.sampled_from(choices)
                                         for name, choices in DOMAIN.items()}),
        "id": st.uuids().map(str),
        # the body's known fields from the real event and DOMAIN: "full" every field the
        # schema declares, "some" those schemathesis generated
        "body": st.sampled_from(["full", "some"]),
        # focus "auth"
        "who": st.sampled_from(["facilitator", "host", "participant", "projector", "none",
                                "wrong", "foreign", "garbled"]),
        # focus "headers"
        "accept": st.sampled_from([None, "application/json", "text/html", "*/*"]),
        "language": st.one_of(st.sampled_from([None, "ja", "en", "fr", "*", "ja;q=x",
                                               "en-US,en;q=0.9,ja;q=0.8", ";;,,"]),
                              HEADER_TEXT),
        "origin": st.sampled_from(["self", None, "http://evil.example", "null"]),
        # focus "path": as schemathesis generated them, or the real ones mangled
        "path": st.one_of(st.just("generated"), st.sampled_from(PATH_EDGES)),
        # focus "form"
        "form": form_plan(FORMS.get(path, ALL_FORM_FIELDS)),
    })


@dataclass
class World:
    """A live event with something in it: a participant, two cards, a group, a dot, a
    photo of the first table's sheet."""

    event: dict
    participant: dict
    cards: list[str]
    group: int
    action: int
    photo: int

    @property
    def id(self) -> str:
        return self.event["id"]

    def token(self, role: str) -> str:
        return {"facilitator": self.event["facilitator_token"],
                "projector": self.event["projector_token"],
                "host": self.event["tables"][0]["host_token"],
                "participant": self.participant["token"]}[role]

    def path_value(self, name: str, pick: int):
        """The real value for a path parameter, or None."""
        return {
            "event_id": self.id,
            "join_code": self.event["join_code"],
            "fmt": FORMATS[pick % len(FORMATS)],
            "name": ("htmx.min.js", "ws.js")[pick % 2],
            "code": ("ja", "en")[pick % 2],
        }.get(name, self.id_value(name, pick))

    def id_value(self, name: str, pick: int):
        """The real id for a field (of a path, a body or a form) that names one, or None."""
        tables, cards = self.event["tables"], self.cards
        return {
            "participant_id": self.participant["id"],
            "table_id": tables[pick % len(tables)]["id"],
            "group_id": self.group,
            "action_id": self.action,
            "photo_id": self.photo,
            "card_id": cards[pick % len(cards)],
            "cards": [cards[(pick + 1) % len(cards)]],
            "join_code": self.event["join_code"],
        }.get(name)


def make_world(client: httpx.Client) -> World:
    event = create_event(client)
    url = f"/api/v1/sessions/{event['id']}"
    facilitator = bearer(event["facilitator_token"])
    person = join(client, event, "来場者", theme=event["tables"][0]["theme"])
    assert person.status_code == 201, person.text
    person = person.json()
    started = client.post(f"{url}/control", json={"action": "start"}, headers=facilitator)
    assert started.status_code == 200, started.text
    cards = []
    for token in (event["tables"][0]["host_token"], person["token"]):
        card = client.post(f"{url}/cards", json={"id": str(uuid.uuid4()), "text": "見守りの担い手"},
                           headers=bearer(token))
        assert card.status_code == 201, card.text
        cards.append(card.json()["id"])
    group = client.post(f"{url}/groups", json={"name": "担い手"}, headers=facilitator)
    assert group.status_code == 201, group.text
    opened = client.patch(f"{url}/board", json={"open": True}, headers=facilitator)
    assert opened.status_code == 200, opened.text
    dot = client.post(f"{url}/cards/{cards[0]}/votes", headers=bearer(person["token"]))
    assert dot.status_code == 201, dot.text
    action = client.post(f"{url}/actions", json={"what": "見守りカフェ", "roles": {"city": "会場"}},
                         headers=bearer(event["tables"][0]["host_token"]))
    assert action.status_code == 201, action.text
    table = event["tables"][0]
    photo = client.post(f"{url}/tables/{table['id']}/photos", headers=bearer(table["host_token"]),
                        files={"photo": ("sheet.jpg", phone_photo(800, 600), "image/jpeg")})
    assert photo.status_code == 201, photo.text
    return World(event, person, cards, group.json()["id"], action.json()["id"],
                 photo.json()["id"])


def served_schema(base_url: str):
    """The schema as served, with the documented error shape for the 422 it documents."""
    raw = loopback.get(base_url + SCHEMA_PATH, timeout=seconds(10)).json()
    raw["components"]["schemas"]["HTTPValidationError"] = {
        **ERROR_SHAPE, "title": "HTTPValidationError"}
    schema = schemathesis.openapi.from_dict(raw)
    schema.config.update(base_url=base_url)
    return raw, schema


@dataclass
class Operation:
    """An operation of the schema, with what its raw definition says."""

    api: object  # schemathesis' APIOperation
    raw: dict
    components: dict

    @property
    def label(self) -> str:
        return self.api.label

    @property
    def method(self) -> str:
        return self.api.method.lower()

    @property
    def path(self) -> str:
        return self.api.path

    @property
    def has_body(self) -> bool:
        return "requestBody" in self.raw

    @property
    def takes_form(self) -> bool:
        """A page's POST: its form fields are not in the schema."""
        return self.method == "post" and not self.has_body and not self.path.startswith("/api/")

    @property
    def form_fields(self) -> tuple[str, ...]:
        return FORMS.get(self.path, ALL_FORM_FIELDS)

    @property
    def path_parameters(self) -> dict[str, dict]:
        return {p["name"]: p.get("schema", {}) for p in self.raw.get("parameters", [])
                if p["in"] == "path"}

    @property
    def negatable(self) -> bool:
        """Whether schemathesis can make invalid input for it: a body, a query, or a
        parameter that not every string satisfies (every string is a valid plain string)."""
        return self.has_body or any(
            p["in"] == "query" or p.get("schema", {}).get("type") not in (None, "string")
            for p in self.raw.get("parameters", []))

    def resolve(self, schema: dict) -> dict:
        if "$ref" in schema:
            return self.components.get(schema["$ref"].rsplit("/", 1)[-1], {})
        return schema

    @property
    def body_fields(self) -> dict[str, dict]:
        """The properties the JSON body's schema declares, with their schemas."""
        schema = (self.raw.get("requestBody", {}).get("content", {})
                  .get("application/json", {}).get("schema", {}))
        return self.resolve(schema).get("properties", {})

    def json_types(self, schema: dict) -> set[str]:
        schema = self.resolve(schema)
        kinds = {schema["type"]} if isinstance(schema.get("type"), str) else set()
        for option in schema.get("anyOf", []) + schema.get("oneOf", []):
            kinds |= self.json_types(option)
        return kinds

    @property
    def right_role(self) -> str:
        if self.path.startswith("/h/"):
            return "host"
        if self.path.startswith("/m/") or (self.path.endswith("/votes")
                                           and self.method != "get"):
            return "participant"
        if self.path.startswith("/p/"):
            return "projector"
        return "facilitator"


def error_shaped(body) -> bool:
    error = body.get("error") if isinstance(body, dict) else None
    return (isinstance(error, dict) and isinstance(error.get("code"), str)
            and isinstance(error.get("message"), str) and bool(error["message"]))


def content_type(response) -> str:
    return (response.headers.get("content-type") or [""])[0]


def reproduction(response) -> str:
    request = response.request
    body = request.body
    if isinstance(body, bytes):
        body = body.decode("utf-8", "backslashreplace")
    headers = {k: v for k, v in request.headers.items()
               if k.lower() not in ("user-agent", "accept-encoding", "connection",
                                    "content-length", "x-schemathesis-testcaseid")}
    return (f"{request.method} {request.url}\n  headers: {headers}\n"
            f"  body: {(body or '')[:600]!r}\n  -> {response.status_code} "
            f"{content_type(response)}: {response.text[:600]!r}")


def describe(failure: BaseException) -> str:
    """A failure's message, with those of the failures it groups (Hypothesis' "flaky")."""
    if isinstance(failure, BaseExceptionGroup):
        return f"{failure}\n" + "\n".join(describe(e) for e in failure.exceptions)
    return str(failure)


def judge(case, response, headers: dict) -> None:
    status = response.status_code
    assert status < 500, f"server error:\n{reproduction(response)}"
    try:
        case.validate_response(response, checks=CHECKS, headers=headers)
    except FailureGroup as failure:  # say what was sent, too
        raise AssertionError(f"{failure}\n{reproduction(response)}") from None
    if 400 <= status < 500:
        kind = content_type(response)
        if "json" in kind or case.operation.path.startswith("/api/"):
            try:
                body = response.json()
            except ValueError:
                body = None
            assert error_shaped(body), f"not the error shape:\n{reproduction(response)}"
        else:
            assert kind.startswith("text/html"), \
                f"a {status} of {kind!r}:\n{reproduction(response)}"


@dataclass
class Fuzzer:
    base_url: str
    client: httpx.Client
    foreign: World
    session: requests.Session = field(default_factory=requests.Session)
    world: World | None = None
    sent_here: int = 0
    statuses: Counter = field(default_factory=Counter)
    per_operation: dict = field(default_factory=dict)
    sent: Counter = field(default_factory=Counter)
    worlds: int = 0

    def begin(self) -> None:
        """A fresh event for the next operation."""
        self.world = None
        self.sent_here = 0

    def current_world(self, operation: Operation) -> World:
        if self.world is None or (operation.method != "get" and self.sent_here % REFRESH == 0):
            self.world = make_world(self.client)
            self.worlds += 1
        self.sent_here += 1
        return self.world

    # --- the generated pass ---------------------------------------------------------------

    def send_generated(self, operation: Operation, case, plan: dict,
                       mode: GenerationMode) -> None:
        world = self.current_world(operation)
        focus, pick = plan["focus"], plan["pick"]
        negative = mode is GenerationMode.NEGATIVE
        names = list(operation.path_parameters)
        for name, schema in operation.path_parameters.items():
            real = world.path_value(name, pick)
            if real is None or name not in (case.path_parameters or {}):
                continue
            if focus == "path" and name == names[pick % len(names)]:
                if plan["path"] != "generated":  # the real value mangled
                    case.path_parameters[name] = plan["path"].format(real)
            elif not negative or schema.get("type") == "string":  # keep what was negated
                case.path_parameters[name] = real
        if isinstance(case.body, dict) and not negative and focus != "body":
            names = set(case.body)
            if plan["body"] == "full":
                names |= set(operation.body_fields)
            for name in sorted(names):
                value = self.right_value(name, world, pick, plan["values"], plan["id"])
                if value is not None:
                    case.body[name] = value
        case.meta  # noqa: B018 -- revalidates the case after the edits above
        form = None
        if operation.takes_form:
            how = plan["form"] if focus == "form" else ("all", {})
            form = None if how is None else self.form(operation, world, how, pick,
                                                      plan["values"])
        headers = focus == "headers"
        self.deliver(operation, case, world, "generated",
                     who=plan["who"] if focus == "auth" else "right",
                     accept=plan["accept"] if headers else None,
                     language=plan["language"] if headers else None,
                     origin=plan["origin"] if headers else "self", form=form)

    @staticmethod
    def right_value(name: str, world: World, pick: int, values: dict, card_id: str):
        """The real id for a field that names one, else a value its rule accepts."""
        if name == "id":
            return card_id
        value = world.id_value(name, pick)
        return values.get(name) if value is None else value

    def form(self, operation: Operation, world: World, how: tuple, pick: int,
             values: dict) -> dict:
        """The form to post: "@" becomes the field's real id or a value its rule accepts
        (a form sends text: yes/no for booleans)."""
        kind, fields = how
        if kind == "all":
            fields = {**dict.fromkeys(operation.form_fields, "@"), **fields}

        def right(name: str):
            if name == "cards":
                return list(world.cards)
            value = self.right_value(FORM_ALIASES.get(name, name), world, pick, values,
                                     str(uuid.uuid4()))
            if isinstance(value, bool):
                return "yes" if value else "no"
            if name == "program" and isinstance(value, list):
                return "custom"
            return None if value is None or isinstance(value, (list, dict)) else str(value)

        form = {}
        for name, value in fields.items():
            sent = [right(name) if v == "@" else v
                    for v in (value if isinstance(value, list) else [value])]
            sent = [v for v in sent if v is not None]
            if sent:
                form[name] = sent if isinstance(value, list) or len(sent) > 1 else sent[0]
        return form

    # --- the edges pass -------------------------------------------------------------------

    def send_edges(self, operation: Operation, share: slice = slice(None)) -> dict[str, str]:
        """Each edge value in each path parameter, body field and form field of an otherwise
        right request (those of `share`, in the order below); the failures by edge case."""
        variants = []  # (what, {"path": {...}} | {"body": {...}} | {"whole": ...} | ...)
        for name, schema in operation.path_parameters.items():
            # every edge where an id or a code is looked up, the odd ones elsewhere
            edges = PATH_EDGES if (name == "join_code"
                                   or schema.get("type") != "string") else PATH_EDGES[:5]
            variants += [(f"path {name}={edge!r}", {"path": {name: edge}}) for edge in edges]
        for name, schema in operation.body_fields.items():
            kinds = ("any", *sorted(operation.json_types(schema) & set(JSON_EDGES)))
            edges = distinct(edge for kind in kinds for edge in JSON_EDGES[kind])
            variants += [(f"body {name}={edge!r}", {"body": {name: edge}}) for edge in edges]
            variants.append((f"body without {name}", {"body": {name: MISSING}}))
        if operation.has_body:
            variants += [(f"body {edge!r}", {"whole": edge}) for edge in WHOLE_BODY_EDGES]
        if operation.takes_form:
            for name in operation.form_fields:
                edges = FORM_NUMBER_EDGES if name in NUMBER_FIELDS else FORM_TEXT_EDGES
                variants += [(f"form {name}={edge[:20]!r}", {"form": {name: edge}})
                             for edge in edges]
                variants.append((f"form without {name}", {"form": {name: MISSING}}))
        failures = {}
        for what, edge in variants[share]:
            try:
                self.send_edge(operation, **edge)
            except AssertionError as failure:
                failures.setdefault(what, str(failure))
        return failures

    def send_edge(self, operation: Operation, path: dict | None = None,
                  body: dict | None = None, whole=MISSING, form: dict | None = None) -> None:
        world = self.current_world(operation)
        values = {name: choices[0] for name, choices in DOMAIN.items()}
        real = {name: world.path_value(name, 0) for name in operation.path_parameters}
        sent = {name: "1" if value is None else value for name, value in real.items()}
        sent.update({name: edge.format(sent[name]) for name, edge in (path or {}).items()})
        kwargs = {"path_parameters": sent}
        if operation.has_body:
            right = {name: self.right_value(name, world, 0, values, str(uuid.uuid4()))
                     for name in operation.body_fields}
            right = {name: value for name, value in right.items() if value is not None}
            right = without_missing({**right, **(body or {})})
            kwargs.update(body=right if whole is MISSING else whole,
                          media_type="application/json")
        posted = None
        if operation.takes_form:
            posted = without_missing({**self.form(operation, world, ("all", {}), 0, values),
                                      **(form or {})})
        self.deliver(operation, operation.api.Case(**kwargs), world, "edges", form=posted)

    # --- both -----------------------------------------------------------------------------

    def deliver(self, operation: Operation, case, world: World, kind: str, *,
                who: str = "right", accept: str | None = None, language: str | None = None,
                origin: str | None = "self", form: dict | None = None) -> None:
        headers, cookies = self.credentials(operation, who, world)
        if accept:
            headers["Accept"] = accept
        if language is not None:
            headers["Accept-Language"] = language
        if origin:
            headers["Origin"] = self.base_url if origin == "self" else origin
        extra = {} if form is None else {"data": form}
        self.session.cookies.clear()
        response = case.call(base_url=self.base_url, session=self.session, headers=headers,
                             cookies=cookies, timeout=seconds(30), allow_redirects=False,
                             **extra)
        self.sent[kind] += 1
        self.statuses[response.status_code] += 1
        self.per_operation.setdefault(operation.label, Counter())[response.status_code] += 1
        if TRACE and TRACE in operation.label:
            print(reproduction(response))
        judge(case, response, headers)

    def credentials(self, operation: Operation, who: str, world: World) -> tuple[dict, dict]:
        role = operation.right_role if who == "right" else who
        if role in COOKIE_LETTER:
            token, letter = world.token(role), COOKIE_LETTER[role]
        elif role == "foreign":
            token, letter = self.foreign.token("facilitator"), "f"
        elif role == "wrong":
            token, letter = "x" * 32, "f"
        elif role == "garbled":
            return {"Authorization": "Basic Zm9vOmJhcg=="}, {}
        else:
            return {}, {}
        return bearer(token), {f"wc_{letter}_{world.id}": token}


def fuzz(fuzzer: Fuzzer, operation: Operation, mode: GenerationMode) -> None:
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck), report_multiple_bugs=False,
              phases=PHASES)
    @given(case=operation.api.as_strategy(generation_mode=mode),
           plan=plan_for(operation.path))
    def run(case, plan):
        fuzzer.send_generated(operation, case, plan, mode)

    run()


def raw_operations(raw: dict) -> list[tuple[str, str]]:
    methods = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}
    return [(path, method) for path, item in raw["paths"].items() for method in item
            if method in methods]


def test_every_operation_answers_hostile_input_without_a_server_error(fuzz_server, fuzz_runs):
    started = time.monotonic()
    kind = fuzz_server.database_url.split(":", 1)[0].split("+", 1)[0]
    raw, schema = served_schema(fuzz_server.url)
    loaded = [result.ok() for result in schema.get_all_operations()]  # raises on a bad one
    operations = [Operation(api, raw["paths"][api.path][api.method.lower()],
                            raw["components"]["schemas"]) for api in loaded]
    assert len(operations) == len(raw_operations(raw)) > 0
    failures = []
    edge_failures: dict[str, list] = {}  # what -> [first failure, labels of operations]
    spent = Counter()
    with loopback.Client(base_url=fuzz_server.url, timeout=seconds(30)) as client:
        fuzzer = Fuzzer(fuzz_server.url, client, foreign=make_world(client))
        for position, operation in enumerate(operations):
            fuzzer.begin()
            mine = FULL or position % len(DATABASES) == DATABASES.index(kind)
            modes = [GenerationMode.POSITIVE] if mine else []
            if mine and operation.negatable:
                modes.append(GenerationMode.NEGATIVE)
            begun = time.monotonic()
            for mode in modes:
                try:
                    fuzz(fuzzer, operation, mode)
                except Unsatisfiable as failure:  # negative: nothing in its schema to break
                    if mode is GenerationMode.POSITIVE:
                        failures.append(f"{operation.label} (positive): {failure}")
                except Exception as failure:
                    failures.append(f"{operation.label} ({mode.value}): {describe(failure)}")
            spent["generated"] += time.monotonic() - begun
            begun = time.monotonic()
            try:
                share = slice((position + DATABASES.index(kind)) % EDGE_SHARES, None,
                              EDGE_SHARES)
                for what, failure in fuzzer.send_edges(operation, share).items():
                    edge_failures.setdefault(what, [failure, []])[1].append(operation.label)
            except Exception as failure:
                failures.append(f"{operation.label} (edges): {describe(failure)}")
            spent["edges"] += time.monotonic() - begun
    elapsed = time.monotonic() - started
    statuses = ", ".join(f"{code}: {n}" for code, n in sorted(fuzzer.statuses.items()))
    fuzz_runs.append(
        f"fuzz[{kind}]: {len(operations)} operations, {sum(fuzzer.sent.values())} requests "
        f"({fuzzer.sent['generated']} generated in {spent['generated']:.0f} s, "
        f"{fuzzer.sent['edges']} edge cases in {spent['edges']:.0f} s, {fuzzer.worlds} "
        f"events), {elapsed:.0f} s; statuses {statuses}")
    if VERBOSE:
        fuzz_runs += [f"  {label}: {dict(sorted(counts.items()))}"
                      for label, counts in fuzzer.per_operation.items()]
    for what, (failure, labels) in edge_failures.items():
        where = labels[0] if len(labels) == 1 else f"{len(labels)} operations ({', '.join(labels)})"
        failures.append(f"edge case {what} fails on {where}; the first:\n{failure}")
    assert not failures, f"{len(failures)} failures:\n\n" + "\n\n".join(failures)
