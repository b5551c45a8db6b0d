"""A second conforming implementation of GET /chats that takes the other choice wherever CONTRACT.md leaves one.

Written on the standard library's HTTP server, sharing no code with wamock or with
`tests/check/broken.py`. Where the contract says "may" or "either", it does what the others do not:
- an offset above the largest int64 is a page past the end, the offset echoed (not a 400);
- a request target over 2 KiB is refused with a plain-text 414 (a proxy's answer, not the envelope);
- error codes are words (`VALIDATION_ERROR`), errors carry no `results`, its realm is `GOWA`;
- chats carry fields the spec does not list (`archived`, `unread_count`);
- several accounts; a parameter given twice counts once, the first (as upstream's Go does);
- `05` is read as 5, as Go's strconv.Atoi reads it;
- its one device is named (`DEVICE`): a request may leave it out, and any other id is 404
  `DEVICE_NOT_FOUND`, as upstream answers.
"""

import base64
import hmac
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

ACCOUNTS = {"username": "password", "admin": "s3:cr:et"}
DEVICE = "my-device-id"
MAX_TARGET = 2048


def chats() -> list[dict]:
    rows = []
    for n in range(1, 44):
        hour = 23 - n // 3  # three chats share each hour: ties broken by jid
        stamp = f"2024-02-{10 + n % 5:02d}T{hour:02d}:15:00+00:00"
        rows.append(
            {
                "jid": f"{120363000000 + n * 7919}@g.us" if n % 4 == 0 else f"4915{n:07d}@s.whatsapp.net",
                "name": ["Grupo", "Amigos", "Ops", "Família"][n % 4] + f" #{n}",
                "last_message_time": stamp,
                "ephemeral_expiration": 7776000 if n % 9 == 0 else 0,
                "created_at": "2023-12-01T00:00:00+00:00",
                "updated_at": stamp,
                "archived": n % 6 == 0,
                "unread_count": n % 3,
                "media": n % 3 != 1,
            }
        )
    # Newest first: sort by jid, then (stably) by the time; every stamp has the same offset, so text order is time order.
    rows.sort(key=lambda row: row["jid"])
    rows.sort(key=lambda row: row["last_message_time"][:10] + row["last_message_time"][11:19], reverse=True)
    return rows


CHATS = chats()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # quiet: the tests read the checker's output, not this
        pass

    def send(self, status: int, body: bytes, content_type: str, extra: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def send_json(self, status: int, body: dict, extra: dict | None = None) -> None:
        self.send(status, json.dumps(body).encode(), "application/json; charset=utf-8", extra)

    def refuse(self, status: int, code: str, message: str, extra: dict | None = None) -> None:
        self.send_json(status, {"code": code, "message": message}, extra)

    def do_GET(self):
        if len(self.path) > MAX_TARGET:
            self.send(414, b"URI Too Long", "text/plain")
            return
        target = urlsplit(self.path)
        if target.path != "/chats":
            self.refuse(404, "NOT_FOUND", f"no route {target.path}")
            return
        if not self.signed_in():
            self.refuse(401, "UNAUTHORIZED", "Unauthorized access", {"WWW-Authenticate": 'Basic realm="GOWA"'})
            return
        query = {name: values[0] for name, values in parse_qs(target.query, keep_blank_values=True).items()}
        device = unquote(self.headers.get("X-Device-Id") or query.get("device_id") or DEVICE)
        if device != DEVICE:
            self.send_json(
                404, {"code": "DEVICE_NOT_FOUND", "message": "device not found", "results": {"device_id": device}}
            )
            return
        try:
            limit = self.integer(query, "limit", 25, low=1, high=100)
            offset = self.integer(query, "offset", 0, low=0, high=None)
            media = self.boolean(query, "has_media") or False
            archived = self.boolean(query, "archived")
        except ValueError as problem:
            self.refuse(400, "VALIDATION_ERROR", str(problem))
            return
        search = query.get("search", "").lower()
        rows = [
            row
            for row in CHATS
            if (row["media"] or not media)
            and (archived is None or row["archived"] == archived)
            and search in row["name"].lower()
        ]
        page = [{k: v for k, v in row.items() if k != "media"} for row in rows[offset : offset + limit]]
        pagination = {"limit": limit, "offset": offset, "total": len(rows)}
        self.send_json(
            200,
            {
                "code": "SUCCESS",
                "message": "Success get chat list",
                "results": {"data": page, "pagination": pagination},
            },
        )

    def not_allowed(self):
        self.refuse(405, "METHOD_NOT_ALLOWED", f"{self.command} is not allowed here", {"Allow": "GET"})

    do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_TRACE = do_QUERY = not_allowed

    def signed_in(self) -> bool:
        scheme, _, token = self.headers.get("Authorization", "").partition(" ")
        if scheme != "Basic":
            return False
        try:
            pair = base64.b64decode(token.strip(), validate=True).decode("utf-8")
        except ValueError:  # binascii.Error and UnicodeDecodeError are both ValueErrors
            return False
        user, sep, secret = pair.partition(":")
        known = ACCOUNTS.get(user)
        return bool(sep) and known is not None and hmac.compare_digest(known.encode(), secret.encode())

    @staticmethod
    def boolean(query: dict, name: str) -> bool | None:
        raw = query.get(name)
        if raw is None:
            return None
        if raw.lower() not in ("true", "false"):
            raise ValueError(f"{name}: must be true or false")
        return raw.lower() == "true"

    @staticmethod
    def integer(query: dict, name: str, default: int, *, low: int, high: int | None) -> int:
        raw = query.get(name)
        if raw is None:
            return default
        if not raw.isascii() or not raw.lstrip("-").isdigit():
            raise ValueError(f"{name}: must be a whole number")
        value = int(raw)
        if value < low or (high is not None and value > high):
            raise ValueError(f"{name}: must be between {low} and {high}" if high else f"{name}: must be >= {low}")
        return value


@contextmanager
def serving() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
