"""The address people reach the server at, for the absolute URLs of app/templating/links.py."""

from __future__ import annotations

from starlette.requests import HTTPConnection

SCHEMES = {"ws": "http", "wss": "https"}
"""A live socket's address, as the pages' address."""


def base_url(connection: HTTPConnection) -> str:
    """The configured public URL, else the address this request or socket came to."""
    configured = connection.app.state.settings.public_url
    if configured:
        return configured.rstrip("/")
    url = connection.base_url
    return str(url.replace(scheme=SCHEMES.get(url.scheme, url.scheme))).rstrip("/")
