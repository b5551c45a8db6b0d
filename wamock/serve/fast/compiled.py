"""Compiled fixture files: a data set loaded once is kept, ready to serve, for the next start.

Loading a million chats (parse, validate, order, encode) takes seconds; a compiled store
is one file read back in a fraction of one, and shared between workers through the page
cache. It is written by a thread of its own while the first load starts serving. A compiled
file is used only while its fixture file is unchanged (same path, size, modification time
and inode) and was checked against the same ChatInfo schema.
Where the cache cannot be written (a read-only home), wamock simply loads every time.

The cache lives in $WAMOCK_CACHE_DIR, else ~/.cache/wamock, and keeps the newest few files.
"""

import contextlib
import hashlib
import json
import mmap
import os
import threading
from array import array
from pathlib import Path

from wamock.data import fixtures
from wamock.data import spec as spec_module
from wamock.data.devices import Devices
from wamock.data.store import ChatStore, EncodedChats
from wamock.serve.fast import parallel

FORMAT = 2  # 2: archived flags and the names for search
KEEP = 4
SMALL = 50_000  # smaller data sets load fast enough not to be worth a file

_writing: list[threading.Thread] = []


def cache_dir() -> Path:
    return Path(os.environ.get("WAMOCK_CACHE_DIR") or Path.home() / ".cache" / "wamock")


def cache_key(fixtures_file: Path, spec: dict) -> str:
    stat = fixtures_file.stat()
    schema = json.dumps(spec_module.chat_schema(spec), sort_keys=True)
    identity = f"{FORMAT}|{fixtures_file.resolve()}|{stat.st_size}|{stat.st_mtime_ns}|{stat.st_ino}|{schema}"
    return hashlib.blake2b(identity.encode(), digest_size=16).hexdigest()


def load_devices(fixtures_file: Path, spec: dict) -> Devices:
    """The data of a fixture file. A plain list is compiled (and read back from its compiled file
    when a fresh one exists); several devices are loaded as they are."""
    fixtures_file = Path(fixtures_file)
    try:
        compiled = cache_dir() / f"{cache_key(fixtures_file, spec)}.store"
    except OSError:
        compiled = None  # fixtures.read names the problem
    if compiled is not None:
        with contextlib.suppress(OSError, ValueError):
            return Devices.single(read(compiled))
    devices = parallel.load_devices(fixtures.read(fixtures_file), spec, source=str(fixtures_file))
    store = devices.only
    if compiled is not None and not devices.named and len(store) >= SMALL:
        write_later(store, compiled)
    return devices


def write_later(store: ChatStore, path: Path) -> None:
    """Written by a thread of its own, so that serving starts meanwhile (a write is mostly
    system calls, which release the GIL). Not a daemon: the process waits for it as it exits."""
    thread = threading.Thread(target=_write_quietly, args=(store, path), name="wamock-compile")
    _writing[:] = [*(writing for writing in _writing if writing.is_alive()), thread]
    thread.start()


def finish_writing() -> None:
    """Waits until every compiled file being written is written."""
    while _writing:
        _writing.pop().join()


def _write_quietly(store: ChatStore, path: Path) -> None:
    with contextlib.suppress(OSError):  # a cache that cannot be written only costs time
        write(store, path)
        prune(path.parent)


def write(store: ChatStore, path: Path) -> None:
    has_media, all_chats, with_media, archived, names = store.parts()
    header = {
        "format": FORMAT,
        "count": len(all_chats),
        "media": len(with_media),
        "blobs": [len(all_chats.blob), len(with_media.blob), len(names.blob)],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(f".{os.getpid()}.tmp")
    with open(temporary, "wb") as out:
        out.write(json.dumps(header).encode() + b"\n")
        parts = (all_chats.starts, with_media.starts, names.starts, has_media, archived)
        for part in (*parts, all_chats.blob, with_media.blob, names.blob):
            out.write(part)
    os.replace(temporary, path)


def read(path: Path) -> ChatStore:
    with open(path, "rb") as source:
        header = json.loads(source.readline())
        if header.get("format") != FORMAT:
            raise ValueError("another format")
        start = source.tell()
        mapped = mmap.mmap(source.fileno(), 0, access=mmap.ACCESS_READ)
    view = memoryview(mapped)[start:]
    count, media = header["count"], header["media"]
    cursor = 0

    def take(size: int) -> memoryview:
        nonlocal cursor
        part = view[cursor : cursor + size]
        cursor += size
        return part

    starts_all, starts_media, starts_names = array("q"), array("q"), array("q")
    starts_all.frombytes(take(8 * (count + 1)))
    starts_media.frombytes(take(8 * (media + 1)))
    starts_names.frombytes(take(8 * (count + 1)))
    has_media, archived = bytes(take(count)), bytes(take(count))
    blob_all, blob_media, names = (take(size) for size in header["blobs"])
    if len(names) != header["blobs"][2]:
        raise ValueError("truncated")
    os.utime(path)  # newest use first, for pruning
    return ChatStore.from_parts(
        has_media,
        EncodedChats(blob_all, starts_all),
        EncodedChats(blob_media, starts_media),
        archived,
        EncodedChats(bytes(names), starts_names),
    )


def prune(directory: Path) -> None:
    """Keeps the newest KEEP files, and removes what writers that were killed left half-written."""
    files = sorted(directory.glob("*.store"), key=lambda file: file.stat().st_mtime, reverse=True)
    abandoned = [part for part in directory.glob("*.*.tmp") if not _running(part.suffixes[-2][1:])]
    for old in files[KEEP:] + abandoned:
        with contextlib.suppress(OSError):
            old.unlink()


def _running(pid: str) -> bool:
    """Whether the process that writes `<key>.<pid>.tmp` is still there."""
    try:
        os.kill(int(pid), 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True  # another user's
    return True
