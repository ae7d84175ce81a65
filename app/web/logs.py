"""What the server's log may say: never a token, and a bad client frame as one line.

Every page link carries its token once (`?token=…`, then a cookie), and uvicorn logs each
request's path with its query; a host tablet's or the projector's link in a log file is
their access. The filters are installed on uvicorn's loggers by each worker.
"""

from __future__ import annotations

import logging
import re

TOKEN = re.compile(r"(token=)[^&\s\"']+")
SHORT_WITHOUT_TRACEBACK = ("Invalid UTF-8 sequence received from client.",)
"""A client's fault, logged by uvicorn with a traceback each time: one line is enough."""


def redact(text: str) -> str:
    return TOKEN.sub(r"\1…", text)


class Redactor(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if record.msg in SHORT_WITHOUT_TRACEBACK:
            record.exc_info, record.exc_text = None, None
        return True


def install() -> None:
    for name in ("uvicorn.access", "uvicorn.error"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, Redactor) for f in logger.filters):
            logger.addFilter(Redactor())
