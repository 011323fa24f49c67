"""The credential's display page: the EDC shapes require an image on it. A plain card (the product's blue,
drawn here, no image library) stands in until a university uploads its own design."""

from __future__ import annotations

import base64
import functools
import struct
import zlib

from services.edc import vocabulary as cv

WIDTH, HEIGHT = 420, 297  # A-series proportions, landscape
RGB = (0x1F, 0x4E, 0x79)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


@functools.cache
def card_png() -> str:
    """A solid-colour PNG, base64."""
    row = b"\x00" + bytes(RGB) * WIDTH
    png = (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", struct.pack(">IIBBBBB", WIDTH, HEIGHT, 8, 2, 0, 0, 0))
           + _chunk(b"IDAT", zlib.compress(row * HEIGHT, 9)) + _chunk(b"IEND", b""))
    return base64.b64encode(png).decode("ascii")


def display_parameter(node_id, title: str) -> dict:
    """``node_id(name)`` gives the nodes' ids."""
    return {
        "id": node_id("display"), "type": "DisplayParameter",
        "title": {"en": title}, "language": cv.ENGLISH, "primaryLanguage": cv.ENGLISH,
        "description": {"en": "has successfully completed a micro-credential"},
        "individualDisplay": {
            "id": node_id("individual-display"), "type": "IndividualDisplay", "language": cv.ENGLISH,
            "displayDetail": {
                "id": node_id("display-detail"), "type": "DisplayDetail", "page": 1,
                "image": {"id": node_id("display-image"), "type": "MediaObject", "content": card_png(),
                          "contentEncoding": cv.BASE64, "contentType": cv.PNG},
            },
        },
    }
