"""The request journal on disk: one JSON line an entry, appended by any worker, the latest kept.

Opened once per process with O_APPEND, so that each small write lands whole whichever worker
writes; past its cap the file is cut back, in place, to its latest `limit` entries (every
worker's descriptor stays valid). A path or query longer than MAX_TEXT is cut.
"""

import contextlib
import fcntl
import os
import time
import weakref
from pathlib import Path

import orjson

LIMIT = 1000
MAX_TEXT = 2048  # of a path or query in an entry; longer ones are cut
MAX_ENTRY_BYTES = 3 * MAX_TEXT  # what one entry may take on disk, at most
MEASURE_EVERY = 16  # entries written between two looks at the file's size: a stat a request is a tenth of its cost


class JournalFile:
    def __init__(self, directory: Path, limit: int = LIMIT) -> None:
        self.path = Path(directory) / "journal.jsonl"
        self.lock_path = Path(directory) / "journal.lock"
        self.limit = limit
        # Past this size the file is cut back to its latest `limit` entries.
        self.cap = limit * MAX_ENTRY_BYTES + 64 * 1024
        self.unmeasured = 0  # entries written since the file's size was last looked at
        self.fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        weakref.finalize(self, os.close, self.fd)

    def record(self, entry: dict) -> None:
        if not self.limit:
            return
        for name in ("path", "query"):
            if len(entry[name]) > MAX_TEXT:
                entry[name] = entry[name][:MAX_TEXT] + "..."
        os.write(self.fd, orjson.dumps({"time": round(time.time(), 3), **entry}) + b"\n")
        self.unmeasured += 1
        if self.unmeasured >= MEASURE_EVERY:
            self.unmeasured = 0
            if os.fstat(self.fd).st_size > self.cap:
                self.cut()

    def entries(self) -> list[dict]:
        try:
            lines = self.path.read_bytes().splitlines()
        except FileNotFoundError:
            return []
        return [orjson.loads(line) for line in lines[-self.limit :]] if self.limit else []

    def clear(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.truncate(self.path, 0)

    def cut(self) -> None:
        """Keep the latest entries only, in place."""
        with open(self.lock_path, "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if self.path.stat().st_size <= self.cap:
                return  # another worker has cut it
            kept = self.path.read_bytes().splitlines(keepends=True)[-self.limit :]
            os.ftruncate(self.fd, 0)
            os.write(self.fd, b"".join(kept))
