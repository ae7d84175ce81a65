"""Shared pieces of the routes: app state, who is asking, and errors as the API shows them."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from sqlalchemy import Engine
from starlette.requests import HTTPConnection

from app import auth
from app.hub import Hub
from app.i18n import N_, from_accept_language, normalize, translate
from app.schemas import InputError
from app.sessions import identify
from app.settings import Settings
from app.timing import now_ms

FIELD_LABELS = {
    "title": N_("Title"),
    "language": N_("Language"),
    "tables": N_("Tables"),
    "program": N_("Program"),
    "name": N_("Name"),
    "theme": N_("Theme"),
    "kind": N_("Phase kind"),
    "minutes": N_("Minutes"),
    "question": N_("Question"),
    "action": N_("Action"),
    "seconds": N_("Seconds"),
    "join_code": N_("Join code"),
    "affiliation": N_("Affiliation"),
    "capacity": N_("Capacity"),
    "card_max_length": N_("Longest card"),
    "text": N_("Card"),
    "table_id": N_("Table"),
}


class ApiError(Exception):
    """A refusal with an HTTP status, a stable code and a msgid for people."""

    def __init__(self, status: int, code: str, message: str, headers: dict | None = None,
                 **params: object):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.params, self.headers = params, headers


def _field_path(loc: tuple, language: str) -> str:
    parts = []
    for part in loc:
        if part in ("body", "query", "path"):
            continue
        if isinstance(part, int):
            parts.append(f"#{part + 1}")
        elif part in FIELD_LABELS:
            parts.append(translate(language, FIELD_LABELS[part]))
        elif not part.startswith(("function-", "str", "list", "float", "int")):
            parts.append(str(part))
    return " › ".join(parts)


def describe_invalid(error: ValidationError | RequestValidationError, language: str) -> str:
    """One readable sentence per problem, in the reader's language."""
    sentences = []
    for problem in error.errors():
        cause = (problem.get("ctx") or {}).get("error")
        where = _field_path(tuple(problem.get("loc", ())), language)
        if isinstance(cause, InputError):
            params = {k: translate(language, v) if isinstance(v, str) else v
                      for k, v in cause.params.items()}
            text = translate(language, cause.message, **params)
            if where and "field" not in cause.params:
                text = f"{where}: {text}"
        elif problem.get("type") == "missing":
            text = translate(language, N_("%(field)s is required."), field=where)
        elif problem.get("type") == "json_invalid":
            text = translate(language, N_("The request body is not valid JSON."))
        else:
            text = translate(language, N_("%(field)s has a value of the wrong kind."), field=where)
        if text not in sentences:
            sentences.append(text)
    return " ".join(sentences)


def api_language(request: Request) -> str:
    return from_accept_language(request.headers.get("accept-language")) or "en"


def page_language(request: HTTPConnection, event_language: str | None = None) -> str:
    """A device's own choice first, then the event's language, then the browser's."""
    chosen = request.cookies.get("wc_lang")
    if chosen:
        return normalize(chosen)
    if event_language:
        return normalize(event_language)
    return from_accept_language(request.headers.get("accept-language")) or "ja"


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_engine(request: Request) -> Engine:
    return request.app.state.engine


def get_hub(request: Request) -> Hub:
    return request.app.state.hub


SettingsDep = Annotated[Settings, Depends(get_settings)]
EngineDep = Annotated[Engine, Depends(get_engine)]
HubDep = Annotated[Hub, Depends(get_hub)]


def bearer_token(request: Request) -> str:
    """The bearer token of this API request; 401 without one."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "missing_token", N_("Send your token as 'Authorization: Bearer …'."))
    return token.strip()


def bearer_identity(request: Request, session_id: str) -> auth.Identity:
    """Who sends this API request; 401 without a valid token for this event."""
    identity = identify(request.app.state.engine, session_id, bearer_token(request))
    if identity is None:
        raise ApiError(401, "invalid_token", N_("This token is not valid for this event."))
    return identity


def require(identity: auth.Identity, role: str) -> None:
    if not identity.at_least(role):
        raise ApiError(403, "forbidden", N_("Your role may not do this."))


def cookie_identity(request: HTTPConnection, session_id: str, role: str) -> auth.Identity | None:
    token = request.cookies.get(auth.cookie_name(role, session_id))
    identity = identify(request.app.state.engine, session_id, token)
    return identity if identity is not None and identity.role == role else None


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def same_origin(request: HTTPConnection, settings: Settings) -> bool:
    """Browsers send Origin on WebSockets and POSTs; it must be this server or an allowed one.
    Programs that send none (the API, benchmarks) authenticate by token instead."""
    origin = request.headers.get("origin")
    if origin is None:
        return True
    host = request.headers.get("host", "")
    return origin.split("://", 1)[-1] == host or origin in settings.allowed_origins


def guard_join_attempts(request: Request) -> None:
    """429 while this address has guessed too many wrong join codes."""
    wait_ms = request.app.state.join_limiter.blocked(client_address(request), now_ms())
    if wait_ms:
        seconds = wait_ms // 1000 + 1
        raise ApiError(429, "too_many_attempts",
                       N_("Too many wrong join codes. Try again in %(seconds)s seconds."),
                       headers={"Retry-After": str(seconds)}, seconds=seconds)


def record_wrong_join_code(request: Request) -> None:
    request.app.state.join_limiter.record_failure(client_address(request), now_ms())
