"""The mock's icon for `/favicon.ico`, which every browser asks for (a 404 there is console noise).

A 16x16 Truto-blue square with a white "T", built as a PNG inside an ICO container at import: no binary
file to ship.
"""

from __future__ import annotations

import struct
import zlib

SIZE = 16
BLUE, WHITE = (0x1F, 0x4E, 0xD8, 0xFF), (0xFF, 0xFF, 0xFF, 0xFF)


def _pixel(x: int, y: int) -> tuple[int, int, int, int]:
    bar = 3 <= y <= 5 and 3 <= x <= 12
    stem = 6 <= y <= 12 and 7 <= x <= 8
    return WHITE if bar or stem else BLUE


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"".join(bytes(_pixel(x, y)) for x in range(SIZE)) for y in range(SIZE))
    header = struct.pack(">IIBBBBB", SIZE, SIZE, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def _ico(png: bytes) -> bytes:
    directory = struct.pack("<HHH", 0, 1, 1)
    entry = struct.pack("<BBBBHHII", SIZE, SIZE, 0, 0, 1, 32, len(png), 6 + 16)
    return directory + entry + png


ICON = _ico(_png())
"""The bytes served at `/favicon.ico` (image/x-icon)."""
