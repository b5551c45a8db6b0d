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
import json
import logging
import shutil
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from connexion import context
from starlette.types import ASGIApp, Receive, Scope, Send

from wamock.data import compiled, json_bytes
from wamock.data.devices import Devices
from wamock.data.fixtures import FixtureError
from wamock.serve import journal_file, state_directory
from wamock.serve.journal_file import JournalFile

logger = logging.getLogger("wamock")

SCOPE_KEY = "wamock.state"
FIXTURES_STORE = "fixtures.store"  # the checked fixtures of one device, for workers
FIXTURES_DATA = "fixtures.json"  # the checked fixtures of several devices, for workers
JOURNAL_LIMIT = journal_file.LIMIT
MAX_DELETED = 1000  # paths a DELETE removed, the latest kept
MESSAGES = "messages"  # the section where sends and message actions keep what they change (wamock.serve.message_state)
_COUNTER = state_directory.COUNTER


@dataclass(frozen=True)
class Snapshot:
    """What one request sees: the data and the switch, as one consistent pair."""

    devices: Devices
    logged_out: bool
    version: int
    data_generation: int
    deleted: frozenset[str] = frozenset()  # paths a DELETE removed: gone, with what lies under them
    archived: dict = field(default_factory=dict)  # {device: {jid: archived}} applied to the data since it was set
    sections: dict = field(default_factory=dict)  # what each stateful part of the mock keeps (`SharedState.change`)

    def is_deleted(self, path: str) -> bool:
        return any(path == gone or path.startswith(gone + "/") for gone in self.deleted)


class SharedState:
    def __init__(self, directory: Path, *, fixtures_file: Path, spec: dict, journal_limit: int = JOURNAL_LIMIT) -> None:
        self.directory = Path(directory)
        self.journal = JournalFile(self.directory, journal_limit)  # what clients sent, shared by every worker
        self.fixtures_file = Path(fixtures_file)
        self.spec = spec
        self._counter = state_directory.open_counter(self.directory / "version")
        self._snapshot: Snapshot | None = None

    @classmethod
    def create(
        cls,
        *,
        fixtures_file: Path,
        spec: dict,
        logged_out: bool = False,
        directory: Path | None = None,
        journal_limit: int = JOURNAL_LIMIT,
        for_workers: bool = False,
    ):
        """A new state directory, with the fixtures loaded and checked before anything serves them.

        For workers, the checked data is kept in the directory, compiled: a worker never reads
        the fixture file itself, so a file edited while serving cannot crash one as it starts.
        """
        devices = compiled.load_devices(fixtures_file, spec)
        owned = directory is None
        if owned:
            directory = state_directory.new()
        state = cls(directory, fixtures_file=fixtures_file, spec=spec, journal_limit=journal_limit)
        if owned:
            # Removed when the state is garbage-collected, or when the process exits.
            weakref.finalize(state, shutil.rmtree, directory, ignore_errors=True)
        if for_workers:
            state._keep_for_workers(devices)
        state._write_session({"logged_out": logged_out, "data": 0})
        state._snapshot = Snapshot(devices, logged_out, state._bump(), 0)
        return state

    # What a request reads.

    def snapshot(self) -> Snapshot:
        version = _COUNTER.unpack_from(self._counter)[0]
        snapshot = self._snapshot
        if snapshot is None or snapshot.version != version:
            snapshot = self._snapshot = self._load()
        return snapshot

    @property
    def version(self) -> int:
        return _COUNTER.unpack_from(self._counter)[0]

    # What the control API changes.

    def replace_data(self, data: dict[str, list[dict]]) -> None:
        """Serve `data` (chats by device, already validated) from the next request on, in every worker."""
        with self._lock():
            self._write_data(data)

    def set_archived(self, device: str, jid: str, archived: bool) -> bool:
        """Archive or unarchive a chat of `device` (a key of Devices.stores), for every worker; False if it has no such chat.

        The change is kept in the session, beside the data: each worker patches that one chat
        of the data it holds (ChatStore.with_archived), instead of the whole data set being
        written and loaded again (2.1 to 2.6 s a call at a million chats)."""
        with self._lock():
            session = self._read_session()
            store = self._served_devices(session).stores.get(device)
            if store is None or store.position(jid) is None:
                return False
            changes = session.get("archived", {})
            changes = {**changes, device: {**changes.get(device, {}), jid: archived}}
            self._write_session({**session, "archived": changes})
            self._bump()
        return True

    def delete(self, path: str) -> None:
        """What lies at `path` is gone, for every worker, until it is created again or the mock is
        reset. The latest MAX_DELETED deletions are kept: a fuzzer's thousands cannot grow the state."""
        self._change_deleted(lambda deleted: [*(gone for gone in deleted if gone != path), path][-MAX_DELETED:])

    def restore(self, path: str) -> None:
        """What lies at and under `path` exists again (a PUT to it, a POST to its collection)."""
        self._change_deleted(
            lambda deleted: [gone for gone in deleted if gone != path and not gone.startswith(path + "/")]
        )

    def _change_deleted(self, change) -> None:
        with self._lock():
            session = self._read_session()
            deleted = list(session.get("deleted", ()))  # oldest first
            changed = change(deleted)
            if changed != deleted:
                self._write_session({**session, "deleted": changed})
                self._bump()

    def change(self, section: str, change: Callable[[Any], Any]) -> Any:
        """Replace `section` of the session by `change(its value)` (None where it has none), for
        every worker from the next request on, and return the new value.

        Each stateful part of the mock (devices, messages, a document's collections) keeps its
        state in a section of its own: one writer each, all cleared by `reset`. `change` runs
        under the lock, so it sees every change made before it; it must keep its section small
        (bounded), since every change writes the session whole."""
        with self._lock():
            session = self._read_session()
            sections = session.get("sections", {})
            before = sections.get(section)
            after = change(before)
            if after != before:
                self._write_session({**session, "sections": {**sections, section: after}})
                self._bump()
        return after

    def reset(self) -> None:
        """Back to the fixtures, logged in; if the fixture file can no longer be served, FixtureError and no change."""
        devices = compiled.load_devices(self.fixtures_file, self.spec)  # raises FixtureError, naming the problem
        with self._lock():
            if self._kept_for_workers():
                self._keep_for_workers(devices)
            with contextlib.suppress(FileNotFoundError):
                (self.directory / "chats.json").unlink()
            self._write_session({"logged_out": False, "data": self._read_session()["data"] + 1})
            self._bump()

    def set_logged_out(self, logged_out: bool) -> None:
        with self._lock():
            self._write_session({**self._read_session(), "logged_out": logged_out})
            self._bump()

    # Internals.

    def _load(self) -> Snapshot:
        with self._lock():
            version = _COUNTER.unpack_from(self._counter)[0]
            session = self._read_session()
            devices = self._served_devices(session)
        deleted = frozenset(session.get("deleted", ()))
        return Snapshot(
            devices,
            session["logged_out"],
            version,
            session["data"],
            deleted,
            session.get("archived", {}),
            session.get("sections", {}),
        )

    def _served_devices(self, session: dict) -> Devices:
        """Under the lock: the data the session serves, loaded only where this worker does not hold
        it yet, with the chats archived since it was set; only the changes this worker has not
        applied yet are applied."""
        previous = self._snapshot
        wanted = session.get("archived", {})
        moves = last_message_times(session.get("sections", {}))
        if previous is not None and previous.data_generation == session["data"]:
            # only the switch or flags changed
            devices, applied, moved = previous.devices, previous.archived, last_message_times(previous.sections)
        else:
            devices, applied, moved = self._set_devices(previous), {}, {}
        stores = dict(devices.stores)
        for device, flags in wanted.items():
            done = applied.get(device, {})
            changed = {jid: value for jid, value in flags.items() if done.get(jid) != value}
            if changed and device in stores:
                stores[device] = stores[device].with_archived(changed)
        for device, times in moves.items():
            done = moved.get(device, {})
            changed = {jid: moment for jid, moment in times.items() if done.get(jid) != moment}
            if changed and device in stores:
                stores[device] = stores[device].with_last_message(changed)
        return Devices(stores) if stores != devices.stores else devices

    def _set_devices(self, previous: Snapshot | None) -> Devices:
        """The data last set: replaced through the control API, or the fixtures."""
        replaced = self.directory / "chats.json"
        if replaced.exists():
            return Devices.from_data(orjson.loads(replaced.read_bytes()))
        return self._fixtures_devices(previous)

    def _fixtures_devices(self, previous: Snapshot | None) -> Devices:
        if (self.directory / FIXTURES_STORE).exists():
            return Devices.single(compiled.read(self.directory / FIXTURES_STORE))
        if (self.directory / FIXTURES_DATA).exists():
            return Devices.from_data(orjson.loads((self.directory / FIXTURES_DATA).read_bytes()))
        try:
            return compiled.load_devices(self.fixtures_file, self.spec)
        except FixtureError:
            # Edited since reset() checked it: keep serving what this worker has, never crash.
            if previous is None:
                raise
            logger.warning("the fixture file changed and cannot be served; still serving the previous data")
            return previous.devices

    def _write_data(self, data: dict[str, list[dict]]) -> None:
        """Under the lock: `data` served from the next request on."""
        state_directory.write_atomically(self.directory / "chats.json", orjson.dumps(data))
        session = self._read_session()
        session.pop("archived", None)  # flags of the data replaced: the new data carries its own
        self._write_session({**session, "data": session["data"] + 1})
        self._bump()

    def _keep_for_workers(self, devices: Devices) -> None:
        """The checked fixtures, where workers read them: compiled for one device, as JSON for several."""
        if devices.named:
            state_directory.write_atomically(self.directory / FIXTURES_DATA, orjson.dumps(devices.data()["devices"]))
            (self.directory / FIXTURES_STORE).unlink(missing_ok=True)
        else:
            compiled.write(devices.only, self.directory / FIXTURES_STORE)
            (self.directory / FIXTURES_DATA).unlink(missing_ok=True)

    def _kept_for_workers(self) -> bool:
        return (self.directory / FIXTURES_STORE).exists() or (self.directory / FIXTURES_DATA).exists()

    def _read_session(self) -> dict:
        return decoded((self.directory / "session.json").read_bytes())

    def _write_session(self, session: dict) -> None:
        state_directory.write_atomically(self.directory / "session.json", encoded(session))

    def _bump(self) -> int:
        version = _COUNTER.unpack_from(self._counter)[0] + 1
        _COUNTER.pack_into(self._counter, 0, version)
        return version

    @contextlib.contextmanager
    def _lock(self):
        with open(self.directory / "lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield


def last_message_times(sections: dict) -> dict[str, dict[str, str]]:
    """{device: {jid: time}}: the chats a send gave a new last message, which move to the top."""
    moved = (sections.get(MESSAGES) or {}).get("moved") or {}
    return {device: {jid: times["time"] for jid, times in chats.items()} for device, chats in moved.items()}


class StateMiddleware:
    def __init__(self, app: ASGIApp, state: SharedState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope[SCOPE_KEY] = self.state
        await self.app(scope, receive, send)


def current() -> SharedState:
    return context.scope[SCOPE_KEY]


# A session whose JSON orjson cannot write (an integer wider than 64 bits: `json_bytes`) is
# written by the standard library after a leading space, which tells the reader to read it so.
WIDE_INTEGERS = b" "


def encoded(session: dict) -> bytes:
    try:
        return orjson.dumps(session)
    except TypeError:
        return WIDE_INTEGERS + json_bytes.dumps(session)


def decoded(data: bytes) -> dict:
    return json.loads(data) if data.startswith(WIDE_INTEGERS) else orjson.loads(data)
