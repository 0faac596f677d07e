"""Reading an answer's body with a bound: decoded as it streams (gzip, deflate), at most a given
number of bytes after decompression, so a 2 GiB body or a gzip bomb is stopped, not held."""

from __future__ import annotations

import zlib

import httpx

MiB = 1024 * 1024
DEFAULT_MAX_BODY = 32 * MiB
"""`--max-body`: the most one answer may hold, after decompression."""


def size_text(size: int) -> str:
    """`32 MiB`, `512 KiB`, `100 B`: a size as a person reads it."""
    for unit, factor in (("GiB", 1024 * MiB), ("MiB", MiB), ("KiB", 1024)):
        if size >= factor:
            return f"{size / factor:g} {unit}"
    return f"{size} B"


class TooLarge(Exception):
    """The body is larger than the bound (after decompression)."""


class Inflate:
    """Content-Encoding identity, gzip or deflate, decoded with a bound on the output (a 4 MB gzip
    body may inflate to 4 GiB: it is stopped at the bound, not expanded)."""

    def __init__(self, encoding: str) -> None:
        name = encoding.strip().lower()
        if name not in ("", "identity", "gzip", "x-gzip", "deflate"):
            raise httpx.DecodingError(f"unsupported Content-Encoding {encoding[:40]!r}")
        self._zlib = None if name in ("", "identity") else zlib.decompressobj(47 if "gzip" in name else 15)
        self._deflate = name == "deflate"

    def feed(self, data: bytes, room: int) -> bytes:
        if self._zlib is None:
            return data
        try:
            return self._zlib.decompress(data, room + 1)
        except zlib.error as exc:
            if self._deflate:  # raw deflate, without the zlib header
                self._zlib, self._deflate = zlib.decompressobj(-15), False
                return self.feed(data, room)
            raise httpx.DecodingError(f"the body could not be decoded ({exc})") from None


def other_page(response: httpx.Response) -> bool:
    """A well-formed answer of another kind than JSON (an HTML or XML page, a text/plain message):
    not a transmission fault, so not garbled."""
    kinds = [k.split(";")[0].strip().lower() for k in response.headers.get_list("content-type")]
    if kinds and not any("json" in k for k in kinds):
        return True
    return response.content.lstrip()[:1] == b"<"
