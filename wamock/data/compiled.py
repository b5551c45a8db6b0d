"""Compiled fixture files: a data set loaded once is kept, ready to serve, for the next start.

Loading a million chats (parse, validate, order, encode) takes seconds; a compiled store
is one file read back in a fraction of one, and shared between workers through the page
cache. It is written by a thread of its own while the first load starts serving. A compiled
file is used only while its fixture file is unchanged (same path, size, modification time
and inode) and was checked against the same ChatInfo schema.

The cache lives in $WAMOCK_CACHE_DIR, else ~/.cache/wamock, and keeps the newest few files.
It is wamock's own, or not used:
- the directory must belong to this user and be writable by no one else. Otherwise wamock
  says so in one line and loads every time: the cache only saves time, so a directory it
  cannot trust costs time, never the start (as a read-only home does);
- only files named `wamock-<key>.store`, or `wamock-<key>.<pid>.tmp` while written, that are
  regular files of this user and begin with MAGIC are wamock's: nothing else there is read,
  replaced or removed;
- a file is created new (O_EXCL, O_NOFOLLOW, mode 0600), never through a link, and what a
  write that fails (a full disk) or is interrupted leaves is removed;
- a file read back is checked before it is served (magic, format, length, a CRC-32 of its
  offsets, flags and names, the ends of its offsets): a corrupted file is loaded again and
  rewritten. The chats themselves are not checksummed (see `checked`): a byte changed inside
  one is served as it is, but never more than the chats between two checked offsets.
"""

import contextlib
import hashlib
import json
import logging
import mmap
import os
import re
import stat
import threading
import zlib
from array import array
from pathlib import Path

from wamock.data import collections, fixtures
from wamock.data import parallel_load as parallel
from wamock.data.devices import Devices
from wamock.data.store import ChatStore, EncodedChats

logger = logging.getLogger("wamock")

MAGIC = b"wamock compiled store\n"
FORMAT = 3  # 2: archived flags and the names for search; 3: MAGIC, a CRC-32
KEEP = 4
SMALL = 50_000  # smaller data sets load fast enough not to be worth a file
MAX_HEADER = 4096
STORE_NAME = re.compile(r"wamock-[0-9a-f]{32}\.store")
PART_NAME = re.compile(r"wamock-[0-9a-f]{32}\.(\d+)\.tmp")
CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC

_writing: list[threading.Thread] = []
_said: set[str] = set()


class CompiledError(ValueError):
    """A file that is not a compiled store this version wrote whole; the message names it."""


def cache_dir() -> Path:
    return Path(os.environ.get("WAMOCK_CACHE_DIR") or Path.home() / ".cache" / "wamock")


def cache_key(fixtures_file: Path, spec: dict) -> str:
    found = fixtures_file.stat()
    schema = json.dumps(collections.chat_schema(spec), sort_keys=True)
    identity = f"{FORMAT}|{fixtures_file.resolve()}|{found.st_size}|{found.st_mtime_ns}|{found.st_ino}|{schema}"
    return hashlib.blake2b(identity.encode(), digest_size=16).hexdigest()


def store_name(fixtures_file: Path, spec: dict) -> str:
    return f"wamock-{cache_key(fixtures_file, spec)}.store"


def load_devices(fixtures_file: Path, spec: dict) -> Devices:
    """The data of a fixture file. A plain list is compiled (and read back from its compiled file
    when a fresh one exists); several devices are loaded as they are."""
    fixtures_file = Path(fixtures_file)
    directory = open_cache_dir()
    try:
        name = None if directory is None else store_name(fixtures_file, spec)
    except OSError:
        name = None  # fixtures.read names the problem
    try:
        if name is not None:
            try:
                return Devices.single(read_at(directory, name, shown=cache_dir() / name))
            except FileNotFoundError:
                pass  # not compiled yet
            except CompiledError as exc:
                say(f"{exc}; the fixture file is loaded and compiled again")
            except OSError as exc:  # a disk that fails to read: only costs time
                say(f"cannot read {cache_dir() / name}: {exc.strerror}; the fixture file is loaded again")
        devices = parallel.load_devices(fixtures.read(fixtures_file), spec, source=str(fixtures_file))
        store = devices.only
        if name is not None and not devices.named and len(store) >= SMALL:
            write_later(store, os.dup(directory), name)
        return devices
    finally:
        if directory is not None:
            os.close(directory)


def open_cache_dir() -> int | None:
    """The cache directory, opened (created if absent); None, said in one line, where it is not
    this user's alone or cannot be made."""
    path = cache_dir()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileExistsError):
            path.mkdir(mode=0o700)
        directory = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError as exc:
        say(f"not caching compiled fixtures in {path}: {exc.strerror}; each start loads the fixture file")
        return None
    # Checked on what was opened, the directory a link leads to included: nothing can swap it now.
    owner, mode = os.fstat(directory).st_uid, os.fstat(directory).st_mode
    problem = None
    if owner != os.geteuid():
        problem = f"it belongs to uid {owner}, not to this user (uid {os.geteuid()})"
    elif mode & (stat.S_IWGRP | stat.S_IWOTH):
        problem = "others may write to it (chmod go-w it, or set WAMOCK_CACHE_DIR)"
    if problem is None:
        return directory
    os.close(directory)
    say(f"not caching compiled fixtures in {path}: {problem}; each start loads the fixture file")
    return None


def say(line: str) -> None:
    """One warning line, once a process."""
    if line not in _said:
        _said.add(line)
        logger.warning("wamock: %s", line)


def write_later(store: ChatStore, directory: int, name: str) -> None:
    """Written by a thread of its own, so that serving starts meanwhile (a write is mostly
    system calls, which release the GIL). Not a daemon: the process waits for it as it exits.
    The thread closes `directory`."""
    thread = threading.Thread(target=_write_quietly, args=(store, directory, name), name="wamock-compile")
    _writing[:] = [*(writing for writing in _writing if writing.is_alive()), thread]
    thread.start()


def finish_writing() -> None:
    """Waits until every compiled file being written is written."""
    while _writing:
        _writing.pop().join()


def _write_quietly(store: ChatStore, directory: int, name: str) -> None:
    try:
        write_at(directory, name, store)
        prune(directory)
    except OSError as exc:  # a cache that cannot be written only costs time
        say(
            f"cannot write {cache_dir() / name}: {exc.strerror}; nothing of it is kept, and the next start loads the fixture file"
        )
    finally:
        os.close(directory)


def write(store: ChatStore, path: Path) -> None:
    """`store` compiled into `path`, in a directory of this process's own (a state directory)."""
    directory = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        write_at(directory, path.name, store)
    finally:
        os.close(directory)


def read(path: Path) -> ChatStore:
    """The store compiled into `path`; CompiledError, naming it, if it is not one whole."""
    directory = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        return read_at(directory, path.name, shown=path)
    finally:
        os.close(directory)


def write_at(directory: int, name: str, store: ChatStore) -> None:
    """Written to a new part file beside `name`, then renamed over it: a reader sees all or nothing.
    Whatever ends the write (no space left, a signal) removes the part file."""
    has_media, all_chats, with_media, archived, names = store.parts()
    parts = (all_chats.starts, with_media.starts, names.starts, has_media, archived)
    parts = (*parts, all_chats.blob, with_media.blob, names.blob)
    crc = 0
    for part in checked(parts):
        crc = zlib.crc32(part, crc)
    header = {
        "format": FORMAT,
        "count": len(all_chats),
        "media": len(with_media),
        "blobs": [len(all_chats.blob), len(with_media.blob), len(names.blob)],
        "crc32": crc,
    }
    part_name = f"{name.removesuffix('.store')}.{os.getpid()}.tmp"
    out = _create(directory, part_name)
    try:
        with open(out, "wb") as written:
            written.write(MAGIC + json.dumps(header).encode() + b"\n")
            for part in parts:
                written.write(part)
        os.replace(part_name, name, src_dir_fd=directory, dst_dir_fd=directory)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(part_name, dir_fd=directory)
        raise


def _create(directory: int, name: str) -> int:
    try:
        return os.open(name, CREATE, 0o600, dir_fd=directory)
    except FileExistsError:
        # Our own name, in a directory of this user's alone: what lies there (a file of a pid
        # reused, a link) is removed, never written through.
        os.unlink(name, dir_fd=directory)
        return os.open(name, CREATE, 0o600, dir_fd=directory)


def read_at(directory: int, name: str, *, shown: Path) -> ChatStore:
    """The store in `name`, checked whole; FileNotFoundError if there is none, CompiledError if
    what is there is not one this version wrote."""
    try:
        source = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=directory)
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise CompiledError(f"{shown}: {exc.strerror}") from None
    try:
        found = os.fstat(source)
        if not stat.S_ISREG(found.st_mode) or found.st_uid != os.geteuid():
            raise CompiledError(f"{shown}: not a file of this user's")
        head = os.pread(source, MAX_HEADER, 0)
        end = head.find(b"\n", len(MAGIC))
        if not head.startswith(MAGIC) or end < 0:
            raise CompiledError(f"{shown}: not a wamock compiled store")
        header = _header(head[len(MAGIC) : end], shown)
        count, media, blobs = header["count"], header["media"], header["blobs"]
        sizes = [8 * (count + 1), 8 * (media + 1), 8 * (count + 1), count, count, *blobs]
        start = end + 1
        if found.st_size != start + sum(sizes):
            raise CompiledError(f"{shown}: {found.st_size} bytes, not the {start + sum(sizes)} its header says")
        mapped = mmap.mmap(source, 0, access=mmap.ACCESS_READ)
        view = memoryview(mapped)[start:]
        parts, cursor = [], 0
        for size in sizes:
            parts.append(view[cursor : cursor + size])
            cursor += size
        crc = 0
        for part in checked(parts):
            crc = zlib.crc32(part, crc)
        if crc != header["crc32"]:
            raise CompiledError(f"{shown}: its offsets, flags or names do not match their checksum")
        with contextlib.suppress(OSError):  # a read-only cache is read all the same
            os.utime(source)  # newest use first, for pruning
    finally:
        os.close(source)
    taken = parts
    starts_all, starts_media, starts_names = array("q"), array("q"), array("q")
    for starts, part in zip((starts_all, starts_media, starts_names), taken[:3], strict=True):
        starts.frombytes(part)
    has_media, archived = bytes(taken[3]), bytes(taken[4])
    blob_all, blob_media, names = taken[5], taken[6], bytes(taken[7])
    # What the checksum cannot tell: the offsets span their buffers, the flags are flags.
    for starts, blob in ((starts_all, blob_all), (starts_media, blob_media), (starts_names, names)):
        if starts[0] != 0 or starts[-1] != (len(blob) + 1 if len(starts) > 1 else 0):  # as if a comma followed
            raise CompiledError(f"{shown}: offsets that do not span their chats")
    if (
        has_media.count(1) != media
        or has_media.count(0) + media != count
        or archived.count(0) + archived.count(1) != count
    ):
        raise CompiledError(f"{shown}: flags that are not flags")
    return ChatStore.from_parts(
        has_media,
        EncodedChats(blob_all, starts_all),
        EncodedChats(blob_media, starts_media),
        archived,
        EncodedChats(names, starts_names),
    )


def checked(parts: tuple) -> tuple:
    """What the checksum covers: the offsets, the flags and the names (at a million chats 21 MB
    and 13 MB, read whole as a store starts anyway), not the chats' 292 MB, which are read from
    the file only as pages are served: checking them took a warm start of a million chats from
    34 to 413 ms and would put them all in its memory. A chat's bytes are only ever served
    between checked offsets."""
    return (*parts[:5], parts[7])


def _header(line: bytes, shown: Path) -> dict:
    try:
        header = json.loads(line)
    except ValueError:
        header = None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise CompiledError(f"{shown}: not a compiled store of format {FORMAT}")
    numbers = [header.get("count"), header.get("media"), header.get("crc32"), *(header.get("blobs") or [None])]
    if len(header.get("blobs") or ()) != 3 or not all(type(number) is int and number >= 0 for number in numbers):
        raise CompiledError(f"{shown}: a header that is not whole")
    return header


def prune(directory: int) -> None:
    """Keeps the newest KEEP stores, and removes what writers that were killed left half-written:
    only wamock's own files, by name, owner and MAGIC."""
    stores, abandoned = [], []
    for name in os.listdir(directory):
        part = PART_NAME.fullmatch(name)
        if not (part or STORE_NAME.fullmatch(name)):
            continue
        try:
            found = os.stat(name, dir_fd=directory, follow_symlinks=False)
            if not stat.S_ISREG(found.st_mode) or found.st_uid != os.geteuid() or not _begins_as_ours(directory, name):
                continue
        except OSError:
            continue
        if part is None:
            stores.append((found.st_mtime, name))
        elif not _running(part.group(1)):
            abandoned.append(name)
    for name in [name for _, name in sorted(stores, reverse=True)[KEEP:]] + abandoned:
        with contextlib.suppress(OSError):
            os.unlink(name, dir_fd=directory)


def _begins_as_ours(directory: int, name: str) -> bool:
    """Whether a file starts as wamock starts its files (an empty part file: killed at once)."""
    source = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK, dir_fd=directory)
    try:
        head = os.read(source, len(MAGIC))
    finally:
        os.close(source)
    return head == MAGIC[: len(head)]


def _running(pid: str) -> bool:
    """Whether the process that writes `wamock-<key>.<pid>.tmp` is still there."""
    try:
        os.kill(int(pid), 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True  # another user's
    return True
