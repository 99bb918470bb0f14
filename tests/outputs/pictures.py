"""What the picture tests of test_draw.py and test_draw_national.py share: the stores they run over and readers of
the SVG and PNG bodies they check."""

from __future__ import annotations

import struct
import xml.etree.ElementTree as ET

import pytest

SVG_NS = "{http://www.w3.org/2000/svg}"
STORES = ["oxigraph", pytest.param("neo4j", marks=pytest.mark.neo4j)]


def svg_size(body: bytes) -> tuple[str, str, ET.Element]:
    root = ET.fromstring(body)
    assert root.tag == f"{SVG_NS}svg"
    return root.get("width", ""), root.get("height", ""), root


def png_size(body: bytes) -> tuple[int, int]:
    assert body[:8] == b"\x89PNG\r\n\x1a\n"
    length, chunk = struct.unpack(">I4s", body[8:16])
    assert chunk == b"IHDR" and length == 13
    width, height = struct.unpack(">II", body[16:24])
    return width, height


def svg_text(root: ET.Element) -> str:
    return " ".join("".join(t.itertext()) for t in root.iter(f"{SVG_NS}text"))
