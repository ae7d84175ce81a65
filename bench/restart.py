"""Restart benchmark: how long the first screen waits for its snapshot after a restart.

For each board size (1000 cards as the baseline, then 6000 by default) it creates an event
through the API of a real `python -m app.cli serve`, stops the server, writes the cards
straight into its SQLite file (varied texts from bench/data, so that no two cards share one
analysis), starts the server again and opens the console's socket
(`?view=facilitator`, which draws the keyword charts): it prints the seconds from the
start of the process to /healthz answering, and from the socket's opening to its snapshot,
with ratios against the baseline. The first restart after the cards were written finds no
stored keyword terms (they were not written through the API) and analyses them once; the
second restart is the one a real event sees, so both are printed.

Benchmarks report, they do not judge: exit status 0 whatever the figures, 2 when the run broke.

    .venv/bin/python bench/restart.py                    # 1000 and 6000 cards
    .venv/bin/python bench/restart.py --cards 200,1000   # a smoke run
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
from fanout import EVENT_BODY, WorldcafeServer
from sqlmodel import Session, select
from websockets.sync.client import connect

from app.store.db import make_engine
from app.store.models import CafeTable, Card

DATA = Path(__file__).resolve().parent / "data"
SNAPSHOT_TIMEOUT_SECONDS = 600


def card_texts(count: int) -> list[str]:
    """`count` texts, each different: the labelled cards, joined two by two."""
    lines = []
    for name in ("cards_labelled.csv", "cards_labelled_2.csv"):
        with (DATA / name).open(encoding="utf-8") as file:
            lines += [row["text"] for row in csv.DictReader(file)]
    texts = []
    for index in range(count):
        first = lines[index % len(lines)]
        second = lines[(index // len(lines) * 7 + index) % len(lines)]
        texts.append(f"{first}。{second}（{index}）")
    return texts


def build_event(folder: Path, count: int) -> tuple[WorldcafeServer, dict]:
    server = WorldcafeServer(folder)
    server.start()
    try:
        with httpx.Client(base_url=server.url, timeout=30) as http:
            answer = http.post("/api/v1/sessions", json=EVENT_BODY)
            answer.raise_for_status()
            event = answer.json()
            http.post(f"/api/v1/sessions/{event['id']}/control",
                      headers={"Authorization": f"Bearer {event['facilitator_token']}"},
                      json={"action": "start"}).raise_for_status()
    finally:
        server.stop()
    engine = make_engine(server.database_url)
    with Session(engine) as db:
        tables = db.exec(select(CafeTable.id).where(CafeTable.session_id == event["id"])).all()
        now_ms = int(time.time() * 1000)
        for index, text in enumerate(card_texts(count)):
            db.add(Card(id=str(uuid.uuid4()), session_id=event["id"],
                        table_id=tables[index % len(tables)], phase_index=0,
                        author_kind="host", text=text, colour="yellow",
                        created_at_ms=now_ms + index))
        db.commit()
    engine.dispose()
    return server, event


def restart(server: WorldcafeServer, event: dict) -> tuple[float, float]:
    """(seconds until /healthz answers, seconds from the socket's opening to its snapshot)"""
    started = time.monotonic()
    server.start()
    try:
        up = time.monotonic() - started
        url = (f"ws://127.0.0.1:{server.port}/ws/sessions/{event['id']}"
               f"?token={event['facilitator_token']}&view=facilitator")
        opened = time.monotonic()
        with connect(url, open_timeout=SNAPSHOT_TIMEOUT_SECONDS, max_size=None) as socket:
            socket.recv(timeout=SNAPSHOT_TIMEOUT_SECONDS)
        return up, time.monotonic() - opened
    finally:
        server.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", default="1000,6000",
                        help="board sizes, comma-separated; the first is the baseline")
    options = parser.parse_args(argv)
    sizes = [int(size) for size in options.cards.split(",")]
    rows = []
    try:
        for size in sizes:
            with tempfile.TemporaryDirectory(prefix="worldcafe-restart-") as folder:
                server, event = build_event(Path(folder), size)
                first = restart(server, event)
                second = restart(server, event)
                rows.append((size, first, second))
                print(f"{size} cards: up {first[0]:.2f} s, snapshot {first[1]:.2f} s "
                      f"(first restart); up {second[0]:.2f} s, snapshot {second[1]:.2f} s "
                      f"(second)", flush=True)
    except (RuntimeError, OSError, httpx.HTTPError) as error:
        print(f"run broke: {error}", file=sys.stderr)
        return 2
    base = rows[0]
    print(f"\n{'cards':>6} {'1st snapshot s':>15} {'2nd snapshot s':>15} {'x baseline':>11}")
    for size, first, second in rows:
        ratio = second[1] / base[2][1] if base[2][1] else float("nan")
        print(f"{size:>6} {first[1]:>15.2f} {second[1]:>15.2f} {ratio:>11.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
