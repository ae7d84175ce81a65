"""Big answers (app/web/reads.py): a client that never reads holds one of its address's
few slots and one answer's bytes, never a growing buffer; its slot comes back when it
goes. The ASGI `send` stands for uvicorn's, which waits while the client does not read."""

import asyncio
import json

import pytest

from app.refusal import Refusal
from app.web.reads import CHUNK_BYTES, BigReads

PAGE = {"cards": [{"id": f"{n:04}", "text": "長" * 140} for n in range(500)], "next": None}


def make_page() -> dict:
    return PAGE


def test_an_answer_goes_out_in_pieces_and_whole():
    async def scenario() -> list[dict]:
        sent: list[dict] = []

        async def send(message: dict) -> None:
            sent.append(message)

        answer = await BigReads(per_address=1).answer("10.0.0.1", make_page)
        await answer({"type": "http"}, None, send)
        return sent

    sent = asyncio.run(scenario())
    pieces = [m["body"] for m in sent if m["type"] == "http.response.body"]
    assert len(pieces) > 2 and all(len(piece) <= CHUNK_BYTES for piece in pieces)
    assert json.loads(b"".join(pieces)) == PAGE
    assert sent[-1]["more_body"] is False


def test_unread_answers_are_bounded_per_address_and_given_back_when_the_client_goes():
    async def scenario() -> None:
        reads = BigReads(per_address=2)
        first_piece_sent = asyncio.Event()

        async def never_read(message: dict) -> None:  # the client's window stays full
            if message["type"] == "http.response.body":
                first_piece_sent.set()
                await asyncio.Event().wait()

        unread = []
        for _ in range(2):
            first_piece_sent.clear()
            answer = await reads.answer("10.0.0.1", make_page)
            unread.append(asyncio.create_task(answer({"type": "http"}, None, never_read)))
            await first_piece_sent.wait()
        with pytest.raises(Refusal) as refused:
            await reads.answer("10.0.0.1", make_page)
        assert refused.value.code == "too_many_reads" and refused.value.headers["Retry-After"]
        assert refused.value.status == 429
        other = await reads.answer("10.0.0.2", make_page)  # another address is not held up
        await other({"type": "http"}, None, lambda message: asyncio.sleep(0))
        unread[0].cancel()  # the client goes (uvicorn's send returns, or raises)
        await asyncio.gather(*unread[:1], return_exceptions=True)
        assert reads.under_way["10.0.0.1"] == 1
        again = await reads.answer("10.0.0.1", make_page)
        assert reads.under_way["10.0.0.1"] == 2
        unread[1].cancel()
        await asyncio.gather(*unread[1:], return_exceptions=True)
        await again({"type": "http"}, None, lambda message: asyncio.sleep(0))
        assert not reads.under_way

    asyncio.run(scenario())
