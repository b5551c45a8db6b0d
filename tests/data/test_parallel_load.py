"""Loading on both cores: the helper process sends what this process would compute, and a load
with it serves exactly what a load on one core serves, or fails with the same message."""

import contextlib
import multiprocessing
import os
import signal
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path

import orjson
import pytest

from tests.conftest import wait_for
from wamock.data import collections
from wamock.data import parallel_load as parallel
from wamock.data.devices import Devices
from wamock.data.fixtures import FixtureError
from wamock.data.generate import dumps, generate_chats
from wamock.data.parallel_load import Helper
from wamock.data.store import ChatStore, name_index, serving_order
from wamock.data.timestamps import parse

ONE_CORE = 2**62  # a file never this large: load_devices stays on one core


def with_offsets(chats: list[dict]) -> list[dict]:
    """The same moments, every third written with a +07:00 offset: not the layout sorted as text."""
    shifted = []
    for index, chat in enumerate(chats):
        if index % 3 == 0:
            local = parse(chat["last_message_time"]) + timedelta(hours=7)
            chat = {**chat, "last_message_time": local.strftime("%Y-%m-%dT%H:%M:%S+07:00")}
        shifted.append(chat)
    return shifted


@pytest.fixture(params=["utc", "offsets"])
def chats(request, spec) -> list[dict]:
    generated = generate_chats(400, 5, newest=collections.documented_chat(spec))
    return generated if request.param == "utc" else with_offsets(generated)


def described(store: ChatStore) -> tuple:
    has_media, all_chats, with_media, archived, names = store.parts()
    encoded = [(bytes(part.blob), part.starts.tobytes()) for part in (all_chats, with_media, names)]
    return has_media, archived, encoded


def test_the_helper_sends_the_order_and_the_names_computed_here(chats):
    raw = dumps(chats)
    with Helper(raw) as helper:
        # Given no records, this process could compute nothing: what comes back was sent.
        order = helper.order([])
        names = helper.names([], order)

    assert list(order) == serving_order(chats)
    expected = name_index(chats, serving_order(chats))
    assert (names.blob, names.starts) == (expected.blob, expected.starts)


def test_a_store_ordered_by_the_helper_is_the_store_built_here(chats):
    raw = dumps(chats)
    with Helper(raw) as helper:
        helped = ChatStore(orjson.loads(raw), owned=True, ordering=helper)

    assert described(helped) == described(ChatStore(orjson.loads(raw), owned=True))


@pytest.fixture
def forking(monkeypatch):
    """The test process may run threads of other tests' servers; the helper is forked all the same."""
    monkeypatch.setattr(parallel, "can_fork", lambda size: True)


def test_loading_on_both_cores_serves_what_one_core_serves(chats, spec, forking):
    raw = dumps(chats)
    devices_file = dumps({"devices": {"phone": chats[:150], "tablet": chats[150:]}})

    for data in (raw, devices_file):
        both = parallel.load_devices(data, spec, source="f.json", parallel_from=0)
        one = parallel.load_devices(data, spec, source="f.json", parallel_from=ONE_CORE)
        assert both.stores.keys() == one.stores.keys()
        assert [described(store) for store in both.stores.values()] == [
            described(store) for store in one.stores.values()
        ]


BROKEN = {
    "not JSON": b'[{"jid": ',
    "a record without a jid": b'[{"name": "A", "last_message_time": "2024-01-01T00:00:00Z", "has_media": false}]',
    "a time that is no time": (
        b'[{"jid": "a@g.us", "name": "A", "last_message_time": "yesterday", "ephemeral_expiration": 0,'
        b' "created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-01T00:00:00Z", "has_media": false}]'
    ),
    "an object": b'{"chats": []}',
}


@pytest.mark.parametrize("raw", BROKEN.values(), ids=BROKEN.keys())
def test_a_broken_file_fails_with_the_message_of_one_core(raw, spec, forking):
    with pytest.raises(FixtureError) as one:
        parallel.load_devices(raw, spec, source="f.json", parallel_from=ONE_CORE)
    with pytest.raises(FixtureError) as both:
        parallel.load_devices(raw, spec, source="f.json", parallel_from=0)

    assert str(both.value) == str(one.value)


def test_a_repeated_jid_fails_with_the_message_of_one_core(chats, spec, forking):
    raw = dumps([*chats, {**chats[7], "name": "Twin"}])

    with pytest.raises(FixtureError, match=r"record 400: jid: .* repeats record 7") as both:
        parallel.load_devices(raw, spec, source="f.json", parallel_from=0)
    with pytest.raises(FixtureError) as one:
        parallel.load_devices(raw, spec, source="f.json", parallel_from=ONE_CORE)
    assert str(both.value) == str(one.value)


def test_a_helper_that_dies_leaves_the_work_to_this_process(chats, monkeypatch):
    monkeypatch.setattr(parallel, "helper_main", lambda *args: os._exit(3))
    raw = dumps(chats)

    with Helper(raw) as helper:
        helped = ChatStore(orjson.loads(raw), owned=True, ordering=helper)

    assert described(helped) == described(ChatStore(orjson.loads(raw), owned=True))


@pytest.mark.parametrize(
    ("broken", "sent"),
    [
        pytest.param({"name": 5}, {"order": True, "names": False}, id="a name that is no text"),
        pytest.param({"jid": None}, {"order": False, "names": False}, id="a jid that is no text"),
        pytest.param({"last_message_time": 5}, {"order": False, "names": False}, id="a time that is no text"),
    ],
)
def test_what_the_helper_cannot_compute_it_sends_as_none(chats, broken, sent, capfd):
    """Run here, without a fork: the records are broken, and the helper says so without a word."""
    from_helper, to_parent = multiprocessing.Pipe(duplex=False)

    parallel.help_load(dumps([{**chats[0], **broken}, *chats[1:]]), to_parent)

    received = dict([from_helper.recv(), from_helper.recv()])
    assert {kind: payload is not None for kind, payload in received.items()} == sent
    assert capfd.readouterr() == ("", "")


def test_a_process_with_other_threads_does_not_fork():
    stop = threading.Event()
    waiting = threading.Thread(target=stop.wait)
    waiting.start()
    try:
        assert not parallel.can_fork(1)
    finally:
        stop.set()
        waiting.join()


def test_a_single_threaded_process_forks_unless_memory_is_short():
    # A fresh process: this one may run other tests' server threads.
    asked = "from wamock.data import parallel_load as p; print(p.can_fork(2**24), p.can_fork(p.available_memory()))"
    answer = subprocess.run([sys.executable, "-c", asked], capture_output=True, text=True, check=True, timeout=60)

    assert answer.stdout.split() == ["True", "False"]


def test_the_load_of_a_plain_list_is_one_unnamed_device(chats, spec, forking):
    devices = parallel.load_devices(dumps(chats), spec, source="f.json", parallel_from=0)

    assert devices == Devices.single(devices.only) and len(devices.only) == len(chats)


# A real wamock, stopped by a real signal while the helper loads: nothing of it may outlive it.

LOAD_SIGNALS = {"SIGTERM": (signal.SIGTERM, 0), "SIGHUP": (signal.SIGHUP, 0), "SIGINT": (signal.SIGINT, 130)}


@pytest.fixture(scope="module")
def big_fixtures(tmp_path_factory, spec) -> Path:
    """A fixture file just past PARALLEL_FROM, so that a cold start forks the helper."""
    path = tmp_path_factory.mktemp("big") / "big.json"
    path.write_bytes(dumps(generate_chats(80_000, 9, newest=collections.documented_chat(spec))))
    assert path.stat().st_size >= parallel.PARALLEL_FROM
    return path


def children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as listed:
            return [int(child) for child in listed.read().split()]
    except OSError:
        return []


def alive(pid: int) -> bool:
    """Whether `pid` runs (a zombie no longer does: it waits only to be reaped)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@contextlib.contextmanager
def cold_start(fixtures_file: Path, tmp_path: Path, *workers: str):
    """`wamock serve` loading `fixtures_file` with an empty cache; yields (process, its helper's pids).

    Whatever of it is still running at the end is killed, by its pid, so that a failing test
    leaves nothing behind either."""
    (tmp_path / "tmp").mkdir()
    env = {**os.environ, "WAMOCK_CACHE_DIR": str(tmp_path / "cache"), "TMPDIR": str(tmp_path / "tmp")}
    with open(tmp_path / "output", "w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "wamock", "serve", "--port", "0", "--fixtures", str(fixtures_file), *workers],
            stdout=output,
            stderr=subprocess.STDOUT,
            env=env,
        )
    helpers: list[int] = []
    try:
        helpers += wait_for(lambda: forked(process.pid), timeout=60, what="the load's helper")
        yield process, helpers
    finally:
        for pid in [process.pid, *helpers]:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
        process.wait(timeout=30)
        print((tmp_path / "output").read_text())  # shown if the test fails


def forked(pid: int) -> list[int]:
    """The children of `pid` that are forks of it (the helper), not a program they run (workers)."""

    def command(pid: int) -> bytes:
        with contextlib.suppress(OSError), open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            return cmdline.read()
        return b""

    return [child for child in children(pid) if command(child) == command(pid)]


def left_behind(tmp_path: Path) -> list[str]:
    """What a stopped wamock left: state directories, and unfinished files in its cache."""
    cache = tmp_path / "cache"
    return sorted(
        [path.name for path in (tmp_path / "tmp").iterdir()]
        + ([path.name for path in cache.iterdir() if path.suffix == ".tmp"] if cache.exists() else [])
    )


@pytest.mark.live
@pytest.mark.parametrize("workers", [pytest.param([], id="1-worker"), pytest.param(["--workers", "2"], id="2-workers")])
@pytest.mark.parametrize("name", [*LOAD_SIGNALS, "SIGKILL"])
def test_a_wamock_stopped_during_a_cold_load_leaves_no_process_and_no_file(big_fixtures, tmp_path, name, workers):
    with cold_start(big_fixtures, tmp_path, *workers) as (process, helpers):
        os.kill(process.pid, getattr(signal, name))
        returncode = process.wait(timeout=60)
        wait_for(lambda: not any(map(alive, helpers)), timeout=20, what=f"the helper {helpers} to end")

    assert returncode == LOAD_SIGNALS.get(name, (None, -signal.SIGKILL))[1]
    assert left_behind(tmp_path) == []
