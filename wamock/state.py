"""The running mock's state, shared by every worker process through a state directory.

What a control request changes (the data set, the logged-in switch, the request journal)
must be seen by every worker from the next request on. So the state lives in files of one
directory, and a version counter in a memory-mapped file tells each worker, at the cost of
one memory read a request, that it must reload. A request reads the store once, so it
always answers from one data set, old or new, never a mix.

Each app carries its state in the ASGI scope, so that several apps can live in one process.
"""

import contextlib
import fcntl
import mmap
import os
import shutil
import struct
import tempfile
import time
import weakref
from dataclasses import dataclass
from pathlib import Path

import orjson
from connexion import context
from starlette.types import ASGIApp, Receive, Scope, Send

from wamock import compiled
from wamock.store import ChatStore

SCOPE_KEY = "wamock.state"
JOURNAL_LIMIT = 1000
_COUNTER = struct.Struct("<Q")


@dataclass(frozen=True)
class Snapshot:
    """What one request sees: the data and the switch, as one consistent pair."""

    store: ChatStore
    logged_out: bool
    version: int
    data_generation: int


class SharedState:
    def __init__(self, directory: Path, *, fixtures_file: Path, spec: dict) -> None:
        self.directory = Path(directory)
        self.fixtures_file = Path(fixtures_file)
        self.spec = spec
        self._counter = _open_counter(self.directory / "version")
        self._snapshot: Snapshot | None = None
        # Opened once: O_APPEND makes each small write land whole, whichever worker writes.
        self._journal_fd = os.open(self.directory / "journal.jsonl", os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        weakref.finalize(self, os.close, self._journal_fd)

    @classmethod
    def create(cls, *, fixtures_file: Path, spec: dict, logged_out: bool = False, directory: Path | None = None):
        """A new state directory, with the fixtures loaded and checked before anything serves them."""
        store = compiled.load_store(fixtures_file, spec)
        owned = directory is None
        if owned:
            directory = Path(tempfile.mkdtemp(prefix="wamock-state-"))
        state = cls(directory, fixtures_file=fixtures_file, spec=spec)
        if owned:
            # Removed when the state is garbage-collected, or when the process exits.
            weakref.finalize(state, shutil.rmtree, directory, ignore_errors=True)
        state._write_session({"logged_out": logged_out, "data": 0})
        state._snapshot = Snapshot(store, logged_out, state._bump(), 0)
        return state

    # What a request reads.

    def snapshot(self) -> Snapshot:
        version = _COUNTER.unpack_from(self._counter)[0]
        snapshot = self._snapshot
        if snapshot is None or snapshot.version != version:
            snapshot = self._snapshot = self._load()
        return snapshot

    def records(self) -> list[dict]:
        """The data set being served, each chat with its has_media, in serving order."""
        return self.snapshot().store.records()

    @property
    def version(self) -> int:
        return _COUNTER.unpack_from(self._counter)[0]

    # What the control API changes.

    def replace_chats(self, records: list[dict]) -> None:
        """Serve `records` (already validated) from the next request on, in every worker."""
        with self._lock():
            _write_atomically(self.directory / "chats.json", orjson.dumps(records))
            session = self._read_session()
            self._write_session({**session, "data": session["data"] + 1})
            self._bump()

    def reset(self) -> None:
        """Back to the fixtures, logged in."""
        with self._lock():
            with contextlib.suppress(FileNotFoundError):
                (self.directory / "chats.json").unlink()
            self._write_session({"logged_out": False, "data": self._read_session()["data"] + 1})
            self._bump()

    def set_logged_out(self, logged_out: bool) -> None:
        with self._lock():
            self._write_session({**self._read_session(), "logged_out": logged_out})
            self._bump()

    # The request journal: one JSON line an entry, appended by any worker.

    def record(self, entry: dict) -> None:
        os.write(self._journal_fd, orjson.dumps({"time": round(time.time(), 3), **entry}) + b"\n")

    def journal(self) -> list[dict]:
        try:
            lines = (self.directory / "journal.jsonl").read_bytes().splitlines()
        except FileNotFoundError:
            return []
        return [orjson.loads(line) for line in lines[-JOURNAL_LIMIT:]]

    def clear_journal(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.truncate(self.directory / "journal.jsonl", 0)

    # Internals.

    def _load(self) -> Snapshot:
        with self._lock():
            version = _COUNTER.unpack_from(self._counter)[0]
            session = self._read_session()
            previous = self._snapshot
            if previous is not None and previous.data_generation == session["data"]:
                store = previous.store  # only the switch changed: keep the loaded data
            else:
                replaced = self.directory / "chats.json"
                if replaced.exists():
                    store = ChatStore(orjson.loads(replaced.read_bytes()), owned=True)
                else:
                    store = compiled.load_store(self.fixtures_file, self.spec)
        return Snapshot(store, session["logged_out"], version, session["data"])

    def _read_session(self) -> dict:
        return orjson.loads((self.directory / "session.json").read_bytes())

    def _write_session(self, session: dict) -> None:
        _write_atomically(self.directory / "session.json", orjson.dumps(session))

    def _bump(self) -> int:
        version = _COUNTER.unpack_from(self._counter)[0] + 1
        _COUNTER.pack_into(self._counter, 0, version)
        return version

    @contextlib.contextmanager
    def _lock(self):
        with open(self.directory / "lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield


def _open_counter(path: Path) -> mmap.mmap:
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        if os.fstat(fd).st_size < _COUNTER.size:
            os.ftruncate(fd, _COUNTER.size)
        return mmap.mmap(fd, _COUNTER.size)
    finally:
        os.close(fd)


def _write_atomically(path: Path, data: bytes) -> None:
    temporary = path.with_suffix(".tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


class StateMiddleware:
    def __init__(self, app: ASGIApp, state: SharedState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope[SCOPE_KEY] = self.state
        await self.app(scope, receive, send)


def current() -> SharedState:
    return context.scope[SCOPE_KEY]
