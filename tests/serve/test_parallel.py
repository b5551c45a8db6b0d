"""Loading on both cores: the helper process sends what this process would compute, and a load
with it serves exactly what a load on one core serves, or fails with the same message."""

import multiprocessing
import os
import subprocess
import sys
import threading
from datetime import timedelta

import orjson
import pytest

from wamock.data import spec as spec_module
from wamock.data.devices import Devices
from wamock.data.fixtures import FixtureError
from wamock.data.generate import dumps, generate_chats
from wamock.data.store import ChatStore, name_index, serving_order
from wamock.data.timestamps import parse
from wamock.serve.fast import parallel
from wamock.serve.fast.parallel import Helper

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
    generated = generate_chats(400, 5, newest=spec_module.documented_chat(spec))
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
    monkeypatch.setattr(parallel, "helper_main", lambda raw, to_parent: os._exit(3))
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
    asked = "from wamock.serve.fast import parallel as p; print(p.can_fork(2**24), p.can_fork(p.available_memory()))"
    answer = subprocess.run([sys.executable, "-c", asked], capture_output=True, text=True, check=True, timeout=60)

    assert answer.stdout.split() == ["True", "False"]


def test_the_load_of_a_plain_list_is_one_unnamed_device(chats, spec, forking):
    devices = parallel.load_devices(dumps(chats), spec, source="f.json", parallel_from=0)

    assert devices == Devices.single(devices.only) and len(devices.only) == len(chats)
