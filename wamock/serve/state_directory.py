"""The directory a running wamock keeps its state in, shared by its workers: made, owned,
and removed once its owner is gone (kill -9 leaves it to the next wamock that starts)."""

import mmap
import os
import shutil
import struct
import tempfile
from pathlib import Path

STATE_PREFIX = "wamock-state-"
COUNTER = struct.Struct("<Q")  # the version counter, shared by every worker through mmap


def new() -> Path:
    """A new state directory of this process, once abandoned ones are removed."""
    remove_abandoned_directories()
    directory = Path(tempfile.mkdtemp(prefix=STATE_PREFIX))
    (directory / "owner.pid").write_text(str(os.getpid()))
    return directory


def remove_abandoned_directories() -> None:
    """State directories of wamocks that died without cleaning up (kill -9): their owner is gone."""
    for directory in Path(tempfile.gettempdir()).glob(STATE_PREFIX + "*"):
        try:
            owner = int((directory / "owner.pid").read_text())
            if directory.stat().st_uid != os.getuid():
                continue
            os.kill(owner, 0)
        except ProcessLookupError:
            shutil.rmtree(directory, ignore_errors=True)
        except (OSError, ValueError):
            continue  # not ours, still starting, or alive


def open_counter(path: Path) -> mmap.mmap:
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        if os.fstat(fd).st_size < COUNTER.size:
            os.ftruncate(fd, COUNTER.size)
        return mmap.mmap(fd, COUNTER.size)
    finally:
        os.close(fd)


def write_atomically(path: Path, data: bytes) -> None:
    temporary = path.with_suffix(".tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)
