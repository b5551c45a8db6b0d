"""Compiled fixture files: a data set loaded once is kept, ready to serve, for the next start.

Loading a million chats (parse, validate, order, encode) takes many seconds; a compiled
store is one file read back in a fraction of one, and shared between workers through the
page cache. A compiled file is used only while its fixture file is unchanged (same path,
size, modification time and inode) and was checked against the same ChatInfo schema.
Where the cache cannot be written (a read-only home), wamock simply loads every time.

The cache lives in $WAMOCK_CACHE_DIR, else ~/.cache/wamock, and keeps the newest few files.
"""

import contextlib
import hashlib
import json
import mmap
import os
from array import array
from pathlib import Path

from wamock.data import fixtures
from wamock.data import spec as spec_module
from wamock.data.store import ChatStore, EncodedChats

FORMAT = 1
KEEP = 4
SMALL = 50_000  # smaller data sets load fast enough not to be worth a file


def cache_dir() -> Path:
    return Path(os.environ.get("WAMOCK_CACHE_DIR") or Path.home() / ".cache" / "wamock")


def cache_key(fixtures_file: Path, spec: dict) -> str:
    stat = fixtures_file.stat()
    schema = json.dumps(spec_module.chat_schema(spec), sort_keys=True)
    identity = f"{FORMAT}|{fixtures_file.resolve()}|{stat.st_size}|{stat.st_mtime_ns}|{stat.st_ino}|{schema}"
    return hashlib.blake2b(identity.encode(), digest_size=16).hexdigest()


def load_store(fixtures_file: Path, spec: dict) -> ChatStore:
    """The store for a fixture file: compiled if a fresh compiled file exists, else loaded (and compiled)."""
    fixtures_file = Path(fixtures_file)
    try:
        key = cache_key(fixtures_file, spec)
    except OSError:
        return ChatStore(fixtures.load_chats(fixtures_file, spec), owned=True)  # load_chats names the problem
    compiled = cache_dir() / f"{key}.store"
    with contextlib.suppress(OSError, ValueError):
        return read(compiled)
    store = ChatStore(fixtures.load_chats(fixtures_file, spec), owned=True)
    if len(store) >= SMALL:
        with contextlib.suppress(OSError):
            write(store, compiled)
            prune(compiled.parent)
    return store


def write(store: ChatStore, path: Path) -> None:
    has_media, all_chats, with_media = store.parts()
    header = {
        "format": FORMAT,
        "count": len(all_chats),
        "media": len(with_media),
        "blobs": [len(all_chats.blob), len(with_media.blob)],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(f".{os.getpid()}.tmp")
    with open(temporary, "wb") as out:
        out.write(json.dumps(header).encode() + b"\n")
        for part in (all_chats.starts, with_media.starts, has_media, all_chats.blob, with_media.blob):
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

    starts_all, starts_media = array("q"), array("q")
    starts_all.frombytes(take(8 * (count + 1)))
    starts_media.frombytes(take(8 * (media + 1)))
    has_media = bytes(take(count))
    blob_all, blob_media = take(header["blobs"][0]), take(header["blobs"][1])
    if len(blob_media) != header["blobs"][1]:
        raise ValueError("truncated")
    os.utime(path)  # newest use first, for pruning
    return ChatStore.from_parts(has_media, EncodedChats(blob_all, starts_all), EncodedChats(blob_media, starts_media))


def prune(directory: Path) -> None:
    files = sorted(directory.glob("*.store"), key=lambda file: file.stat().st_mtime, reverse=True)
    for old in files[KEEP:]:
        with contextlib.suppress(OSError):
            old.unlink()
