"""The one way to say no: a stable code, a gettext msgid for people, and its parameters.

Pure modules (rounds, tables, cards), the database side and the actions all raise
`Refusal`; the web layer turns it into `{"error": {"code", "message"}}` with the status
that `HTTP_STATUS` gives its code, or into a message in the page. It is a ValueError, so a
pydantic validator may raise it too and the field's message stays ours.
"""

from __future__ import annotations

from app.i18n import translate

HTTP_STATUS = {
    "invalid": 422,
    "refused": 400,
    "unknown_action": 400,
    "invalid_seconds": 400,
    "invalid_phase": 400,
    "missing_token": 401,
    "invalid_token": 401,
    "forbidden": 403,
    "wrong_join_code": 403,
    "join_code_replaced": 403,
    "not_found": 404,
    "no_card": 404,
    "no_group": 404,
    "no_suggestion": 404,
    "unknown_format": 404,
    "not_running": 409,
    "no_previous": 409,
    "finished": 409,
    "no_table": 409,
    "id_taken": 409,
    "already_merged": 409,
    "not_merged": 409,
    "voting_closed": 409,
    "no_dots_left": 409,
    "no_dot_here": 409,
    "voting_on_groups": 409,
    "voting_on_cards": 409,
    "votes_cast": 409,
    "too_many_groups": 409,
    "already_grouped": 409,
    "event_full": 409,
    "joining_closed": 409,
    "not_planned": 409,
    "passcode_required": 401,
    "wrong_passcode": 403,
    "too_many_joins": 429,
    "too_many_attempts": 429,
    "too_many_cards": 429,
    "too_many_cards_from_network": 429,
    "database_unavailable": 503,
    "bad_request": 400,
    "method_not_allowed": 405,
    "too_large": 413,
}
"""Each refusal code and its HTTP status (docs/api.md lists them). `refused` is a rule of
the event saying no (a table that still has people, a full table, a round that is over)."""


class Refusal(ValueError):
    """A request that cannot be met. `message` is a msgid (or a pair from NN_, whose form
    the `num` parameter picks), `params` fill it in (a string parameter is itself
    translated); str(refusal) is the English text."""

    def __init__(self, code: str, message: str | tuple[str, str], *,
                 headers: dict | None = None, **params: object):
        english = message if isinstance(message, str) else message[params["num"] != 1]
        super().__init__(english % params if params else english)
        self.code, self.message, self.params, self.headers = code, message, params, headers

    @classmethod
    def retry_after(cls, code: str, message: tuple[str, str], seconds: int) -> Refusal:
        """A limit that lifts in `seconds`: the Retry-After header, and the count for the
        message's plural (NN_, `%(num)s`)."""
        return cls(code, message, headers={"Retry-After": str(seconds)}, num=seconds)

    @property
    def status(self) -> int:
        return HTTP_STATUS.get(self.code, 400)

    def shape(self, language: str) -> dict:
        """The error shape of every JSON refusal: {"error": {"code", "message"}}."""
        return {"error": {"code": self.code, "message": self.text(language)}}

    def text(self, language: str) -> str:
        """The message in `language`."""
        params = {key: translate(language, value) if isinstance(value, str) else value
                  for key, value in self.params.items()}
        return translate(language, self.message, **params)
