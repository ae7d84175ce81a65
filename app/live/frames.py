"""A text sent to many sockets, framed once (app/web/protocols.py writes the frame as is)."""

from __future__ import annotations

from websockets.frames import Frame, Opcode


class FramedText(str):
    """A text many sockets are sent (a snapshot every phone shares), with its WebSocket
    frame made once: the server's socket protocol (app/web/protocols.py) writes that frame
    as it is, where uvicorn would encode the text and copy it into a new frame for each
    socket (two buffers of the text's size per socket, each paid in fresh pages under the
    fixed mmap threshold: ~4 ms for 1.4 MB here, 0.8 s for a hall's 200 phones). Anywhere
    else it is the plain text."""

    frame: bytes


def framed(text: str) -> str:
    """`text` with its unmasked, uncompressed text frame (what a server sends without
    extensions; serve turns per-message deflate off); a text that is not valid UTF-8 (a
    lone surrogate) stays plain, sent or refused as before."""
    try:
        payload = text.encode()
    except UnicodeError:
        return text
    prepared = FramedText(text)
    prepared.frame = Frame(Opcode.TEXT, payload).serialize(mask=False)
    return prepared
