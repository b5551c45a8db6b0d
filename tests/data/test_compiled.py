"""Compiled fixture files: a big data set is served from its compiled file on the next start."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from wamock.data import collections, compiled
from wamock.data import parallel_load as parallel
from wamock.data.generate import dumps, generate_chats
from wamock.data.store import ChatStore, Filters


@pytest.fixture
def big_file(tmp_path, spec, monkeypatch):
    monkeypatch.setenv("WAMOCK_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(compiled, "SMALL", 100)
    path = tmp_path / "big.json"
    path.write_bytes(dumps(generate_chats(500, 3, newest=collections.documented_chat(spec))))
    return path


def pages(store: ChatStore) -> list:
    return [
        store.page(limit=limit, offset=offset, filters=filters)
        for limit, offset, filters in [
            (25, 0, Filters()),
            (100, 450, Filters()),
            (7, 3, Filters(has_media=True)),
            (50, 10**12, Filters(has_media=True)),
            (9, 2, Filters(archived=True, search="a")),
            (30, 0, Filters(has_media=True, archived=False)),
        ]
    ]


def test_second_load_reads_the_compiled_file_and_serves_the_same_pages(big_file, spec, tmp_path):
    first = compiled.load_devices(big_file, spec).only
    compiled.finish_writing()
    files = list((tmp_path / "cache").glob("*.store"))
    second = compiled.load_devices(big_file, spec).only

    assert len(files) == 1
    assert pages(second) == pages(first)
    assert second.records() == first.records()


def test_a_changed_fixture_file_is_loaded_again(big_file, spec, tmp_path):
    compiled.load_devices(big_file, spec)
    compiled.finish_writing()
    chats = big_file.read_text().replace('"John Doe"', '"Jane Doe"')
    big_file.write_text(chats)
    os.utime(big_file, ns=(1, 1))

    store = compiled.load_devices(big_file, spec).only
    compiled.finish_writing()

    assert store.page(limit=1, offset=0).data[0]["name"] == "Jane Doe"
    assert len(list((tmp_path / "cache").glob("*.store"))) == 2


def test_a_broken_compiled_file_falls_back_to_loading(big_file, spec, tmp_path):
    expected = pages(compiled.load_devices(big_file, spec).only)
    compiled.finish_writing()
    for file in (tmp_path / "cache").glob("*.store"):
        file.write_bytes(file.read_bytes()[:1000])

    assert pages(compiled.load_devices(big_file, spec).only) == expected


def test_an_unwritable_cache_only_costs_time(big_file, spec, tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    monkeypatch.setenv("WAMOCK_CACHE_DIR", str(blocker / "cache"))

    assert len(compiled.load_devices(big_file, spec).only) == 500
    compiled.finish_writing()
    assert not blocker.read_text()


def test_what_a_killed_writer_left_is_removed_and_a_running_one_kept(big_file, spec, tmp_path):
    ended = subprocess.Popen([sys.executable, "-c", ""])
    ended.wait()
    cache = tmp_path / "cache"
    cache.mkdir()
    left = cache / f"wamock-{'0123' * 8}.{ended.pid}.tmp"
    running = cache / f"wamock-{'4567' * 8}.{os.getpid()}.tmp"
    for part in (left, running):
        part.write_bytes(compiled.MAGIC + b"half")

    compiled.load_devices(big_file, spec)
    compiled.finish_writing()

    assert not left.exists()
    assert running.exists()


# The cache is wamock's own: nothing else in it is touched, nothing is written through a link,
# nothing read back is served unchecked.

FOREIGN = 12345  # a uid of no one here: another local user


@pytest.fixture
def cache(tmp_path) -> Path:
    directory = tmp_path / "cache"
    directory.mkdir(mode=0o700)
    return directory


@pytest.fixture
def expected(big_file, spec) -> list:
    """The pages of the fixture file, loaded with no cache at all."""
    return pages(parallel.load_devices(big_file.read_bytes(), spec, source=str(big_file)).only)


def names_of(big_file: Path, spec: dict, suffix: str) -> list[str]:
    """The names this version and the previous one give a file of `big_file`'s in the cache."""
    key = compiled.cache_key(big_file, spec)
    return [f"{key}{suffix}", f"wamock-{key}{suffix}"]


def plant(cache: Path, big_file: Path, spec: dict, *, owner: int | None = None) -> None:
    """A store of one chat, named as `big_file`'s is: a page with an `onerror` in it, if served."""
    evil = ChatStore([{**generate_chats(1, 1, newest=collections.documented_chat(spec))[0], "name": "<img onerror>"}])
    for name in names_of(big_file, spec, ".store"):
        compiled.write(evil, cache / name)
        if owner is not None:
            os.chown(cache / name, owner, owner)


def contents(directory: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in directory.iterdir()}


def test_files_that_are_not_wamock_s_are_left_as_they_are(big_file, spec, cache):
    ended = subprocess.Popen([sys.executable, "-c", ""])
    ended.wait()
    foreign = {
        "notes.tmp": b"mine",
        f"{'ab' * 16}.{ended.pid}.tmp": b"half of another program's file",
        f"wamock-{'ab' * 16}.{ended.pid}.tmp": b"named as wamock's, not begun as one",
        **{f"photos-{index}.store": b"another program's store" for index in range(4)},
        f"{'cd' * 16}.store": b"named as wamock 0.x named its stores",
        f"wamock-{'ef' * 16}.store": b"named as wamock's, not begun as one",
    }
    for name, data in foreign.items():
        (cache / name).write_bytes(data)
        os.utime(cache / name, (1, 1))  # older than anything wamock writes

    compiled.load_devices(big_file, spec)
    compiled.finish_writing()

    assert {name: data for name, data in contents(cache).items() if name in foreign} == foreign
    assert len(contents(cache)) == len(foreign) + 1


def test_a_link_planted_as_the_part_file_is_not_written_through(big_file, spec, cache, expected, tmp_path):
    target = tmp_path / "target"
    target.write_bytes(b"precious")
    for name in names_of(big_file, spec, f".{os.getpid()}.tmp"):
        (cache / name).symlink_to(target)

    compiled.load_devices(big_file, spec)
    compiled.finish_writing()

    assert target.read_bytes() == b"precious"
    assert pages(compiled.load_devices(big_file, spec).only) == expected  # from the file written instead


def offsets(data: bytes) -> bytes:
    """The first chat's end, in the offsets that follow the header: 13 MB, as if it were."""
    start = data.index(b"}\n") + 2
    return data[: start + 8] + (13 * 10**6).to_bytes(8, "little") + data[start + 16 :]


def flag(data: bytes) -> bytes:
    """The first chat's has_media, after the header and the three offset arrays, set to 2."""
    header = compiled._header(data[len(compiled.MAGIC) : data.index(b"}\n") + 1], Path("f"))
    at = data.index(b"}\n") + 2 + 8 * (2 * (header["count"] + 1) + header["media"] + 1)
    return data[:at] + b"\x02" + data[at + 1 :]


CORRUPTIONS = {
    "an offset": offsets,
    "a name": lambda data: data[:-3] + b"zzz",
    "a flag": flag,
    "cut short": lambda data: data[:1000],
    "a header that is no JSON": lambda data: data.replace(b'"count"', b"'count'", 1),
    "a count that is no number": lambda data: re.sub(rb'"count": (\d+)', rb'"count": "\1"', data, count=1),
    "empty": lambda data: b"",
}


@pytest.mark.parametrize("corrupt", CORRUPTIONS.values(), ids=CORRUPTIONS.keys())
def test_a_corrupted_store_is_loaded_again_and_rewritten(big_file, spec, cache, expected, corrupt, caplog):
    compiled.load_devices(big_file, spec)
    compiled.finish_writing()
    [file] = cache.glob("*.store")
    file.write_bytes(corrupt(file.read_bytes()))

    assert pages(compiled.load_devices(big_file, spec).only) == expected
    compiled.finish_writing()
    [warning] = [record.getMessage() for record in caplog.records]
    assert warning.startswith(f"wamock: {file}: ")
    assert warning.endswith("; the fixture file is loaded and compiled again")
    assert pages(compiled.read(file)) == expected


def test_a_store_of_another_user_s_is_not_served(big_file, spec, cache, expected):
    plant(cache, big_file, spec, owner=FOREIGN)

    assert pages(compiled.load_devices(big_file, spec).only) == expected


UNTRUSTED = {
    "another user's": lambda directory: os.chown(directory, FOREIGN, FOREIGN),
    "group-writable": lambda directory: directory.chmod(0o770),
    "world-writable": lambda directory: directory.chmod(0o777),
}


@pytest.mark.parametrize("untrust", UNTRUSTED.values(), ids=UNTRUSTED.keys())
def test_a_directory_not_this_user_s_alone_is_not_used(big_file, spec, cache, expected, tmp_path, untrust, caplog):
    target = tmp_path / "target"
    target.write_bytes(b"precious")
    plant(cache, big_file, spec)
    for name in names_of(big_file, spec, f".{os.getpid()}.tmp"):
        (cache / name).symlink_to(target)
    before = contents(cache)
    untrust(cache)

    served = pages(compiled.load_devices(big_file, spec).only)
    compiled.finish_writing()

    assert served == expected
    assert (contents(cache), target.read_bytes()) == (before, b"precious")
    [warning] = [record.getMessage() for record in caplog.records]
    assert warning.startswith(f"wamock: not caching compiled fixtures in {cache}: ")
    assert warning.endswith("; each start loads the fixture file")


@pytest.fixture
def full_disk(tmp_path) -> Path:
    """A cache on a file system of 64 KiB (a tmpfs: root only), smaller than the store."""
    directory = tmp_path / "cache"
    directory.mkdir(mode=0o700)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k,mode=0700", "tmpfs", str(directory)], check=False)
    if mounted.returncode:
        pytest.skip("a tmpfs cannot be mounted here (root only)")
    yield directory
    subprocess.run(["umount", str(directory)], check=True)


def test_a_write_that_finds_no_space_is_removed_and_said_in_one_line(big_file, spec, full_disk, expected, caplog):
    served = pages(compiled.load_devices(big_file, spec).only)
    compiled.finish_writing()

    assert served == expected
    assert contents(full_disk) == {}
    [warning] = [record.getMessage() for record in caplog.records]
    assert warning.startswith(f"wamock: cannot write {full_disk}/wamock-")
    assert warning.endswith(
        ": No space left on device; nothing of it is kept, and the next start loads the fixture file"
    )


def test_a_store_read_back_archives_a_chat_as_a_store_built_with_it(big_file, spec):
    compiled.load_devices(big_file, spec)
    compiled.finish_writing()
    read_back = compiled.load_devices(big_file, spec).only  # its chats a view of the mapped file
    records = read_back.records()
    jid = records[7]["jid"]

    archived = read_back.with_archived({jid: not records[7]["archived"]})
    built = ChatStore([{**chat, "archived": not chat["archived"]} if chat["jid"] == jid else chat for chat in records])

    assert isinstance(read_back.parts()[1].blob, memoryview)
    assert pages(archived) == pages(built)
