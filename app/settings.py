"""One settings class for the whole app; every field can be set as WORLDCAFE_<NAME>."""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="WORLDCAFE_", extra="ignore")

    database_url: str = "sqlite:///./worldcafe.db"
    """SQLAlchemy URL; SQLite (WAL) by default, postgresql+psycopg://... for the scaled mode."""

    redis_url: str | None = None
    """When set, live changes travel over Redis pub/sub so several workers share one event."""

    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1

    public_url: str | None = None
    """Base URL printed in QR codes and API answers (e.g. http://192.168.1.20:8000).
    Without it, URLs are built from the request's Host header."""

    def base_url(self) -> str:
        """The address a command-line printout gives for this server's pages: the public URL,
        else the host and port it serves on (localhost for a wildcard or loopback host)."""
        host = "localhost" if self.host in ("127.0.0.1", "0.0.0.0") else self.host
        return (self.public_url or f"http://{host}:{self.port}").rstrip("/")

    allowed_origins: list[str] = []
    """Extra Origins allowed to open WebSockets besides the server's own host."""

    cookie_secure: bool = False
    """Mark token cookies Secure; turn on when serving over HTTPS."""

    join_failures_per_minute: int = 10
    """Wrong join codes allowed per client address per minute before answers slow to 429."""

    joins_per_minute: int = 60
    """Joins one client address may make a minute, after a first burst of `join_burst`;
    more wait their turn (a venue behind one NAT joins 200 people in two minutes)."""

    join_burst: int = 100
    """Joins one client address may make at once before pacing starts."""

    join_wait_seconds: float = 15.0
    """The longest a join waits its turn; one that would wait longer is a flood."""

    renew_join_code_on_flood: bool = True
    """Answer a flood of joins from one address by drawing a new join code at once (the
    projector shows it; the script that floods holds the old one) and asking the
    facilitator to review who joined meanwhile; off: the flood's joins get 429."""

    max_participants: int = 500
    """Participants one event may have; more joins are refused (409 event_full)."""

    card_rate_per_second: int = 5
    """Cards one device token may send per second; more get 429 with Retry-After."""

    card_rate_per_minute: int = 30
    """Cards one device token may send per minute (a resend of a stored card counts too)."""

    cards_per_address_per_minute: int = 2400
    """Cards one client address may send an event a minute, all its tokens together; more
    get 429 too_many_cards_from_network and the console shows a flood notice. A whole
    venue may share one address behind NAT: 200 honest phones write a card every 30 s or
    so at the busiest (400 a minute), and their offline queues flushing at once after the
    Wi-Fi comes back send 200 × 5 at most (each token's limit a second); the hall bench's
    20 cards a second is 1200 a minute; 2400 holds all of these with room, while 100
    scripted tokens at their limit (500 a second) reach it in under 5 s.
    docs/running-an-event.md explains it."""

    cards_per_token_over_budget: int = 5
    """Cards a minute each token may still send while its address is over
    cards_per_address_per_minute: an honest phone behind the same NAT as a flood (a card
    every 30 s at the busiest, its offline queue's 5 at once) is never refused, while the
    flood's tokens are once they have sent these; the address's total stays under the
    budget + this × its tokens (app/auth.py, SharedBudget)."""

    card_commit_group: int = 64
    """The most new cards one write transaction stores together (group commit: the cards
    of requests that arrive while one is written go in the next one); 1 writes every card
    in a transaction of its own (bench/throughput.py's baseline)."""

    header_timeout: float = 10.0
    """Seconds a client may take to send a request's headers before it is cut off."""

    body_timeout: float = 30.0
    """Seconds a client may take to send a request's body."""

    connections_per_address: int = 2000
    """Connections (requests and live sockets) one address may hold at once, per worker;
    enough for a venue behind one NAT. More are closed at once."""

    big_reads_per_address: int = 4
    """Big answers (pages of `GET …/cards`) one address may have under way at once, per
    worker: built, or sent and not yet read by its client. More are refused with 429
    `too_many_reads` before any work (app/web/reads.py)."""

    max_body_bytes: int = 1024 * 1024
    """The largest request body; a longer one is refused with 413 before it is read on."""

    max_photo_bytes: int = 20 * 1024 * 1024
    """The largest upload of a table's photo (a phone's full-size photo is 3-12 MB); the
    server keeps a re-encoded copy of at most 2400 px (app/actions/photos.py)."""

    token_days_after_finish: float = 7.0
    """Days after an event finishes that its links (every token) stop working."""

    erase_names_after_days: float = 30.0
    """Days after an event finishes that its participants' names, readings and emails are
    erased by the server itself (anonymised, as the console's "Erase names" does); 0:
    never. Checked at start and every hour."""

    organiser_passcode: str = ""
    """When set, creating an event needs it: the start page asks for it, the API takes it
    as a bearer token. Empty (the default): anyone who reaches the server may create one."""

    list_events_locally: bool = True
    """The start page lists the events on this server, with their console links, to the
    computer it runs on (requests from 127.0.0.1 or ::1). Turn off behind a reverse proxy
    on the same machine, where every request comes from there."""

    forwarded_allow_ips: str = "127.0.0.1,::1"
    """The proxies whose X-Forwarded-For (and -Proto) name the client (uvicorn's
    `--forwarded-allow-ips`: addresses or networks, comma-separated, "*" for any). Behind
    nginx on another machine, its address: otherwise every phone of the hall has the
    proxy's address, and honest joins look like one address flooding."""

    ws_queue_size: int = 64
    """Messages a slow connection may fall behind before it is dropped (it resyncs on return)."""

    ws_max_message_bytes: int = 16 * 1024
    """The longest message a live socket may send (ours send a few hundred bytes): a longer
    one, whole or in fragments, closes the socket with 1009 before it is buffered."""

    ws_pings_per_minute: int = 30
    """Protocol pings a live socket may send a minute (clients ping every 20 s or so); more
    close it with 1008, as each one's answer waits in the socket's buffer."""

    documents_dir: str = ""
    """Where made documents (report, A3 PDF, PNG, DOCX, printed materials) are kept until
    the board changes, with their jobs' state; shared by every worker of this server.
    Empty: a `documents` folder beside the SQLite file; for PostgreSQL one in the system's
    temporary folder, named after the database."""

    document_memory_mb: int = 2048
    """The address space a document's worker process may take; a document that needs more
    fails with a message instead of taking the laptop's memory."""

    document_seconds: int = 300
    """The longest a document's worker may take; a slower one fails with a message."""

    health_check_patience: float = 5.0
    """Seconds a database write check of /healthz may wait before /healthz answers 503,
    the database not answering (a check waits behind the writers of the moment)."""

    def documents_folder(self) -> Path:
        if self.documents_dir:
            return Path(self.documents_dir)
        database = self.database_url.partition(":///")[2] if self.database_url.startswith(
            "sqlite") else ""
        if database and not database.startswith(":memory:"):
            return Path(database).parent / "documents"
        name = hashlib.sha256(self.database_url.encode()).hexdigest()[:12]
        return Path(tempfile.gettempdir()) / f"worldcafe-documents-{name}"
