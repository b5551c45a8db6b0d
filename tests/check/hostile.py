"""Hostile servers, a few lines of plain sockets each, sharing no code with wamock.

Each behaviour is a function of a connection whose request head has been read; `hostile()` runs
one on a free port of 127.0.0.1, in threads of the test process, after a number of good answers.
"""

import contextlib
import socket
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass

PAGE = b'{"code":"SUCCESS","message":"Success get chat list","results":{"data":[],"pagination":{"limit":25,"offset":0,"total":0}}}'
DRIP_INTERVAL = 0.1  # seconds between the bytes a dribbling server sends: far inside any per-read timeout


def head(*lines: str) -> bytes:
    return ("\r\n".join(["HTTP/1.1 200 OK", *lines]) + "\r\n\r\n").encode()


def answer_page(conn: socket.socket) -> None:
    conn.sendall(head("Content-Type: application/json", f"Content-Length: {len(PAGE)}") + PAGE)


def drip(conn: socket.socket, data: bytes) -> None:
    for byte in data:
        conn.sendall(bytes([byte]))
        time.sleep(DRIP_INTERVAL)  # the behaviour under test: a server this slow, not a wait for a condition


def dribbling_headers(conn: socket.socket) -> None:
    conn.sendall(b"HTTP/1.1 200 OK\r\n")
    drip(conn, b"X-Slow: " + b"a" * 10_000)


def dribbling_body(conn: socket.socket) -> None:
    conn.sendall(head("Content-Type: application/json", f"Content-Length: {len(PAGE)}"))
    drip(conn, PAGE)


def endless_chunked_body(conn: socket.socket) -> None:
    conn.sendall(head("Content-Type: application/json", "Transfer-Encoding: chunked"))
    chunk = b"%x\r\n%s\r\n" % (65536, b" " * 65536)
    while True:
        conn.sendall(chunk)


def huge_content_length(conn: socket.socket) -> None:
    conn.sendall(head("Content-Type: application/json", f"Content-Length: {4 * 2**30}"))
    block = b" " * 65536
    while True:
        conn.sendall(block)


def gzip_bomb() -> bytes:
    """200 MiB of spaces, gzipped (about 200 KiB), compressed as a stream so it never sits in memory whole."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = b" " * 2**20
    return b"".join([*(compressor.compress(block) for _ in range(200)), compressor.flush()])


BOMB = gzip_bomb()


def gzipped_bomb(conn: socket.socket) -> None:
    conn.sendall(
        head("Content-Type: application/json", "Content-Encoding: gzip", f"Content-Length: {len(BOMB)}") + BOMB
    )


DEEP = b"[" * 5000 + b"]" * 5000


def deep_json(conn: socket.socket) -> None:
    conn.sendall(head("Content-Type: application/json", f"Content-Length: {len(DEEP)}") + DEEP)


def hang_up(conn: socket.socket) -> None:
    """Close the connection without an answer."""


@dataclass
class Server:
    url: str
    listener: socket.socket
    answered: int = 0


def request_line(conn: socket.socket) -> bytes | None:
    """The first line of the next request on `conn` (its head read whole), or None once it closes."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        data += chunk
    return data.split(b"\r\n", 1)[0]


@contextlib.contextmanager
def hostile(
    behaviour: Callable[[socket.socket], None],
    *,
    good_answers: int = 0,
    only: bytes | None = None,
    then_close: bool = False,
) -> Iterator[str]:
    """A server on a free port that answers `good_answers` requests with an empty page, then
    behaves badly on every connection; with `only`, behaves badly on requests whose request line
    holds it, and answers the others with the page; with `then_close`, stops listening after the
    good answers."""
    listener = socket.create_server(("127.0.0.1", 0))
    server = Server(f"http://127.0.0.1:{listener.getsockname()[1]}", listener)
    lock = threading.Lock()

    def handle(conn: socket.socket) -> None:
        with conn, contextlib.suppress(OSError):
            while (line := request_line(conn)) is not None:
                with lock:
                    server.answered += 1
                    good = server.answered <= good_answers if only is None else only not in line
                if good:
                    answer_page(conn)
                    if server.answered == good_answers and then_close:
                        listener.close()
                    continue
                behaviour(conn)
                return

    def serve() -> None:
        with contextlib.suppress(OSError):
            while True:
                conn, _ = listener.accept()
                threading.Thread(target=handle, args=(conn,), daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield server.url
    finally:
        listener.close()
