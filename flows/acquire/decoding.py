"""Content-Encoding, decoded by toll itself with a bounded output.

httpx decodes a whole network chunk at once and stacks decoders for `Content-Encoding: gzip,
gzip`, so a 2.5 KB body can grow the process by gigabytes before a byte cap sees it. Here
the raw stream is decoded piece by piece, no piece longer than PIECE bytes, so the caller's
cap holds on decoded bytes as they are produced; and only one encoding is accepted, because
no real publisher compresses twice.
"""

from __future__ import annotations

import zlib
from collections.abc import Generator, Iterator

ACCEPT_ENCODING = "gzip, deflate"  # what toll asks for; anything else is refused
MAX_CODINGS = 2  # entries in Content-Encoding ("gzip, identity" is fine, a third is not)
PIECE = 64 * 1024  # the most a single decode step may produce
_GZIP = 16 + zlib.MAX_WBITS
_ZLIB = zlib.MAX_WBITS
_RAW_DEFLATE = -zlib.MAX_WBITS


class EncodingRefused(ValueError):
    """A Content-Encoding toll does not decode: stacked, unknown, or corrupt."""


def content_coding(header: str | None) -> str | None:
    """The one content coding of a response (gzip or deflate), None for identity; raises
    EncodingRefused for more than one encoding, a chain longer than MAX_CODINGS, or an
    encoding toll did not ask for."""
    names = [name.strip().lower() for name in (header or "").split(",") if name.strip()]
    if len(names) > MAX_CODINGS:
        raise EncodingRefused(f"Content-Encoding {header!r}: a chain of {len(names)} encodings")
    real = [name for name in names if name != "identity"]
    if len(real) > 1:
        raise EncodingRefused(
            f"Content-Encoding {header!r}: more than one encoding (a compression bomb?)"
        )
    if not real:
        return None
    coding = {"gzip": "gzip", "x-gzip": "gzip", "deflate": "deflate"}.get(real[0])
    if coding is None:
        raise EncodingRefused(f"Content-Encoding {header!r} was not asked for ({ACCEPT_ENCODING})")
    return coding


class BoundedDecoder:
    """Decodes one coding incrementally; every piece it yields is at most PIECE bytes, so
    memory grows only as fast as the caller keeps what it is given."""

    def __init__(self, coding: str | None) -> None:
        self.coding = coding
        self._first = True
        self._inflater = self._new()

    def _new(self, wbits: int | None = None) -> zlib._Decompress | None:
        if self.coding is None:
            return None
        return zlib.decompressobj(wbits or (_GZIP if self.coding == "gzip" else _ZLIB))

    def feed(self, data: bytes) -> Iterator[bytes]:
        """The decoded pieces of the next raw chunk."""
        if self._inflater is None:
            for start in range(0, len(data), PIECE):
                yield data[start : start + PIECE]
            return
        while data:
            if self._inflater is not None and self._inflater.eof:
                if self.coding != "gzip" or not data.strip(b"\0"):
                    return  # trailing bytes after the stream: ignored, as browsers do
                self._inflater = self._new()  # the next member of a multi-member gzip
            data = yield from self._inflate(data)

    def _inflate(self, data: bytes) -> Generator[bytes, None, bytes]:
        """Decode until `data` is used up or the stream ends; returns what follows the end."""
        inflater = self._inflater
        assert inflater is not None
        while True:
            try:
                piece = inflater.decompress(data, PIECE)
            except zlib.error as error:
                if self._first and self.coding == "deflate":  # raw deflate, no zlib header
                    self._first = False
                    self._inflater = inflater = zlib.decompressobj(_RAW_DEFLATE)
                    continue
                raise EncodingRefused(f"corrupt {self.coding} body: {error}") from error
            self._first = False
            if piece:
                yield piece
            if inflater.eof:
                return inflater.unused_data
            data = inflater.unconsumed_tail
            if not data and len(piece) < PIECE:
                return b""  # input used up and nothing left pending

    def flush(self) -> Iterator[bytes]:
        """What is left once the raw stream has ended (a truncated stream is refused)."""
        inflater = self._inflater
        if inflater is None or inflater.eof:
            return
        yield from self._inflate(b"")
        if not inflater.eof:
            raise EncodingRefused(f"{self.coding} body ends before its stream does")
