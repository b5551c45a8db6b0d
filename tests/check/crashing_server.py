"""A chat list server that crashes, as Stoplight Prism 5 did on a body it could not read: the
request that holds `CRASH_ON` gets no answer, and the process is gone. Plain standard library,
sharing no code with wamock; it prints its URL once it listens.

    python tests/check/crashing_server.py
"""

import json
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CRASH_ON = "limit=100"
EMPTY_PAGE = {"code": "SUCCESS", "message": "Success get chat list", "results": {"data": [], "pagination": {}}}


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if CRASH_ON in self.path:
            os._exit(70)  # no answer, no cleanup: a crash
        query = dict(part.split("=", 1) for part in self.path.partition("?")[2].split("&") if "=" in part)
        page = dict(EMPTY_PAGE, results={"data": [], "pagination": {
            "limit": int(query.get("limit", 25)) if query.get("limit", "25").isdigit() else 25,
            "offset": int(query.get("offset", 0)) if query.get("offset", "0").isdigit() else 0,
            "total": 0,
        }})  # fmt: skip
        body = json.dumps(page).encode()
        self.send_response(200 if self.headers.get("Authorization") else 401)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


if __name__ == "__main__":
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(f"http://127.0.0.1:{server.server_address[1]}", flush=True)
    server.serve_forever()
