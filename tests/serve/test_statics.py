"""`/statics/*`: the QR code a login links to is a real PNG of a QR symbol, and each sample
media file is served with its type, publicly, as `<img>` and `<video>` load them."""

import struct
import zlib

import httpx
import pytest
import segno

from tests.conftest import AUTH, TEST_HOST, UPSTREAM, needs_upstream
from wamock.serve.app import create_app

pytestmark = needs_upstream

MAGIC = {
    "jpg": ("image/jpeg", 0, b"\xff\xd8\xff"),
    "png": ("image/png", 0, b"\x89PNG\r\n\x1a\n"),
    "webp": ("image/webp", 8, b"WEBP"),
    "mp4": ("video/mp4", 4, b"ftyp"),
    "ogg": ("audio/ogg", 0, b"OggS"),
    "pdf": ("application/pdf", 0, b"%PDF-"),
}


@pytest.fixture(scope="module")
def gowa() -> httpx.Client:
    return create_app(spec_file=UPSTREAM, allowed_hosts=[TEST_HOST]).test_client()


def pixels(png: bytes) -> list[list[bool]]:
    """Which pixels of a PNG are dark: greyscale or palette, up to 8 bits, unfiltered or Sub/Up rows."""
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    chunks, at = {}, 8
    while at < len(png):
        length, kind = struct.unpack(">I4s", png[at : at + 8])
        chunks.setdefault(kind, []).append(png[at + 8 : at + 8 + length])
        at += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", chunks[b"IHDR"][0][:10])
    assert colour in (0, 3) and depth <= 8, (colour, depth)
    palette = chunks.get(b"PLTE", [b""])[0]
    raw = zlib.decompress(b"".join(chunks[b"IDAT"]))
    stride = (width * depth + 7) // 8
    rows, previous = [], bytes(stride)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for i in range(stride):
            if kind == 1:
                line[i] = (line[i] + (line[i - 1] if i else 0)) % 256
            elif kind == 2:
                line[i] = (line[i] + previous[i]) % 256
            else:
                assert kind == 0, f"filter {kind}"
        previous = bytes(line)
        values = [(line[x * depth // 8] >> (8 - depth - (x * depth) % 8)) & ((1 << depth) - 1) for x in range(width)]
        # A palette entry's red (black is 0), or the grey level scaled to 8 bits.
        shade = (lambda v: palette[3 * v]) if colour == 3 else (lambda v: v * 255 // ((1 << depth) - 1))
        rows.append([shade(v) < 128 for v in values])
    return rows


def test_a_login_links_a_png_of_a_qr_symbol(gowa):
    link = gowa.get("/devices/my-device-id/login", auth=AUTH).json()["results"]["qr_link"]
    answer = gowa.get(link)  # no credentials: an <img> sends none

    name = link.rsplit("/", 1)[1].removesuffix(".png")
    symbol = segno.make(name, error="m")
    image = pixels(answer.content)
    size = len(image) // (symbol.symbol_size(scale=1)[0])  # pixels a module
    modules = [
        [image[y * size + size // 2][x * size + size // 2] for x in range(len(image[0]) // size)]
        for y in range(len(image) // size)
    ]
    border = (len(modules) - len(symbol.matrix)) // 2
    drawn = [row[border : border + len(symbol.matrix)] for row in modules[border : border + len(symbol.matrix)]]
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "image/png"
    assert drawn == [[bool(module) for module in row] for row in symbol.matrix]
    assert all(drawn[0][:7]) and all(drawn[-1][:7]) and all(drawn[0][-7:])  # three finder patterns


@pytest.mark.parametrize("ext", sorted(MAGIC))
def test_each_sample_medium_is_served_with_its_type(gowa, ext):
    media_type, offset, magic = MAGIC[ext]

    answer = gowa.get(f"/statics/media/sample.{ext}")
    head = gowa.head(f"/statics/media/sample.{ext}")

    assert answer.status_code == 200
    assert answer.headers["content-type"] == media_type
    assert answer.content[offset : offset + len(magic)] == magic
    assert 0 < len(answer.content) < 16_384
    assert (head.status_code, head.content, head.headers["content-length"]) == (200, b"", str(len(answer.content)))


@pytest.mark.parametrize(
    "path",
    [
        "/statics/media/sample.exe",
        "/statics/media/../../pyproject.toml",
        "/statics/media/",
        "/statics/other.png",
        "/statics/images/qrcode/a/b.png",
    ],
)
def test_anything_else_under_statics_is_a_404(gowa, path):
    answer = gowa.get(path)

    assert answer.status_code == 404
    assert answer.json()["code"] == "404"


def test_statics_answer_only_reads(gowa):
    assert gowa.post("/statics/media/sample.png").status_code == 405


def test_a_document_without_devices_serves_no_statics(client):
    assert client.get("/statics/media/sample.png").status_code == 404
