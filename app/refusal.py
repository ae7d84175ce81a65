"""The one way to say no: a stable code, a gettext msgid for people, and its parameters.

Pure modules (rounds, tables, cards), the database side and the actions all raise
`Refusal`; the web layer turns it into `{"error": {"code", "message"}}` with the status
that its `Code` carries, or into a message in the page. It is a ValueError, so a
pydantic validator may raise it too and the field's message stays ours.
"""

from __future__ import annotations

from enum import StrEnum

from app.i18n import translate


class Code(StrEnum):
    """Every refusal code with its HTTP status (docs/api.md lists each). `refused` is a rule
    of the event saying no (a table that still has people, a full table, a round that is
    over)."""

    def __new__(cls, code: str, status: int):
        member = str.__new__(cls, code)
        member._value_ = code
        member.status = status
        return member

    INVALID = "invalid", 422
    INVALID_ROWS = "invalid_rows", 422
    NOT_AN_IMAGE = "not_an_image", 422
    IMAGE_TOO_LARGE = "image_too_large", 422
    REFUSED = "refused", 400
    UNKNOWN_ACTION = "unknown_action", 400
    INVALID_SECONDS = "invalid_seconds", 400
    INVALID_PHASE = "invalid_phase", 400
    MISSING_TOKEN = "missing_token", 401
    INVALID_TOKEN = "invalid_token", 401
    FORBIDDEN = "forbidden", 403
    WRONG_JOIN_CODE = "wrong_join_code", 403
    JOIN_CODE_REPLACED = "join_code_replaced", 403
    NOT_FOUND = "not_found", 404
    NO_CARD = "no_card", 404
    NO_GROUP = "no_group", 404
    NO_SUGGESTION = "no_suggestion", 404
    UNKNOWN_FORMAT = "unknown_format", 404
    NO_DOCUMENT = "no_document", 404
    NO_SURVEY = "no_survey", 404
    NO_ACTION = "no_action", 404
    NO_PHOTO = "no_photo", 404
    NOT_RUNNING = "not_running", 409
    NO_PREVIOUS = "no_previous", 409
    FINISHED = "finished", 409
    NO_TABLE = "no_table", 409
    ID_TAKEN = "id_taken", 409
    ALREADY_MERGED = "already_merged", 409
    NOT_MERGED = "not_merged", 409
    VOTING_CLOSED = "voting_closed", 409
    NO_DOTS_LEFT = "no_dots_left", 409
    NO_DOT_HERE = "no_dot_here", 409
    VOTING_ON_GROUPS = "voting_on_groups", 409
    VOTING_ON_CARDS = "voting_on_cards", 409
    VOTES_CAST = "votes_cast", 409
    TOO_MANY_GROUPS = "too_many_groups", 409
    ALREADY_GROUPED = "already_grouped", 409
    EVENT_FULL = "event_full", 409
    JOINING_CLOSED = "joining_closed", 409
    NOT_PLANNED = "not_planned", 409
    ROUNDS_STARTED = "rounds_started", 409
    SURVEY_CLOSED = "survey_closed", 409
    SURVEY_ANSWERED = "survey_answered", 409
    STATUS_MOVE = "status_move", 409
    PASSCODE_REQUIRED = "passcode_required", 401
    WRONG_PASSCODE = "wrong_passcode", 403
    TOO_MANY_JOINS = "too_many_joins", 429
    TOO_MANY_ATTEMPTS = "too_many_attempts", 429
    TOO_MANY_CARDS = "too_many_cards", 429
    TOO_MANY_CARDS_FROM_NETWORK = "too_many_cards_from_network", 429
    TOO_MANY_READS = "too_many_reads", 429
    DATABASE_UNAVAILABLE = "database_unavailable", 503
    BUS_UNAVAILABLE = "bus_unavailable", 503
    DOCUMENT_FAILED = "document_failed", 503
    BAD_REQUEST = "bad_request", 400
    METHOD_NOT_ALLOWED = "method_not_allowed", 405
    TOO_LARGE = "too_large", 413


class Refusal(ValueError):
    """A request that cannot be met. `message` is a msgid (or a pair from NN_, whose form
    the `num` parameter picks), `params` fill it in (a string parameter is itself
    translated); str(refusal) is the English text."""

    def __init__(self, code: Code | str, message: str | tuple[str, str], *,
                 headers: dict | None = None, **params: object):
        english = message if isinstance(message, str) else message[params["num"] != 1]
        super().__init__(english % params if params else english)
        self.code = Code(code)
        self.message, self.params, self.headers = message, params, headers

    @classmethod
    def retry_after(cls, code: Code | str, message: tuple[str, str], wait_ms: int) -> Refusal:
        """A limit that lifts in `wait_ms`: the Retry-After header in whole seconds (rounded
        up, at least one), and that count for the message's plural (NN_, `%(num)s`)."""
        seconds = max(1, -(-wait_ms // 1000))
        return cls(code, message, headers={"Retry-After": str(seconds)}, num=seconds)

    @property
    def status(self) -> int:
        return self.code.status

    def shape(self, language: str) -> dict:
        """The error shape of every JSON refusal: {"error": {"code", "message"}}."""
        return {"error": {"code": self.code.value, "message": self.text(language)}}

    def text(self, language: str) -> str:
        """The message in `language`."""
        params = {key: translate(language, value) if isinstance(value, str) else value
                  for key, value in self.params.items()}
        return translate(language, self.message, **params)
