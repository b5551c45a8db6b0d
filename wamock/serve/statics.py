"""`/statics/*`, where GOWA's answers point: QR codes to scan, and media files.

- `/statics/images/qrcode/NAME.png`: a real PNG QR code (its text is NAME), the image of the
  `qr_link` a login answers (`handlers/devices.py`).
- `/statics/media/sample.EXT` for jpg, png, webp, mp4, ogg and pdf: small real files shipped
  with wamock (`wamock/statics/media/`), what media messages point to.

Public, as `<img src>` and `<video src>` need (a browser sends them no credentials); anything
else under `/statics/` is a 404 in the envelope.
"""

import io
from pathlib import Path

import segno
from starlette.types import ASGIApp, Receive, Scope, Send

from wamock.serve import envelope

MEDIA_DIRECTORY = Path(__file__).resolve().parent.parent / "statics" / "media"
MEDIA_TYPES = {
    ".jpg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
    ".mp4": "video/mp4",
    ".ogg": "audio/ogg",
    ".pdf": "application/pdf",
}
QR_PREFIX = "/statics/images/qrcode/"
MEDIA_PREFIX = "/statics/media/"
MAX_QR_TEXT = 200  # a name longer than any link wamock gives is no QR code it made


def media_files() -> dict[str, bytes]:
    """The shipped media, by file name, read once."""
    return {path.name: path.read_bytes() for path in MEDIA_DIRECTORY.iterdir() if path.suffix in MEDIA_TYPES}


def qr_png(text: str) -> bytes:
    buffer = io.BytesIO()
    segno.make(text, error="m").save(buffer, kind="png", scale=8, border=4)
    return buffer.getvalue()


class Statics:
    def __init__(self, app: ASGIApp, *, base_path: str = "") -> None:
        self.app = app
        self.prefix = base_path.rstrip("/") + "/statics/"
        self.base = base_path.rstrip("/")
        self.media = media_files()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        if scope["method"] not in ("GET", "HEAD"):
            await envelope.send_error(send, 405, "405", f"{scope['method']}: /statics/ answers GET and HEAD")
            return
        found = self.find(scope["path"].removeprefix(self.base))
        if found is None:
            await envelope.send_error(send, 404, "404", f"{scope['path']}: no such file")
            return
        body, media_type = found
        headers = [
            (b"content-type", media_type.encode()),
            (b"content-length", b"%d" % len(body)),
            (b"access-control-allow-origin", b"*"),
            (b"cache-control", b"no-cache"),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body if scope["method"] == "GET" else b""})

    def find(self, path: str) -> tuple[bytes, str] | None:
        if path.startswith(MEDIA_PREFIX):
            name = path.removeprefix(MEDIA_PREFIX)
            body = self.media.get(name)
            return (body, MEDIA_TYPES[Path(name).suffix]) if body is not None else None
        if path.startswith(QR_PREFIX) and path.endswith(".png"):
            text = path.removeprefix(QR_PREFIX).removesuffix(".png")
            if 0 < len(text) <= MAX_QR_TEXT and "/" not in text:
                return qr_png(text), "image/png"
        return None
