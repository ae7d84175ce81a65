"""Documents made outside the server process: the report (PDF, DOCX), the A3 PDF, the PNG
and the printed materials take seconds to minutes and hundreds of megabytes, so each is made
by a worker process of its own (app/documents/worker.py) under a memory and time limit, and
kept in a folder until the board changes.

Everything a job is lives in files of that folder (Settings.documents_folder), so that every
worker of the server (uvicorn's, on SQLite or PostgreSQL) sees the same jobs:

    <folder>/<event>/<name>.<key>          the document, once made (renamed into place whole)
    <folder>/<event>/<name>.<key>.json     the job's state: status, progress, stage, message
    <folder>/<event>/<name>.<key>.lock     held (flock) by the worker process while it lives
    <folder>/<event>/queue.lock            held by the one worker of this event that renders

The key is the event's change number (every change of the board raises it), the language
and the address people reach the server at (the printed join QR codes): a changed board
makes a new document, an unchanged one is served from the folder. The lock a request takes
before it starts a worker is handed to that worker, so a second request for the same
document (in any server worker) finds it held and waits for the same job; a lock found free
while the state says queued or running means the worker died (killed by the memory limit).

The workers are forked by a launcher (`python -m app.documents.worker FD`), started with
the first document a server process asks for: it loads the documents' libraries once
(WeasyPrint, python-docx, ... take about 2 s of CPU to import), so each document starts at
once instead of spending those seconds again.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import socket
import subprocess
import sys
import threading
from dataclasses import asdict, dataclass
from pathlib import Path

from app.i18n import N_

QUEUED, RUNNING, READY, FAILED = "queued", "running", "ready", "failed"
STAGES = {"reading": 10, "analysing": 25, "laying out": 45, "writing": 80}
"""What the worker is doing, and the progress (percent) the console shows from then on."""
DIED = N_("The document could not be made: its worker stopped (the memory limit of "
          "%(mb)s MB was probably reached).")


@dataclass(frozen=True)
class Job:
    name: str
    key: str
    status: str
    progress: int
    stage: str = ""
    message: str = ""
    """Why it failed, an untranslated message id; its parameters in `params`."""
    params: dict | None = None
    cpu_seconds: float = 0.0
    """The worker's CPU time and its peak RSS, once done (bench/documents.py)."""
    peak_mb: float = 0.0

    @property
    def done(self) -> bool:
        return self.status in (READY, FAILED)


@dataclass(frozen=True)
class Place:
    """Where one document of one event at one state of its board lives."""

    folder: Path
    event_id: str
    name: str
    key: str

    @property
    def event_folder(self) -> Path:
        return self.folder / self.event_id

    @property
    def file(self) -> Path:
        return self.event_folder / f"{self.name}.{self.key}"

    @property
    def state_file(self) -> Path:
        return self.event_folder / f"{self.name}.{self.key}.json"

    @property
    def lock_file(self) -> Path:
        return self.event_folder / f"{self.name}.{self.key}.lock"

    @property
    def queue_file(self) -> Path:
        return self.event_folder / "queue.lock"


@dataclass(frozen=True)
class Maker:
    """This server's documents: where they are kept, the database their workers read and
    the limits each worker runs under (app/settings.py)."""

    folder: Path
    database_url: str
    memory_mb: int = 2048
    seconds: int = 300

    def place(self, event_id: str, name: str, key: str) -> Place:
        return Place(self.folder, event_id, name, key)

    def state(self, place: Place) -> Job | None:
        return state(place, self.memory_mb)

    def start(self, place: Place, base: str) -> Job:
        return start(place, {"database_url": self.database_url, "base": base,
                             "memory_mb": self.memory_mb, "seconds": self.seconds},
                     self.memory_mb)

    def purge(self, event_id: str) -> None:
        purge(self.folder / event_id)


def key_of(seq: int, language: str, base: str) -> str:
    """The board's state a document was made of: its change number, the language and the
    server's address (the QR codes), short and safe as a file name."""
    return f"{seq}-" + hashlib.sha256(f"{language}|{base}".encode()).hexdigest()[:10]


def write_state(place: Place, job: Job) -> None:
    """The job's state, replaced whole (a reader never sees half of it)."""
    partial = place.state_file.with_suffix(".json.part")
    partial.write_text(json.dumps(asdict(job)), encoding="utf-8")
    os.replace(partial, place.state_file)


def _read_state(place: Place) -> Job | None:
    try:
        return Job(**json.loads(place.state_file.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None


def _try_lock(path: Path) -> int | None:
    """An open descriptor holding `path`'s lock, or None when someone else holds it."""
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(descriptor)
        return None
    return descriptor


def state(place: Place, memory_mb: int) -> Job | None:
    """The job's state now; None when it was never asked for. A job whose worker is gone
    before it finished is failed."""
    if place.file.exists():
        return Job(place.name, place.key, READY, 100)
    job = _read_state(place)
    if job is None or job.done:
        return job
    descriptor = _try_lock(place.lock_file)
    if descriptor is None:
        return job  # its worker lives
    os.close(descriptor)
    job = _read_state(place) or job  # it may have finished just now
    if job.done or place.file.exists():
        return state(place, memory_mb)
    return Job(place.name, place.key, FAILED, job.progress, job.stage, DIED, {"mb": memory_mb})


def start(place: Place, worker_args: dict, memory_mb: int) -> Job:
    """The job of `place`: the document when it is made, the running job when there is
    one, else a new worker process started for it (also after a failure: asking again
    tries again)."""
    place.event_folder.mkdir(parents=True, exist_ok=True)
    if place.file.exists():
        return Job(place.name, place.key, READY, 100)
    descriptor = _try_lock(place.lock_file)
    if descriptor is None:  # a worker has it: its state, once it wrote one
        return state(place, memory_mb) or Job(place.name, place.key, QUEUED, 0)
    try:
        if place.file.exists():
            return Job(place.name, place.key, READY, 100)
        job = Job(place.name, place.key, QUEUED, 0)
        write_state(place, job)
        LAUNCHER.launch({**worker_args, "folder": str(place.folder),
                         "event_id": place.event_id, "name": place.name, "key": place.key},
                        descriptor)
        return job
    finally:
        os.close(descriptor)  # the worker holds its own copy (sent to the launcher) until it ends


class Launcher:
    """The server process's end of the launcher (app/documents/worker.py, `serve`): started
    at the first document, in a session of its own, and again when it has gone (killed);
    each job's arguments and its lock's descriptor travel to it over a socket pair, one
    message a job, and the launcher forks the job's worker. The launcher ends when the
    server process does (its end of the socket closes); a worker ends when its document
    is made."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._channel: socket.socket | None = None

    def launch(self, arguments: dict, lock: int) -> None:
        message = json.dumps(arguments).encode()
        with self._guard:
            if self._channel is not None:
                try:
                    socket.send_fds(self._channel, [message], [lock])
                    return
                except OSError:  # the launcher has gone: a new one
                    self._channel.close()
            self._channel = self._start()
            socket.send_fds(self._channel, [message], [lock])

    @staticmethod
    def _start() -> socket.socket:
        """A new launcher process and the server's end of its socket; reaped by a thread
        of its own (no zombie is left behind). Its own session: Linux schedules the
        processes of a session as one group (autogroup), so a worker in the server's
        session had its CPU charged to the server's group, which then waited behind every
        other program for its turn (the event loop up to 0.6 s late while a report was made
        on a busy machine, bench/README.md); its workers lead sessions of their own."""
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        with theirs:
            process = subprocess.Popen(
                [sys.executable, "-m", "app.documents.worker", str(theirs.fileno())],
                pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL, close_fds=True,
                start_new_session=True)
        threading.Thread(target=process.wait, name="document-launcher-reaper",
                         daemon=True).start()
        return ours


LAUNCHER = Launcher()
"""This server process's launcher (each uvicorn worker has its own)."""


def forget_older(place: Place) -> None:
    """Remove the event's other versions of this document (the board has changed since)."""
    for path in place.event_folder.glob(f"{place.name}.*"):
        if not path.name.startswith(f"{place.name}.{place.key}"):
            with contextlib.suppress(OSError):
                path.unlink()


def purge(event_folder: Path) -> None:
    """Remove every document made of an event and its jobs' states (its names were
    erased, or it was deleted): no kept report, name tag or list with names can be
    downloaded any more. The lock files stay while a worker may hold them; a worker
    still making a document writes it under a key no request asks for any more (the
    event's change number moved on), and `forget_older` removes it with the next one."""
    for path in event_folder.glob("*"):
        if path.suffix != ".lock":
            with contextlib.suppress(OSError):
                path.unlink()
