"""ASGI middleware around the app: the security and cache headers of every answer, and the
limit on a request's body. Plain ASGI classes, so they cost almost nothing per request
(BaseHTTPMiddleware would wrap every body in a stream)."""

from __future__ import annotations

import json
import re

from app.i18n import N_, from_accept_language
from app.refusal import Refusal

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'"
)


class SecurityHeaders:
    """CSP and friends on every HTTP response, and `Cache-Control: no-store` on every one
    outside /static/ that sets none itself: pages and API answers carry tokens (the
    console's links, a sign-in step's cookie) or the event's own words. A plain ASGI
    middleware, so it costs almost nothing per request (BaseHTTPMiddleware would wrap every
    body in a stream)."""

    HEADERS = (
        (b"x-content-type-options", b"nosniff"),
        # same-origin: a form post keeps its Origin (the edit form needs it), and no other
        # site ever sees a page address (with or without a token)
        (b"referrer-policy", b"same-origin"),
    )

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        with_csp = not scope["path"].startswith("/api/docs")
        private = not scope["path"].startswith("/static/")

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", [])) + list(self.HEADERS)
                if with_csp:
                    headers.append((b"content-security-policy", CONTENT_SECURITY_POLICY.encode()))
                if private and not any(name.lower() == b"cache-control" for name, _ in headers):
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


TOO_LARGE = N_("This request is too large (at most %(limit)s bytes).")
PHOTO_UPLOADS = re.compile(r"/(api/v1/sessions/[^/]+/tables/\d+|h/[^/]+)/photos")
"""The addresses a table's photo is uploaded to (the API's and the host page's): their
bodies may be as large as a phone's photo."""


class BodyLimit:
    """Reads a request's body whole before the app runs, and refuses one over `limit`
    bytes with 413 and the error shape: at once when its Content-Length says so,
    otherwise as soon as it has sent more (a flood of big bodies never fills the memory).
    A body refused, or a client gone before its body is whole, never reaches the app:
    nothing raises ClientDisconnect with the body's pieces in its traceback, a reference
    cycle that would hold them until the garbage collector's next pass, which the server
    makes rare (app/web/protocols.py, collect_garbage_less_often)."""

    def __init__(self, app, limit: int, photo_limit: int | None = None):
        self.app, self.limit = app, limit
        self.photo_limit = photo_limit or limit

    def limit_of(self, scope) -> int:
        """The photo uploads' limit for their addresses, `limit` for every other."""
        return self.photo_limit if PHOTO_UPLOADS.fullmatch(scope["path"]) else self.limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_of(scope)
        declared = dict(scope.get("headers", ())).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            await self._refuse(scope, send, limit)
            return
        body = await self._read_body(scope, receive, send, limit)
        if body is None:
            return  # refused, or the client has gone
        waiting = [{"type": "http.request", "body": body, "more_body": False}]

        async def receive_read_body():
            return waiting.pop() if waiting else await receive()  # then its disconnect

        await self.app(scope, receive_read_body, send)

    async def _read_body(self, scope, receive, send, limit: int) -> bytes | None:
        """The whole body, or None once it is refused or its client has gone."""
        pieces: list[bytes] = []
        seen = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return None
            piece = message.get("body", b"")
            seen += len(piece)
            if seen > limit:
                pieces.clear()
                await self._refuse(scope, send, limit)
                return None
            pieces.append(piece)
            if not message.get("more_body", False):
                return b"".join(pieces)

    async def _refuse(self, scope, send, limit: int) -> None:
        language = from_accept_language(
            dict(scope.get("headers", ())).get(b"accept-language", b"").decode("latin-1")
        ) or "en"
        refusal = Refusal("too_large", TOO_LARGE, limit=limit)
        body = json.dumps({"error": {"code": refusal.code, "message": refusal.text(language)}},
                          ensure_ascii=False).encode()
        await send({"type": "http.response.start", "status": refusal.status,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode()),
                                (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})
