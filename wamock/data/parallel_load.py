"""Loading a large fixture file on both cores.

Parsing a million chats, checking them, putting them in order and encoding them each take
about a second on one core. Once the file is read, a helper process is forked: it parses its
own copy and sends the serving order, then the index of names that search scans. Meanwhile
this process parses the file, checks every record and encodes the chats; it takes the order
and the names when its own passes are done. What is served is exactly what one core builds.

Only a process with a single thread forks (a fork copies the locks other threads hold), only
where fork exists, and only with memory for both processes. A smaller file, another platform,
too little memory, or a helper that dies or fails: this process computes what the helper
would have sent. The helper never outlives this process, whatever ends it
(wamock/processes.py).
"""

import contextlib
import multiprocessing
import os
import sys
import threading
from array import array
from collections.abc import Sequence
from multiprocessing.connection import Connection

from wamock import processes
from wamock.data import fixtures
from wamock.data.devices import UNNAMED, Devices
from wamock.data.store import ChatStore, EncodedChats, Ordering, name_index, serving_order

PARALLEL_FROM = 16 * 2**20  # bytes; below this a fork costs more than it saves
# A million chats (226 MiB) peak at 1.5 GiB here and 1.1 GiB more in the helper (one core: 1.6
# GiB): the helper is forked only where this many bytes a byte of the file are available.
MEMORY_PER_BYTE = 16


def load_devices(raw: bytes, spec: dict, *, source: str, parallel_from: int = PARALLEL_FROM) -> Devices:
    """The checked data of a fixture file's bytes; FixtureError names what is wrong with them."""
    if len(raw) < parallel_from or not can_fork(len(raw)):
        return Devices.from_data(fixtures.validate_data(fixtures.parse(raw, source=source), spec, source=source))
    with Helper(raw) as helper:
        data = fixtures.validate_data(fixtures.parse(raw, source=source), spec, source=source)
        if UNNAMED in data:  # a plain list, which the helper orders
            return Devices.single(ChatStore(data[UNNAMED], owned=True, ordering=helper))
        return Devices.from_data(data)


def can_fork(size: int) -> bool:
    """Whether a helper may be forked to load `size` bytes: one thread here, and the memory for two."""
    return sys.platform == "linux" and threading.active_count() == 1 and available_memory() >= MEMORY_PER_BYTE * size


def available_memory() -> int:
    """Bytes the kernel can give without swapping (MemAvailable); 0 if it does not say."""
    try:
        with open("/proc/meminfo", "rb") as meminfo:
            for line in meminfo:
                if line.startswith(b"MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


class Helper(Ordering):
    """A forked process that computes a plain list's order and names from the same bytes.

    It sends ("order", bytes of an array of positions), then ("names", (blob, bytes of the
    starts)); either may be None where it could not compute them. A file that is not a plain
    list gets nothing: the helper sends nothing and ends.
    """

    def __init__(self, raw: bytes) -> None:
        self._received: dict[str, object] = {}
        self._from_helper, to_parent = multiprocessing.Pipe(duplex=False)
        self._process = multiprocessing.get_context("fork").Process(
            target=helper_main,
            args=(raw, to_parent, self._from_helper, os.getpid()),
            daemon=True,
            name="wamock-load-helper",
        )
        try:
            self._process.start()
        except OSError:  # no memory or no process left to fork: this process computes it all
            self._process = None
            self._from_helper.close()
        to_parent.close()  # the helper holds the only writer: its end is this end's EOF

    def __enter__(self) -> "Helper":
        return self

    def __exit__(self, *exc_info) -> None:
        self._let_go()

    def order(self, records: list[dict]) -> Sequence[int]:
        payload = self._receive("order")
        if payload is None:
            return serving_order(records)
        order = array("q")
        order.frombytes(payload)
        return order

    def names(self, records: list[dict], order: Sequence[int]) -> EncodedChats:
        payload = self._receive("names")
        if payload is None:
            return name_index(records, order)
        blob, starts_bytes = payload
        starts = array("q")
        starts.frombytes(starts_bytes)
        return EncodedChats(blob, starts)

    def _receive(self, kind: str) -> object:
        """What the helper sent of `kind`; None if it could not, or is gone."""
        while kind not in self._received and self._process is not None:
            try:
                got, payload = self._from_helper.recv()
            except (EOFError, OSError):
                self._let_go()
            else:
                self._received[got] = payload
        return self._received.pop(kind, None)

    def _let_go(self) -> None:
        if self._process is not None:
            self._from_helper.close()
            self._process.terminate()  # done, or no longer needed: a check failed here
            self._process.join()
            self._process = None


def helper_main(raw: bytes, to_parent: Connection, from_helper: Connection, parent: int) -> None:
    processes.end_with_parent(parent)
    processes.default_signals()
    # The fork copied the parent's reading end: held here, a parent that is gone would leave
    # this process blocked forever on a full pipe that only it could read.
    from_helper.close()
    help_load(raw, to_parent)


def help_load(raw: bytes, to_parent: Connection) -> None:
    """What the helper does: parse, then send the order and the names of a plain list.

    What is too broken to order or index is sent as None: the parent's check names what is
    wrong, and nothing of it is printed here."""
    try:
        records = fixtures.parse(raw, source="")
        if not isinstance(records, list):
            return
        order = names = None
        with contextlib.suppress(Exception):
            order = serving_order(records)
        to_parent.send(("order", None if order is None else array("q", order).tobytes()))
        if order is not None:
            with contextlib.suppress(Exception):
                index = name_index(records, order)
                names = (index.blob, index.starts.tobytes())
        to_parent.send(("names", names))
    except (fixtures.FixtureError, BrokenPipeError):
        pass  # not JSON, which the parent names; or the parent no longer listens
