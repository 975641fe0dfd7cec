"""The LSP base protocol reader: messages and protocol errors out of any byte stream, the same
however the bytes are split, and in step again after every error."""

from __future__ import annotations

import json
from typing import List

import pytest

from mllint.lsp.framing import Event, Framing, Message, ProtocolError

GOOD = {"jsonrpc": "2.0", "id": 1, "method": "shutdown"}
BODY = json.dumps(GOOD).encode()
FRAME = b"Content-Length: %d\r\n\r\n" % len(BODY) + BODY


def events(data: bytes, step: int = 0, max_message: int = 1000) -> List[Event]:
    """What :class:`Framing` makes of ``data`` fed in pieces of ``step`` bytes (0: at once)."""
    framing = Framing(max_message=max_message)
    out: List[Event] = []
    pieces = [data] if step == 0 else [data[i : i + step] for i in range(0, len(data), step)]
    for piece in pieces:
        framing.feed(piece)
        while (event := framing.next_event()) is not None:
            out.append(event)
    return out


CASES = {
    "good": (FRAME, []),
    "lf-only": (b"Content-Length: %d\n\n" % len(BODY) + BODY, []),
    "lower-case-and-content-type": (
        b"content-length: %d\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n"
        % len(BODY)
        + BODY,
        [],
    ),
    "longer-than-body": (b'Content-Length: 80\r\n\r\n{"a":1}', ["shorter than"]),
    "much-longer-than-body": (b'Content-Length: 900\r\n\r\n{"a":1}', ["shorter than"]),
    "shorter-than-body": (b'Content-Length: 3\r\n\r\n{"a":1}', ["not JSON"]),
    "missing": (b'Content-Type: x\r\n\r\n{"a":1}', ["no Content-Length"]),
    "non-numeric": (b"Content-Length: abc\r\n\r\n{}", ["invalid Content-Length"]),
    "negative": (b"Content-Length: -5\r\n\r\n{}", ["invalid Content-Length"]),
    "1e30": (b"Content-Length: 1e30\r\n\r\n{}", ["invalid Content-Length"]),
    "conflicting": (b"Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}", ["conflicting"]),
    "too-large": (b"Content-Length: 1000000000000\r\n\r\n{}", ["larger than the limit"]),
    "not-json": (b"Content-Length: 5\r\n\r\n{abc}", ["not JSON"]),
    "not-utf8": (b"Content-Length: 2\r\n\r\n\xff\xfe", ["not JSON"]),
    "deep-json": (
        b"Content-Length: 200000\r\n\r\n" + b"[" * 100_000 + b"]" * 100_000,
        ["not JSON"],
    ),
    "garbage-line": (b"hello\r\n", []),
    "endless-header-line": (b"X" * 20_000, ["too long"]),
}


@pytest.mark.parametrize(("prefix", "errors"), list(CASES.values()), ids=list(CASES))
@pytest.mark.parametrize("step", [0, 1, 7, 4096])
def test_every_error_is_reported_and_the_next_message_read(
    prefix: bytes, errors: List[str], step: int
) -> None:
    found = events(prefix + FRAME, step, max_message=300_000)
    *before, last = found
    assert last == Message(GOOD)
    problems = [e for e in before if isinstance(e, ProtocolError)]
    assert len(problems) == len(errors)
    for problem, expected in zip(problems, errors):
        assert expected in problem.reason
    assert all(isinstance(e, ProtocolError) or e == Message(GOOD) for e in before)


def test_a_refused_message_is_skipped_without_being_held() -> None:
    framing = Framing(max_message=100)
    framing.feed(b"Content-Length: 5000000\r\n\r\n")
    assert isinstance(framing.next_event(), ProtocolError)
    for _ in range(50):
        framing.feed(b"x" * 100_000)
        assert framing.next_event() is None
    assert len(framing._buffer) < 1000
    framing.feed(FRAME)
    assert framing.next_event() == Message(GOOD)
