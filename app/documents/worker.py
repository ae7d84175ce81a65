"""The process that makes one document (app/documents/jobs.py starts it): `python -m
app.documents.worker '<json>'`.

It holds the job's lock for its whole life (handed over by the request that started it),
waits for the event's queue lock (one document of an event at a time), limits its own
address space and time, reads the event from the database itself, renders, and writes the
document into the folder whole (a temporary file renamed), its state at every stage. A
document that needs more memory or time than allowed fails with a message; the server
process is never touched.
"""

from __future__ import annotations

import errno
import fcntl
import importlib
import json
import os
import resource
import signal
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

from app.documents import exports, formats, jobs
from app.i18n import N_
from app.live.view import EventView

TOO_BIG = N_("The document could not be made within the memory limit of %(mb)s MB "
             "(WORLDCAFE_DOCUMENT_MEMORY_MB).")
TOO_SLOW = N_("The document could not be made within %(seconds)s seconds "
              "(WORLDCAFE_DOCUMENT_SECONDS).")
BROKEN = N_("The document could not be made: %(error)s")


NICENESS = 5
"""Below the server's priority: on a laptop of two cores the live screens come first.
Its own session (app/documents/jobs.py) keeps its CPU out of the server's scheduling
group; that group of its own stays at nice 0: at nice 10, or SCHED_IDLE, the report of
2000 cards took 5-7 times as long on a busy machine, and /healthz was no faster
(bench/README.md)."""


class TookTooLong(Exception):
    pass


def _alarm(_signal, _frame) -> None:
    raise TookTooLong


def make(arguments: dict) -> None:
    place = jobs.Place(Path(arguments["folder"]), arguments["event_id"],
                       arguments["name"], arguments["key"])
    job = jobs.Job(place.name, place.key, jobs.QUEUED, 0)

    def progress(stage: str) -> None:
        nonlocal job
        job = jobs.Job(place.name, place.key, jobs.RUNNING,
                       jobs.STAGES[stage], stage)
        jobs.write_state(place, job)

    os.nice(NICENESS)
    queue = os.open(place.queue_file, os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(queue, fcntl.LOCK_EX)  # the event's documents, one at a time
    _load_libraries(place.name)
    signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(arguments["seconds"])
    try:
        progress("reading")
        view, timeline, tokens, series_views, images = _read(arguments)
        memory = arguments["memory_mb"] * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        body = formats.export(view, place.name, timeline=timeline, base=arguments["base"],
                              progress=progress, tokens=tokens, series_views=series_views,
                              images=images)
        partial = place.file.with_name(place.file.name + ".part")
        partial.write_bytes(body)
        os.replace(partial, place.file)
        jobs.write_state(place, jobs.Job(place.name, place.key, jobs.READY, 100,
                                                   **_usage()))
        jobs.forget_older(place)
    except TookTooLong:
        _fail(place, job, TOO_SLOW, seconds=arguments["seconds"])
    except Exception as error:  # noqa: BLE001 - any failure is the job's, told to the console
        if _out_of_memory(error):
            _fail(place, job, TOO_BIG, mb=arguments["memory_mb"])
        else:
            traceback.print_exc()
            _fail(place, job, BROKEN, error=f"{type(error).__name__}: {error}"[:300])


def _out_of_memory(error: Exception) -> bool:
    """A MemoryError, or a library (a database driver's) that could not be mapped."""
    return (isinstance(error, MemoryError)
            or getattr(error, "errno", None) == errno.ENOMEM
            or isinstance(error, ImportError) and "failed to map" in str(error))


LIBRARIES = {"report.docx": ("docx", "app.documents.report"),
             "report.pdf": ("weasyprint", "app.documents.report"),
             "series.pdf": ("weasyprint", "app.documents.series"),
             "png": ("weasyprint", "pypdfium2"), "pdf": ("weasyprint",)}
"""What each document needs besides the database (seconds of imports: only its own);
the printed materials need WeasyPrint and app.documents.printed."""


def _load_libraries(name: str) -> None:
    """Everything the rendering of `name` needs, imported before the memory limit is set:
    the limit bounds the document's own work (a library that cannot be mapped under it
    would fail as an ImportError rather than as the MemoryError it is)."""
    for module in (*LIBRARIES.get(name, ("weasyprint", "app.documents.printed")), "sqlite3",
                   "app.templating", "app.documents.exports", "app.store.db",
                   "app.store.keyword_terms"):
        importlib.import_module(module)


def _read(arguments: dict) -> tuple[EventView, Sequence, dict[int, str], list[EventView],
                                   dict[int, bytes]]:
    """The event and, for the report, its clock's log (for the name tags, everyone's
    token: their own links; for the series report, every event of the series; for the
    report and the A3 PDF, the photos of the paper sheets), read
    before the memory limit is
    set (the database's driver and its pages are not the document's own work; a driver
    failing to allocate would not say it was memory)."""
    from app.store import keyword_terms, photos, registration, sessions
    from app.store.db import make_engine

    engine = make_engine(arguments["database_url"])
    try:
        view = keyword_terms.load_view(engine, arguments["event_id"])
        timeline = (sessions.clock_log(engine, arguments["event_id"])
                    if arguments["name"] in exports.REPORT_FORMATS else ())
        tokens = (registration.tokens(engine, arguments["event_id"])
                  if arguments["name"] == "nametags.pdf" else {})
        series_views = (sessions.series_views(engine, arguments["event_id"])
                        if arguments["name"] in exports.SERIES_FORMATS else [])
        images = (photos.images(engine, arguments["event_id"])
                  if arguments["name"] in exports.PHOTO_FORMATS else {})
    finally:
        engine.dispose()
    return view, timeline, tokens, series_views, images


def _fail(place: jobs.Place, job: jobs.Job, message: str, **params) -> None:
    jobs.write_state(place, jobs.Job(place.name, place.key, jobs.FAILED,
                                               job.progress, job.stage, message, params,
                                               **_usage()))


def _usage() -> dict:
    """This process's CPU seconds and peak RSS (MB) so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {"cpu_seconds": round(usage.ru_utime + usage.ru_stime, 2),
            "peak_mb": round(usage.ru_maxrss / 1024, 1)}


if __name__ == "__main__":
    make(json.loads(sys.argv[1]))
