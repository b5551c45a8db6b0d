"""Documents for `--spec` tests, written to real files, and the runs of `wamock` that read them."""

import contextlib
import http.server
import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import yaml

from tests.conftest import wait_until_answering

SECRET = "ghp_s3cr3tT0kenThatMustNeverBeServed"


def document(paths: dict | None = None, **parts) -> dict:
    """A small valid OpenAPI document; `paths` and top-level `parts` replace its own."""
    ok = {"description": "OK", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}}
    return {
        "openapi": "3.0.3",
        "info": {"title": "things", "version": "1"},
        "paths": {"/things": {"get": {"responses": {"200": ok}}}} if paths is None else paths,
        "components": {"schemas": {"Thing": {"type": "object", "properties": {"name": {"type": "string"}}}}},
        **parts,
    }


def write(path: Path, value) -> Path:
    """`value` as YAML at `path` (text as it is; JSON, which is YAML, where PyYAML cannot nest so deep), its folders made."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not isinstance(value, str):
        try:
            value = yaml.safe_dump(value, sort_keys=False)
        except RecursionError:
            value = json.dumps(value)
    path.write_text(value, encoding="utf-8")
    return path


def with_thing(schema: dict) -> dict:
    """The small document whose Thing is `schema`."""
    doc = document()
    doc["components"]["schemas"]["Thing"] = schema
    return doc


@dataclass
class Attempt:
    """How `wamock serve --spec` went: the exit status and stderr where it stopped, else what it served."""

    status: int | None
    stderr: str
    served: dict[str, httpx.Response] = field(default_factory=dict)

    @property
    def error_lines(self) -> list[str]:
        return self.stderr.splitlines()


def attempt_serve(*args: str, get: tuple[str, ...] = ("/openapi.json",), timeout: float = 60) -> Attempt:
    """`wamock serve --port 0 ARGS`; where it starts, the answers to `get` requests, then it is stopped."""
    process = subprocess.Popen(
        [sys.executable, "-m", "wamock", "serve", "--port", "0", "--no-access-log", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group: stopped with any worker it started
    )
    lines: queue.Queue = queue.Queue()
    errors: list[str] = []
    readers = [
        threading.Thread(target=lambda: [*map(lines.put, process.stdout), lines.put(None)], daemon=True),
        threading.Thread(target=lambda: errors.extend(process.stderr), daemon=True),
    ]
    for reader in readers:
        reader.start()
    try:
        first = lines.get(timeout=timeout)  # the banner's first line; None once it exits
        if first is None:
            process.wait(timeout=timeout)
            readers[1].join(timeout=10)
            return Attempt(process.returncode, "".join(errors))
        base_url = re.search(r"serving (http://[^/\s]+)", first).group(1)
        wait_until_answering(base_url)
        served = {
            path: httpx.get(base_url + path, timeout=30, headers={"Origin": "http://evil.example"}) for path in get
        }
        return Attempt(None, "".join(errors), served)
    except queue.Empty:
        return Attempt(None, f"neither a banner nor an exit within {timeout} s")
    finally:
        with contextlib.suppress(ProcessLookupError):  # the group is gone once a refused start exits
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        for reader in readers:
            reader.join(timeout=10)
        process.stdout.close()
        process.stderr.close()


def run_wamock(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    """`wamock ARGS` to its end; a run that outlives `timeout` counts as exit status -1, "hung"."""
    try:
        return subprocess.run([sys.executable, "-m", "wamock", *args], capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return subprocess.CompletedProcess(args, -1, "", f"hung for {timeout} s")


@dataclass
class Site:
    """A local web server: `pages` by path (a `str` page is a redirect there); `asked` lists every path it was asked for."""

    url: str
    pages: dict[str, bytes | str]
    asked: list[str]


@contextlib.contextmanager
def site(pages: dict[str, bytes | str]) -> Iterator[Site]:
    asked: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            asked.append(self.path)
            body = pages.get(self.path)
            if body is None:
                self.send_error(404)
                return
            if isinstance(body, str):
                self.send_response(302)
                self.send_header("Location", body)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            with contextlib.suppress(OSError):  # a reader that stops early (a size bound) closes first
                self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Site(f"http://127.0.0.1:{server.server_address[1]}", pages, asked)
    finally:
        server.shutdown()
        server.server_close()
