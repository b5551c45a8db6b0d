"""An implementation of books.yaml that shares no code with wamock: the standard library only.

    python -m tests.check.library.books_server [--defect NAME]

prints `serving http://127.0.0.1:PORT` and serves until stopped. With a defect it breaks one
rule a correct implementation keeps, so that a checker has something true to catch:

- page-repeated: every page is the first (`offset` ignored);
- filter-ignored: `author` keeps every book;
- write-lost: POST answers 201 with the book, which is never stored;
- delete-kept: DELETE answers 204 and leaves the book.
"""

import argparse
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

DEFECTS = ("page-repeated", "filter-ignored", "write-lost", "delete-kept")
AUTHORS = ["Ursula Le Guin", "Chinua Achebe", "Pramoedya Ananta Toer", "Wisława Szymborska", "Jorge Luis Borges"]
TITLES = ["Tide", "Ash", "Lantern", "Harvest", "Orchard", "Compass", "Monsoon", "Ledger", "Atlas", "Quarry"]


def library() -> list[dict]:
    return [
        {"id": n, "title": f"The {TITLES[n % 10]} {n}", "author": AUTHORS[n % 5], "year": 1900 + n}
        for n in range(1, 26)
    ]


class Library:
    def __init__(self, defect: str | None) -> None:
        self.defect = defect
        self.books = library()
        self.lock = threading.Lock()

    def page(self, query: dict) -> tuple[int, object]:
        try:
            limit = int(query.get("limit", "10"))
            offset = int(query.get("offset", "0"))
        except ValueError:
            return 400, {"message": "limit and offset: must be integers"}
        if not 1 <= limit <= 50 or offset < 0:
            return 400, {"message": "limit: 1 to 50; offset: 0 or more"}
        with self.lock:
            books = list(self.books)
        if "author" in query and self.defect != "filter-ignored":
            books = [book for book in books if book["author"] == query["author"]]
        if query.get("q"):
            books = [book for book in books if query["q"].lower() in book["title"].lower()]
        start = 0 if self.defect == "page-repeated" else offset
        return 200, {"data": books[start : start + limit], "total": len(books)}

    def create(self, body) -> tuple[int, object]:
        if not valid(body):
            return 400, {"message": "body: title and author (text) are required"}
        with self.lock:
            book = {"id": max((b["id"] for b in self.books), default=0) + 1, **fields(body)}
            if self.defect != "write-lost":
                self.books.append(book)
        return 201, book

    def find(self, book_id: int) -> dict | None:
        return next((book for book in self.books if book["id"] == book_id), None)

    def read(self, book_id: int) -> tuple[int, object]:
        with self.lock:
            book = self.find(book_id)
        return (200, book) if book else (404, {"message": f"no book {book_id}"})

    def replace(self, book_id: int, body) -> tuple[int, object]:
        if not valid(body):
            return 400, {"message": "body: title and author (text) are required"}
        with self.lock:
            book = self.find(book_id)
            if book is None:
                return 404, {"message": f"no book {book_id}"}
            book.clear()
            book.update({"id": book_id, **fields(body)})
            return 200, dict(book)

    def delete(self, book_id: int) -> tuple[int, object]:
        with self.lock:
            book = self.find(book_id)
            if book is None:
                return 404, {"message": f"no book {book_id}"}
            if self.defect != "delete-kept":
                self.books.remove(book)
        return 204, None


def valid(body) -> bool:
    return (
        isinstance(body, dict)
        and all(isinstance(body.get(name), str) and body[name] for name in ("title", "author"))
        and type(body.get("year", 2000)) is int
        and 1450 <= body.get("year", 2000) <= 2100
    )


def fields(body: dict) -> dict:
    return {name: body[name] for name in ("title", "author", "year") if name in body}


def handler_for(books: Library):
    class Handler(BaseHTTPRequestHandler):
        def answer(self, status: int, body, headers: dict | None = None) -> None:
            content = b"" if body is None else json.dumps(body).encode()
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            if body is not None:
                self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        def route(self, method: str) -> None:
            url = urlsplit(self.path)
            parts = url.path.strip("/").split("/")
            body = None
            if method in ("POST", "PUT"):
                length = int(self.headers.get("Content-Length") or 0)
                try:
                    body = json.loads(self.rfile.read(length) or b"null")
                except ValueError:
                    return self.answer(400, {"message": "body: not JSON"})
            allowed = {1: "GET, POST", 2: "GET, PUT, DELETE"}.get(len(parts)) if parts[0] == "books" else None
            if allowed is not None and method not in allowed.split(", "):
                return self.answer(405, {"message": f"{method}: not allowed here"}, {"Allow": allowed})
            if parts == ["books"] and method in ("GET", "POST"):
                query = {name: values[0] for name, values in parse_qs(url.query).items()}
                return self.answer(*(books.page(query) if method == "GET" else books.create(body)))
            if len(parts) == 2 and parts[0] == "books" and method in ("GET", "PUT", "DELETE"):
                if not parts[1].lstrip("-").isdigit():
                    return self.answer(400, {"message": "bookId: must be an integer"})
                book_id = int(parts[1])
                actions = {"GET": books.read, "DELETE": books.delete}
                return self.answer(*(books.replace(book_id, body) if method == "PUT" else actions[method](book_id)))
            return self.answer(404, {"message": f"no such path: {url.path}"})

        def do_GET(self):
            self.route("GET")

        def do_POST(self):
            self.route("POST")

        def do_PUT(self):
            self.route("PUT")

        def do_DELETE(self):
            self.route("DELETE")

        def __getattr__(self, name: str):
            # Any other method (PATCH, TRACE, QUERY...) is routed too: 405 where the path is known.
            if name.startswith("do_"):
                return lambda: self.route(name.removeprefix("do_"))
            raise AttributeError(name)

        def log_message(self, *args):
            pass

    return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--defect", choices=DEFECTS)
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), handler_for(Library(args.defect)))
    print(f"serving http://127.0.0.1:{server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
