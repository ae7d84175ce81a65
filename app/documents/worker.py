"""The process that makes one document, forked by the launcher (`python -m
app.documents.worker FD`, started by app/documents/jobs.py) that has loaded every document's
libraries once.

A worker holds the job's lock for its whole life (handed over by the request that started it),
waits for the event's queue lock (one document of an event at a time), limits its own
address space and time, reads the event from the database itself, renders, and writes the
document into the folder whole (a temporary file renamed), its state at every stage. A
document that needs more memory or time than allowed fails with a message; the server
process is never touched.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import importlib
import json
import os
import resource
import signal
import socket
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
Its own session (`_work`) keeps its CPU out of the server's scheduling
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


LIBRARIES = ("weasyprint", "docx", "pypdfium2", "sqlite3", "app.templating",
             "app.documents.exports", "app.documents.report", "app.documents.series",
             "app.documents.printed", "app.store.db", "app.store.keyword_terms",
             "app.store.photos", "app.store.registration", "app.store.sessions")
"""Everything a document's rendering and reading need, imported once by the launcher:
each worker starts at once, and before its memory limit is set (the limit bounds the
document's own work; a library that could not be mapped under it would fail as an
ImportError rather than as the MemoryError it is)."""


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


WORKER_NAME = "worldcafe-doc"
"""A worker's process name (/proc/PID/comm, what top shows): the launcher's command line
is its workers' too."""


def serve(channel: socket.socket) -> None:
    """The launcher: every document's libraries imported once, then a worker forked for
    each job that arrives (its arguments, and its lock's descriptor, which the worker holds
    until it ends), until the server process's end of `channel` closes."""
    for module in LIBRARIES:
        importlib.import_module(module)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the kernel reaps the workers
    while True:
        message, descriptors, _flags, _address = socket.recv_fds(channel, 1 << 16, 1)
        if not message:
            return
        if os.fork() == 0:  # the worker keeps the job's lock open until it ends
            _work(channel, json.loads(message))
        for descriptor in descriptors:
            os.close(descriptor)


def _work(channel: socket.socket, arguments: dict) -> None:
    """A forked worker: a session of its own (app/documents/jobs.py, Launcher), the job,
    and the end of the process (never back into the launcher's loop)."""
    try:
        channel.close()
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        os.setsid()
        with contextlib.suppress(OSError):  # Linux only
            Path("/proc/self/comm").write_text(WORKER_NAME)
        make(arguments)
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)


if __name__ == "__main__":
    serve(socket.socket(fileno=int(sys.argv[1])))
