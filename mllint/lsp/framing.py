"""The base protocol of LSP (``Content-Length`` headers, then a JSON body), read defensively.

pygls's reader trusts its input: a ``Content-Length`` it cannot parse is ignored while the body
is taken for headers, a huge one is allocated at once, a body that is not JSON gets no answer.
:class:`Framing` is a parser without I/O: bytes go in, whole messages or protocol errors come
out, and after any error it finds the next message again:

- headers end in CRLF or, leniently, in LF alone; names are case-insensitive;
- a missing, non-numeric, negative or duplicated ``Content-Length``, or one above
  :data:`MAX_MESSAGE`, is a protocol error; the bytes up to the next ``Content-Length``
  header are dropped, never held;
- a body that is not JSON is a protocol error. A ``Content-Length`` header cannot occur in a
  JSON text (the name is not a JSON token, and JSON strings hold no raw line breaks), so a
  body that holds one was cut short or ran on: reading starts again at that header, even
  before the body's announced length has arrived. So a wrong length costs the broken
  message only, never the next one;
- bytes between messages that are not headers are skipped.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Optional, Union

MAX_MESSAGE = 64 * 1024 * 1024
"""The largest message body read (bytes); larger ones are refused and skipped."""
MAX_HEADERS = 8 * 1024
"""The largest header block (bytes)."""

_HEADER = re.compile(rb"content-length[ \t]*:", re.IGNORECASE)
_HEADER_LINE = re.compile(rb"content-length[ \t]*:[ \t]*\d+[ \t]*\r?\n", re.IGNORECASE)
_TOKEN = re.compile(rb"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_DIGITS = re.compile(rb"[0-9]+")
_KEEP = 64
"""Bytes kept from a skipped stretch: a header may begin in them."""


@dataclass(frozen=True)
class Message:
    """A message body, parsed as JSON (any JSON value: its shape is checked later)."""

    value: Any


@dataclass(frozen=True)
class ProtocolError:
    """Bytes that are not a message; answered with a JSON-RPC parse error."""

    reason: str


Event = Union[Message, ProtocolError]


class Framing:
    """Splits a byte stream into LSP messages: :meth:`feed` bytes, then take
    :meth:`next_event` until it returns ``None`` (more bytes needed)."""

    def __init__(self, max_message: int = MAX_MESSAGE, max_headers: int = MAX_HEADERS) -> None:
        self.max_message = max_message
        self.max_headers = max_headers
        self._buffer = bytearray()
        self._skipping = False
        """Dropping bytes until a ``Content-Length`` header."""
        self._headers = 0
        """Header lines read of the current message."""
        self._header_bytes = 0
        self._length: Optional[int] = None
        self._problem: Optional[str] = None
        """What is wrong with the headers read so far."""
        self._body: Optional[int] = None
        """The length of the body being read, once the headers are complete."""
        self._scanned = 0
        """How much of a body being read was searched for a header already."""

    def feed(self, data: bytes) -> None:
        """Add bytes read from the stream."""
        self._buffer += data

    def next_event(self) -> Optional[Event]:
        """The next message or protocol error, or ``None`` when more bytes are needed."""
        while True:
            if self._skipping and not self._skip():
                return None
            if self._body is not None:
                return self._read_body()
            line = self._next_line()
            if line is None:
                return None
            if isinstance(line, ProtocolError):
                return line
            event = self._header(line)
            if event is not None:
                return event

    # -- headers --------------------------------------------------------------------------

    def _next_line(self) -> Union[bytes, ProtocolError, None]:
        end = self._buffer.find(b"\n", 0, self.max_headers + 1)
        if end < 0:
            if len(self._buffer) > self.max_headers:
                return self._lose("a header line is too long")
            return None
        line = bytes(self._buffer[: end + 1])
        del self._buffer[: end + 1]
        return line.rstrip(b"\r\n")

    def _header(self, line: bytes) -> Optional[Event]:
        """Take one header line; the event it completes, if any."""
        if not line:
            if self._headers == 0:
                return None  # blank lines between messages
            return self._end_of_headers()
        self._headers += 1
        found = _HEADER.search(line)
        if found is not None and line[: found.start()].strip():
            # the end of a broken message runs into the next header: start again there
            self._buffer[:0] = line[found.start() :] + b"\n"
            self._reset_headers()
            return None
        name, colon, value = line.partition(b":")
        if not colon or not _TOKEN.fullmatch(name.strip()):
            self._reset_headers()
            self._skipping = True  # not a header: skip to the next message
            return None
        if name.strip().lower() == b"content-length":
            self._content_length(value.strip())
        self._header_bytes += len(line) + 1
        if self._header_bytes > self.max_headers:
            return self._lose("the headers are too long")
        return None

    def _content_length(self, value: bytes) -> None:
        if not _DIGITS.fullmatch(value) or len(value) > 20:
            self._problem = f"invalid Content-Length: {value[:40]!r}"
            return
        length = int(value)
        if self._length is not None and self._length != length:
            self._problem = "conflicting Content-Length headers"
        elif length > self.max_message:
            self._problem = (
                f"a message of {length} bytes is larger than the limit of {self.max_message}"
            )
        self._length = length

    def _end_of_headers(self) -> Optional[Event]:
        problem = self._problem
        length = self._length
        if problem is None and length is None:
            problem = "no Content-Length header"
        self._reset_headers()
        if problem is not None or length is None:
            return self._lose(problem or "no Content-Length header")
        self._body, self._scanned = length, 0
        return None

    def _reset_headers(self) -> None:
        self._headers, self._header_bytes, self._length, self._problem = 0, 0, None, None

    # -- bodies ---------------------------------------------------------------------------

    def _read_body(self) -> Optional[Event]:
        length = self._body
        assert length is not None
        if len(self._buffer) < length:
            # a next message's header in what has come shows that this body was cut short
            start = max(0, self._scanned - _KEEP)
            found = _HEADER_LINE.search(self._buffer, start)
            self._scanned = len(self._buffer)
            if found is not None:
                del self._buffer[: found.start()]
                self._body = None
                return ProtocolError("a message is shorter than its Content-Length")
            return None
        body = bytes(self._buffer[:length])
        del self._buffer[:length]
        self._body = None
        try:
            return Message(json.loads(body))
        except (ValueError, RecursionError) as exc:
            found = _HEADER_LINE.search(body)
            if found is not None:  # the body ran into the next message: read that one
                self._buffer[:0] = body[found.start() :]
            return ProtocolError(f"the message is not JSON: {type(exc).__name__}")

    # -- recovery -------------------------------------------------------------------------

    def _lose(self, reason: str) -> ProtocolError:
        """Framing is lost: skip to the next ``Content-Length`` header."""
        self._reset_headers()
        self._skipping = True
        return ProtocolError(reason)

    def _skip(self) -> bool:
        """Drop bytes up to the next ``Content-Length`` header; whether one was found."""
        found = _HEADER.search(self._buffer)
        if found is None:
            del self._buffer[: max(0, len(self._buffer) - _KEEP)]
            return False
        del self._buffer[: found.start()]
        self._skipping = False
        return True
